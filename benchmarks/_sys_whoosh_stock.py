"""``whoosh_stock``: plain Whoosh as its documentation shows it. StandardAnalyzer text fields,
the default writer (one process), a MultifieldParser over title and body (title boosted like
searchlib's default), all words required and then any word, and ``hit.highlights("body")``.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from benchmarks._system import Outcome, Searcher, Settings


def unavailable() -> str | None:
    try:  # imported here, so that import time is not build time
        import whoosh.analysis
        import whoosh.fields
        import whoosh.index
        import whoosh.qparser  # noqa: F401
    except ImportError as error:
        return f"Whoosh is not installed ({error})"
    return None


def _schema() -> Any:
    from whoosh.analysis import StandardAnalyzer
    from whoosh.fields import ID, TEXT, Schema

    return Schema(
        id=ID(stored=True, unique=True),
        title=TEXT(stored=True, analyzer=StandardAnalyzer()),
        body=TEXT(stored=True),
    )


def build(docs: Iterable[dict[str, Any]], path: Path, settings: Settings) -> None:
    from whoosh import index

    ix = index.create_in(str(path), _schema())
    writer = ix.writer()
    for doc in docs:
        writer.add_document(
            id=str(doc["id"]), title=str(doc.get("title") or ""), body=str(doc.get("body") or "")
        )
    writer.commit()
    ix.close()


class _Searcher:
    # Its schema has no keyword fields to count by.
    counts_facets = False

    def __init__(self, path: Path, settings: Settings) -> None:
        from whoosh import index
        from whoosh.qparser import AndGroup, MultifieldParser, OrGroup

        self._ix = index.open_dir(str(path))
        self._searcher = self._ix.searcher()
        fields = ["title", "body"]
        boosts = {"title": settings.title_boost}
        schema = self._ix.schema
        self._all = MultifieldParser(fields, schema, fieldboosts=boosts, group=AndGroup)
        self._any = MultifieldParser(fields, schema, fieldboosts=boosts, group=OrGroup)
        self._limit = settings.limit

    def search(self, query: str, facets: bool = False) -> Outcome:
        results = self._searcher.search(self._all.parse(query), limit=self._limit)
        wider = results.scored_length() == 0
        if wider:
            results = self._searcher.search(self._any.parse(query), limit=self._limit)
        hits = [(hit["id"], hit["title"], hit.highlights("body")) for hit in results]
        return Outcome(hits, wider and bool(hits))

    def close(self) -> None:
        self._searcher.close()
        self._ix.close()


def open_searcher(path: Path, settings: Settings) -> Searcher | None:
    return _Searcher(path, settings)
