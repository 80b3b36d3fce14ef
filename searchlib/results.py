"""Typed results returned by the public API."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from searchlib.snippets import Fragment

__all__ = ["AddSummary", "CheckProblem", "CheckReport", "Hit", "SearchResults", "Skipped"]


@dataclass(frozen=True)
class Hit:
    """One ranked document."""

    id: str
    rank: int
    score: float
    title: str
    snippet: str
    fields: dict[str, Any]
    fragments: tuple[Fragment, ...] = ()
    #: The ids of the other versions of this story the search collapsed into this hit.
    duplicates: tuple[str, ...] = ()

    @property
    def url(self) -> str | None:
        return self.fields.get("url")

    @property
    def date(self) -> datetime | None:
        return self.fields.get("date")

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape used by ``searchlib query --json`` and the web API."""
        date = self.date
        return {
            "id": self.id,
            "rank": self.rank,
            "score": round(self.score, 4),
            "title": self.title,
            "url": self.url,
            "date": date.isoformat() if isinstance(date, datetime) else date,
            "category": self.fields.get("category"),
            "source": self.fields.get("source"),
            "snippet": self.snippet,
            "fragments": [f.to_dict() for f in self.fragments],
            "duplicates": list(self.duplicates),
        }


@dataclass(frozen=True)
class SearchResults:
    """A page of hits plus what the engine did to get them."""

    query: str
    page: int
    limit: int
    took_ms: float
    hits: list[Hit]
    #: A corrected query when the query found few or no hits and a closer spelling exists.
    suggestion: str | None = None
    #: True when no document had all the words and the any-word reading was used instead.
    fallback: bool = False
    _facets: Callable[[], dict[str, dict[str, int]]] | None = field(
        default=None, repr=False, compare=False
    )
    _total: int | None = field(default=None, repr=False, compare=False)
    _count: Callable[[], int] | None = field(default=None, repr=False, compare=False)
    #: Set when part of a cluster did not answer (the engine's warnings): hits and total
    #: then cover only the shards that did.
    warnings: tuple[str, ...] = ()

    @property
    def partial(self) -> bool:
        return bool(self.warnings)

    @property
    def total(self) -> int:
        """How many documents match in all.

        Exact. When the page is full, counting the rest is deferred to the first access
        (and done on the index as it is then), so an app showing ten hits does not pay for it.
        """
        if self._total is None:
            total = self._count() if self._count is not None else len(self.hits)
            object.__setattr__(self, "_total", total)
        return self._total  # type: ignore[return-value]

    @property
    def facets(self) -> dict[str, dict[str, int]]:
        """Counts by category and source over every match (not just this page).

        Computed on first access: counting visits every matching document, which most
        searches (an app showing ten hits) never need.
        """
        cached = self.__dict__.get("_facet_counts")
        if cached is None:
            cached = self._facets() if self._facets is not None else {}
            object.__setattr__(self, "_facet_counts", cached)
        return cached

    def __len__(self) -> int:
        return len(self.hits)

    def __iter__(self) -> Iterator[Hit]:
        return iter(self.hits)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.limit))

    def to_dict(self) -> dict[str, Any]:
        return {
            "query": self.query,
            "total": self.total,
            "page": self.page,
            "took_ms": round(self.took_ms, 2),
            "fallback": self.fallback,
            "suggestion": self.suggestion,
            "hits": [h.to_dict() for h in self.hits],
        } | ({"partial": True, "warnings": list(self.warnings)} if self.warnings else {})


@dataclass(frozen=True)
class Skipped:
    """An input document that was not indexed, and why."""

    source: str | None
    line: int | None
    reason: str

    def __str__(self) -> str:
        where = (
            f"{self.source}:{self.line}: "
            if self.line is not None
            else (f"{self.source}: " if self.source else "")
        )
        return where + self.reason


@dataclass
class AddSummary:
    """What one ``Index.add`` call committed."""

    added: int = 0
    replaced: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    seconds: float = 0.0

    def __str__(self) -> str:
        text = f"added {self.added}, replaced {self.replaced}, skipped {len(self.skipped)}"
        return f"{text} in {self.seconds:.1f} s"


@dataclass(frozen=True)
class CheckProblem:
    """One problem :meth:`Index.check` found: the file it is in and what is wrong."""

    file: str
    problem: str

    def __str__(self) -> str:
        return f"{self.file}: {self.problem}"


@dataclass
class CheckReport:
    """What :meth:`Index.check` read, and every problem it found (none: the index is whole)."""

    path: str
    problems: list[CheckProblem] = field(default_factory=list)
    segments: int = 0
    documents: int = 0
    terms: int = 0
    postings: int = 0
    #: Segments whose codec also verified its own checksums (0: a format without them).
    checksummed: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems

    def add(self, file: str, problem: str) -> None:
        if CheckProblem(file, problem) not in self.problems:
            self.problems.append(CheckProblem(file, problem))

    def files(self) -> set[str]:
        """The files with a problem."""
        return {p.file for p in self.problems}

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of ``searchlib check --json``."""
        return {
            "path": self.path,
            "ok": self.ok,
            "problems": [{"file": p.file, "problem": p.problem} for p in self.problems],
            "checked": {
                "segments": self.segments,
                "documents": self.documents,
                "terms": self.terms,
                "postings": self.postings,
                "checksummed_segments": self.checksummed,
            },
        }
