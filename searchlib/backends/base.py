"""The storage interface every backend implements (embedded Whoosh today, SphinxQL later).

It is deliberately small: transactions of upserts and deletes, a search over searchlib's own
query tree, more-like-this, spelling suggestions and stats. Analysis, snippets, ingestion and
validation stay above it, in code shared by every backend.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any, Protocol

from searchlib.query import Node


@dataclass
class RawHit:
    docnum: int
    score: float
    stored: dict[str, Any]


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

    @property
    def exact_total(self) -> int | None:
        """The total when it is already known without counting, else None."""
        return self.collected if self.count is None else None


class Transaction(Protocol):
    """A batch of writes committed whole or not at all."""

    def exists(self, doc_id: str) -> bool: ...
    def upsert(self, doc: dict[str, Any], *, existed: bool) -> None: ...
    def delete(self, doc_id: str) -> bool: ...


class Backend(Protocol):
    def transaction(self, *, timeout: float) -> AbstractContextManager[Transaction]: ...
    def search(
        self,
        node: Node,
        *,
        filters: Sequence[Node],
        limit: int,
        page: int,
        sort: str,
        fields: Sequence[str] | None = None,
    ) -> RawResults: ...
    def similar(self, doc_id: str, limit: int) -> RawResults | None: ...
    def suggest(self, word: str, fieldname: str = "body") -> str | None: ...
    def doc_frequency(self, fieldname: str, term: str) -> int: ...
    def get(self, doc_id: str) -> dict[str, Any] | None: ...
    def doc_count(self) -> int: ...
    def stats(self) -> dict[str, Any]: ...
    def optimize(self, *, timeout: float) -> None: ...
    def close(self) -> None: ...
