from searchlib.backends.embedded.format4 import SearchlibSegment

__all__ = ["SearchlibSegment"]
