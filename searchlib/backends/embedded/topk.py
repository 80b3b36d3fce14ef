"""The top-k scorer: BM25 top-k of plain word queries, a block of postings at a time.

Most searches are a few words of one field that must all match, or one word, or the
any-word fallback: the plan's :class:`~searchlib.backends.embedded.plan.Words`. Whoosh
answers them through a tree of matcher objects that costs several Python calls per posting
(``next``, ``id``, ``skip_to``, ``score``, a field-length lookup), most of a query's time.
Here the same BM25 scores come from whole decoded blocks:

* AND: the rarest term's documents are the candidates; each further term decodes only the
  blocks that can hold a candidate (block boundaries come from the block headers), so a
  common word costs a few blocks, not its whole posting list, and finds each candidate in
  a block by bisection.
* one term: blocks whose best possible score (block max weight, min length) cannot enter
  the top k are skipped without decoding.
* OR: every posting is scored (the fallback is rare, and its lists are the same lists).

Scores and order equal Whoosh's (``tests/test_topk.py`` checks them against it on random
queries): the same BM25 with the weighting's own idf and average length, documents of
equal score in index order. Every other search (see ``plan.py``) and other codecs go
through Whoosh.

This walks the codec's posting lists a block at a time through their block interface
(``BlockMatcher`` and, for a term's one inlined posting, ``InlineMatcher``); a matcher of
any other class (another codec) also returns None.
"""

from __future__ import annotations

import heapq
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Callable
from collections.abc import Set as AbstractSet
from functools import lru_cache
from time import monotonic
from typing import Any, NamedTuple, TypeVar
from weakref import WeakKeyDictionary

from whoosh.matching.wrappers import FilterMatcher
from whoosh.reading import TermNotFound
from whoosh.util.numeric import byte_to_length

from searchlib.backends.embedded.plan import Words
from searchlib.backends.embedded.postings import BlockMatcher, InlineMatcher
from searchlib.backends.embedded.scoring import (
    BM25,
    Heading,
    heading_counts_fully,
    heading_weight,
)
from searchlib.backends.embedded.terms import TermDictReader

T = TypeVar("T")

#: Per segment reader: its term dictionary when it is this codec's, else None.
_DICTIONARIES: WeakKeyDictionary[Any, TermDictReader | None] = WeakKeyDictionary()
#: Per segment reader and field: the field length byte of every document.
_LENGTH_BYTES: WeakKeyDictionary[Any, dict[str, bytes]] = WeakKeyDictionary()
_BYTE_LENGTHS = [byte_to_length(i) for i in range(256)]


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


def _length_bytes(reader: Any, fieldname: str) -> bytes:
    return per_segment(_LENGTH_BYTES, reader, fieldname, _read_length_bytes)


def _read_length_bytes(reader: Any, fieldname: str) -> bytes:
    codec = reader.codec()
    if codec is None or reader.is_closed:
        raise Unsupported(f"reader {type(reader).__name__}")
    perdoc = codec.per_document_reader(reader.storage(), reader.segment())
    try:
        length_bytes = getattr(perdoc, "length_bytes", None)
        found = length_bytes(fieldname) if length_bytes is not None else None
    finally:
        perdoc.close()
    if found is None:
        raise Unsupported("no one-byte length column")
    doccount = reader.doc_count_all()
    return bytes(found[:doccount]) + bytes(max(0, doccount - len(found)))


def _dictionary(reader: Any, fieldname: str) -> TermDictReader | None:
    """The segment's own term dictionary, when it is this codec's: Whoosh's public
    ``cursor()`` hands out the dictionary's cursor, which knows its dictionary."""
    if reader not in _DICTIONARIES:
        found = getattr(reader.cursor(fieldname), "reader", None)
        _DICTIONARIES[reader] = found if isinstance(found, TermDictReader) else None
    return _DICTIONARIES[reader]


def _blocks(reader: Any, fieldname: str, btext: bytes) -> tuple[int, Any] | None:
    """The term's document frequency and its postings as a block reader, or None when the
    segment lacks the term: one term-index lookup."""
    if reader.is_closed:
        raise Unsupported(f"reader {type(reader).__name__}")
    terms = _dictionary(reader, fieldname)
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


def _decode(m: Any, deadline: float) -> tuple[Any, Any]:
    if monotonic() > deadline:
        raise TooSlow
    return m.block_ids(), m.block_weights()


class Factor(NamedTuple):
    btext: bytes
    idf: float
    boost: float


class _Segment(NamedTuple):
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
    heading: Heading | None


class _Part(NamedTuple):
    """A segment's scored documents: ascending document numbers and their scores, as two
    lists (a tuple per posting kept Python's garbage collector busy: a common word's
    query paused for ~20 ms now and then), and how many match (None when unknown)."""

    docs: list[int]
    scores: list[float]
    matched: int | None


class TopK(NamedTuple):
    #: The k best (score, docnum), best first.
    scored: list[tuple[float, int]]
    #: How many documents match, when known without more work.
    matched: int | None
    #: Per segment, its reader and every matching docnum, ascending -- for totals and
    #: facets -- when every match was seen (not after a single word's block skipping).
    segments: list[tuple[Any, list[int]]] | None


def top_k(
    searcher: Any,
    words: Words,
    k: int,
    *,
    seconds: float,
    allowed: Callable[[Any], AbstractSet[int]] | None = None,
    heading: Heading | None = None,
) -> TopK | None:
    """The ``k`` best matches of ``words``, or None when the index is not one this scorer
    reads (Whoosh answers instead). ``allowed`` gives, per segment searcher, the only
    documents that may match (a filter). With ``heading``, a document whose heading holds
    only one of several words scores that heading like the body
    (:func:`~searchlib.backends.embedded.scoring.heading_counts_fully`). Raises
    :class:`TooSlow` after ``seconds`` (checked once per decoded block)."""
    try:
        return _top_k(searcher, words, k, monotonic() + seconds, allowed, heading)
    except Unsupported:
        return None


def _top_k(
    searcher: Any,
    words: Words,
    k: int,
    deadline: float,
    allowed: Callable[[Any], AbstractSet[int]] | None,
    heading: Heading | None,
) -> TopK:
    fieldname = words.field
    field = searcher.schema[fieldname]
    if not field.scorable:
        raise Unsupported("unscored field")
    weighting = searcher.weighting
    if not isinstance(weighting, BM25):  # one B for every field, as this BM25 is made
        raise Unsupported(f"weighting {type(weighting).__name__}")
    parent = searcher.get_parent()
    avgfl = parent.avg_field_length(fieldname) or 1
    norms = _norms(weighting.K1, weighting.B, avgfl)
    k1p1 = weighting.K1 + 1
    # Per term: (text, idf, boost); a posting scores idf * (tf * (k1 + 1)) / (tf + norm) *
    # boost, the arithmetic of Whoosh's bm25() and boost wrapper, in their order.
    factors = []
    for t in words.terms:
        btext = field.to_bytes(t.text)
        factors.append(Factor(btext, parent.idf(fieldname, btext), t.boost))

    scored: list[tuple[float, int]] = []
    matched: int | None = 0
    segments: list[tuple[Any, list[int]]] | None = []
    for leaf, offset in searcher.leaf_searchers():
        reader = leaf.reader()
        lengths = _length_bytes(reader, fieldname)
        deleted = reader.deleted_docs_set if reader.has_deletions() else None
        only = allowed(leaf) if allowed is not None else None
        ctx = _Segment(reader, fieldname, norms, k1p1, lengths, deleted, deadline, only, heading)
        part: _Part | None
        if len(factors) == 1:
            part = _single(ctx, factors[0], k, scored)
        elif words.required:
            part = _and(ctx, factors)
        else:
            part = _or(ctx, factors)
        if part is None:
            continue
        docs, scores, count = part
        matched = matched + count if count is not None and matched is not None else None
        if segments is not None:
            segments = [*segments, (reader, docs)] if count is not None else None
        # docs are in document order and nlargest is stable: equal scores keep the lower
        # document number first, as Whoosh orders them.
        best = (
            heapq.nlargest(k, range(len(docs)), key=scores.__getitem__)
            if len(docs) > k
            else range(len(docs))
        )
        scored.extend((scores[i], offset + docs[i]) for i in best)
    scored.sort(key=_order)
    return TopK(scored[:k], matched, segments)


@lru_cache(maxsize=64)
def _norms(k1: float, b: float, avgfl: float) -> list[float]:
    """BM25's length normalization per length byte: 256 values, not one per posting."""
    return [k1 * ((1 - b) + b * fl / avgfl) for fl in _BYTE_LENGTHS]


def _order(item: tuple[float, int]) -> tuple[float, int]:
    return (-item[0], item[1])


def _and(seg: _Segment, factors: list[Factor]) -> _Part | None:
    """Intersect first, score only the documents that have every word: the rarest word's
    documents are the candidates, looked up in each further word's blocks by bisection."""
    reader, norms, k1p1, lengths = seg.reader, seg.norms, seg.k1p1, seg.lengths
    matchers = []
    for f in factors:
        postings = _blocks(reader, seg.fieldname, f.btext)
        if postings is None:
            return None  # a required word this segment lacks
        matchers.append((*postings, f))
    matchers.sort(key=lambda x: x[0])
    _, first, f = matchers[0]
    # docnum -> weight of the rarest term: the candidates
    tfs = _excluding(seg, _read_all(first, seg.deadline))
    per_term = [(f, tfs)]
    alive: AbstractSet[int] = tfs.keys()
    for _, m, f in matchers[1:]:
        if not alive:
            return None
        candidates = list(alive)  # ascending: blocks are read in document order
        found: dict[int, float] = {}
        i, n = 0, len(candidates)
        while i < n and m.is_active():
            maxid = m.block_max_id()
            if candidates[i] > maxid:
                m.next_block()  # no candidate in this block: header only, no decoding
                continue
            ids, weights = _decode(m, seg.deadline)
            j = bisect_right(candidates, maxid, i)
            # Each candidate up to the block's last id is looked up by bisection (in C):
            # faster than hashing the block, even with a candidate per posting.
            at = 0
            for doc in candidates[i:j]:
                at = bisect_left(ids, doc, at)
                if at < len(ids) and ids[at] == doc:
                    found[doc] = weights[at]
            i = j
            m.next_block()
        per_term.append((f, found))
        alive = found.keys()
    if not alive:
        return None
    # Scores add up term by term in the order above (rarest first), as before: the same
    # floating-point sums whichever way the intersection was found.
    _apply_heading(seg, per_term)
    docs = list(alive)
    doc_norms = [norms[lengths[doc]] for doc in docs]
    scores = [0.0] * len(docs)
    for f, weights in per_term:
        idf, boost = f.idf, f.boost
        scores = [
            score + idf * ((tf * k1p1) / (tf + norm)) * boost
            for score, norm, tf in zip(
                scores, doc_norms, map(weights.__getitem__, docs), strict=True
            )
        ]
    return _Part(docs, scores, len(docs))


def _excluding(seg: _Segment, scores: dict[int, float]) -> dict[int, float]:
    """``scores`` without deleted documents and those the filter does not let through."""
    if seg.deleted:
        for doc in seg.deleted.intersection(scores):
            del scores[doc]
    if seg.allowed is not None:
        allowed = seg.allowed
        scores = {doc: score for doc, score in scores.items() if doc in allowed}
    return scores


def _single(seg: _Segment, f: Factor, k: int, so_far: list[tuple[float, int]]) -> _Part | None:
    """One term: blocks whose best possible score cannot enter the top k are skipped."""
    norms, k1p1, lengths, deleted = seg.norms, seg.k1p1, seg.lengths, seg.deleted
    allowed = seg.allowed
    idf, boost = f.idf, f.boost
    postings = _blocks(seg.reader, seg.fieldname, f.btext)
    if postings is None:
        return None
    m = postings[1]
    # The k best so far (earlier segments included) as a min-heap of (score, -docnum).
    heap = heapq.nsmallest(k, ((score, -doc) for score, doc in so_far), key=_order_heap)
    heapq.heapify(heap)
    out_docs: list[int] = []
    out_scores: list[float] = []
    skipped = False
    while m.is_active():
        if len(heap) >= k:
            # No document of the block has a higher weight or a shorter length than
            # its header says; a block that cannot beat the k-th score is never decoded.
            best = m.block_max_weight()
            norm = norms[max(0, bisect_right(_BYTE_LENGTHS, m.block_min_length()) - 1)]
            if idf * ((best * k1p1) / (best + norm)) * boost < heap[0][0]:
                m.next_block()
                skipped = True
                continue
        ids, weights = _decode(m, seg.deadline)
        if deleted or allowed is not None:
            keep = [
                i
                for i, doc in enumerate(ids)
                if not (deleted and doc in deleted) and (allowed is None or doc in allowed)
            ]
            ids, weights = [ids[i] for i in keep], [weights[i] for i in keep]
        scores = [
            idf * ((tf * k1p1) / (tf + norms[lengths[doc]])) * boost
            for doc, tf in zip(ids, weights, strict=True)
        ]
        out_docs.extend(ids)
        out_scores.extend(scores)
        # Only scores above the k-th best so far touch the heap (most blocks have none).
        floor = heap[0][0] if len(heap) >= k else -1.0
        if scores and max(scores) > floor:
            for doc, score in zip(ids, scores, strict=True):
                if score > floor:
                    if len(heap) < k:
                        heapq.heappush(heap, (score, -doc))
                    else:
                        heapq.heapreplace(heap, (score, -doc))
                    floor = heap[0][0] if len(heap) >= k else -1.0
        m.next_block()
    return _Part(out_docs, out_scores, None if skipped else len(out_docs))


def _order_heap(item: tuple[float, int]) -> tuple[float, int]:
    return (-item[0], -item[1])


def _or(seg: _Segment, factors: list[Factor]) -> _Part | None:
    norms, k1p1, lengths = seg.norms, seg.k1p1, seg.lengths
    per_term = [(f, _all_weights(seg, seg.fieldname, f.btext)) for f in factors]
    _apply_heading(seg, per_term)
    scores: dict[int, float] = {}
    get = scores.get
    for f, weights in per_term:
        idf, boost = f.idf, f.boost
        for doc, tf in weights.items():
            term = idf * ((tf * k1p1) / (tf + norms[lengths[doc]])) * boost
            scores[doc] = get(doc, 0.0) + term
    scores = _excluding(seg, scores)
    if not scores:
        return None
    docs = sorted(scores)
    return _Part(docs, [scores[doc] for doc in docs], len(docs))


def _all_weights(seg: _Segment, fieldname: str, btext: bytes) -> dict[int, float]:
    """docnum -> weight of every posting of the term in ``fieldname`` (none when absent)."""
    postings = _blocks(seg.reader, fieldname, btext)
    return {} if postings is None else _read_all(postings[1], seg.deadline)


def _read_all(m: Any, deadline: float) -> dict[int, float]:
    """docnum -> weight of every posting of the block reader ``m``."""
    weights: dict[int, float] = {}
    while m.is_active():
        weights.update(zip(*_decode(m, deadline), strict=True))
        m.next_block()
    return weights


def _apply_heading(seg: _Segment, per_term: list[tuple[Factor, dict[int, float]]]) -> None:
    """Lowers, in place, the weights of the documents whose heading holds some but too few
    of the query's distinct terms: their heading occurrences count like body ones. Heading
    postings are read whole; a title's words are few, so its lists are short."""
    heading = seg.heading
    if heading is None:
        return
    counts: dict[bytes, dict[int, float]] = {}
    for f, _ in per_term:
        if f.btext not in counts:
            counts[f.btext] = _all_weights(seg, heading.field, f.btext)
    found = Counter(doc for in_heading in counts.values() for doc in in_heading)
    for doc, n in found.items():
        if heading_counts_fully(n, len(counts)):
            continue
        for f, weights in per_term:
            in_heading = counts[f.btext].get(doc)
            if in_heading and doc in weights:
                weights[doc] = heading_weight(weights[doc], in_heading, heading.extra)
