from searchlib.backends.embedded.codec import SearchlibCodec

__all__ = ["SearchlibCodec"]
