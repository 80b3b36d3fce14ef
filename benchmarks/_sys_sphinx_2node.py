"""``sphinx_2node``: searchlib's public API with ``backend: sphinxql`` on a local 2-node
cluster (searchd from Sphinx 2.2 or Manticore, 127.0.0.1), as an application would use it.

``build`` starts the two nodes (``searchlib cluster init`` + ``start`` in the benchmark's
directory; a fraction of a second, inside the timed build), then one ``Index.add`` call:
the documents are analyzed by searchlib in this process and sent in multi-row REPLACEs, each
node's share in one engine transaction. Queries go through one node's distributed index,
which asks both shards; snippets are searchlib's own, from the stored text; with facets,
the results' ``.total`` and ``.facets`` as for ``searchlib``. The nodes are
stopped when the searcher closes, or at exit if the worker fails first. Peak RSS is this
client process only: the searchd processes are not counted.
"""

from __future__ import annotations

import atexit
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from benchmarks._system import Outcome, Searcher, Settings

CLUSTER = "cluster"
NODES = 2


def unavailable() -> str | None:
    try:
        from searchlib.backends.sphinxql.client import pymysql_module
        from searchlib.backends.sphinxql.nodes import find_searchd

        find_searchd()
        pymysql_module()
    except Exception as error:
        hint = getattr(error, "hint", None)
        return f"{error}" + (f" ({hint})" if hint else "")
    return None


def _stop(directory: Path) -> None:
    from searchlib.backends.sphinxql.nodes import stop

    stop(directory)


def build(docs: Iterable[dict[str, Any]], path: Path, settings: Settings) -> None:
    import searchlib
    from searchlib.backends.sphinxql.nodes import free_base_port, init, start

    directory = path / CLUSTER
    config = init(directory, NODES, base_port=free_base_port(NODES))
    atexit.register(_stop, directory)
    start(directory)
    ix = searchlib.Index.create(directory, config)
    ix.add(docs)
    ix.close()


class _Searcher:
    counts_facets = True

    def __init__(self, path: Path, settings: Settings) -> None:
        import searchlib

        self._directory = path / CLUSTER
        self._ix = searchlib.Index.open(self._directory, self._directory / "searchlib.yaml")
        self._limit = settings.limit

    def search(self, query: str, facets: bool = False) -> Outcome:
        res = self._ix.search(query, limit=self._limit)
        if res.partial:
            raise RuntimeError(f"partial results: {res.warnings}")
        hits = [(h.id, h.title, h.snippet) for h in res.hits]
        if not facets:
            return Outcome(hits, bool(res.fallback))
        return Outcome(hits, bool(res.fallback), res.total, res.facets)

    def close(self) -> None:
        self._ix.close()
        _stop(self._directory)


def open_searcher(path: Path, settings: Settings) -> Searcher | None:
    return _Searcher(path, settings)
