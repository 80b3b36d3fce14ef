from searchlib.backends.embedded.format4 import SearchlibCodec

__all__ = ["SearchlibCodec"]
