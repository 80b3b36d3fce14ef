"""``searchlib``: the public API with the default config, as an application would use it:
``Index.create`` + one ``add`` call to build, ``Index.open`` + ``search(query, limit=10)`` to
query (all words, then searchlib's own any-word fallback), each hit's ``.snippet``; with
facets, also the results' ``.total`` and ``.facets`` (the config's facet fields), as a search
page shows them.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from benchmarks._system import Outcome, Searcher, Settings

INDEX = "index"


def unavailable() -> str | None:
    try:
        import searchlib
    except Exception as error:
        return f"searchlib is not importable ({type(error).__name__}: {error})"
    index = getattr(searchlib, "Index", None)
    missing = [m for m in ("create", "open", "add", "search") if not hasattr(index, m)]
    if index is None or missing:
        return "searchlib.Index is missing" + (f" ({', '.join(missing)})" if index else "")
    return None


def build(docs: Iterable[dict[str, Any]], path: Path, settings: Settings) -> None:
    import searchlib

    ix = searchlib.Index.create(path / INDEX)
    ix.add(docs)
    ix.close()


class _Searcher:
    counts_facets = True

    def __init__(self, path: Path, settings: Settings) -> None:
        import searchlib

        self._ix = searchlib.Index.open(path / INDEX)
        self._limit = settings.limit

    def search(self, query: str, facets: bool = False) -> Outcome:
        res = self._ix.search(query, limit=self._limit)
        hits = [(h.id, h.title, h.snippet) for h in res.hits]
        if not facets:
            return Outcome(hits, bool(res.fallback))
        return Outcome(hits, bool(res.fallback), res.total, res.facets)

    def close(self) -> None:
        self._ix.close()


def open_searcher(path: Path, settings: Settings) -> Searcher | None:
    return _Searcher(path, settings)
