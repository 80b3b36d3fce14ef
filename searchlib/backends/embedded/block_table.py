"""A long posting list's table of its blocks: where each block starts and its last document,
so a search enters the list at the block that can hold a document without reading the
headers before it; and each block's impact pairs, so a search of one word visits the
blocks best bound first without reading any header it does not decode.

A block header already says both, but headers are reached one after another (each says
where the next starts): finding a document near the end of a common word's list meant
reading every header before it, a cost that grows with the archive. Lucene keeps the same
facts in its skip data, tantivy in its block metadata.

Layout (little-endian), written after the list's last block, inside the list's extent:
:func:`~searchlib.backends.embedded.arrays.pack_parts` of two parts -- the blocks' last
documents as deltas and their sizes in bytes (header included), each the narrowest
unsigned array -- or of six, when the list's field keeps lengths: these two, then the
blocks' impact pairs inverted, each distinct (weight, length byte) pair once with the
blocks whose frontier holds it (the pairs' weights, bytes when all are whole numbers below
256 else 32-bit floats; their length bytes; how many blocks each pair has; those blocks'
numbers, ascending per pair); then ``TAIL``: the table's size and its CRC-32. Inverted,
a search walks the pairs best score first and meets each block first at its bound, its
best pair (see :mod:`postings` for the frontier). A list has a table when
it has at least ``TABLE_BLOCKS`` blocks and its ``.pst`` file starts with the magic that
announces tables; a reader that knows no tables stops at the list's last block and never
sees one.
"""

from __future__ import annotations

import struct
from array import array
from collections.abc import Sequence
from functools import cached_property
from itertools import accumulate, pairwise
from typing import Any, NamedTuple

from searchlib.backends.embedded.arrays import (
    narrowest,
    pack_array,
    pack_parts,
    unpack_array,
    unpack_parts,
)
from searchlib.backends.embedded.integrity import DECODE_ERRORS, Place, crc

__all__ = ["TABLE_BLOCKS", "BlockTable", "Impacts", "encode_table", "read_table"]

#: Lists of fewer blocks have no table: their headers are few to read.
TABLE_BLOCKS = 8
TAIL = struct.Struct("<II")


#: A block's frontier: its (weight, length byte) pairs.
Frontier = Sequence[tuple[float, int]]


def encode_table(rows: list[tuple[int, int]], frontiers: Sequence[Frontier] | None = None) -> bytes:
    """The table of blocks given as (last document, size in bytes), in list order, and
    (when the field keeps lengths) each block's frontier, with its tail."""
    lasts = [last for last, _ in rows]
    parts = [
        pack_array(narrowest([lasts[0], *(b - a for a, b in pairwise(lasts))])),
        pack_array(narrowest([size for _, size in rows])),
    ]
    if frontiers is not None:
        parts += _inverted(frontiers)
    table = pack_parts(parts)
    return table + TAIL.pack(len(table), crc(table))


def _inverted(frontiers: Sequence[Frontier]) -> list[bytes]:
    blocks_of: dict[tuple[float, int], list[int]] = {}
    for block, pairs in enumerate(frontiers):
        for pair in pairs:
            blocks_of.setdefault(pair, []).append(block)
    weights = [w for w, _ in blocks_of]
    whole = all(w.is_integer() and 0 <= w < 256 for w in weights)
    return [
        pack_array(array("B", map(int, weights)) if whole else array("f", weights)),
        pack_array(array("B", [lb for _, lb in blocks_of])),
        pack_array(narrowest([len(blocks) for blocks in blocks_of.values()])),
        pack_array(narrowest([b for blocks in blocks_of.values() for b in blocks])),
    ]


class Impacts(NamedTuple):
    """A list's impact pairs, inverted: each distinct pair's weight and length byte, and
    ``blocks[ends[i]:ends[i + 1]]`` the blocks whose frontier holds pair ``i``."""

    weights: Any
    length_bytes: Any
    ends: list[int]
    blocks: Any


class BlockTable:
    """A list's blocks: ``lasts`` (each block's last document), ``starts`` (where each
    block's header is in the file) and their ``impacts`` (None when the field keeps no
    lengths, or the table predates them), decoded when first asked for: a look-up of
    documents needs none."""

    def __init__(
        self, lasts: list[int], starts: list[int], pairs: list[bytes], place: Place, what: str
    ) -> None:
        self.lasts = lasts
        self.starts = starts
        self._pairs = pairs
        self._place = place
        self._what = what

    @cached_property
    def impacts(self) -> Impacts | None:
        try:
            return _impacts(self._pairs, len(self.starts))
        except DECODE_ERRORS as error:
            raise self._place.error(f"{self._what}: {type(error).__name__}: {error}") from None


def read_table(read: Any, place: Place, extent: tuple[int, int], blocks: int) -> BlockTable:
    """The table at the end of the list at ``extent`` (offset, length) of ``blocks``
    blocks, through ``read(at, size)``; a damaged table raises the place's error."""
    start, length = extent
    end = start + length
    tail = read(end - TAIL.size, TAIL.size)
    what = f"posting list at {start}: block table"
    if len(tail) != TAIL.size:
        raise place.error(f"{what} truncated")
    size, expected = TAIL.unpack(tail)
    at = end - TAIL.size - size
    if at <= start:
        raise place.error(f"{what} past the list's start")
    raw = read(at, size)
    place.check(raw, expected, what)
    try:
        parts = unpack_parts(raw)
        lasts = list(accumulate(unpack_array(parts[0])))
        starts = list(accumulate(unpack_array(parts[1])[:-1], initial=start))
    except DECODE_ERRORS as error:
        raise place.error(f"{what}: {type(error).__name__}: {error}") from None
    if not len(lasts) == len(starts) == blocks:
        raise place.error(f"{what} does not count {blocks} blocks")
    if len(parts) not in (2, 6):
        raise place.error(f"{what}: {len(parts)} parts")
    return BlockTable(lasts, starts, parts[2:], place, what)


def _impacts(parts: list[bytes], blocks: int) -> Impacts | None:
    if not parts:
        return None
    weights, length_bytes, counts, numbers = map(unpack_array, parts)
    ends = list(accumulate(counts, initial=0))
    if not len(weights) == len(length_bytes) == len(counts) or ends[-1] != len(numbers):
        raise ValueError("impact pairs do not add up")
    if numbers and max(numbers) >= blocks:
        raise ValueError("impact pairs name a block past the list's end")
    return Impacts(weights, length_bytes, ends, numbers)
