"""searchlib: full-text search for Indonesian news articles."""

from searchlib._version import __version__
from searchlib.analysis import analyze, analyze_tokens, available_analyzers, get_analyzer, stem
from searchlib.errors import (
    AnalyzerError,
    BackendNotSupportedError,
    ConfigError,
    IndexLockedError,
    IndexMismatchError,
    IndexNotFoundError,
    IngestError,
    QueryError,
    SearchlibError,
    StorageError,
)

__all__ = [
    "AnalyzerError",
    "BackendNotSupportedError",
    "ConfigError",
    "IndexLockedError",
    "IndexMismatchError",
    "IndexNotFoundError",
    "IngestError",
    "QueryError",
    "SearchlibError",
    "StorageError",
    "__version__",
    "analyze",
    "analyze_tokens",
    "available_analyzers",
    "get_analyzer",
    "stem",
]
