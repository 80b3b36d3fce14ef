"""A search's words in one segment, for the scorer of groups of forms (``forms.py``):
each word's postings looked up once, its weights read once (whole, or at the documents
asked about) with the heading rule applied, its positions read only where a phrase is
checked; and the check itself."""

from __future__ import annotations

from collections.abc import Set as AbstractSet
from time import monotonic
from typing import Any

from searchlib.backends.embedded.term_lists import (
    DENSE,
    Factor,
    Segment,
    TooSlow,
    at_candidates,
    bound,
    excluding,
    intersect,
    look_up,
    lower_heading,
    term_postings,
    term_stats,
    whole,
)

__all__ = ["SegmentWords", "phrase_holds"]


class SegmentWords:
    """Each word's posting list in the segment, looked up once, and its weights (the
    heading rule applied): read whole, or at the documents asked about when those are
    fewer, and kept for the next question."""

    def __init__(self, seg: Segment, lowered: Any) -> None:
        self.seg = seg
        self.lowered = lowered
        #: word -> its weights, and the documents they were read at (None: everywhere)
        self.read: dict[bytes, tuple[dict[int, float], set[int] | None]] = {}
        self.lists: dict[bytes, tuple[int, Any] | None] = {}
        #: The words whose postings have been walked (and must go back to their start).
        self.walked: set[bytes] = set()
        #: word -> its term statistics (None: not in the segment)
        self.infos: dict[bytes, Any] = {}
        #: word -> its postings with values readable (see ``_with_values``)
        self.valued: dict[bytes, Any] = {}
        #: (word, block's last document) -> the block's ids and values, as decoded.
        self.blocks: dict[tuple[bytes, int], tuple[list[int], tuple]] = {}

    def postings(self, btext: bytes) -> tuple[int, Any] | None:
        """The word's document frequency and postings, at their start."""
        found = self._looked_up(btext)
        if found is not None and btext in self.walked:
            found[1].reset()
        self.walked.add(btext)
        return found

    def _looked_up(self, btext: bytes) -> tuple[int, Any] | None:
        if btext not in self.lists:
            seg = self.seg
            self.lists[btext] = term_postings(seg.reader, seg.fieldname, btext)
        return self.lists[btext]

    def _with_values(self, btext: bytes) -> Any:
        """The word's postings with their values readable (a phrase's words only), at their
        start; None when the segment lacks the word."""
        if btext not in self.valued:
            seg = self.seg
            found = term_postings(seg.reader, seg.fieldname, btext, values=True)
            self.valued[btext] = None if found is None else found[1]
        else:
            m = self.valued[btext]
            if m is not None:
                m.reset()
        return self.valued[btext]

    def values(self, btext: bytes, docs: list[int]) -> dict[int, Any]:
        """The word's posting values (its positions, encoded) at ``docs`` (ascending): only
        the blocks that can hold one are decoded, each once per search."""
        m = self._with_values(btext)
        if m is None:
            return {}
        return at_candidates(m, docs, lambda m: self._block(btext, m, m.block_max_id()))

    def _block(self, btext: bytes, m: Any, last: int) -> tuple[list[int], tuple]:
        key = (btext, last)
        if key not in self.blocks:
            if monotonic() > self.seg.deadline:
                raise TooSlow
            self.blocks[key] = (m.block_ids(), m.block_values())
        return self.blocks[key]

    def _stats(self, btext: bytes) -> Any:
        if btext not in self.infos:
            self.infos[btext] = term_stats(self.seg.reader, self.seg.fieldname, btext)
        return self.infos[btext]

    def frequency(self, btext: bytes) -> int:
        info = self._stats(btext)
        return 0 if info is None else int(info.doc_frequency())

    def upper(self, f: Factor) -> float:
        """The best score any posting of the word can reach (from its term statistics)."""
        info = self._stats(f.btext)
        return 0.0 if info is None else bound(info, f, self.seg.norms, self.seg.k1p1)

    def of(self, f: Factor, among: AbstractSet[int] | None) -> dict[int, float]:
        """The word's weights, at least at ``among`` (None: everywhere)."""
        known = self.read.get(f.btext)
        if known is not None:
            found, covered = known
            if covered is None or (among is not None and among <= covered):
                return found
            missing = None if among is None else among - covered
            found = {**found, **self._read(f, missing)}
            covered = None if missing is None else covered | missing
        else:
            found = self._read(f, among)
            covered = None if among is None else set(among)
        self.read[f.btext] = (found, covered)
        return found

    def _read(self, f: Factor, among: AbstractSet[int] | None) -> dict[int, float]:
        seg = self.seg
        postings = self.postings(f.btext)
        if postings is None:
            return {}
        if among is None:
            found = whole(seg, postings[1])
        elif len(among) * DENSE >= postings[0]:
            found = intersect(seg, postings[1], among)
        else:
            found = look_up(seg, postings[1], sorted(among))
        found = excluding(seg, found)
        lower_heading(seg, self.lowered, f, found)
        return found


def phrase_holds(words: SegmentWords, factors: tuple[Factor, ...], docs: list[int]) -> set[int]:
    """Of ``docs`` (ascending; each has every word of the phrase), those where the words
    stand next to each other, in order, at least once. The rarest word's positions are
    read first, and each further word's only where the phrase can still start."""
    seg = words.seg
    decode = seg.reader.schema[seg.fieldname].format.decoder("positions")
    rarest_first = sorted(enumerate(factors), key=lambda item: words.frequency(item[1].btext))
    starts: dict[int, set[int]] = {}
    for offset, f in rarest_first:
        values = words.values(f.btext, docs)
        if not starts:
            starts = {doc: {p - offset for p in decode(values[doc])} for doc in docs}
        else:
            starts = {
                doc: left
                for doc in docs
                if (left := starts[doc].intersection(p - offset for p in decode(values[doc])))
            }
        docs = sorted(starts)
        if not docs:
            break
    return set(docs)
