"""The top-k scorer: BM25 top-k of plain word queries, a block of postings at a time.

Most searches are a few words of one field that must all match, or one word, or the
any-word fallback: the plan's :class:`~searchlib.backends.embedded.plan.Words`. Whoosh
answers them through a tree of matcher objects that costs several Python calls per posting
(``next``, ``id``, ``skip_to``, ``score``, a field-length lookup). Here the same BM25
scores come from whole decoded blocks, and a block's header bounds the best score any of
its postings can reach (its impact pairs, see :mod:`postings`), so blocks and words that
cannot change the top k are never decoded:

* AND: the rarest term's documents are the candidates; each further term decodes only the
  blocks that can hold a candidate (block boundaries come from the block headers), so a
  common word costs a few blocks, not its whole posting list, and finds each candidate in
  a block by bisection.
* one term: blocks whose bound cannot enter the top k are skipped.
* OR (prose, and the fallback): MaxScore, a word at a time -- once the words left cannot
  lift a document not yet seen into the top k, they are only looked up for the documents
  seen, and a document drops out when even they cannot lift it.

Scores and order equal Whoosh's (``tests/test_topk.py`` checks them against it on random
queries, and the pruned top k against the exhaustive one bit for bit): the same BM25 with
the weighting's own idf and average length, summed in the same order, documents of equal
score in index order. Every other search (see ``plan.py``) and other codecs go
through Whoosh.

This walks the codec's posting lists a block at a time through their block interface
(``BlockMatcher`` and, for a term's one inlined posting, ``InlineMatcher``); a matcher of
any other class (another codec) also returns None.
"""

from __future__ import annotations

import heapq
from bisect import bisect_left, bisect_right
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
from searchlib.backends.embedded.postings import BlockMatcher, InlineMatcher, length_byte
from searchlib.backends.embedded.scoring import BM25, Heading, heading_weight, lowered_headings
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
    heading: Heading | None = None


class _Part(NamedTuple):
    """A segment's scored documents: ascending document numbers and their scores, as two
    lists (a tuple per posting would keep Python's garbage collector busy, pausing a common
    word's query now and then), and how many match (None when unknown)."""

    docs: list[int]
    scores: list[float]
    matched: int | None
    #: Every matching document, ascending, when more match than were scored.
    every: list[int] | None = None


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
    (:func:`~searchlib.ranking.heading_counts_fully`). Raises
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
            part = _and(ctx, factors, k, scored)
        else:
            part = _or(ctx, factors, k, scored)
        if part is None:
            continue
        docs, scores, count, every = part
        matched = matched + count if count is not None and matched is not None else None
        if segments is not None:
            segments = [*segments, (reader, every or docs)] if count is not None else None
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


def _and(
    seg: _Segment, factors: list[Factor], k: int, so_far: list[tuple[float, int]]
) -> _Part | None:
    """Intersect first, score only the documents that have every word: the rarest word's
    documents are the candidates, looked up in each further word's blocks by bisection
    (or, when they are many, in a table of its whole list); then scored
    (:func:`_and_scores`)."""
    matchers = []
    for f in factors:
        postings = _blocks(seg.reader, seg.fieldname, f.btext)
        if postings is None:
            return None  # a required word this segment lacks
        matchers.append((*postings, f))
    matchers.sort(key=lambda x: x[0])
    _, first, f = matchers[0]
    # docnum -> weight of the rarest term: the candidates
    tfs: dict[int, float] = {}
    while first.is_active():
        tfs.update(zip(*_decode(first, seg.deadline), strict=True))
        first.next_block()
    tfs = _excluding(seg, tfs)
    per_term = [(f, tfs)]
    alive: AbstractSet[int] = tfs.keys()
    for df, m, f in matchers[1:]:
        if not alive:
            return None
        if len(alive) * DENSE >= df:
            found = _intersect(seg, m, alive)
        else:
            found = _look_up(seg, m, sorted(alive))
        per_term.append((f, found))
        alive = found.keys()
    if not alive:
        return None
    # Scores add up term by term in the order above (rarest first), as before: the same
    # floating-point sums whichever way the intersection was found.
    _apply_heading(seg, per_term, alive)
    every = sorted(alive)
    docs, scores = _and_scores(
        seg, every, per_term, [_upper(m, f, seg) for _, m, f in matchers[1:]], k, so_far
    )
    return _Part(docs, scores, len(every), every if len(docs) < len(every) else None)


def _and_scores(
    seg: _Segment,
    every: list[int],
    per_term: list[tuple[Factor, dict[int, float]]],
    uppers: list[float],
    k: int,
    so_far: list[tuple[float, int]],
) -> tuple[list[int], list[float]]:
    """The scores of the matches that can enter the top k, and those matches. Every match
    gets the rarest word's score; the k best by it are scored in full, and their k-th best
    (or an earlier segment's) is a floor: a match whose rarest-word score plus the best the
    other words could add stays below it is not scored further."""
    docs = every
    scores = _plus_term(seg, per_term[0][0], docs, [0.0] * len(docs), per_term[0][1])
    if len(docs) > k:
        seeds = heapq.nlargest(k, range(len(docs)), key=scores.__getitem__)
        full = [scores[i] for i in seeds]
        seed_docs = [docs[i] for i in seeds]
        for f, weights in per_term[1:]:
            full = _plus_term(seg, f, seed_docs, full, weights)
        floor = heapq.nlargest(k, [*full, *(score for score, _ in so_far)])[-1]
        best = scores
        for upper in uppers:
            best = [score + upper for score in best]
        kept = [i for i, score in enumerate(best) if score >= floor]
        docs, scores = [docs[i] for i in kept], [scores[i] for i in kept]
    for f, weights in per_term[1:]:
        scores = _plus_term(seg, f, docs, scores, weights)
    return docs, scores


def _plus_term(
    seg: _Segment, f: Factor, docs: list[int], partial: list[float], weights: dict[int, float]
) -> list[float]:
    """``partial`` plus each document's score for one more word."""
    norms, k1p1, lengths = seg.norms, seg.k1p1, seg.lengths
    idf, boost = f.idf, f.boost
    return [
        score + idf * ((tf * k1p1) / (tf + norms[lengths[doc]])) * boost
        for doc, score, tf in zip(docs, partial, map(weights.__getitem__, docs), strict=True)
    ]


def _upper(m: Any, f: Factor, seg: _Segment) -> float:
    """The best score any posting of the word can reach (from its term statistics)."""
    info = m.terminfo
    w, norm = info.max_weight(), seg.norms[length_byte(info.min_length())]
    return float(f.idf * ((w * seg.k1p1) / (w + norm)) * f.boost)


#: A further word's whole list is read into a table, instead of its candidates looked up
#: block by block, when the candidates number at least its documents over this: nearly
#: every block would be decoded anyway, and a table's lookups run in C.
DENSE = 4


def _intersect(seg: _Segment, m: Any, candidates: AbstractSet[int]) -> dict[int, float]:
    """The weights of the candidates that have the word of ``m``, from its whole list."""
    weights: dict[int, float] = {}
    while m.is_active():
        weights.update(zip(*_decode(m, seg.deadline), strict=True))
        m.next_block()
    common = candidates & weights.keys()
    return dict(zip(common, map(weights.__getitem__, common), strict=True))


def _look_up(seg: _Segment, m: Any, candidates: list[int]) -> dict[int, float]:
    """The weights of the candidates (ascending) that have the word of ``m``: only the
    blocks that can hold a candidate are decoded, and each candidate found by bisection."""
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
    return found


def _kept(seg: _Segment, ids: list[int]) -> list[int]:
    """``ids`` without deleted documents and those the filter does not let through."""
    deleted, allowed = seg.deleted, seg.allowed
    if deleted:
        ids = [doc for doc in ids if doc not in deleted]
    if allowed is not None:
        ids = [doc for doc in ids if doc in allowed]
    return ids


class _Blocks:
    """A posting list as blocks in document order: each block's last document and the best
    score any of its postings can reach, read from headers as far as asked (without moving
    the matcher); a block's ids and weights decoded only when asked (the last one decoded
    is kept)."""

    def __init__(self, m: Any, factor: Factor, seg: _Segment) -> None:
        self.factor = factor
        self.seg = seg
        self.lasts: list[int] = []
        self.bounds: list[float] = []
        self.heads: list[Any] = []
        self.decoded: tuple[int, tuple[list[int], Any]] | None = None
        self.matcher = m
        if isinstance(m, InlineMatcher):
            self.reader = None
            pair = (m.block_max_weight(), length_byte(m.block_min_length()))
            self._add(None, m.block_max_id(), (pair,))
            self.next_at: int | None = None
        else:
            self.reader = m.reader
            self.next_at = m.head.next_at if not m.head.final else None
            self._add(m.head, m.head.last_id, _impacts(m.head))

    def _add(self, head: Any, last: int, pairs: Any) -> None:
        f, norms, k1p1 = self.factor, self.seg.norms, self.seg.k1p1
        idf, boost = f.idf, f.boost
        self.heads.append(head)
        self.lasts.append(last)
        if len(pairs) == 1:
            w, lb = pairs[0]
            self.bounds.append(idf * ((w * k1p1) / (w + norms[lb])) * boost)
        else:
            self.bounds.append(max(idf * ((w * k1p1) / (w + norms[lb])) * boost for w, lb in pairs))

    def read_to(self, j: int) -> bool:
        """Whether block ``j`` exists (reading headers up to it)."""
        while j >= len(self.lasts) and self.next_at is not None:
            assert self.reader is not None
            head = self.reader.head(self.next_at)
            self.next_at = None if head.final else head.next_at
            self._add(head, head.last_id, _impacts(head))
        return j < len(self.lasts)

    def decode(self, j: int) -> tuple[list[int], Any]:
        if self.decoded is not None and self.decoded[0] == j:
            return self.decoded[1]
        if monotonic() > self.seg.deadline:
            raise TooSlow
        head = self.heads[j]
        if head is None:
            found = (self.matcher.block_ids(), self.matcher.block_weights())
        else:
            assert self.reader is not None
            found = self.reader.ids_weights(head, self.reader.data(head))
        self.decoded = (j, found)
        return found

    def upper(self) -> float:
        """The best score of any posting of this word (from its term statistics)."""
        return _upper(self.matcher, self.factor, self.seg)


def _impacts(head: Any) -> tuple[tuple[float, int], ...]:
    """A block's (weight, length byte) frontier: the stored pairs, else its top weight
    and shortest length."""
    return getattr(head, "impacts", ()) or ((head.top_weight, length_byte(head.shortest)),)


def _heap(so_far: list[tuple[float, int]], k: int) -> list[tuple[float, int]]:
    """The k best so far (earlier segments included) as a min-heap of (score, -docnum)."""
    heap = heapq.nsmallest(k, ((score, -doc) for score, doc in so_far), key=_order_heap)
    heapq.heapify(heap)
    return heap


def _offer(heap: list[tuple[float, int]], k: int, docs: list[int], scores: list[float]) -> None:
    """Keep the k best of ``heap`` and ``docs``; only scores above the k-th best touch the
    heap (most blocks have none)."""
    floor = heap[0][0] if len(heap) >= k else -1.0
    if not scores or max(scores) <= floor:
        return
    for doc, score in zip(docs, scores, strict=True):
        if score > floor:
            if len(heap) < k:
                heapq.heappush(heap, (score, -doc))
            else:
                heapq.heapreplace(heap, (score, -doc))
            floor = heap[0][0] if len(heap) >= k else -1.0


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
    postings = _blocks(seg.reader, seg.fieldname, f.btext)
    if postings is None:
        return None
    blocks = _Blocks(postings[1], f, seg)
    heap = _heap(so_far, k)
    out_docs: list[int] = []
    out_scores: list[float] = []
    pruned = False
    j = 0
    while blocks.read_to(j):
        if len(heap) >= k and blocks.bounds[j] < heap[0][0]:
            pruned = True  # a block that cannot beat the k-th score is never decoded
        else:
            docs, weights = blocks.decode(j)
            if seg.deleted or seg.allowed is not None:
                kept = dict.fromkeys(_kept(seg, docs))
                pairs = [(doc, w) for doc, w in zip(docs, weights, strict=True) if doc in kept]
                docs, weights = [doc for doc, _ in pairs], [w for _, w in pairs]
            scores = _term_scores(seg, f, docs, weights)
            out_docs.extend(docs)
            out_scores.extend(scores)
            _offer(heap, k, docs, scores)
        j += 1
    return _Part(out_docs, out_scores, None if pruned else len(out_docs))


def _term_scores(seg: _Segment, f: Factor, docs: list[int], weights: Any) -> list[float]:
    norms, k1p1, lengths = seg.norms, seg.k1p1, seg.lengths
    idf, boost = f.idf, f.boost
    return [
        idf * ((tf * k1p1) / (tf + norms[lengths[doc]])) * boost
        for doc, tf in zip(docs, weights, strict=True)
    ]


def _order_heap(item: tuple[float, int]) -> tuple[float, int]:
    return (-item[0], -item[1])


#: Bounds compared with sums added in another order allow for rounding (MaxScore below).
SLACK = 1e-9


def _or(
    seg: _Segment, factors: list[Factor], k: int, so_far: list[tuple[float, int]]
) -> _Part | None:
    """Any word (MaxScore, a word at a time): the words with the highest possible scores
    come first and are read whole; once the best the words left could add cannot lift a
    document not yet seen into the k best, those words are only looked up for the
    documents seen, and a document drops out when even their best cannot lift it."""
    lists = []
    for i, f in enumerate(factors):
        postings = _blocks(seg.reader, seg.fieldname, f.btext)
        if postings is not None:
            lists.append((i, _Blocks(postings[1], f, seg)))
    if not lists:
        return None
    lists.sort(key=lambda x: -x[1].upper())
    uppers = [blocks.upper() * (1 + SLACK) for _, blocks in lists]
    prior = [score for score, _ in so_far]
    heading = _heading_counts(seg, factors)
    per_term: dict[int, dict[int, float]] = {}
    partial: dict[int, float] = {}
    t = 0
    while t < len(lists) and sum(uppers[t:]) >= _kth(partial, prior, k):
        i, blocks = lists[t]
        weights: dict[int, float] = {}
        j = 0
        while blocks.read_to(j):
            weights.update(zip(*blocks.decode(j), strict=True))
            j += 1
        per_term[i] = weights = _excluding(seg, weights)
        _lower_heading(seg, heading, blocks.factor, weights)
        _add_scores(seg, blocks.factor, weights, partial)
        t += 1
    docs = sorted(partial)
    pruned = t < len(lists)
    for rest in range(t, len(lists)):
        floor = _kth(partial, prior, k) - sum(uppers[rest:])
        docs = [doc for doc in docs if partial[doc] >= floor]
        i, blocks = lists[rest]
        # (the list's matcher is still at its first block: _Blocks reads headers apart)
        per_term[i] = found = _look_up(seg, blocks.matcher, docs)
        _lower_heading(seg, heading, blocks.factor, found)
        _add_scores(seg, blocks.factor, found, partial)
    if not docs and not pruned:
        return None
    return _Part(docs, _or_scores(seg, factors, docs, per_term), None if pruned else len(docs))


def _kth(partial: dict[int, float], prior: list[float], k: int) -> float:
    """A lower bound of the k-th best final score: the k-th best of the sums so far (a
    little less, for rounding), or 0 when fewer than k documents are known."""
    if len(partial) + len(prior) < k:
        return 0.0
    return heapq.nlargest(k, [*partial.values(), *prior])[-1] * (1 - SLACK)


def _add_scores(
    seg: _Segment, f: Factor, weights: dict[int, float], partial: dict[int, float]
) -> None:
    norms, k1p1, lengths = seg.norms, seg.k1p1, seg.lengths
    idf, boost = f.idf, f.boost
    get = partial.get
    for doc, tf in weights.items():
        partial[doc] = get(doc, 0.0) + idf * ((tf * k1p1) / (tf + norms[lengths[doc]])) * boost


def _or_scores(
    seg: _Segment, factors: list[Factor], docs: list[int], per_term: dict[int, dict[int, float]]
) -> list[float]:
    """Each document's score summed word by word in the query's order, as an exhaustive
    walk sums it (a word the document lacks adds nothing)."""
    norms, k1p1, lengths = seg.norms, seg.k1p1, seg.lengths
    doc_norms = [norms[lengths[doc]] for doc in docs]
    scores = [0.0] * len(docs)
    for i in sorted(per_term):
        idf, boost = factors[i].idf, factors[i].boost
        get = per_term[i].get
        scores = [
            score if tf is None else score + idf * ((tf * k1p1) / (tf + norm)) * boost
            for score, norm, tf in zip(scores, doc_norms, map(get, docs), strict=True)
        ]
    return scores


#: Per distinct query term, the heading weight of each document the rule lowers.
_Lowered = dict[bytes, dict[int, float]]


def _apply_heading(
    seg: _Segment, per_term: list[tuple[Factor, dict[int, float]]], docs: AbstractSet[int]
) -> None:
    """Lowers, in place, the weights of ``docs`` whose heading holds some but too few of
    the query's distinct terms: their heading occurrences count like body ones. A heading
    occurrence weighs more than ``extra`` in the combined field, so only the documents
    where a term weighs more are looked up in that term's heading postings."""
    if seg.heading is None:
        return
    extra = seg.heading.extra
    counts: dict[bytes, dict[int, float]] = {}
    for f, weights in per_term:
        if f.btext not in counts:
            maybe = [doc for doc in docs if weights[doc] > extra]
            counts[f.btext] = _heading_weights(seg, f, maybe) if maybe else {}
    lowered = lowered_headings(counts)
    for f, weights in per_term:
        _lower_heading(seg, lowered, f, weights)


def _heading_weights(seg: _Segment, f: Factor, docs: list[int]) -> dict[int, float]:
    """The heading weights of the term among ``docs`` (as :func:`_and` looks words up)."""
    assert seg.heading is not None
    postings = _blocks(seg.reader, seg.heading.field, f.btext)
    if postings is None:
        return {}
    if len(docs) * DENSE >= postings[0]:
        return _intersect(seg, postings[1], set(docs))
    return _look_up(seg, postings[1], sorted(docs))


def _heading_counts(seg: _Segment, factors: list[Factor]) -> _Lowered | None:
    """Per distinct term, the heading weight of each document the rule lowers; None
    without a heading. Heading postings are read whole: a title's words are few, so its
    lists are short."""
    if seg.heading is None:
        return None
    counts: dict[bytes, dict[int, float]] = {}
    for f in factors:
        if f.btext not in counts:
            counts[f.btext] = _all_weights(seg, seg.heading.field, f.btext)
    return lowered_headings(counts)


def _lower_heading(
    seg: _Segment, lowered: _Lowered | None, f: Factor, weights: dict[int, float]
) -> None:
    """The heading rule on one term's weights, in place (it only ever lowers them, so a
    term's bound from its statistics stays a bound)."""
    if lowered is None or seg.heading is None:
        return
    for doc, in_heading in lowered[f.btext].items():
        if doc in weights:
            weights[doc] = heading_weight(weights[doc], in_heading, seg.heading.extra)


def _all_weights(seg: _Segment, fieldname: str, btext: bytes) -> dict[int, float]:
    """docnum -> weight of every posting of the term in ``fieldname`` (none when absent)."""
    postings = _blocks(seg.reader, fieldname, btext)
    if postings is None:
        return {}
    m = postings[1]
    weights: dict[int, float] = {}
    while m.is_active():
        weights.update(zip(*_decode(m, seg.deadline), strict=True))
        m.next_block()
    return weights
