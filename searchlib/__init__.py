"""searchlib: full-text search for Indonesian news articles."""

from searchlib._sample import sample_index
from searchlib._version import __version__
from searchlib.analysis import analyze, analyze_tokens, available_analyzers, get_analyzer, stem
from searchlib.config import Config, find_config, load_config
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
from searchlib.field_analysis import analyze_field
from searchlib.filter_values import nearest_filter_values
from searchlib.index import Index
from searchlib.ingest import ignored_files
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
    "analyze_field",
    "analyze_tokens",
    "available_analyzers",
    "find_config",
    "get_analyzer",
    "ignored_files",
    "load_config",
    "nearest_filter_values",
    "sample_index",
    "stem",
]
