"""All-words top k in one segment: the rarest word's documents are the candidates, looked
up in each further word's blocks (through the list's table, see :mod:`block_table`) and
scored.

A candidate's look-up decodes a block of a further word, most often for that one
candidate, and BM25 scores at the top are close together: many candidates can still
enter the top k. Three ways:

* two words and a long rarest list (``PRUNE_FROM`` documents or more): its blocks are
  read best bound first (their impact pairs), and its candidates looked up in batches,
  each larger than the one before, the first ones best own score first; once a
  candidate's own score plus the best the other word could add stays below the k-th
  best, it is not looked up, and once a block's bound does, no block after it is read.
  The total is counted only when asked (:meth:`Conjunction.every`). When most of the
  candidates read could still enter (the other word can add nearly as much as the
  rarest), the rest are looked up in one pass instead.
* otherwise, when a further word's list has a bitmap (see :mod:`block_table`): the
  matches are the candidates every bitmap holds and the words without one have, counted
  without decoding a block of a word with a bitmap, and only those that can enter the
  top k are looked up in those words (:func:`_matches_first`).
* otherwise every candidate is looked up, in one pass (a further word's block decoded
  once for all the candidates it holds), the total counted on the way; only the matches
  that can enter the top k are scored whole. Below ``PRUNE_FROM`` one pass costs less
  than batches; with more words, the best they could add is a sum of bounds, which few
  candidates fall below.

Scores add up word by word, rarest first, either way: the same floating-point sums.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator
from collections.abc import Set as AbstractSet
from itertools import compress
from time import monotonic
from typing import Any

from searchlib.backends.embedded.block_table import held
from searchlib.backends.embedded.ranked import (
    Part,
    apply_heading,
    best_first,
    heap_of,
    offer,
    plus_term,
    term_scores,
)
from searchlib.backends.embedded.term_lists import (
    DENSE,
    SLACK,
    Factor,
    Segment,
    block_at,
    excluding,
    in_table,
    intersect,
    kth,
    live_postings,
    look_up,
    table_of,
    term_postings,
    upper,
    whole,
)

__all__ = ["PRUNE_FROM", "all_words"]

#: The rarest word's documents from which its candidates are read best first.
PRUNE_FROM = 8192
#: How much larger each batch of candidates looked up is than the one before.
GROWTH = 4
#: Once this part (1 / FLAT_SHARE) of the rarest list is read with a k-th best known, and
#: more than half its candidates could still enter the top k, the rest are looked up in
#: one pass (:class:`Flat`).
FLAT_SHARE = 8

#: A posting list with its document frequency and the factor of its word.
Listed = tuple[int, Any, Factor]


def all_words(
    seg: Segment, factors: list[Factor], k: int, so_far: list[tuple[float, int]]
) -> Part | None:
    """The segment's documents with every word of ``factors`` that can enter the top k
    (``so_far`` holds the best of the segments before), or None when none match."""
    lists = _lists(seg, factors)
    if lists is None:
        return None  # a required word this segment lacks
    df, first, f = lists[0]
    if df < PRUNE_FROM or len(lists) > 2:
        if any(_members(m) is not None for _, m, _ in lists[1:]):
            return _matches_first(seg, lists, k, so_far)
        return _every_candidate(seg, lists, k, so_far)
    conjunction = Conjunction(seg, f, first, df, Further(*lists[1]))
    try:
        return conjunction.top(k, so_far)
    except Flat:
        return conjunction.one_pass(k, so_far)


def _lists(seg: Segment, factors: list[Factor]) -> list[Listed] | None:
    """The words' posting lists, rarest first; None when the segment lacks a word."""
    lists: list[Listed] = []
    for f in factors:
        postings = term_postings(seg.reader, seg.fieldname, f.btext)
        if postings is None:
            return None
        lists.append((*postings, f))
    lists.sort(key=lambda x: x[0])
    return lists


class Flat(Exception):
    """Most candidates read with a k-th best known could still enter the top k: looking
    them all up in one pass (:meth:`Conjunction.one_pass`) costs less than in batches."""


def _every_candidate(
    seg: Segment, lists: list[Listed], k: int, so_far: list[tuple[float, int]]
) -> Part | None:
    """Every candidate looked up, each further word's candidates in one pass (or, when
    they are many, in a table of its whole list); then scored (:func:`_can_enter`)."""
    _, first, f = lists[0]
    tfs = excluding(seg, whole(seg, first))
    per_term = [(f, tfs)]
    alive: AbstractSet[int] = tfs.keys()
    for df, m, f in lists[1:]:
        if not alive:
            return None
        if len(alive) * DENSE >= df:
            found = intersect(seg, m, alive)
        else:
            found = look_up(seg, m, sorted(alive))
        per_term.append((f, found))
        alive = found.keys()
    return _part_of(seg, per_term, [upper(m, f, seg) for _, m, f in lists[1:]], k, so_far)


def _members(m: Any) -> Any:
    """The bitmap of the list of ``m`` (see :mod:`block_table`), or None."""
    table = table_of(m)
    return None if table is None else table.members


def _matches_first(
    seg: Segment, lists: list[Listed], k: int, so_far: list[tuple[float, int]]
) -> Part | None:
    """Further words with a bitmap: the matches are the rarest word's documents every
    bitmap holds and the further words without one have, known before a block of a word
    with a bitmap is decoded. The matches are scored in full best known score first (the
    words without a bitmap), k at first and more each time, and the k-th best so far (or
    an earlier segment's) is a floor: once a match's known score plus the best the words
    with a bitmap could add stays below it, no match after it is looked up."""
    first = lists[0][1]
    tfs = excluding(seg, whole(seg, first))
    every = list(tfs)
    for _, m, _ in lists[1:]:
        if (members := _members(m)) is not None:
            every = held(members, every)
    known: dict[int, dict[int, float]] = {0: tfs}
    for i, (df, m, _) in enumerate(lists[1:], 1):
        if _members(m) is None and every:
            if len(every) * DENSE >= df:
                known[i] = intersect(seg, m, set(every))
            else:
                known[i] = look_up(seg, m, every)
            every = [doc for doc in every if doc in known[i]]
    if not every:
        return None

    def scored(docs: list[int]) -> dict[int, float]:
        per_term = [
            (g, {doc: known[i][doc] for doc in docs} if i in known else look_up(seg, m, docs))
            for i, (_, m, g) in enumerate(lists)
        ]
        return dict(zip(docs, _summed(seg, per_term, docs), strict=True))

    own = [0.0] * len(every)
    for i, (_, _, g) in enumerate(lists):
        if i in known:
            own = plus_term(seg, g, every, own, known[i])
    reach = sum(upper(m, g, seg) for i, (_, m, g) in enumerate(lists) if i not in known)
    order = sorted(range(len(every)), key=own.__getitem__, reverse=True)
    prior = [score for score, _ in so_far]
    scores: dict[int, float] = {}
    at, size = 0, k
    while at < len(order):
        floor = kth(scores, prior, k)
        batch = []
        for i in order[at : at + size]:
            if own[i] + reach < floor:
                order = order[:at]  # the rest are no better: none can enter
                break
            batch.append(every[i])
            at += 1
        if batch:
            scores |= scored(sorted(batch))
        size *= GROWTH
    docs = sorted(scores)
    scored_docs = [scores[doc] for doc in docs]
    return Part(docs, scored_docs, len(every), every if len(docs) < len(every) else None)


def _summed(
    seg: Segment, per_term: list[tuple[Factor, dict[int, float]]], docs: list[int]
) -> list[float]:
    """The scores of ``docs`` (each in every word's weights, which the title rule may
    lower in place), summed word by word in the order of ``per_term``."""
    apply_heading(seg, per_term, docs)
    scores = [0.0] * len(docs)
    for factor, these in per_term:
        scores = plus_term(seg, factor, docs, scores, these)
    return scores


def _pair_scores(
    seg: Segment, f: Factor, weights: dict[int, float], g: Factor, found: dict[int, float]
) -> tuple[list[int], list[float]]:
    """The documents of ``found`` (the other word's weights, ascending) and their scores,
    the rarest word's weights in ``weights`` (the title rule may lower both in place),
    summed rarest first."""
    alive = list(found)
    return alive, _summed(seg, [(f, weights), (g, found)], alive)


def _part_of(
    seg: Segment,
    per_term: list[tuple[Factor, dict[int, float]]],
    uppers: list[float],
    k: int,
    so_far: list[tuple[float, int]],
) -> Part | None:
    """Every match (the documents of the last word's weights) and the scores of those
    that can enter the top k."""
    alive = per_term[-1][1].keys()
    if not alive:
        return None
    apply_heading(seg, per_term, alive)
    every = sorted(alive)
    docs, scores = _can_enter(seg, every, per_term, uppers, k, so_far)
    return Part(docs, scores, len(every), every if len(docs) < len(every) else None)


def _can_enter(
    seg: Segment,
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
    scores = plus_term(seg, per_term[0][0], docs, [0.0] * len(docs), per_term[0][1])
    if len(docs) > k:
        seeds = heapq.nlargest(k, range(len(docs)), key=scores.__getitem__)
        full = [scores[i] for i in seeds]
        seed_docs = [docs[i] for i in seeds]
        for f, weights in per_term[1:]:
            full = plus_term(seg, f, seed_docs, full, weights)
        floor = heapq.nlargest(k, [*full, *(score for score, _ in so_far)])[-1]
        best = scores
        for bound in uppers:
            best = [score + bound for score in best]
        kept = [i for i, score in enumerate(best) if score >= floor]
        docs, scores = [docs[i] for i in kept], [scores[i] for i in kept]
    for f, weights in per_term[1:]:
        scores = plus_term(seg, f, docs, scores, weights)
    return docs, scores


class Further:
    """The other word of two: its weights at the documents asked for, looked up through
    its list's table, or read from its whole list (kept for the next batch) once the
    documents asked for, all batches together, are many (unless the list has a bitmap),
    or when the list has no table."""

    def __init__(self, df: int, m: Any, factor: Factor) -> None:
        self.df = df
        self.matcher = m
        self.factor = factor
        self.table = table_of(m)
        self.weights: dict[int, float] | None = None
        self.asked = 0

    def at(self, seg: Segment, docs: list[int]) -> dict[int, float]:
        """The weights of ``docs`` (ascending) that have this word."""
        if self.weights is None:
            self.asked += len(docs)
            table = self.table
            if table is not None and (table.members is not None or self.asked * DENSE < self.df):
                return in_table(seg, self.matcher, table, docs)
            self.weights = whole(seg, self.matcher)
        weights = self.weights
        return {doc: weights[doc] for doc in docs if doc in weights}


class Conjunction:
    """Two words, the rarest with a long list: that word (its factor and list) and the
    other; the candidates looked up so far and the matches they gave."""

    def __init__(self, seg: Segment, rarest: Factor, m: Any, df: int, other: Further) -> None:
        self.seg = seg
        self.rarest = rarest
        self.matcher = m
        self.df = df
        self.other = other
        #: The best score the other word can add.
        self.reach = upper(other.matcher, other.factor, seg)
        #: The matches found and their scores, in the order found.
        self.found: list[int] = []
        self.scores: list[float] = []
        self.looked: set[int] = set()
        #: Whether every candidate was looked up (the total is then known).
        self.complete = True
        self.budget = seg.deadline - monotonic()

    def top(self, k: int, so_far: list[tuple[float, int]]) -> Part | None:
        """The rarest word's blocks best bound first, their candidates in batches, each
        larger than the one before, of those whose own score plus the best the other
        word could add reaches the k-th best so far; until no block left can hold one."""
        heap = heap_of(so_far, k)
        blocks = self._blocks()
        ahead = next(blocks, None)
        size = k
        read = kept = 0  # candidates read, and kept, with a k-th best known
        while True:
            need = _floor(heap, k) - self.reach  # the own score a candidate needs
            batch: dict[int, float] = {}
            own: dict[int, float] = {}
            while ahead is not None and len(batch) < size:
                if ahead[0] < need:  # no block left can hold a candidate
                    self.complete, ahead = False, None
                    break
                self._add(batch, own, need, ahead[1], ahead[2])
                read += len(ahead[1]) if len(heap) >= k else 0
                ahead = next(blocks, None)
            kept += len(batch) if len(heap) >= k else 0
            if read * FLAT_SHARE >= self.df and kept * 2 > read:
                raise Flat
            if not batch:
                break
            self._check(heap, k, batch, own)
            size *= GROWTH
        return self._part()

    def _add(
        self,
        batch: dict[int, float],
        own: dict[int, float],
        need: float,
        docs: list[int],
        weights: Any,
    ) -> None:
        """Adds the candidates of a block that reach ``need`` to ``batch`` (their
        weights) and ``own`` (their own scores)."""
        scores = term_scores(self.seg, self.rarest, docs, weights)
        if scores and min(scores) < need:
            self.complete = False
            kept = [score >= need for score in scores]
            docs, weights, scores = (list(compress(x, kept)) for x in (docs, weights, scores))
        batch.update(zip(docs, weights, strict=True))
        own.update(zip(docs, scores, strict=True))

    def _check(
        self,
        heap: list[tuple[float, int]],
        k: int,
        batch: dict[int, float],
        own: dict[int, float],
    ) -> None:
        """Looks the candidates of ``batch`` up: while fewer than k matches are known,
        best own score first, k at first and more each time (the first k-th best comes
        from the likeliest); then, at once, the rest that can still enter."""
        order: list[int] = list(batch)
        if len(heap) < k:
            order.sort(key=own.__getitem__, reverse=True)
            size = k
            while len(heap) < k and order:
                self._score(heap, k, {doc: batch[doc] for doc in order[:size]})
                order, size = order[size:], size * GROWTH
        need = _floor(heap, k) - self.reach
        rest = {doc: batch[doc] for doc in order if own[doc] >= need}
        self.complete &= len(rest) == len(order)
        if rest:
            self._score(heap, k, rest)

    def _score(self, heap: list[tuple[float, int]], k: int, batch: dict[int, float]) -> None:
        self.looked.update(batch)
        found, scores = self._scored(batch)
        offer(heap, k, found, scores)
        self.found += found
        self.scores += scores

    def _part(self) -> Part | None:
        if not self.found and self.complete:
            return None
        by_doc = sorted(range(len(self.found)), key=self.found.__getitem__)
        docs = [self.found[i] for i in by_doc]
        scores = [self.scores[i] for i in by_doc]
        if self.complete:
            return Part(docs, scores, len(docs))
        return Part(docs, scores, None, self.every)

    def _blocks(self) -> Iterator[tuple[float, list[int], Any]]:
        """The rarest word's live documents and weights a block at a time, each with the
        best score any of them can reach, best first: a list with a table through its
        impact pairs; another whole, as one block with no bound."""
        seg, m = self.seg, self.matcher
        table = table_of(m)
        if table is None or table.impacts is None:
            tfs = excluding(seg, whole(seg, m))
            yield float("inf"), list(tfs), list(tfs.values())
            return
        for ceiling, block in best_first(seg, self.rarest, table.impacts):
            yield ceiling, *live_postings(seg, *block_at(seg, m, table.starts[block]))

    def _scored(self, batch: dict[int, float]) -> tuple[list[int], list[float]]:
        """The documents of ``batch`` (the rarest word's weights) with the other word,
        and their scores, ascending."""
        found = self.other.at(self.seg, sorted(batch))
        return _pair_scores(self.seg, self.rarest, batch, self.other.factor, found)

    def one_pass(self, k: int, so_far: list[tuple[float, int]]) -> Part | None:
        """Every candidate looked up at once (what the other word has read stays read)."""
        seg = self.seg
        candidates = self._candidates(seg)
        found = self.other.at(seg, list(candidates))
        per_term = [(self.rarest, candidates), (self.other.factor, found)]
        return _part_of(seg, per_term, [self.reach], k, so_far)

    def every(self) -> list[int]:
        """Every match, ascending: the candidates not yet looked up are, now, with a
        deadline of their own."""
        seg = self.seg._replace(deadline=monotonic() + self.budget)
        rest = [doc for doc in self._candidates(seg) if doc not in self.looked]
        return sorted([*self.found, *self.other.at(seg, rest)])

    def _candidates(self, seg: Segment) -> dict[int, float]:
        """The rarest word's live documents and weights, ascending, read anew."""
        postings = term_postings(seg.reader, seg.fieldname, self.rarest.btext)
        assert postings is not None  # the search read this list
        return excluding(seg, whole(seg, postings[1]))


def _floor(heap: list[tuple[float, int]], k: int) -> float:
    """The score a document must reach to enter the k best so far, a little less for
    rounding (a bound and a score add the same words in another order); -inf until k
    are known."""
    if len(heap) < k:
        return float("-inf")
    floor = heap[0][0]
    return floor - abs(floor) * SLACK
