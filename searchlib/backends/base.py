"""The storage interface every backend implements (embedded Whoosh, SphinxQL cluster).

It is deliberately small: creating and opening an index, transactions of upserts and deletes,
a search over searchlib's own query tree, a weighted any-term search, term statistics,
spelling candidates and stats. Analysis, ingestion, validation and the policy that is not
storage (fallback and suggestion rules, more-like-this term choice, the recency rerank, hit
and snippet assembly) stay above it, in code shared by every backend.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from searchlib.query import Node
from searchlib.signatures import stored_signature

if TYPE_CHECKING:
    from searchlib.config import Config
    from searchlib.results import CheckReport

#: How many processes a bulk add may use: ``"auto"`` or a whole number (see docs/build.md).
Processes = int | str


class RawHit:
    """One document a backend found, with its score.

    ``stored`` (the document's stored fields) is read on first use: for the recency rerank
    and the collapse of duplicate stories a backend returns many candidates, and only the
    page's hits are ever shown.
    """

    __slots__ = ("_load", "_signature", "_stored", "date", "docnum", "score")

    def __init__(
        self,
        docnum: int,
        score: float,
        stored: dict[str, Any] | None = None,
        *,
        load: Callable[[], dict[str, Any]] | None = None,
        date: float | None = None,
        signature: bytes | None = None,
    ) -> None:
        if stored is None and load is None:
            raise TypeError("RawHit needs stored fields or a function that loads them")
        self.docnum = docnum
        self.score = score
        #: The document's date as POSIX seconds (None: undated, or not asked for).
        self.date = date
        self._stored = stored
        self._load = load
        #: None: not read yet; b"": read, and the document has none.
        self._signature = signature

    @property
    def stored(self) -> dict[str, Any]:
        if self._stored is None:
            assert self._load is not None
            self._stored = self._load()
        return self._stored

    @property
    def signature(self) -> bytes | None:
        """The document's story signature (:mod:`searchlib.signatures`), or None when it
        has none. A backend that reads it cheaply gives it with the hit; otherwise it is
        read from the stored fields."""
        if self._signature is None:
            self._signature = stored_signature(self.stored) or b""
        return self._signature or None

    def __repr__(self) -> str:
        return f"RawHit(docnum={self.docnum!r}, score={self.score!r})"


def no_facets() -> dict[str, dict[str, int]]:
    return {}


@dataclass
class RawResults:
    #: Documents collected for this page (all matches when fewer than asked for).
    collected: int
    hits: list[RawHit]
    #: Counts every match on demand; needed only when ``collected`` filled the page.
    count: Callable[[], int] | None = None
    #: Computes facet counts over every match on demand: most searches never look at them,
    #: and counting visits every matching document.
    facets: Callable[[], dict[str, dict[str, int]]] = no_facets
    #: Analyzed query terms per field, for highlighting.
    terms: dict[str, set[str]] = field(default_factory=dict)
    #: Query words analysis removed (stopwords).
    dropped: list[str] = field(default_factory=list)
    #: The engine's warnings when some shard did not answer: the results are partial.
    warnings: list[str] = field(default_factory=list)
    #: The story signatures of the first ``n`` matches in index order (None for a match
    #: without one), on demand; None when the backend cannot read them cheaply.
    signatures: Callable[[int], list[bytes | None] | None] | None = None

    @property
    def exact_total(self) -> int | None:
        """The total when it is already known without counting, else None."""
        return self.collected if self.count is None else None


@dataclass(frozen=True)
class TermStatistics:
    """Document frequencies of some terms of one field, and the document count they are
    relative to (for an idf)."""

    documents: int
    frequencies: dict[str, int]


class Transaction(Protocol):
    """A batch of writes committed whole or not at all."""

    def exists(self, doc_id: str) -> bool: ...
    def upsert(self, doc: dict[str, Any], *, existed: bool) -> None:
        """Add or replace ``doc`` (normalized). The backend gives it its story signature
        (:func:`searchlib.signatures.document_signature`) where it indexes it: a backend
        that shares the work with a helper signs there."""

    def delete(self, doc_id: str) -> bool: ...


class Backend(Protocol):
    """One open index."""

    #: The config the index is searched with (for the embedded backend: the one stored in
    #: the index unless the caller gave a compatible one).
    config: Config

    def transaction(
        self, *, timeout: float, processes: Processes = "auto"
    ) -> AbstractContextManager[Transaction]:
        """One atomic commit. ``processes`` bounds the processes a large add may use; a
        backend that indexes elsewhere (a cluster) ignores it."""
        ...

    def search(
        self,
        node: Node,
        *,
        filters: Sequence[Node],
        limit: int,
        page: int,
        sort: str,
        fields: Sequence[str] | None = None,
        dates: bool = False,
        signatures: bool = False,
    ) -> RawResults:
        """One page of hits, best first (``sort="date"``: newest first). ``dates``: fill each
        hit's ``date`` (for a rerank by age). ``signatures``: the hits are candidates for
        the collapse of duplicate stories, of which only a few are shown: give each hit's
        ``signature`` if the backend reads it more cheaply than the stored fields, and
        read the stored fields only when asked."""
        ...

    def search_terms(
        self, fieldname: str, weighted: Sequence[tuple[float, str]], *, exclude: str, limit: int
    ) -> RawResults:
        """Documents with any of the analyzed ``(weight, term)`` pairs in ``fieldname``
        (more-like-this), except the document with id ``exclude``."""
        ...

    def term_statistics(self, fieldname: str, terms: Sequence[str]) -> TermStatistics: ...
    def suggest(self, word: str, fieldname: str = "body") -> str | None: ...
    def doc_frequency(self, fieldname: str, term: str) -> int: ...
    def get(self, doc_id: str) -> dict[str, Any] | None: ...
    def documents(self) -> Iterator[dict[str, Any]]:
        """Every document's stored fields (as ``get`` returns them), in no set order."""
        ...

    def doc_count(self) -> int: ...
    def stats(self) -> dict[str, Any]: ...
    def optimize(self, *, timeout: float) -> None: ...
    def close(self) -> None: ...


#: What ``BackendType.rebuild`` calls to fill the new index with the old one's documents.
Fill = Callable[[Backend, Iterator[dict[str, Any]]], None]


class BackendType(Protocol):
    """How indexes of one kind are created, opened and recognised (the registry's entries).

    ``path`` names the index: the embedded backend's directory; a cluster's nodes come from
    the config, and the path only names the index.
    """

    def create(self, path: Path, config: Config, *, overwrite: bool) -> Backend: ...
    def open(self, path: Path, config: Config | None) -> Backend: ...
    def exists(self, path: Path, config: Config | None) -> bool: ...
    def check(self, path: Path, config: Config | None) -> CheckReport: ...
    def rebuild(self, path: Path, config: Config | None, fill: Fill, *, timeout: float) -> None:
        """Rebuild the index at ``path`` from the documents it stores, under ``config``
        (None: the index's own config, with this searchlib's analysis): ``fill(new,
        documents)`` adds them to a new, empty index. Atomic: the old index answers until
        the new one is complete and takes its place; if ``fill`` raises, nothing changed.
        """
        ...
