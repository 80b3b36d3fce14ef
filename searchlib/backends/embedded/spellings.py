"""How keyword values were written, per segment: the facet labels' votes.

A keyword value is indexed lowercased (its postings answer filters and facet counts) and
stored as written; a single-valued keyword field's column holds it as written too. The
spellings of a segment are read once, from the column (or the stored fields of a field
without one, such as tags) and kept while the segment is open, like the match-set counter's
per-segment tables.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from typing import Any
from weakref import WeakKeyDictionary

from searchlib.backends.embedded.term_lists import per_segment
from searchlib.facet_labels import value_key

__all__ = ["spellings"]

#: Per segment reader and field: matching key -> spelling -> live documents.
_SPELLINGS: WeakKeyDictionary[Any, dict[str, dict[str, Counter[str]]]] = WeakKeyDictionary()


def spellings(searcher: Any, names: Sequence[str]) -> dict[str, dict[str, Counter[str]]]:
    """Per field of ``names``: matching key -> spelling -> documents, over the index."""
    out: dict[str, dict[str, Counter[str]]] = {name: {} for name in names}
    for reader, _offset in searcher.reader().leaf_readers():
        for name in names:
            merged = out[name]
            for key, votes in per_segment(_SPELLINGS, reader, name, _read).items():
                merged.setdefault(key, Counter()).update(votes)
    return out


def _read(reader: Any, name: str) -> dict[str, Counter[str]]:
    found: dict[str, Counter[str]] = {}
    if name not in reader.schema:
        return found
    for value in _values(reader, name):
        for spelling in value if isinstance(value, list) else (value,):
            if isinstance(spelling, str) and spelling.strip():
                found.setdefault(value_key(spelling), Counter())[spelling.strip()] += 1
    return found


def _values(reader: Any, name: str) -> Iterator[Any]:
    """Each live document's value of ``name`` (a string, a list, or None)."""
    live = _live(reader)
    if reader.has_column(name):
        column: Iterable[Any] = reader.column_reader(name)
        for docnum, value in enumerate(column):
            if live is None or docnum in live:
                yield value
        return
    for docnum in live if live is not None else range(reader.doc_count_all()):
        yield reader.stored_fields(docnum).get(name)


def _live(reader: Any) -> set[int] | None:
    """The live document numbers, or None when the segment has no deletions."""
    if not reader.has_deletions():
        return None
    return set(reader.all_doc_ids())
