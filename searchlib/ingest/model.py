"""What ingestion yields: a normalized :class:`Record`, or a :class:`Problem` to report."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from searchlib.errors import IngestError

__all__ = ["CANONICAL_FIELDS", "FORMATS", "Problem", "Record"]

#: The article fields every normalized document has (extra fields come from the config).
CANONICAL_FIELDS = ("id", "title", "body", "url", "source", "category", "date", "author", "tags")

#: Input formats ``read_documents`` accepts besides ``"auto"``.
FORMATS = ("jsonl", "json", "csv", "dir")


@dataclass(frozen=True)
class Record:
    """One input document, normalized (see :func:`searchlib.ingest.normalize_document`).

    ``source`` is the file the document came from (for a directory, the file inside it;
    None for a document given as a mapping); ``line`` is the 1-based line where it starts
    (None for one-document files; a mapping's position among those given).
    """

    source: str | None
    line: int | None
    doc: dict[str, Any]


@dataclass(frozen=True)
class Problem:
    """One input that could not be read. The caller decides whether it fails the run."""

    source: str | None
    line: int | None
    reason: str

    def to_error(self) -> IngestError:
        return IngestError(self.reason, source=self.source, line=self.line)

    def __str__(self) -> str:
        if self.source is None:
            return f"document {self.line}: {self.reason}"
        where = f"{self.source}:{self.line}" if self.line is not None else self.source
        return f"{where}: {self.reason}"
