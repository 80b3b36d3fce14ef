"""A long posting list's table of its blocks: where each block starts and its last document,
so a search enters the list at the block that can hold a document without reading the
headers before it.

A block header already says both, but headers are reached one after another (each says
where the next starts): finding a document near the end of a common word's list meant
reading every header before it, a cost that grows with the archive. Lucene keeps the same
facts in its skip data, tantivy in its block metadata.

Layout (little-endian), written after the list's last block, inside the list's extent:
:func:`~searchlib.backends.embedded.arrays.pack_parts` of two parts -- the blocks' last
documents as deltas and their sizes in bytes (header included), each the narrowest
unsigned array -- then ``TAIL``: the table's size and its CRC-32. A list has a table when
it has at least ``TABLE_BLOCKS`` blocks and its ``.pst`` file starts with the magic that
announces tables; a reader that knows no tables stops at the list's last block and never
sees one.
"""

from __future__ import annotations

import struct
from itertools import accumulate, pairwise
from typing import Any

from searchlib.backends.embedded.arrays import (
    narrowest,
    pack_array,
    pack_parts,
    unpack_array,
    unpack_parts,
)
from searchlib.backends.embedded.integrity import DECODE_ERRORS, Place, crc

__all__ = ["TABLE_BLOCKS", "BlockTable", "encode_table", "read_table"]

#: Lists of fewer blocks have no table: their headers are few to read.
TABLE_BLOCKS = 8
TAIL = struct.Struct("<II")


def encode_table(rows: list[tuple[int, int]]) -> bytes:
    """The table of blocks given as (last document, size in bytes), in list order, with
    its tail."""
    lasts = [last for last, _ in rows]
    parts = [
        pack_array(narrowest([lasts[0], *(b - a for a, b in pairwise(lasts))])),
        pack_array(narrowest([size for _, size in rows])),
    ]
    table = pack_parts(parts)
    return table + TAIL.pack(len(table), crc(table))


class BlockTable:
    """A list's blocks: ``lasts`` (each block's last document) and ``starts`` (where each
    block's header is in the file)."""

    __slots__ = ("lasts", "starts")

    def __init__(self, lasts: list[int], starts: list[int]) -> None:
        self.lasts = lasts
        self.starts = starts


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
        deltas, sizes = unpack_parts(raw)
        lasts = list(accumulate(unpack_array(deltas)))
        starts = list(accumulate(unpack_array(sizes)[:-1], initial=start))
    except DECODE_ERRORS as error:
        raise place.error(f"{what}: {type(error).__name__}: {error}") from None
    if not len(lasts) == len(starts) == blocks:
        raise place.error(f"{what} does not count {blocks} blocks")
    return BlockTable(lasts, starts)
