"""What the top-k scorer's paths (``topk.py``, ``conjunction.py``) share in one segment:
their answer (:class:`Part`), the running k best as a heap, a word's BM25 scores over
documents, the heading rule over a set of documents, and a list's blocks best bound
first."""

from __future__ import annotations

import heapq
from collections.abc import Callable, Collection, Iterator
from typing import Any, NamedTuple

from searchlib.backends.embedded.block_table import Impacts
from searchlib.backends.embedded.scoring import lowered_headings
from searchlib.backends.embedded.term_lists import (
    DENSE,
    Factor,
    Segment,
    intersect,
    look_up,
    lower_heading,
    term_postings,
)

__all__ = [
    "Part",
    "apply_heading",
    "best_first",
    "heap_of",
    "offer",
    "plus_term",
    "term_scores",
]


class Part(NamedTuple):
    """A segment's scored documents: ascending document numbers and their scores, as two
    lists (a tuple per posting would keep Python's garbage collector busy, pausing a common
    word's query now and then), and how many match (None when unknown)."""

    docs: list[int]
    scores: list[float]
    matched: int | None
    #: Every matching document, ascending, when more match than were scored; or, when
    #: ``matched`` is None, what finds them when first asked (None when nothing does).
    every: list[int] | Callable[[], list[int]] | None = None

    def finder(self) -> Callable[[], list[int]] | None:
        """What gives every match, ascending; None when only a count apart can."""
        if self.matched is not None:
            found = self.every if isinstance(self.every, list) else self.docs
            return lambda: found
        return self.every if callable(self.every) else None


def heap_of(so_far: list[tuple[float, int]], k: int) -> list[tuple[float, int]]:
    """The k best so far (earlier segments included) as a min-heap of (score, -docnum)."""
    heap = heapq.nsmallest(k, ((score, -doc) for score, doc in so_far), key=_order_heap)
    heapq.heapify(heap)
    return heap


def _order_heap(item: tuple[float, int]) -> tuple[float, int]:
    return (-item[0], -item[1])


def offer(heap: list[tuple[float, int]], k: int, docs: list[int], scores: list[float]) -> None:
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


def term_scores(seg: Segment, f: Factor, docs: list[int], weights: Any) -> list[float]:
    """Each document's score for one word, from its weight there."""
    norms, k1p1, lengths = seg.norms, seg.k1p1, seg.lengths
    idf, boost = f.idf, f.boost
    return [
        idf * ((tf * k1p1) / (tf + norms[lengths[doc]])) * boost
        for doc, tf in zip(docs, weights, strict=True)
    ]


def plus_term(
    seg: Segment, f: Factor, docs: list[int], partial: list[float], weights: dict[int, float]
) -> list[float]:
    """``partial`` plus each document's score for one more word."""
    norms, k1p1, lengths = seg.norms, seg.k1p1, seg.lengths
    idf, boost = f.idf, f.boost
    return [
        score + idf * ((tf * k1p1) / (tf + norms[lengths[doc]])) * boost
        for doc, score, tf in zip(docs, partial, map(weights.__getitem__, docs), strict=True)
    ]


def apply_heading(
    seg: Segment, per_term: list[tuple[Factor, dict[int, float]]], docs: Collection[int]
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
        lower_heading(seg, lowered, f, weights)


def _heading_weights(seg: Segment, f: Factor, docs: list[int]) -> dict[int, float]:
    """The heading weights of the term among ``docs``, looked up as a further word is."""
    assert seg.heading is not None
    postings = term_postings(seg.reader, seg.heading.field, f.btext)
    if postings is None:
        return {}
    if len(docs) * DENSE >= postings[0]:
        return intersect(seg, postings[1], set(docs))
    return look_up(seg, postings[1], sorted(docs))


def best_first(seg: Segment, f: Factor, impacts: Impacts) -> Iterator[tuple[float, int]]:
    """A list's blocks, each once, with the best score any of its postings can reach, best
    first (from its table's impact pairs: a block is met first at its best pair)."""
    norms, k1p1, idf, boost = seg.norms, seg.k1p1, f.idf, f.boost
    bounds = [
        idf * ((w * k1p1) / (w + norms[lb])) * boost
        for w, lb in zip(impacts.weights, impacts.length_bytes, strict=True)
    ]
    ends, numbers = impacts.ends, impacts.blocks
    seen: set[int] = set()
    for pair in sorted(range(len(bounds)), key=bounds.__getitem__, reverse=True):
        for block in numbers[ends[pair] : ends[pair + 1]]:
            if block not in seen:
                seen.add(block)
                yield bounds[pair], block
