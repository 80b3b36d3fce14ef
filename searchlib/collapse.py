"""Collapse near-duplicate stories in a ranked list: one hit per story, carrying the others.

The same for every backend: it reads only the story signatures
(:mod:`searchlib.signatures`) of the ranked candidates a backend returns
(:attr:`~searchlib.backends.base.RawHit.signature`), and the stored fields of the page's
hits and their versions. Grouping is decided at search time from the signatures of the
documents as they are now, so adding, re-indexing or deleting a document can never leave
a stale group behind, and documents added at different times group as readily as
documents added together.

A page of ``limit`` stories from ``offset`` is cut from the best ``offset + limit`` stories
of a window of candidates; the window grows until it holds that many stories or every
match (at most ``MAX_WINDOW`` candidates), so a full page shows distinct stories whenever
enough exist. A story is a connected group of near-duplicate pairs: a pair has the same
value in one of the signature's first few bins (:func:`key_bins`: enough that a pair at the
threshold almost always has), and their estimated similarity over every bin reaches the
threshold. A hit's ``duplicates`` are its versions among the candidates read; the total
counts stories (exactly up to ``EXACT_TOTAL_WITHIN`` matches).
"""

from __future__ import annotations

import functools
import math
from array import array
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from itertools import combinations, compress, repeat
from operator import gt
from typing import TypeGuard

from searchlib.backends.base import RawHit, RawResults
from searchlib.results import Hit
from searchlib.signatures import BINS, EMPTY, SIGNATURE_BYTES, Sketch, decode, near_duplicates

__all__ = [
    "EXACT_TOTAL_WITHIN",
    "MAX_WINDOW",
    "CollapsedResults",
    "Story",
    "attach_duplicates",
    "key_bins",
    "page_of_stories",
    "stories",
]

#: The most candidates read to fill one page with distinct stories.
MAX_WINDOW = 5000
#: Candidates read beyond the page at first (at least; half the page's reach when more).
EXTRA = 10
#: Up to this many matches, the total is exact (every match is grouped).
EXACT_TOTAL_WITHIN = 100
#: The share of pairs at the threshold that the key bins may miss (:func:`key_bins`).
KEY_MISSES = 0.001


@dataclass
class CollapsedResults(RawResults):
    """A page of stories: ``hits`` are each story's best hit, ``duplicates`` the ids of
    each one's other versions (in rank order), and the totals count stories."""

    duplicates: list[tuple[str, ...]] = field(default_factory=list)


#: A story: its versions among the candidates, best-ranked (its lead) first.
Story = list[RawHit]


def page_of_stories(
    fetch: Callable[[int], RawResults], *, offset: int, limit: int, threshold: float
) -> CollapsedResults:
    """The stories from ``offset`` to ``offset + limit``; ``fetch(n)``: the best ``n``
    matches, best first."""
    wanted = offset + limit
    window = min(wanted + max(EXTRA, wanted // 2), MAX_WINDOW)
    while True:
        raw = fetch(window)
        found = stories(raw.hits, threshold)
        complete = len(raw.hits) < window
        if complete or len(found) >= wanted or window >= MAX_WINDOW:
            break
        window = min(2 * window, MAX_WINDOW)
    page = found[offset:wanted]
    total = None if complete else _story_total(fetch, raw, found, window, threshold)
    return CollapsedResults(
        collected=len(found),
        hits=[story[0] for story in page],
        count=total,
        facets=raw.facets,
        terms=raw.terms,
        dropped=raw.dropped,
        warnings=raw.warnings,
        duplicates=[tuple(str(h.stored.get("id")) for h in story[1:]) for story in page],
    )


def stories(hits: Sequence[RawHit], threshold: float) -> list[Story]:
    """``hits`` (best first) grouped into stories, best story first; a story's lead is its
    best-ranked version. Stories are the connected groups of near-duplicate pairs, so the
    grouping does not depend on the order of hits with equal scores. A hit without a
    signature (indexed before signatures were stored) is a story of its own."""
    roots = _Sketches([hit.signature for hit in hits]).roots(threshold)
    if roots is None:  # most windows: every hit a story of its own
        return [[hit] for hit in hits]
    groups: dict[int, Story] = {}
    for hit, root in zip(hits, roots, strict=True):
        groups.setdefault(root, []).append(hit)
    return list(groups.values())


def story_count(signatures: Sequence[bytes | None], threshold: float) -> int:
    """How many stories documents with these signatures make (see :func:`stories`)."""
    roots = _Sketches(signatures).roots(threshold)
    return len(signatures) if roots is None else len(set(roots))


class _Sketches:
    """Documents' signatures, decoded only for the pairs that share a key bin's value
    (most documents share none). Copies of one signature (the same text filed twice, the
    most common version) are one story at once, and only the first copy is compared."""

    def __init__(self, signatures: Sequence[bytes | None]) -> None:
        signatures = _usable(signatures)
        self._signatures = signatures
        self.count = len(signatures)
        self._decoded: dict[int, Sketch | None] = {}
        firsts: dict[bytes | int, int] = {}
        #: Per document, the first document with its signature (itself when it has none).
        self.copy_of = [firsts.setdefault(s or i, i) for i, s in enumerate(signatures)]

    def roots(self, threshold: float) -> list[int] | None:
        """Per document, a document of its story, the same for the whole story (union-find
        over copies and the pairs that share a key and are near enough); None when every
        document is a story of its own."""
        sharing = self.sharing(key_bins(threshold))
        if not sharing and self.copy_of == list(range(self.count)):
            return None
        parent = list(self.copy_of)

        def root(i: int) -> int:
            while parent[i] != i:
                parent[i] = parent[parent[i]]
                i = parent[i]
            return i

        # Each pair once, however many keys it shares, in document order.
        pairs = {(later, j) for group in sharing for j, later in combinations(group, 2)}
        for i, j in sorted(pairs):
            if root(j) != root(i) and self.near(i, j, threshold):
                parent[root(i)] = root(j)
        return [root(i) for i in range(self.count)]

    def sharing(self, bins: int) -> list[list[int]]:
        """The first copies that share each key (the position and value of one of the
        first ``bins`` bins) more than one has, ascending. Every value is counted at once:
        most windows find no value but an empty bin's twice and stop there; otherwise only
        the repeated values are followed."""
        firsts = [i for i, first in enumerate(self.copy_of) if first == i]
        size = 2 * bins
        signatures = self._signatures
        values = array("H", b"".join([(signatures[i] or _NO_BINS)[:size] for i in firsts]))
        counts = Counter(values)
        empty = counts.pop(EMPTY, 0)  # short texts leave bins empty
        if len(counts) == len(values) - empty:
            return []
        repeated = set(compress(counts, map(gt, counts.values(), repeat(1))))
        owners: dict[tuple[int, int], list[int]] = {}
        for at in compress(range(len(values)), map(repeated.__contains__, values)):
            owners.setdefault((at % bins, values[at]), []).append(firsts[at // bins])
        return [group for group in owners.values() if len(group) > 1]

    def near(self, i: int, j: int, threshold: float) -> bool:
        a, b = self._sketch(i), self._sketch(j)
        return a is not None and b is not None and near_duplicates(a, b, threshold)

    def _sketch(self, i: int) -> Sketch | None:
        if i not in self._decoded:
            self._decoded[i] = decode(self._signatures[i])
        return self._decoded[i]


#: What an absent or malformed signature counts as: every bin empty.
_NO_BINS = b"\xff" * SIGNATURE_BYTES


@functools.cache
def key_bins(threshold: float) -> int:
    """How many bins pair candidates at ``threshold``: versions at similarity ``s`` differ
    in a bin with probability about ``1 - s``, so ``n`` bins miss a pair at the threshold
    with probability ``(1 - threshold) ** n``, at most ``KEY_MISSES`` (12 bins at 0.45).
    Each bin is a value per candidate that every grouping puts in a set, its largest cost."""
    if threshold >= 1.0:
        return 1
    if threshold <= 0.0:
        return BINS
    return max(1, min(BINS, math.ceil(math.log(KEY_MISSES) / math.log(1.0 - threshold))))


def _valid(signature: bytes | None) -> TypeGuard[bytes]:
    """Whether a signature can pair its document with another: a text fills some bin."""
    return signature is not None and len(signature) == SIGNATURE_BYTES and signature != _NO_BINS


def _usable(signatures: Sequence[bytes | None]) -> Sequence[bytes | None]:
    """``signatures`` with None for each one that cannot pair its document (an empty one,
    ``b""``, may stay: it is falsy as None is). Backends give only usable ones or None,
    which one pass over the lengths confirms; the rest are checked one by one."""
    if _LENGTHS.issuperset(map(len, filter(None, signatures))) and _NO_BINS not in signatures:
        return signatures
    return [signature if _valid(signature) else None for signature in signatures]


_LENGTHS = frozenset({SIGNATURE_BYTES})


def _matches(raw: RawResults) -> Callable[[], int]:
    """How many documents match (counted when first asked)."""
    exact, count = raw.exact_total, raw.count
    if exact is not None or count is None:
        return lambda: exact if exact is not None else raw.collected
    return count


def _story_total(
    fetch: Callable[[int], RawResults],
    raw: RawResults,
    found: list[Story],
    window: int,
    threshold: float,
) -> Callable[[], int]:
    """How many stories match, counted when first asked. Up to ``EXACT_TOTAL_WITHIN``
    matches every match is grouped (from the backend's signatures of the matches when it
    has them, else by ranking them all), so the last page is where the total says.
    Beyond, the total is an estimate, and grouping a hundred signatures by similarity
    costs a counted search more than the search's own grouping does, for an estimate no
    closer (docs/duplicates.md): it is the matches less the copies
    (identical signatures, most versions) among the first ``EXACT_TOTAL_WITHIN`` in
    their share of the rest (when only a ranking can tell, less those among the best
    ``EXACT_TOTAL_WITHIN``), and less the other versions grouped in the window."""
    matches = _matches(raw)

    def total() -> int:
        n = matches()
        sample = raw.signatures(EXACT_TOTAL_WITHIN) if raw.signatures is not None else None
        ranked = not sample
        if not sample:
            reach = min(n, EXACT_TOTAL_WITHIN)
            sample = [hit.signature for hit in (raw if reach <= window else fetch(reach)).hits]
        if n <= len(sample):
            return story_count(sample[:n], threshold)
        copies = _copies(sample)
        if not ranked:
            copies = round(copies * n / len(sample))
        near = sum(map(len, found)) - len(found) - _copies([hit.signature for hit in raw.hits])
        return max(len(found), n - copies - near)

    return total


def _copies(signatures: Sequence[bytes | None]) -> int:
    """How many of ``signatures`` repeat an earlier one (the same text filed again)."""
    usable = list(filter(None, _usable(signatures)))
    return len(usable) - len(set(usable))


def attach_duplicates(hits: list[Hit], raw: RawResults) -> list[Hit]:
    """``hits`` with their other versions, when ``raw`` is a page of stories."""
    if not isinstance(raw, CollapsedResults):
        return hits
    pairs = zip(hits, raw.duplicates, strict=True)
    return [replace(hit, duplicates=ids) if ids else hit for hit, ids in pairs]
