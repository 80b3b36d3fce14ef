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
numbers, ascending per pair) -- and, after these six, a seventh when the list is dense
(see :func:`membership`): a bitmap of its documents, bit ``d & 7`` of byte ``d >> 3`` set
for document ``d``, up to its last, as raw deflate (:func:`pack_bitmap`; bare in files of
an older magic, see :mod:`postings`); then ``TAIL``: the table's size and its CRC-32. Inverted,
a search walks the pairs best score first and meets each block first at its bound, its
best pair (see :mod:`postings` for the frontier). A list has a table when
it has at least ``TABLE_BLOCKS`` blocks and its ``.pst`` file starts with the magic that
announces tables; a reader that knows no tables stops at the list's last block and never
sees one.

A common word's bitmap answers whether it holds a document without decoding a block: a
look-up of candidates (an all-words search, the any-word fallback's further words) drops
those it lacks first and reads only the blocks of those it holds. Most candidates of a
rarer word lack a common one, and decoding a block costs the same in Python whether it
holds a candidate or not. A held document's place in its block is the number of documents
the bitmap holds from the block's start up to it (:func:`ranks`), so its weight is read
there without decoding the block's ids.
"""

from __future__ import annotations

import struct
import zlib
from array import array
from bisect import bisect_left
from collections.abc import Sequence
from functools import cached_property
from itertools import accumulate, pairwise
from threading import Lock
from typing import Any, NamedTuple

from searchlib.backends.embedded.arrays import (
    narrowest,
    pack_array,
    pack_parts,
    unpack_array,
    unpack_parts,
)
from searchlib.backends.embedded.integrity import DECODE_ERRORS, Place, crc

__all__ = [
    "DENSE_LIST",
    "TABLE_BLOCKS",
    "BlockTable",
    "Impacts",
    "TableCache",
    "encode_table",
    "held",
    "membership",
    "pack_bitmap",
    "ranks",
    "read_table",
]

#: Lists of fewer blocks have no table: their headers are few to read.
TABLE_BLOCKS = 8
#: A list holding at least one in this many of the documents up to its last has a
#: bitmap of them: at most this many bits (8 bytes) a posting.
DENSE_LIST = 64
TAIL = struct.Struct("<II")
#: The most a posting file's kept tables take (see :class:`TableCache`).
TABLE_CACHE_BYTES = 64 << 20


#: A block's frontier: its (weight, length byte) pairs.
Frontier = Sequence[tuple[float, int]]


def encode_table(
    rows: list[tuple[int, int]],
    frontiers: Sequence[Frontier] | None = None,
    members: bytes | None = None,
) -> bytes:
    """The table of blocks given as (last document, size in bytes), in list order, and
    (when the field keeps lengths) each block's frontier and the list's bitmap (when it
    has one, see :func:`membership`), with its tail."""
    lasts = [last for last, _ in rows]
    parts = [
        pack_array(narrowest([lasts[0], *(b - a for a, b in pairwise(lasts))])),
        pack_array(narrowest([size for _, size in rows])),
    ]
    if frontiers is not None:
        parts += _inverted(frontiers)
        if members is not None:
            parts.append(pack_bitmap(members))
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


def pack_bitmap(members: bytes) -> bytes:
    """A bitmap as its table keeps it: raw deflate with Huffman codes only. A common
    word's bitmap is mostly zero bytes and bytes of one bit, which codes of a few bits
    shrink by about half; string matches find little more in it and cost far more."""
    packer = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS, 9, zlib.Z_HUFFMAN_ONLY)
    return packer.compress(members) + packer.flush()


def membership(ids: Sequence[int]) -> bytes | None:
    """The bitmap of a list's documents (ascending), when they are at least one in
    ``DENSE_LIST`` of those up to its last; else None."""
    if not ids or len(ids) * DENSE_LIST <= ids[-1]:
        return None
    bits = bytearray((ids[-1] >> 3) + 1)
    for doc in ids:
        bits[doc >> 3] |= 1 << (doc & 7)
    return bytes(bits)


def held(members: bytes, docs: list[int]) -> list[int]:
    """Those of ``docs`` (ascending) that the list of bitmap ``members`` holds."""
    end = bisect_left(docs, len(members) << 3)
    return [doc for doc in docs[:end] if members[doc >> 3] >> (doc & 7) & 1]


def ranks(members: bytes, start: int, docs: list[int]) -> list[int]:
    """The places of ``docs`` (ascending, each held by the list of bitmap ``members``)
    among the list's documents from ``start`` on: how many it holds before each."""
    base, shift = start >> 3, start & 7
    bits = int.from_bytes(members[base : (docs[-1] >> 3) + 1], "little") >> shift
    return [(bits & ((1 << (doc - start)) - 1)).bit_count() for doc in docs]


class Impacts(NamedTuple):
    """A list's impact pairs, inverted: each distinct pair's weight and length byte, and
    ``blocks[ends[i]:ends[i + 1]]`` the blocks whose frontier holds pair ``i``."""

    weights: Any
    length_bytes: Any
    ends: list[int]
    blocks: Any


class BlockTable:
    """A list's blocks: ``lasts`` (each block's last document), ``starts`` (where each
    block's header is in the file), their ``impacts`` (None when the field keeps no
    lengths, or the table predates them), decoded when first asked for: a look-up of
    documents needs none; and the list's bitmap, ``members`` (None when it has none)."""

    def __init__(
        self,
        lasts: list[int],
        starts: list[int],
        pairs: list[bytes],
        place: Place,
        what: str,
        members: bytes | None = None,
    ) -> None:
        self.lasts = lasts
        self.starts = starts
        self.members = members
        self._pairs = pairs
        self._place = place
        self._what = what

    def size(self) -> int:
        """Roughly the bytes Python holds this table in, its impacts decoded."""
        pairs = sum(map(len, self._pairs))
        return 80 * len(self.starts) + 3 * pairs + len(self.members or b"") + 512

    @cached_property
    def impacts(self) -> Impacts | None:
        try:
            return _impacts(self._pairs, len(self.starts))
        except DECODE_ERRORS as error:
            raise self._place.error(f"{self._what}: {type(error).__name__}: {error}") from None


class TableCache:
    """Tables by their list's offset, the least recently used dropped once they would
    take more than ``budget`` bytes (as Python holds them, roughly)."""

    def __init__(self, budget: int = TABLE_CACHE_BYTES) -> None:
        self.budget = budget
        self._tables: dict[int, tuple[BlockTable, int]] = {}
        self._size = 0
        self._lock = Lock()  # a served index searches in threads

    def get(self, offset: int) -> BlockTable | None:
        with self._lock:
            found = self._tables.pop(offset, None)
            if found is None:
                return None
            self._tables[offset] = found  # now the most recently used
            return found[0]

    def put(self, offset: int, table: BlockTable) -> None:
        size = table.size()
        if size > self.budget:
            return
        with self._lock:
            old = self._tables.pop(offset, None)
            self._size += size - (old[1] if old else 0)
            self._tables[offset] = (table, size)
            while self._size > self.budget:
                _, (_, dropped) = _oldest(self._tables)
                self._size -= dropped


def _oldest(tables: dict[int, tuple[BlockTable, int]]) -> tuple[int, tuple[BlockTable, int]]:
    offset = next(iter(tables))
    return offset, tables.pop(offset)


def read_table(
    read: Any, place: Place, extent: tuple[int, int], blocks: int, packed: bool = True
) -> BlockTable:
    """The table at the end of the list at ``extent`` (offset, length) of ``blocks``
    blocks, through ``read(at, size)``, its bitmap deflated unless ``packed`` is false
    (files of an older magic); a damaged table raises the place's error."""
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
        if len(parts) == 7 and packed:
            parts[6] = zlib.decompress(parts[6], -zlib.MAX_WBITS)
    except DECODE_ERRORS as error:
        raise place.error(f"{what}: {type(error).__name__}: {error}") from None
    if not len(lasts) == len(starts) == blocks:
        raise place.error(f"{what} does not count {blocks} blocks")
    if len(parts) not in (2, 6, 7):
        raise place.error(f"{what}: {len(parts)} parts")
    members = parts[6] if len(parts) == 7 else None
    if members is not None and len(members) != (lasts[-1] >> 3) + 1:
        raise place.error(f"{what}: its bitmap does not end at the list's last document")
    return BlockTable(lasts, starts, parts[2:6], place, what, members)


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
