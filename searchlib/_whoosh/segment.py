from searchlib.backends.embedded.segment import SearchlibSegment

__all__ = ["SearchlibSegment"]
