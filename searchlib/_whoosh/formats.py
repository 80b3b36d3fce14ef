from searchlib.backends.embedded.formats import CombinedPositions, CompactPositions

__all__ = ["CombinedPositions", "CompactPositions"]
