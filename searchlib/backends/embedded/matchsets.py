"""The match-set counter: totals and facet counts of plain word queries, from sets
instead of a matcher walk; and the filters' sets of allowed documents.

A search page shows the total and the category/source counts of every match, and Whoosh
computes both by walking each matching document through its matcher tree and a column
reader: a title word matching thousands of articles means thousands of matcher steps and
column reads per request. Here the matches of the plan's words (see :mod:`topk`) are one Python
set per segment, built from whole decoded blocks, and a facet count is the size of its
intersection with each value's document set. The value sets are read once per segment and
kept while the segment is open: categories and sources are few and change only when
documents are added.
"""

from __future__ import annotations

import threading
from collections import Counter, OrderedDict
from collections.abc import Callable
from collections.abc import Set as AbstractSet
from operator import itemgetter
from time import monotonic
from typing import Any
from weakref import WeakKeyDictionary

from whoosh import fields

from searchlib.backends.embedded.compile import whoosh_query
from searchlib.backends.embedded.forms import match_set, slots_of
from searchlib.backends.embedded.plan import AllOf, AnyOf, Match, Term, Words
from searchlib.backends.embedded.term_lists import (
    Factor,
    Segment,
    TooSlow,
    Unsupported,
    per_segment,
    term_postings,
)

#: Per segment reader and keyword field: each value's set of document numbers.
_VALUE_SETS: WeakKeyDictionary[Any, dict[str, dict[str, frozenset[int]]]] = WeakKeyDictionary()
#: Per segment reader: the documents of the last few other filters (date ranges).
_FILTER_DOCS: WeakKeyDictionary[Any, OrderedDict[Match, frozenset[int]]] = WeakKeyDictionary()
FILTER_CACHE = 16
_FILTER_LOCK = threading.Lock()
#: Per segment reader and keyword field: its values and each document's single value as a
#: byte (its place among the values, 0 for none), or None for a field where some document
#: has several values or that has more than 255.
_SINGLE_VALUES: WeakKeyDictionary[Any, dict[str, _Coded | None]] = WeakKeyDictionary()
_Coded = tuple[list[str | None], bytes]


def match_sets(
    searcher: Any,
    words: Words,
    *,
    seconds: float,
    allowed: Callable[[Any], AbstractSet[int]] | None = None,
) -> list[tuple[Any, set[int]]] | None:
    """Per segment, its reader and the document numbers matching ``words`` (deleted ones
    excluded, and those ``allowed`` does not let through); None when the index is not one
    this counter reads (Whoosh counts instead)."""
    deadline = monotonic() + seconds
    field = searcher.schema[words.field]

    def factor(term: Term) -> Factor:
        return Factor(field.to_bytes(term.text), 0.0, term.boost)

    slots = slots_of(words, factor)[0] if words.grouped else []
    btexts = list(dict.fromkeys(field.to_bytes(t.text) for t in words.parts if isinstance(t, Term)))
    out = []
    try:
        for leaf, _offset in searcher.leaf_searchers():
            reader = leaf.reader()
            if words.grouped:
                seg = Segment(reader, words.field, [], 0.0, b"", None, deadline, None)
                found: set[int] | None = match_set(seg, slots, words.required)
            else:
                found = _term_sets(reader, words, btexts, deadline)
            found = found or set()
            if found and reader.has_deletions():
                found -= reader.deleted_docs_set
            if found and allowed is not None:
                found &= allowed(leaf)
            out.append((reader, found))
    except Unsupported:
        return None
    return out


def _term_sets(reader: Any, words: Words, btexts: list[bytes], deadline: float) -> set[int]:
    """The documents with every term (AND) or any term (OR) of ``btexts``."""
    found: set[int] | None = None
    for btext in btexts:
        ids = _ids(reader, words.field, btext, deadline)
        if words.required:
            found = ids if found is None else found & ids
            if not found:
                break
        else:
            found = ids if found is None else found | ids
    return found or set()


def filter_sets(match: Match | None) -> Callable[[Any], AbstractSet[int]] | None:
    """Per segment searcher, the documents a filter lets through, or None for no filter.

    Keyword values (a value, values joined by OR) come from the cached value sets; any
    other filter (a date range) is answered once by Whoosh per segment and kept for the
    next searches with the same filter, as a search page asks for page after page.
    """
    if match is None:
        return None
    if isinstance(match, Term):
        term = match

        def one(leaf: Any) -> AbstractSet[int]:
            if not isinstance(leaf.schema[term.field], (fields.ID, fields.KEYWORD)):
                return _whoosh_docs(leaf, term)
            return _value_sets(leaf.reader(), term.field).get(term.text, frozenset())

        return one
    if isinstance(match, (AnyOf, AllOf)):
        funcs = [f for f in (filter_sets(part) for part in match.parts) if f is not None]
        if isinstance(match, AnyOf):

            def union(leaf: Any) -> AbstractSet[int]:
                return frozenset().union(*(f(leaf) for f in funcs))

            return union

        def intersection(leaf: Any) -> AbstractSet[int]:
            sets = sorted((f(leaf) for f in funcs), key=len)
            return frozenset(sets[0]).intersection(*sets[1:])

        return intersection
    other = match
    return lambda leaf: _whoosh_docs(leaf, other)


def _whoosh_docs(leaf: Any, match: Match) -> frozenset[int]:
    reader = leaf.reader()
    with _FILTER_LOCK:  # searches share it from several threads (searchlib serve)
        cache = _FILTER_DOCS.get(reader)
        if cache is None:
            cache = _FILTER_DOCS[reader] = OrderedDict()
        docs = cache.get(match)
        if docs is not None:
            cache.move_to_end(match)
            return docs
    docs = frozenset(whoosh_query(match).docs(leaf))
    with _FILTER_LOCK:
        cache[match] = docs
        if len(cache) > FILTER_CACHE:
            cache.popitem(last=False)
    return docs


def _ids(reader: Any, fieldname: str, btext: bytes, deadline: float) -> set[int]:
    postings = term_postings(reader, fieldname, btext)
    ids: set[int] = set()
    if postings is None:
        return ids
    m = postings[1]
    while m.is_active():
        if monotonic() > deadline:
            raise TooSlow
        ids.update(m.block_ids())
        m.next_block()
    return ids


def facet_counts(
    matches: list[tuple[Any, set[int]]], names: list[str]
) -> dict[str, dict[str, int]]:
    """Per keyword field, value -> number of matching documents, most frequent first."""
    counts: dict[str, Counter[str | None]] = {name: Counter() for name in names}
    for reader, found in matches:
        if not found:
            continue
        for name in names:
            tally = counts[name]
            coded = _value_of_doc(reader, name)
            if coded is not None:  # one value per document: pick their bytes and count, in C
                values, codes = coded
                pick = itemgetter(*found)(codes)  # an int for one document, else a tuple
                picked = bytes(pick) if len(found) > 1 else bytes((pick,))
                for code in range(1, len(values)):
                    n = picked.count(code)
                    if n:
                        tally[values[code]] += n
                continue
            for value, docs in _value_sets(reader, name).items():
                n = len(docs & found) if len(docs) < len(found) else len(found & docs)
                if n:
                    tally[value] += n
    out: dict[str, dict[str, int]] = {}
    for name, tally in counts.items():
        tally.pop(None, None)
        pairs = [(str(value), n) for value, n in tally.items()]
        out[name] = dict(sorted(pairs, key=lambda kv: (-kv[1], kv[0])))
    return out


def _value_of_doc(reader: Any, fieldname: str) -> _Coded | None:
    """The field's values (None first) and each document's one value as its place among
    them, or None if some document has several or there are more than 255."""
    return per_segment(_SINGLE_VALUES, reader, fieldname, _read_value_of_doc)


def _read_value_of_doc(reader: Any, fieldname: str) -> _Coded | None:
    sets = _value_sets(reader, fieldname)
    if len(sets) > 255:
        return None
    values: list[str | None] = [None]
    codes = bytearray(reader.doc_count_all())
    for value, docs in sets.items():
        values.append(value)
        code = len(values) - 1
        for doc in docs:
            if codes[doc]:
                return None
            codes[doc] = code
    return values, bytes(codes)


def _value_sets(reader: Any, fieldname: str) -> dict[str, frozenset[int]]:
    return per_segment(_VALUE_SETS, reader, fieldname, _read_value_sets)


def _read_value_sets(reader: Any, fieldname: str) -> dict[str, frozenset[int]]:
    sets = {}
    if fieldname in reader.schema:
        for btext in reader.lexicon(fieldname):
            ids = _ids(reader, fieldname, btext, float("inf"))
            if ids:
                sets[btext.decode("utf-8")] = frozenset(ids)
    return sets
