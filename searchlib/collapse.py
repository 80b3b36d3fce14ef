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
enough exist. A story is a connected group of near-duplicate pairs: a pair shares the
value of one of the signature's bands (``BINS / 2`` slices of two bins each, so a pair at
the threshold almost always shares one), and their estimated similarity reaches the
threshold. A hit's ``duplicates`` are its versions among the candidates read; the total
counts stories (exactly up to ``EXACT_TOTAL_WITHIN`` matches).
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from searchlib.backends.base import RawHit, RawResults
from searchlib.results import Hit
from searchlib.signatures import SIGNATURE_BYTES, Sketch, decode, near_duplicates

__all__ = [
    "EXACT_TOTAL_WITHIN",
    "MAX_WINDOW",
    "CollapsedResults",
    "attach_duplicates",
    "page_of_stories",
    "stories",
]

#: The most candidates read to fill one page with distinct stories.
MAX_WINDOW = 5000
#: Candidates read beyond the page at first (at least; half the page's reach when more).
EXTRA = 10
#: Up to this many matches, the total is exact (every match is grouped).
EXACT_TOTAL_WITHIN = 1000
#: A band with both bins empty, which pairs no documents.
_EMPTY_BAND = 0xFFFFFFFF


@dataclass
class CollapsedResults(RawResults):
    """A page of stories: ``hits`` are each story's best hit, ``duplicates`` the ids of
    each one's other versions (in rank order), and the totals count stories."""

    duplicates: list[tuple[str, ...]] = field(default_factory=list)


@dataclass
class _Story:
    lead: RawHit
    others: list[RawHit] = field(default_factory=list)


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
    if complete:
        total = None
    else:
        hidden = len(raw.hits) - len(found)
        total = _story_total(fetch, _matches(raw), window, hidden, threshold)
    return CollapsedResults(
        collected=len(found),
        hits=[story.lead for story in page],
        count=total,
        facets=raw.facets,
        terms=raw.terms,
        dropped=raw.dropped,
        warnings=raw.warnings,
        duplicates=[tuple(str(h.stored.get("id")) for h in story.others) for story in page],
    )


def stories(hits: Sequence[RawHit], threshold: float) -> list[_Story]:
    """``hits`` (best first) grouped into stories, best story first; a story's lead is its
    best-ranked version. Stories are the connected groups of near-duplicate pairs, so the
    grouping does not depend on the order of hits with equal scores. A hit without a
    signature (indexed before signatures were stored) is a story of its own."""
    sketches = _Sketches(hits)
    if not sketches.any_band_shared():  # most windows: every hit a story of its own
        return [_Story(hit) for hit in hits]
    parent = list(range(len(hits)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    keys = [sketches.bands(i) for i in range(len(hits))]
    shared = _shared(keys)
    owners: dict[int, list[int]] = {}  # a shared key -> the hits that have it so far
    for i, mine in enumerate(keys):
        mine &= shared
        for j in sorted({j for key in mine for j in owners.get(key, ())}):
            if root(j) != root(i) and sketches.near(i, j, threshold):
                parent[root(i)] = root(j)
        for key in mine:
            owners.setdefault(key, []).append(i)
    groups: dict[int, _Story] = {}
    for i, hit in enumerate(hits):
        story = groups.get(root(i))
        if story is None:
            groups[root(i)] = _Story(hit)
        else:
            story.others.append(hit)
    return list(groups.values())


class _Sketches:
    """The hits' signatures, decoded only for the pairs that share a band (most hits
    share none)."""

    def __init__(self, hits: Sequence[RawHit]) -> None:
        self._signatures = [hit.signature for hit in hits]
        self._decoded: dict[int, Sketch | None] = {}

    def any_band_shared(self) -> bool:
        """Whether two hits may share a band: all bands' values at once, without a loop
        over hits (a value repeated inside one signature is a harmless false alarm)."""
        whole = [s for s in self._signatures if s is not None and len(s) == SIGNATURE_BYTES]
        values = array("I", b"".join(whole))
        distinct = set(values)
        distinct.discard(_EMPTY_BAND)
        return len(distinct) < len(values) - values.count(_EMPTY_BAND)

    def bands(self, i: int) -> set[int]:
        """Hit ``i``'s band keys; none when its signature is absent or malformed."""
        signature = self._signatures[i]
        if signature is None or len(signature) != SIGNATURE_BYTES:
            return set()
        return _bands(signature)

    def near(self, i: int, j: int, threshold: float) -> bool:
        a, b = self._sketch(i), self._sketch(j)
        return a is not None and b is not None and near_duplicates(a, b, threshold)

    def _sketch(self, i: int) -> Sketch | None:
        if i not in self._decoded:
            self._decoded[i] = decode(self._signatures[i])
        return self._decoded[i]


def _bands(signature: bytes) -> set[int]:
    """The values of the signature's bands that hold a filled bin: the keys under which
    two documents become candidates. A value is not tied to its band's position (telling
    them apart would cost more than the rare candidate pair a coincidence adds, which the
    similarity check then rejects)."""
    keys = set(array("I", signature))
    keys.discard(_EMPTY_BAND)
    return keys


def _shared(keys: list[set[int]]) -> set[int]:
    """The band keys more than one hit has (set operations: most hits share none, and
    their keys are never looked at one by one)."""
    seen: set[int] = set()
    shared: set[int] = set()
    for mine in keys:
        shared |= seen & mine
        seen |= mine
    return shared


def _matches(raw: RawResults) -> Callable[[], int]:
    """How many documents match (counted when first asked)."""
    exact, count = raw.exact_total, raw.count
    if exact is not None or count is None:
        return lambda: exact if exact is not None else raw.collected
    return count


def _story_total(
    fetch: Callable[[int], RawResults],
    matches: Callable[[], int],
    window: int,
    hidden: int,
    threshold: float,
) -> Callable[[], int]:
    """How many stories match, counted when first asked: every match is grouped when
    there are at most ``EXACT_TOTAL_WITHIN``; beyond, the duplicates among the best
    ``EXACT_TOTAL_WITHIN`` are subtracted (a few stories may then count twice)."""

    def total() -> int:
        n = matches()
        reach = min(n, EXACT_TOTAL_WITHIN)
        if reach <= window:
            return n - hidden
        hits = fetch(reach).hits
        return n - (len(hits) - len(stories(hits, threshold)))

    return total


def attach_duplicates(hits: list[Hit], raw: RawResults) -> list[Hit]:
    """``hits`` with their other versions, when ``raw`` is a page of stories."""
    if not isinstance(raw, CollapsedResults):
        return hits
    pairs = zip(hits, raw.duplicates, strict=True)
    return [replace(hit, duplicates=ids) if ids else hit for hit, ids in pairs]
