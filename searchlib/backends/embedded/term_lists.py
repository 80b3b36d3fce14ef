"""A term's posting list in one segment, read for the scorers (``topk.py``, ``forms.py``)
and the match-set counter: whole, a block at a time, or only at the documents asked for;
and the per-segment tables they read beside it (field lengths, heading weights).

This reads the codec's posting lists through their block interface (``BlockMatcher`` and,
for a term's one inlined posting, ``InlineMatcher``); a matcher of any other class (another
codec) raises :class:`Unsupported`, and Whoosh's matchers answer instead.
"""

from __future__ import annotations

import heapq
from bisect import bisect_left, bisect_right
from collections.abc import Callable
from collections.abc import Set as AbstractSet
from time import monotonic
from typing import Any, NamedTuple, TypeVar
from weakref import WeakKeyDictionary

from whoosh.matching.wrappers import FilterMatcher
from whoosh.reading import TermNotFound

from searchlib.backends.embedded.block_table import BlockTable, held, ranks
from searchlib.backends.embedded.postings import BlockMatcher, InlineMatcher, length_byte
from searchlib.backends.embedded.scoring import Heading, heading_weight, lowered_headings
from searchlib.backends.embedded.terms import TermDictReader

T = TypeVar("T")

#: Per segment reader: its term dictionary when it is this codec's, else None.
_DICTIONARIES: WeakKeyDictionary[Any, TermDictReader | None] = WeakKeyDictionary()
#: Per segment reader and field: the field length byte of every document.
_LENGTH_BYTES: WeakKeyDictionary[Any, dict[str, bytes]] = WeakKeyDictionary()


class TooSlow(Exception):
    """The search passed its deadline."""


class Unsupported(Exception):
    """The index or query is not one this path reads; Whoosh answers instead."""


def per_segment(
    cache: WeakKeyDictionary[Any, dict[str, T]],
    reader: Any,
    fieldname: str,
    compute: Callable[[Any, str], T],
) -> T:
    """``compute(reader, fieldname)``, once per segment reader and field: kept while the
    segment is open (a commit opens new readers, so nothing stale is ever read)."""
    per_reader = cache.get(reader)
    if per_reader is None:
        per_reader = cache[reader] = {}
    if fieldname not in per_reader:
        per_reader[fieldname] = compute(reader, fieldname)
    return per_reader[fieldname]


def length_bytes(reader: Any, fieldname: str) -> bytes:
    return per_segment(_LENGTH_BYTES, reader, fieldname, _read_length_bytes)


def _read_length_bytes(reader: Any, fieldname: str) -> bytes:
    codec = reader.codec()
    if codec is None or reader.is_closed:
        raise Unsupported(f"reader {type(reader).__name__}")
    perdoc = codec.per_document_reader(reader.storage(), reader.segment())
    try:
        read = getattr(perdoc, "length_bytes", None)
        found = read(fieldname) if read is not None else None
    finally:
        perdoc.close()
    if found is None:
        raise Unsupported("no one-byte length column")
    doccount = reader.doc_count_all()
    return bytes(found[:doccount]) + bytes(max(0, doccount - len(found)))


def dictionary_of(reader: Any, fieldname: str) -> TermDictReader | None:
    """The segment's own term dictionary, when it is this codec's: Whoosh's public
    ``cursor()`` hands out the dictionary's cursor, which knows its dictionary."""
    if reader not in _DICTIONARIES:
        found = getattr(reader.cursor(fieldname), "reader", None)
        _DICTIONARIES[reader] = found if isinstance(found, TermDictReader) else None
    return _DICTIONARIES[reader]


def term_postings(
    reader: Any, fieldname: str, btext: bytes, *, values: bool = False
) -> tuple[int, Any] | None:
    """The term's document frequency and its postings as a block reader, or None when the
    segment lacks the term: one term-index lookup. With ``values``, the reader also
    decodes the postings' values (positions) in the field's format."""
    if reader.is_closed:
        raise Unsupported(f"reader {type(reader).__name__}")
    terms = dictionary_of(reader, fieldname) if not values else None
    if terms is not None:
        return terms.block_postings(fieldname, btext)
    try:
        m = reader.postings(fieldname, btext)
    except TermNotFound:
        return None
    if isinstance(m, FilterMatcher):
        m = m.child  # the callers leave out deleted documents themselves
    # A term's one posting inlined in its term info reads as a list of one block.
    if not isinstance(m, (BlockMatcher, InlineMatcher)):
        raise Unsupported(f"postings matcher {type(m).__name__}")
    return m.doc_frequency(), m


def term_stats(reader: Any, fieldname: str, btext: bytes) -> Any:
    """The term's statistics in the segment (document frequency, best weight, shortest
    length), or None when the segment lacks the term: one term-index lookup."""
    if reader.is_closed:
        raise Unsupported(f"reader {type(reader).__name__}")
    terms = dictionary_of(reader, fieldname)
    try:
        if terms is not None:
            return terms.term_info(fieldname, btext)
        return reader.term_info(fieldname, btext)
    except TermNotFound:
        return None


def decode(m: Any, deadline: float) -> tuple[Any, Any]:
    if monotonic() > deadline:
        raise TooSlow
    return m.block_ids(), m.block_weights()


def block_at(seg: Segment, m: Any, position: int) -> tuple[list[int], Any]:
    """The ids and weights of the block of ``m``'s list at ``position`` (from its table),
    read straight: ``m`` does not move."""
    if monotonic() > seg.deadline:
        raise TooSlow
    return m.reader.block_at(position)


def weights_at(seg: Segment, m: Any, position: int, places: list[int]) -> list[Any]:
    """The weights at ``places`` in the block of ``m``'s list at ``position``, read
    straight without decoding its ids: ``m`` does not move."""
    if monotonic() > seg.deadline:
        raise TooSlow
    return m.reader.weights_at(position, places)


class Factor(NamedTuple):
    btext: bytes
    idf: float
    boost: float


class Segment(NamedTuple):
    reader: Any
    fieldname: str
    norms: list[float]
    k1p1: float
    lengths: bytes
    deleted: Any
    deadline: float
    #: The only documents that may match (a filter), or None for all.
    allowed: AbstractSet[int] | None
    #: The combined field's title part, whose weight one of several words does not get.
    heading: Heading | None = None


#: A further word's whole list is read into a table, instead of its candidates looked up
#: block by block, when the candidates number at least its documents over this: nearly
#: every block would be decoded anyway, and a table's lookups run in C.
DENSE = 4


def table_of(m: Any) -> BlockTable | None:
    """The table of the list of ``m`` (see :mod:`block_table`), or None when it has none."""
    return m.table() if isinstance(m, BlockMatcher) else None


def intersect(seg: Segment, m: Any, candidates: AbstractSet[int]) -> dict[int, float]:
    """The weights of the candidates that have the word of ``m``, from its whole list;
    or, when the list has a bitmap, from the blocks of those it holds."""
    table = table_of(m)
    if table is not None and table.members is not None:
        return in_table(seg, m, table, sorted(candidates))
    weights = whole(seg, m)
    common = candidates & weights.keys()
    return dict(zip(common, map(weights.__getitem__, common), strict=True))


def look_up(seg: Segment, m: Any, candidates: list[int]) -> dict[int, float]:
    """The weights of the candidates (ascending) that have the word of ``m``: only the
    blocks that can hold a candidate are decoded, and each candidate found by bisection.
    A list with a table of its blocks is entered at each such block; another is walked
    from where ``m`` stands, header by header."""
    table = table_of(m)
    if table is None:
        return at_candidates(m, candidates, lambda m: decode(m, seg.deadline))
    return in_table(seg, m, table, candidates)


def in_table(seg: Segment, m: Any, table: BlockTable, candidates: list[int]) -> dict[int, float]:
    """:func:`look_up` through the list's table: the candidates its bitmap lacks (when it
    has one) dropped, the blocks that can hold one found by bisection, and each read
    straight from where the table says it starts (``m`` does not move). With a bitmap, a
    held candidate's place in its block is its rank there, and only the weights are read."""
    members = table.members
    if members is not None:
        candidates = held(members, candidates)
    found: dict[int, float] = {}
    lasts, starts = table.lasts, table.starts
    i, n, b = 0, len(candidates), 0
    while i < n:
        b = bisect_left(lasts, candidates[i], b)
        if b == len(lasts):
            break
        j = bisect_right(candidates, lasts[b], i)
        docs = candidates[i:j]
        if members is not None:  # each is held: its place in the block is its rank
            start = lasts[b - 1] + 1 if b else 0
            weights = weights_at(seg, m, starts[b], ranks(members, start, docs))
            found.update(zip(docs, weights, strict=True))
        else:
            _pick(*block_at(seg, m, starts[b]), docs, found)
        i = j
    return found


def at_candidates(
    m: Any, candidates: list[int], read: Callable[[Any], tuple[list[int], Any]]
) -> dict[int, Any]:
    """For each candidate (ascending) that ``m`` has a posting for, that posting's item of
    ``read(m)`` (a block's ids and one item per posting): ``read`` runs only for the
    blocks that can hold a candidate."""
    found: dict[int, Any] = {}
    i, n = 0, len(candidates)
    while i < n and m.is_active():
        maxid = m.block_max_id()
        if candidates[i] > maxid:
            m.next_block()  # no candidate in this block: header only, no decoding
            continue
        j = bisect_right(candidates, maxid, i)
        ids, items = read(m)
        _pick(ids, items, candidates[i:j], found)
        i = j
        m.next_block()
    return found


def _pick(ids: list[int], items: Any, docs: list[int], found: dict[int, Any]) -> None:
    """Adds to ``found`` each of ``docs`` (ascending) that a block's ``ids`` hold, with its
    item. Each is found by bisection (in C): faster than hashing the block, even with a
    document per posting."""
    at = 0
    for doc in docs:
        at = bisect_left(ids, doc, at)
        if at < len(ids) and ids[at] == doc:
            found[doc] = items[at]


def live_ids(seg: Segment, ids: list[int]) -> list[int]:
    """``ids`` without deleted documents and those the filter does not let through."""
    deleted, allowed = seg.deleted, seg.allowed
    if deleted:
        ids = [doc for doc in ids if doc not in deleted]
    if allowed is not None:
        ids = [doc for doc in ids if doc in allowed]
    return ids


def live_postings(seg: Segment, ids: list[int], weights: Any) -> tuple[list[int], Any]:
    """A block's ids and weights without those of deleted documents and those the filter
    does not let through."""
    if not seg.deleted and seg.allowed is None:
        return ids, weights
    kept = dict.fromkeys(live_ids(seg, ids))
    return list(kept), [w for doc, w in zip(ids, weights, strict=True) if doc in kept]


def excluding(seg: Segment, scores: dict[int, float]) -> dict[int, float]:
    """``scores`` without deleted documents and those the filter does not let through."""
    if seg.deleted:
        for doc in seg.deleted.intersection(scores):
            del scores[doc]
    if seg.allowed is not None:
        allowed = seg.allowed
        scores = {doc: score for doc, score in scores.items() if doc in allowed}
    return scores


#: Per distinct query term, the heading weight of each document the rule lowers.
Lowered = dict[bytes, dict[int, float]]


def heading_counts(seg: Segment, factors: list[Factor]) -> Lowered | None:
    """Per distinct term, the heading weight of each document the rule lowers; None
    without a heading. Heading postings are read whole: a title's words are few, so its
    lists are short."""
    if seg.heading is None:
        return None
    counts: dict[bytes, dict[int, float]] = {}
    for f in factors:
        if f.btext not in counts:
            counts[f.btext] = all_weights(seg, seg.heading.field, f.btext)
    return lowered_headings(counts)


def lower_heading(
    seg: Segment, lowered: Lowered | None, f: Factor, weights: dict[int, float]
) -> None:
    """The heading rule on one term's weights, in place (it only ever lowers them, so a
    term's bound from its statistics stays a bound). A term the user did not type (a
    form a group added) is not lowered."""
    if lowered is None or seg.heading is None:
        return
    for doc, in_heading in lowered.get(f.btext, {}).items():
        if doc in weights:
            weights[doc] = heading_weight(weights[doc], in_heading, seg.heading.extra)


def all_weights(seg: Segment, fieldname: str, btext: bytes) -> dict[int, float]:
    """docnum -> weight of every posting of the term in ``fieldname`` (none when absent)."""
    postings = term_postings(seg.reader, fieldname, btext)
    return {} if postings is None else whole(seg, postings[1])


def whole(seg: Segment, m: Any) -> dict[int, float]:
    """docnum -> weight of every posting of ``m``, from where it stands."""
    weights: dict[int, float] = {}
    while m.is_active():
        weights.update(zip(*decode(m, seg.deadline), strict=True))
        m.next_block()
    return weights


def upper(m: Any, f: Factor, seg: Segment) -> float:
    """The best score any posting of the word can reach (from its term statistics)."""
    return bound(m.terminfo, f, seg.norms, seg.k1p1)


def bound(info: Any, f: Factor, norms: list[float], k1p1: float) -> float:
    """The best score any posting of a term with the statistics ``info`` can reach."""
    w, norm = info.max_weight(), norms[length_byte(info.min_length())]
    return float(f.idf * ((w * k1p1) / (w + norm)) * f.boost)


#: Bounds compared with sums added in another order allow for rounding (MaxScore).
SLACK = 1e-9


def kth(partial: dict[int, float], prior: list[float], k: int) -> float:
    """A lower bound of the k-th best final score: the k-th best of the sums so far (a
    little less, for rounding), or 0 when fewer than k documents are known."""
    if len(partial) + len(prior) < k:
        return 0.0
    return heapq.nlargest(k, [*partial.values(), *prior])[-1] * (1 - SLACK)
