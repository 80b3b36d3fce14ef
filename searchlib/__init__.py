"""searchlib: full-text search for Indonesian news articles."""

from searchlib._sample import sample_index
from searchlib._version import __version__
from searchlib.analysis import analyze, analyze_tokens, available_analyzers, get_analyzer, stem
from searchlib.config import Config, load_config
from searchlib.errors import (
    AnalyzerError,
    BackendNotSupportedError,
    ConfigError,
    IndexDamagedError,
    IndexLockedError,
    IndexMismatchError,
    IndexNotFoundError,
    IngestError,
    QueryError,
    SearchlibError,
    StorageError,
)
from searchlib.index import Index
from searchlib.results import AddSummary, Hit, SearchResults, Skipped

__all__ = [
    "AddSummary",
    "AnalyzerError",
    "BackendNotSupportedError",
    "Config",
    "ConfigError",
    "Hit",
    "Index",
    "IndexDamagedError",
    "IndexLockedError",
    "IndexMismatchError",
    "IndexNotFoundError",
    "IngestError",
    "QueryError",
    "SearchResults",
    "SearchlibError",
    "Skipped",
    "StorageError",
    "__version__",
    "analyze",
    "analyze_tokens",
    "available_analyzers",
    "get_analyzer",
    "load_config",
    "sample_index",
    "stem",
]
