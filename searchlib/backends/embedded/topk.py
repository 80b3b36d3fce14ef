"""The top-k scorer: BM25 top-k of plain word queries, a block of postings at a time.

Most searches are a few words of one field that must all match, or one word, or the
any-word fallback: the plan's :class:`~searchlib.backends.embedded.plan.Words`. Whoosh
answers them through a tree of matcher objects that costs several Python calls per posting
(``next``, ``id``, ``skip_to``, ``score``, a field-length lookup). Here the same BM25
scores come from whole decoded blocks, and a block's header bounds the best score any of
its postings can reach (its impact pairs, see :mod:`postings`), so blocks and words that
cannot change the top k are never decoded:

* AND (:mod:`conjunction`): the rarest term's documents are the candidates; each further
  term decodes only the blocks that can hold a candidate (found through the list's table of
  blocks, see :mod:`block_table`), so a common word costs a few blocks, not its whole
  posting list, and finds each candidate in a block by bisection. A long rarest list is
  read best bound first, and candidates that cannot enter the top k are not looked up.
* one term: blocks whose bound cannot enter the top k are skipped.
* OR (prose, and the fallback): MaxScore, a word at a time -- once the words left cannot
  lift a document not yet seen into the top k, they are only looked up for the documents
  seen, and a document drops out when even they cannot lift it.

Scores and order equal Whoosh's (``tests/test_topk.py`` checks them against it on random
queries, and the pruned top k against the exhaustive one bit for bit): the same BM25 with
the weighting's own idf and average length, summed in the same order, documents of equal
score in index order. Every other search (see ``plan.py``) and other codecs go
through Whoosh.

Posting lists are read through ``term_lists.py``: this codec's, a block at a time; a
search of another codec's index also returns None.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable
from collections.abc import Set as AbstractSet
from functools import cache, lru_cache
from time import monotonic
from typing import Any, NamedTuple

from whoosh.util.numeric import byte_to_length

from searchlib.backends.embedded.block_table import BlockTable
from searchlib.backends.embedded.conjunction import all_words
from searchlib.backends.embedded.forms import (
    Slot,
    grouped,
    others_cannot_matter,
    slots_of,
    typed_words,
)
from searchlib.backends.embedded.plan import Term, Words
from searchlib.backends.embedded.postings import InlineMatcher, length_byte
from searchlib.backends.embedded.ranked import (
    Part,
    best_first,
    heap_of,
    offer,
    term_scores,
)
from searchlib.backends.embedded.scoring import BM25, Heading
from searchlib.backends.embedded.term_lists import (
    SLACK,
    Factor,
    Segment,
    TooSlow,
    Unsupported,
    block_at,
    bound,
    excluding,
    heading_counts,
    kth,
    length_bytes,
    live_postings,
    look_up,
    lower_heading,
    table_of,
    term_postings,
    term_stats,
    upper,
)

_BYTE_LENGTHS = [byte_to_length(i) for i in range(256)]


class TopK(NamedTuple):
    #: The k best (score, docnum), best first.
    scored: list[tuple[float, int]]
    #: How many documents match, when known without more work.
    matched: int | None
    #: What gives, per segment, its reader and every matching docnum, ascending -- for
    #: totals and facets -- finding those the search left unread when first called; None
    #: when only a count apart can (after a single word's block skipping).
    segments: Callable[[], list[tuple[Any, list[int]]]] | None


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
    norms, k1p1, factor = _scoring(searcher, fieldname)
    slots: list[Slot] = []
    typed: list[Factor] = []
    factors: list[Factor] = []
    floor = 0.0
    if words.grouped:
        slots, typed = slots_of(words, factor)
        quick, floor = _typed_only(searcher, words, k, deadline, allowed, heading, slots)
        if quick is not None:
            return quick
    else:
        factors = [factor(t) for t in words.parts if isinstance(t, Term)]

    scored: list[tuple[float, int]] = []
    matched: int | None = 0
    segments: list[tuple[Any, Callable[[], list[int]]]] | None = []
    for leaf, offset in searcher.leaf_searchers():
        reader = leaf.reader()
        lengths = length_bytes(reader, fieldname)
        deleted = reader.deleted_docs_set if reader.has_deletions() else None
        only = allowed(leaf) if allowed is not None else None
        ctx = Segment(reader, fieldname, norms, k1p1, lengths, deleted, deadline, only, heading)
        part: Part | None
        if words.grouped:
            found = grouped(ctx, slots, typed, words.required, k, scored, floor)
            part = None if found is None else Part(*found)
        elif len(factors) == 1:
            part = _single(ctx, factors[0], k, scored)
        elif words.required:
            part = all_words(ctx, factors, k, scored)
        else:
            part = _or(ctx, factors, k, scored)
        if part is None:
            continue
        docs, scores, count, _ = part
        matched = matched + count if count is not None and matched is not None else None
        finder = part.finder()
        segments = None if segments is None or finder is None else [*segments, (reader, finder)]
        # docs are in document order and nlargest is stable: equal scores keep the lower
        # document number first, as Whoosh orders them.
        best = (
            heapq.nlargest(k, range(len(docs)), key=scores.__getitem__)
            if len(docs) > k
            else range(len(docs))
        )
        scored.extend((scores[i], offset + docs[i]) for i in best)
    scored.sort(key=_order)
    return TopK(scored[:k], matched, None if segments is None else _every(segments))


def _every(
    segments: list[tuple[Any, Callable[[], list[int]]]],
) -> Callable[[], list[tuple[Any, list[int]]]]:
    @cache
    def every() -> list[tuple[Any, list[int]]]:
        return [(reader, find()) for reader, find in segments]

    return every


def _scoring(searcher: Any, fieldname: str) -> tuple[list[float], float, Callable[[Term], Factor]]:
    """The field's BM25 length norms and k1 + 1, and what makes a term's factor."""
    field = searcher.schema[fieldname]
    if not field.scorable:
        raise Unsupported("unscored field")
    weighting = searcher.weighting
    if not isinstance(weighting, BM25):  # one B for every field, as this BM25 is made
        raise Unsupported(f"weighting {type(weighting).__name__}")
    parent = searcher.get_parent()
    avgfl = parent.avg_field_length(fieldname) or 1

    def factor(term: Term) -> Factor:
        # A posting scores idf * (tf * (k1 + 1)) / (tf + norm) * boost, the arithmetic of
        # Whoosh's bm25() and boost wrapper, in their order.
        btext = field.to_bytes(term.text)
        return Factor(btext, parent.idf(fieldname, btext), term.boost)

    return _norms(weighting.K1, weighting.B, avgfl), weighting.K1 + 1, factor


def _typed_only(
    searcher: Any,
    words: Words,
    k: int,
    deadline: float,
    allowed: Callable[[Any], AbstractSet[int]] | None,
    heading: Heading | None,
    slots: list[Slot],
) -> tuple[TopK | None, float]:
    """The top k of a search with groups of forms when the forms the user typed decide it
    alone (:func:`~searchlib.backends.embedded.forms.others_cannot_matter`), as most do: the
    typed forms' top k, found as fast as any plain search, its total left to the
    match-set counter; otherwise None. And a score the k-th best is known to reach (the
    typed forms' k-th best, as every form only adds to a score), or 0."""
    plain = typed_words(words)
    if plain is None:
        return None, 0.0
    if plain.required:  # too rare a word: fewer than k match, and a phrase may add one
        field = searcher.schema[words.field]
        texts = [field.to_bytes(t.text) for t in plain.parts if isinstance(t, Term)]
        rarest = min(searcher.doc_frequency(words.field, text) for text in texts)
        if rarest < k:
            return None, 0.0
    top = _top_k(searcher, plain, k, deadline, allowed, heading)
    if len(top.scored) < k:
        return None, 0.0
    floor = top.scored[k - 1][0]
    norms, k1p1, _ = _scoring(searcher, words.field)
    leaves = [leaf.reader() for leaf, _ in searcher.leaf_searchers()]

    def best(f: Factor) -> float:
        found = 0.0
        for reader in leaves:
            info = term_stats(reader, words.field, f.btext)
            if info is not None:
                found = max(found, bound(info, f, norms, k1p1))
        return found

    if not others_cannot_matter(slots, best, floor):
        return None, floor
    return TopK(top.scored, None, None), floor


@lru_cache(maxsize=64)
def _norms(k1: float, b: float, avgfl: float) -> list[float]:
    """BM25's length normalization per length byte: 256 values, not one per posting."""
    return [k1 * ((1 - b) + b * fl / avgfl) for fl in _BYTE_LENGTHS]


def _order(item: tuple[float, int]) -> tuple[float, int]:
    return (-item[0], item[1])


class _Blocks:
    """A posting list as blocks in document order: each block's last document and the best
    score any of its postings can reach, read from headers as far as asked (without moving
    the matcher); a block's ids and weights decoded only when asked (the last one decoded
    is kept)."""

    def __init__(self, m: Any, factor: Factor, seg: Segment) -> None:
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
            self._add(m.head, m.head.last_id, m.head.frontier())

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
            self._add(head, head.last_id, head.frontier())
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
        return upper(self.matcher, self.factor, self.seg)


def _single(seg: Segment, f: Factor, k: int, so_far: list[tuple[float, int]]) -> Part | None:
    """One term: blocks whose best possible score cannot enter the top k are skipped."""
    postings = term_postings(seg.reader, seg.fieldname, f.btext)
    if postings is None:
        return None
    m = postings[1]
    table = table_of(m)
    if table is not None and table.impacts is not None:
        return _best_blocks_first(seg, f, m, table, k, so_far)
    blocks = _Blocks(m, f, seg)
    heap = heap_of(so_far, k)
    out_docs: list[int] = []
    out_scores: list[float] = []
    pruned = False
    j = 0
    while blocks.read_to(j):
        if len(heap) >= k and blocks.bounds[j] < heap[0][0]:
            pruned = True  # a block that cannot beat the k-th score is never decoded
        else:
            docs, scores = _block_scores(seg, f, *blocks.decode(j))
            out_docs.extend(docs)
            out_scores.extend(scores)
            offer(heap, k, docs, scores)
        j += 1
    return Part(out_docs, out_scores, None if pruned else len(out_docs))


def _best_blocks_first(
    seg: Segment, f: Factor, m: Any, table: BlockTable, k: int, so_far: list[tuple[float, int]]
) -> Part:
    """One term through its list's table: each distinct impact pair scored once, and the
    blocks visited by their best pair, best first, until none left can enter the top k.
    The k-th best rises fastest this way, and a skipped block's header is never read."""
    impacts = table.impacts
    assert impacts is not None
    heap = heap_of(so_far, k)
    decoded: dict[int, tuple[list[int], list[float]]] = {}
    for ceiling, block in best_first(seg, f, impacts):
        if len(heap) >= k and ceiling < heap[0][0]:
            break  # every block not yet seen has this bound or less
        decoded[block] = docs, scores = _block_scores(
            seg, f, *block_at(seg, m, table.starts[block])
        )
        offer(heap, k, docs, scores)
    # In document order, as the caller's tie rule needs.
    in_order = [decoded[block] for block in sorted(decoded)]
    docs = [doc for these, _ in in_order for doc in these]
    scores = [score for _, these in in_order for score in these]
    return Part(docs, scores, len(docs) if len(decoded) == len(table.starts) else None)


def _block_scores(
    seg: Segment, f: Factor, docs: list[int], weights: Any
) -> tuple[list[int], list[float]]:
    """A decoded block's live documents and their scores."""
    docs, weights = live_postings(seg, docs, weights)
    return docs, term_scores(seg, f, docs, weights)


def _or(
    seg: Segment, factors: list[Factor], k: int, so_far: list[tuple[float, int]]
) -> Part | None:
    """Any word (MaxScore, a word at a time): the words with the highest possible scores
    come first and are read whole; once the best the words left could add cannot lift a
    document not yet seen into the k best, those words are only looked up for the
    documents seen, and a document drops out when even their best cannot lift it."""
    lists = []
    for i, f in enumerate(factors):
        postings = term_postings(seg.reader, seg.fieldname, f.btext)
        if postings is not None:
            lists.append((i, _Blocks(postings[1], f, seg)))
    if not lists:
        return None
    lists.sort(key=lambda x: -x[1].upper())
    uppers = [blocks.upper() * (1 + SLACK) for _, blocks in lists]
    prior = [score for score, _ in so_far]
    heading = heading_counts(seg, factors)
    per_term: dict[int, dict[int, float]] = {}
    partial: dict[int, float] = {}
    t = 0
    while t < len(lists) and sum(uppers[t:]) >= kth(partial, prior, k):
        i, blocks = lists[t]
        weights: dict[int, float] = {}
        j = 0
        while blocks.read_to(j):
            weights.update(zip(*blocks.decode(j), strict=True))
            j += 1
        per_term[i] = weights = excluding(seg, weights)
        lower_heading(seg, heading, blocks.factor, weights)
        _add_scores(seg, blocks.factor, weights, partial)
        t += 1
    docs = sorted(partial)
    pruned = t < len(lists)
    for rest in range(t, len(lists)):
        floor = kth(partial, prior, k) - sum(uppers[rest:])
        docs = [doc for doc in docs if partial[doc] >= floor]
        i, blocks = lists[rest]
        # (the list's matcher is still at its first block: _Blocks reads headers apart)
        per_term[i] = found = look_up(seg, blocks.matcher, docs)
        lower_heading(seg, heading, blocks.factor, found)
        _add_scores(seg, blocks.factor, found, partial)
    if not docs and not pruned:
        return None
    return Part(docs, _or_scores(seg, factors, docs, per_term), None if pruned else len(docs))


def _add_scores(
    seg: Segment, f: Factor, weights: dict[int, float], partial: dict[int, float]
) -> None:
    norms, k1p1, lengths = seg.norms, seg.k1p1, seg.lengths
    idf, boost = f.idf, f.boost
    get = partial.get
    for doc, tf in weights.items():
        partial[doc] = get(doc, 0.0) + idf * ((tf * k1p1) / (tf + norms[lengths[doc]])) * boost


def _or_scores(
    seg: Segment, factors: list[Factor], docs: list[int], per_term: dict[int, dict[int, float]]
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
