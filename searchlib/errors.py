"""Exception types raised by searchlib on purpose.

Everything derives from :class:`SearchlibError`, so an application can catch one type; the
CLI turns any of them into a single line on stderr and a non-zero exit code.
"""

from __future__ import annotations

__all__ = [
    "AnalyzerError",
    "BackendNotSupportedError",
    "ConfigError",
    "IndexDamagedError",
    "IndexLockedError",
    "IndexMismatchError",
    "IndexNotFoundError",
    "IngestError",
    "QueryError",
    "SearchlibError",
    "StorageError",
]


class SearchlibError(Exception):
    """Base class of every error searchlib raises deliberately."""

    #: A hint for the user on what to do next (shown by the CLI after the message).
    hint: str | None = None

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        if hint is not None:
            self.hint = hint


class ConfigError(SearchlibError):
    """A configuration file or dict is invalid (names the file and key)."""


class AnalyzerError(SearchlibError):
    """An analyzer name is unknown or its definition is invalid."""


class IngestError(SearchlibError):
    """Input documents could not be read (names file, line and reason)."""

    def __init__(
        self,
        message: str,
        *,
        source: str | None = None,
        line: int | None = None,
        hint: str | None = None,
    ) -> None:
        where = ""
        if source is not None:
            where = f"{source}:{line}: " if line is not None else f"{source}: "
        super().__init__(where + message, hint=hint)
        self.source = source
        self.line = line
        self.reason = message


class QueryError(SearchlibError):
    """A query string or search argument is invalid."""


class StorageError(SearchlibError):
    """A problem with an index on disk; ``path`` names the file when one is to blame."""

    def __init__(self, message: str, *, hint: str | None = None, path: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.path = path


class IndexDamagedError(StorageError):
    """A file of the index is damaged or truncated: it cannot be decoded (``path`` names it)."""


class IndexNotFoundError(StorageError):
    """No searchlib index exists at the given path."""


class IndexMismatchError(StorageError):
    """The index was built with another analyzer/config or format version."""


class IndexLockedError(StorageError):
    """Another writer holds the index lock and did not release it in time."""


class BackendNotSupportedError(SearchlibError):
    """The configured storage backend cannot do this operation."""
