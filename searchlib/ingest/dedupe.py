"""One document per id within a run: the last occurrence wins, as a later upsert would.

A run's documents go into one commit, and a commit cannot replace a document it has not
committed yet, so two occurrences of an id would both be indexed. Where a run fails on bad
input, a repeated id is such input: the error names both places. Where it skips bad input,
the earlier occurrences are left out (and listed as skipped, saying which occurrence
replaced them); finding the last occurrence needs the whole input, so the records wait in a
temporary file rather than in memory.
"""

from __future__ import annotations

import pickle
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import IO, Any

from searchlib.ingest.model import Problem, Record

__all__ = ["unique_documents"]

Normalize = Callable[[Mapping[str, Any]], dict[str, Any]]
#: Where an occurrence is: (file or None, line or None).
_Place = tuple["str | None", "int | None"]


def unique_documents(
    items: Iterable[Mapping[str, Any] | Record | Problem],
    *,
    normalize: Normalize,
    on_error: str,
) -> Iterator[Record | Problem]:
    """``items`` as records with unique ids, one item out per item in.

    Mappings are normalized with ``normalize`` (a ``ValueError`` becomes a :class:`Problem`
    at the mapping's 1-based position). With ``on_error="fail"`` a repeated id is a Problem
    naming both places; otherwise each earlier occurrence becomes a Problem and the last
    one is kept, in its own place in the order.
    """
    records = _records(items, normalize)
    return _no_repeats(records) if on_error == "fail" else _last_wins(records)


def _records(
    items: Iterable[Mapping[str, Any] | Record | Problem], normalize: Normalize
) -> Iterator[Record | Problem]:
    for n, item in enumerate(items, 1):
        if isinstance(item, (Record, Problem)):
            yield item
            continue
        try:
            doc = normalize(item)
        except ValueError as error:
            yield Problem(None, n, str(error))
        else:
            yield Record(None, n, doc)


def _where(place: _Place) -> str:
    source, line = place
    if source is None:
        return f"document {line}"
    return source if line is None else f"{source}:{line}"


def _no_repeats(records: Iterator[Record | Problem]) -> Iterator[Record | Problem]:
    seen: dict[str, _Place] = {}
    for item in records:
        if isinstance(item, Record):
            doc_id = item.doc["id"]
            first = seen.setdefault(doc_id, (item.source, item.line))
            if first != (item.source, item.line):
                reason = f"duplicate id {doc_id!r}: also at {_where(first)}"
                yield Problem(item.source, item.line, reason)
                continue
        yield item


def _last_wins(records: Iterator[Record | Problem]) -> Iterator[Record | Problem]:
    last: dict[str, tuple[int, _Place]] = {}
    with tempfile.TemporaryFile(prefix="searchlib-run-") as spool:
        count = 0
        for count, item in enumerate(records, 1):
            if isinstance(item, Record):
                last[item.doc["id"]] = (count, (item.source, item.line))
            pickle.dump(item, spool, protocol=pickle.HIGHEST_PROTOCOL)
        spool.seek(0)
        for i, item in enumerate(_replay(spool, count), 1):
            if isinstance(item, Record):
                doc_id = item.doc["id"]
                at, place = last[doc_id]
                if at != i:
                    reason = f"duplicate id {doc_id!r}: replaced by {_where(place)}"
                    item = Problem(item.source, item.line, reason)
            yield item


def _replay(spool: IO[bytes], count: int) -> Iterator[Record | Problem]:
    for _ in range(count):
        yield pickle.load(spool)
