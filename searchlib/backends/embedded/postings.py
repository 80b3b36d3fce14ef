# The matcher's walk over a posting list is adapted from Whoosh's whoosh/codec/whoosh3.py
# (W3LeafMatcher), under this licence:
#
# Copyright 2012 Matt Chaput. All rights reserved.
#
# Redistribution and use in source and binary forms, with or without
# modification, are permitted provided that the following conditions are met:
#
#    1. Redistributions of source code must retain the above copyright notice,
#       this list of conditions and the following disclaimer.
#
#    2. Redistributions in binary form must reproduce the above copyright
#       notice, this list of conditions and the following disclaimer in the
#       documentation and/or other materials provided with the distribution.
#
# THIS SOFTWARE IS PROVIDED BY MATT CHAPUT ``AS IS'' AND ANY EXPRESS OR
# IMPLIED WARRANTIES, INCLUDING, BUT NOT LIMITED TO, THE IMPLIED WARRANTIES OF
# MERCHANTABILITY AND FITNESS FOR A PARTICULAR PURPOSE ARE DISCLAIMED. IN NO
# EVENT SHALL MATT CHAPUT OR CONTRIBUTORS BE LIABLE FOR ANY DIRECT, INDIRECT,
# INCIDENTAL, SPECIAL, EXEMPLARY, OR CONSEQUENTIAL DAMAGES (INCLUDING, BUT NOT
# LIMITED TO, PROCUREMENT OF SUBSTITUTE GOODS OR SERVICES; LOSS OF USE, DATA,
# OR PROFITS; OR BUSINESS INTERRUPTION) HOWEVER CAUSED AND ON ANY THEORY OF
# LIABILITY, WHETHER IN CONTRACT, STRICT LIABILITY, OR TORT (INCLUDING
# NEGLIGENCE OR OTHERWISE) ARISING IN ANY WAY OUT OF THE USE OF THIS SOFTWARE,
# EVEN IF ADVISED OF THE POSSIBILITY OF SUCH DAMAGE.
#
# The views and conclusions contained in the software and documentation are
# those of the authors and should not be interpreted as representing official
# policies, either expressed or implied, of Matt Chaput.

"""Posting lists: blocks of up to ``BLOCK_LIMIT`` postings that decode without one Python
object per posting, each block checksummed.

A block holds its postings' document numbers as the gaps between them in one ``array`` of
the narrowest unsigned type (its first document is in the header, so a block's gaps stay
as narrow deep in a large segment as near its start), their weights (nothing when all are
1.0, one float when all are equal, a byte each when they are small whole numbers -- BM25F
sums of integer boosts -- else 32-bit floats) and their values (positions): the value
lengths as one array and the bytes joined, split only when a phrase query asks for
positions. Scoring reads the ids and weights only; in a block with values these are stored
bare and the values compressed apart (:func:`deflate`), so a ranked search never inflates
anything. A block without values is compressed whole.

Layout of a block (little-endian): ``HEAD`` -- the length of the rest of the block after
this field (negative for a term's last block), the number of postings, the first and the
last document, the highest weight (a 32-bit float, as the weights are), the flags (below),
the shortest and longest field length (a length byte each), the size of the ids-and-
weights part as stored and the CRC-32 of the data -- then the impact pairs (their number
and kind ride in the count's high bits), the CRC-32 of the header bytes and pairs, then
the data: the ids-and-weights part (the gaps' type code, the gaps, then the weights), then
the values part (for variable-size values, the lengths' type code and lengths, then the
values joined). Flags: bit 0 the ids-and-weights part is compressed, bit 1 the values
part is, bits 2-3 the values' kind (none, fixed size, variable), bits 4-5 the weights'
kind (all 1.0, one, bytes, floats). A ``.pst`` file starts with ``MAGIC`` (so no posting
list is at offset 0); a list of ``TABLE_BLOCKS`` blocks or more ends with the table of its
blocks (:mod:`block_table`). Files that start with ``MAGIC_ZLIB`` compress parts as zlib
streams and keep their tables' bitmaps bare; those that start with ``MAGIC_FIRST_IDS`` do
so too, and store each block's first document in its array, before the gaps, with
``HEAD_FIRST_IDS`` (no first document, the highest weight a double) and tables without
impact pairs; those that start with ``MAGIC_NO_TABLES`` do so and have no tables.

Impact pairs tell the top-k scorer the best score any posting of a block of a longer list
can reach without decoding it (as Lucene's impacts do): BM25 grows with a posting's weight
and falls with its document's length, so the best posting is among those no other posting
beats on both -- the block's (weight, length byte) frontier. A block whose frontier is one
pair (its top weight and shortest length) stores none; a longer frontier is stored as up
to ``MAX_IMPACTS`` pairs (a float weight and a length byte each), neighbours merged into a
pair that dominates both when there are more, so a bound is never below a real score.
"""

from __future__ import annotations

import struct
import sys
import zlib
from array import array
from bisect import bisect_left
from itertools import accumulate
from math import inf
from operator import itemgetter, sub
from typing import Any, NamedTuple, Protocol

from whoosh.codec.base import PostingsWriter as WhooshPostingsWriter
from whoosh.matching import LeafMatcher, NullMatcher, ReadTooFar

from searchlib.backends.embedded.arrays import ITEMSIZE, empty, narrowest
from searchlib.backends.embedded.block_table import (
    TABLE_BLOCKS,
    BlockTable,
    TableCache,
    encode_table,
    membership,
    read_table,
)
from searchlib.backends.embedded.integrity import DECODE_ERRORS, Place, checked, crc
from searchlib.backends.embedded.segment import range_reader
from searchlib.backends.embedded.terms import BYTE_LENGTHS, Row, TermInfo, length_byte

__all__ = [
    "BLOCK_LIMIT",
    "MAGIC",
    "BlockMatcher",
    "BlockReader",
    "Head",
    "InlineMatcher",
    "PostingsFile",
    "PostingsWriter",
]

MAGIC = b"SLP8"
#: The magic of the files whose compressed parts are zlib streams and whose tables' bitmaps
#: are bare (read the same way).
MAGIC_ZLIB = b"SLP7"
#: The magic of the files whose blocks store their first document (read the same way).
MAGIC_FIRST_IDS = b"SLP6"
#: The magic of the files that also predate tables (their lists are read header by header).
MAGIC_NO_TABLES = b"SLP5"
#: Postings a block.
BLOCK_LIMIT = 128
#: Parts shorter than this are stored bare: on so few bytes deflate's block header and
#: code tables outweigh what it saves, and the call costs more than the rest of the block.
MIN_ZIP = 64
HEAD = struct.Struct("<iIIIfBBBII")
#: The header of files whose blocks store their first document in the ids' array (its
#: highest weight a double; the same size).
HEAD_FIRST_IDS = struct.Struct("<iIIdBBBII")
HEAD_CRC = struct.Struct("<I")
#: A weight as a block stores it.
FLOAT = struct.Struct("<f")
#: An impact pair: its weight as a float, or as a byte when every pair's weight is a
#: whole number below 256 (BM25F sums of integer boosts), and its length byte.
IMPACT_FLOAT, IMPACT_BYTE = struct.Struct("<fB"), struct.Struct("<BB")
#: The most (weight, length byte) pairs a block's header keeps.
MAX_IMPACTS = 8
#: The header's count field: the number of postings, the number of impact pairs above it,
#: and whether their weights are bytes.
COUNT_MASK, PAIRS_SHIFT, BYTE_PAIRS = 0xFFFF, 16, 1 << 20
HEAD_BYTES = HEAD.size + HEAD_CRC.size
MAX_HEAD_BYTES = HEAD_BYTES + MAX_IMPACTS * IMPACT_FLOAT.size
VALUES_NONE, VALUES_FIXED, VALUES_VARIABLE = 0, 1, 2
WEIGHTS_ONES, WEIGHTS_ONE, WEIGHTS_BYTES, WEIGHTS_FLOATS = 0, 1, 2, 3
BIG_ENDIAN = sys.byteorder == "big"


#: The weights of a block whose postings all have weight 1, times the block's size.
ONES = array("f", [1.0])

#: One posting's impact: its weight and its document's field length byte.
Impact = tuple[float, int]


def impacts(weights: Any, length_bytes: Any) -> list[Impact]:
    """The block's frontier of (weight, length byte) pairs, shortest first, at most
    ``MAX_IMPACTS``; empty when one posting has both the top weight and the shortest length
    (the header's own pair)."""
    if len(weights) < 2:
        return []
    # Sorted by length byte, then weight: the dict keeps each length byte's heaviest
    # weight (the last written), its keys shortest first.
    heaviest = dict(sorted(set(zip(length_bytes, weights, strict=True))))
    if next(iter(heaviest.values())) == max(weights):
        return []
    frontier: list[Impact] = []
    top = -inf
    for lb, w in heaviest.items():
        if w > top:
            frontier.append((w, lb))
            top = w
    while len(frontier) > MAX_IMPACTS:
        # (the heavier weight, the shorter length) dominates both neighbours
        frontier = [
            (frontier[min(i + 1, len(frontier) - 1)][0], frontier[i][1])
            for i in range(0, len(frontier), 2)
        ]
    return frontier


def encode_impacts(pairs: list[Impact]) -> tuple[int, bytes]:
    """The bits the pairs set in the header's count field, and the pairs' bytes."""
    if not pairs:
        return 0, b""
    if all(w.is_integer() and 0 <= w < 256 for w, _ in pairs):
        data = b"".join(IMPACT_BYTE.pack(int(w), lb) for w, lb in pairs)
        return len(pairs) << PAIRS_SHIFT | BYTE_PAIRS, data
    return len(pairs) << PAIRS_SHIFT, b"".join(IMPACT_FLOAT.pack(w, lb) for w, lb in pairs)


def decode_impacts(count: int, raw: Any, at: int, end: int) -> tuple[Impact, ...]:
    """The pairs the header's count field announces, in ``raw[at:end]`` (``end`` from
    :func:`pairs_end`)."""
    if end == at:
        return ()
    kind = IMPACT_BYTE if count & BYTE_PAIRS else IMPACT_FLOAT
    return tuple(kind.iter_unpack(raw[at:end]))


def pairs_end(count: int, at: int) -> int:
    """Where the pairs the header's count field announces end, when they start at ``at``."""
    kind = IMPACT_BYTE if count & BYTE_PAIRS else IMPACT_FLOAT
    return at + ((count >> PAIRS_SHIFT) & 0xF) * kind.size


def native(code: str, data: bytes) -> array:
    values = empty(code)
    values.frombytes(data)
    if BIG_ENDIAN and values.itemsize > 1:
        values.byteswap()
    return values


def little(values: array) -> bytes:
    if BIG_ENDIAN and values.itemsize > 1:
        values = array(values.typecode, values)
        values.byteswap()
    return values.tobytes()


def zipped(data: bytes) -> tuple[bytes, bool]:
    """A part as its block stores it, and whether it is compressed: only when that makes
    it smaller."""
    if len(data) >= MIN_ZIP:
        packed = deflate(data)
        if len(packed) < len(data):
            return packed, True
    return data, False


def deflate(data: bytes) -> bytes:
    """A part compressed as raw deflate with run-length matches only: a block's values
    (positions) repeat a byte more often than a string, so this is both smaller and
    faster than deflate's string matching; and the block's CRC-32 already covers the
    data, so zlib's header and checksum (6 bytes a part) are left out."""
    packer = zlib.compressobj(1, zlib.DEFLATED, -zlib.MAX_WBITS, 4, zlib.Z_RLE)
    return packer.compress(data) + packer.flush()


def encode_weights(weights: array) -> tuple[int, bytes]:
    n = len(weights)
    first = weights[0]
    if weights.count(first) == n:
        if first == 1.0:
            return WEIGHTS_ONES, b""
        return WEIGHTS_ONE, little(array("f", [first]))
    whole = list(map(int, weights))
    if whole == weights.tolist() and min(whole) >= 0 and max(whole) < 256:
        return WEIGHTS_BYTES, bytes(whole)
    return WEIGHTS_FLOATS, little(array("f", weights))


def pack_head(*fields: Any) -> bytes:
    """A block's ``HEAD``: its length, count, first and last document, highest weight,
    flags, shortest and longest length byte, ids-and-weights part size and data CRC-32."""
    return HEAD.pack(*fields)


def id_gaps(ids: array) -> array:
    """The gaps between a block's documents, as it stores them."""
    return narrowest(list(map(sub, ids[1:], ids)), "posting id delta")


def encode_block(
    ids: array, weights: array, sizes: list[int] | None, joined: bytes, fixedsize: int | None
) -> tuple[int, int, bytes]:
    """A block's flags, the stored size of its ids-and-weights part, and its data."""
    deltas = id_gaps(ids)
    wkind, wbytes = encode_weights(weights)
    part = deltas.typecode.encode("ascii") + little(deltas) + wbytes
    if fixedsize is None or fixedsize < 0:
        assert sizes is not None
        lengths = narrowest(sizes, "posting value length")
        vkind, values = VALUES_VARIABLE, lengths.typecode.encode("ascii") + little(lengths) + joined
    elif fixedsize == 0:
        vkind, values = VALUES_NONE, b""
    else:
        vkind, values = VALUES_FIXED, joined
    flags = (vkind << 2) | (wkind << 4)
    if vkind == VALUES_NONE:
        part, zip_a = zipped(part)
        flags |= int(zip_a)
    else:
        values, zip_b = zipped(values)
        flags |= int(zip_b) << 1
    return flags, len(part), part + values


class PostingsWriter(WhooshPostingsWriter):
    """Writes posting lists to a ``.pst`` file, a block per ``BLOCK_LIMIT`` postings. With
    ``inline_single`` a list of one posting is kept in its term info instead."""

    def __init__(self, postfile: Any, inline_single: bool = False) -> None:
        self.postfile = postfile
        self.inline_single = inline_single
        if postfile.tell() == 0:
            postfile.write(MAGIC)
        self.format: Any = None
        self.in_term = False
        self.blocks = 0
        #: Per block of the list being written: its last document and size (its table's
        #: row), and its frontier (None when a block has no field lengths).
        self.rows: list[tuple[int, int]] = []
        self.frontiers: list[list[Impact]] | None = []
        #: The documents of the list being written, block by block (for its bitmap).
        self.list_ids = array("I")
        #: The field lengths the last multi-block list was given, and their bytes.
        self._doc_lengths: list[int] | None = None
        self._doc_bytes = b""
        self.new_block()

    def written(self) -> bool:
        return self.blocks > 0

    # -- one posting at a time (Whoosh's merges, and postings not in bulk) ---------------

    def new_block(self) -> None:
        self.ids = array("I")
        self.weights = array("f")
        self.values: list[bytes] = []
        self.lengths: list[int] = []
        self.shortest: int | None = None
        self.longest = 0

    def start_postings(self, format_: Any, terminfo: Any = None) -> None:
        if self.in_term:
            raise RuntimeError("start_postings called inside a term")
        self.in_term = True
        self.format = format_
        self.fixedsize = format_.fixed_value_size()
        self.blocks = 0
        self.start = self.postfile.tell()
        self.stats = TermStats()
        self.rows = []
        self.frontiers = []
        self.list_ids = array("I")
        self.new_block()

    def add_posting(
        self, id_: int, weight: float, vbytes: bytes, length: int | None = None
    ) -> None:
        if len(self.ids) >= BLOCK_LIMIT:
            self.flush_block(last=False)
        self.ids.append(id_)
        self.weights.append(weight)
        self.values.append(vbytes)
        self.lengths.append(length or 0)
        if length:
            if self.shortest is None or length < self.shortest:
                self.shortest = length
            if length > self.longest:
                self.longest = length

    def finish_postings(self) -> TermInfo:
        if not self.blocks and len(self.ids) == 1 and self.inline_single:
            value = None if self.fixedsize == 0 else b"".join(self.values)
            info = self.inline(value)
        else:
            if self.ids:
                self.flush_block(last=True)
            self.write_table()
            info = self.stats.info(postings=(self.start, self.postfile.tell() - self.start))
        self.in_term = False
        return info

    def flush_block(self, last: bool) -> None:
        values = self.values
        self.write_block(
            self.ids,
            self.weights,
            [len(v) for v in values],
            b"".join(values),
            last,
            [length_byte(n) for n in self.lengths],
        )

    def inline(self, value: bytes | None) -> TermInfo:
        self.stats.add(self.ids, self.weights, max(self.weights), self.shortest, self.longest)
        self.new_block()
        return self.stats.info(inline=(value,))

    # -- a whole posting list at once ------------------------------------------------------

    def write_term(
        self,
        format_: Any,
        ids: array,
        weights: array,
        lengths: array,
        joined: bytes,
        doc_lengths: list[int] | None,
    ) -> Row:
        """Write a whole posting list at once and give its term's :data:`Row`.

        ``ids`` ascending, ``weights`` one each, ``lengths`` each posting's value length in
        ``joined`` (0 for formats without values), ``doc_lengths`` the field length per
        document (None when the field has none). Gives the same bytes as ``add_posting``
        per posting, with Python work per block instead of per posting; a list of one
        block (most terms) is written straight, without the per-block bookkeeping.
        """
        if format_ is not self.format:
            self.format = format_
            self.fixedsize = format_.fixed_value_size()
        count = len(ids)
        if count > BLOCK_LIMIT:
            return self._write_blocks(format_, ids, weights, lengths, joined, doc_lengths)
        first = ids[0]
        last = ids[-1]
        shortest: int | None = None
        longest = 0
        if doc_lengths is not None:
            if count == 1:
                longest = doc_lengths[first]
                shortest = longest or None
            else:
                found = itemgetter(*ids)(doc_lengths)
                longest = max(found)
                shortest = min(filter(None, found)) if longest else None
        top = max(weights)
        total = sum(weights)
        if count == 1 and self.inline_single:
            value = None if self.fixedsize == 0 else joined
            return (total, 1, shortest, longest, max(0.0, top), first, last, None, (value,))
        extent = self._write_alone(ids, weights, lengths, joined, top, shortest, longest)
        return (total, count, shortest, longest, max(0.0, top), first, last, extent, None)

    def _write_alone(
        self,
        ids: array,
        weights: array,
        lengths: array,
        joined: bytes,
        top: float,
        shortest: int | None,
        longest: int,
    ) -> tuple[int, int]:
        """A list's only block (no impact pairs: it is decoded whole when read); its extent."""
        start = self.postfile.tell()
        fixedsize = self.fixedsize
        sizes = lengths.tolist() if fixedsize is None or fixedsize < 0 else None
        flags, split, data = encode_block(ids, weights, sizes, joined, fixedsize)
        length = HEAD_BYTES - 4 + len(data)
        head = pack_head(
            -length,
            len(ids),
            ids[0],
            ids[-1],
            top,
            flags,
            length_byte(shortest),
            length_byte(longest),
            split,
            crc(data),
        )
        blob = b"".join((head, HEAD_CRC.pack(crc(head)), data))
        self.postfile.write(blob)
        self.blocks = 1
        return start, len(blob)

    def _write_blocks(
        self,
        format_: Any,
        ids: array,
        weights: array,
        lengths: array,
        joined: bytes,
        doc_lengths: list[int] | None,
    ) -> Row:
        """:meth:`write_term` for a list of more than one block."""
        self.start_postings(format_)
        length_bytes = b""
        if doc_lengths is not None:
            if doc_lengths is not self._doc_lengths:  # a new field: its length bytes, once
                self._doc_lengths = doc_lengths
                self._doc_bytes = bytes(map(length_byte, doc_lengths))
            length_bytes = self._doc_bytes
        count = len(ids)
        offset = 0
        for start in range(0, count, BLOCK_LIMIT):
            end = start + BLOCK_LIMIT
            block = ids[start:end]
            sizes = lengths[start:end]
            size = sum(sizes)
            self.shortest, self.longest = None, 0
            found: Any = ()
            if doc_lengths is not None:
                if len(block) > 1:
                    pick = itemgetter(*block)
                    found, block_bytes = pick(doc_lengths), pick(length_bytes)
                else:
                    found, block_bytes = (doc_lengths[block[0]],), (length_bytes[block[0]],)
                self.longest = max(found)
                self.shortest = min(filter(None, found)) if self.longest else None
            self.write_block(
                block,
                weights[start:end],
                sizes.tolist(),
                joined[offset : offset + size],
                end >= count,
                block_bytes if doc_lengths is not None else (),
            )
            offset += size
        self.write_table()
        self.in_term = False
        return self.stats.row(postings=(self.start, self.postfile.tell() - self.start))

    def write_block(
        self,
        ids: array,
        weights: array,
        sizes: list[int],
        joined: bytes,
        last: bool,
        length_bytes: Any = (),
    ) -> None:
        """One block; ``length_bytes`` the field length byte of each posting's document
        (empty when the field keeps none)."""
        top = max(weights)
        self.stats.add(ids, weights, top, self.shortest, self.longest)
        flags, split, data = encode_block(ids, weights, sizes, joined, self.fixedsize)
        # A list of one block is decoded whole whenever it is read: bounds would not pay.
        alone = last and not self.blocks
        bounds = impacts(weights, length_bytes) if length_bytes and not alone else []
        if not length_bytes:
            self.frontiers = None
        elif self.frontiers is not None:
            self.frontiers.append(bounds or [(top, length_byte(self.shortest))])
        count, pairs = encode_impacts(bounds)
        length = HEAD_BYTES - 4 + len(pairs) + len(data)
        head = (
            pack_head(
                -length if last else length,
                len(ids) | count,
                ids[0],
                ids[-1],
                top,
                flags,
                length_byte(self.shortest),
                length_byte(self.longest),
                split,
                crc(data),
            )
            + pairs
        )
        self.postfile.write(b"".join((head, HEAD_CRC.pack(crc(head)), data)))
        self.rows.append((ids[-1], len(head) + HEAD_CRC.size + len(data)))
        self.list_ids.extend(ids)
        self.blocks += 1
        self.new_block()

    def write_table(self) -> None:
        """The list's table of blocks, when it has enough blocks to need one."""
        if len(self.rows) >= TABLE_BLOCKS:
            members = membership(self.list_ids) if self.frontiers is not None else None
            self.postfile.write(encode_table(self.rows, self.frontiers, members))


class TermStats:
    """A term's statistics, gathered block by block as Whoosh's term infos gather them."""

    def __init__(self) -> None:
        self.weight = 0.0
        self.df = 0
        self.shortest: int | None = None
        self.longest = 0
        self.top = 0.0
        self.first: int | None = None
        self.last = 0

    def add(
        self, ids: array, weights: array, top: float, shortest: int | None, longest: int
    ) -> None:
        self.weight += sum(weights)
        self.df += len(ids)
        if self.shortest is None:
            self.shortest = shortest
        elif shortest is not None:
            self.shortest = min(self.shortest, shortest)
        self.longest = max(self.longest, longest)
        self.top = max(self.top, top)
        if self.first is None:
            self.first = ids[0]
        self.last = ids[-1]

    def info(self, **where: Any) -> TermInfo:
        return TermInfo(
            self.weight,
            self.df,
            self.shortest,
            self.longest,
            self.top,
            self.first,
            self.last,
            **where,
        )

    def row(self, postings: tuple[int, int]) -> Row:
        """The statistics as the term's :data:`Row`, its postings at ``postings``."""
        stats = (self.weight, self.df, self.shortest, self.longest, self.top)
        return (*stats, self.first, self.last, postings, None)


class Head(NamedTuple):
    """A block's header, as the matcher uses it."""

    size: int
    last_id: int
    top_weight: float
    shortest: int
    longest: int
    final: bool
    next_at: int
    data_at: int
    flags: int
    split: int
    data_crc: int
    #: The block's (weight, length byte) frontier when it is more than its top weight and
    #: shortest length (see the module's docstring), else empty.
    impacts: tuple[Impact, ...] = ()
    #: The block's first document (-1 where the ids' array holds it).
    first_id: int = -1

    def frontier(self) -> tuple[Impact, ...]:
        """The block's (weight, length byte) frontier: its stored pairs, else its top
        weight and shortest length."""
        return self.impacts or ((self.top_weight, length_byte(self.shortest)),)


class BlockReader(Protocol):
    """Reads one format's blocks (this module's, or format 4's)."""

    place: Place
    #: ``read(at, size)``: the file's bytes.
    read: Any
    #: Whether its longer lists end with a table of their blocks.
    tables: bool

    def head(self, position: int) -> Head: ...

    def ids_weights(self, head: Head, data: Any) -> tuple[list[int], Any]: ...

    def values(self, head: Head, data: Any, fixedsize: int | None) -> tuple: ...

    def data(self, head: Head) -> Any: ...

    def table(self, extent: tuple[int, int], blocks: int) -> BlockTable: ...


class PostingsFile:
    """Reads this module's blocks from a ``.pst`` file."""

    def __init__(self, postfile: Any, place: Place) -> None:
        self.postfile = postfile
        self.place = place
        self.read: Any = range_reader(postfile)
        magic = bytes(self.read(0, len(MAGIC)))
        #: Whether its longer lists end with a table of their blocks.
        self.tables = magic in (MAGIC, MAGIC_ZLIB, MAGIC_FIRST_IDS)
        #: Whether its blocks store their first document (else only the gaps after it).
        self.first_ids = magic not in (MAGIC, MAGIC_ZLIB)
        #: zlib's window bits for its compressed parts: raw deflate, or zlib streams.
        self.wbits = -zlib.MAX_WBITS if magic == MAGIC else zlib.MAX_WBITS
        self._tables = TableCache()

    def table(self, extent: tuple[int, int], blocks: int) -> BlockTable:
        """The table of the list at ``extent`` of ``blocks`` blocks (see
        :mod:`block_table`), kept while the file is open (a segment's files never
        change): a common word's table is read by most searches that name it."""
        table = self._tables.get(extent[0])
        if table is None:
            packed = self.wbits < 0
            table = read_table(self.read, self.place, extent, blocks, packed)
            self._tables.put(extent[0], table)
        return table

    def length(self) -> int:
        view = getattr(self.postfile, "view", None)
        if view is not None:
            return len(view)
        self.postfile.seek(0, 2)
        return int(self.postfile.tell())

    def close(self) -> None:
        self.postfile.close()

    def head(self, position: int) -> Head:
        fields, raw, end = self._header(position)
        length, count, first_id, last_id, top, flags, shortest, longest, split, data_crc = fields
        pairs = decode_impacts(count, raw, HEAD.size, end)
        return Head(
            count & COUNT_MASK,
            last_id,
            top,
            BYTE_LENGTHS[shortest],
            BYTE_LENGTHS[longest],
            length < 0,
            position + 4 + abs(length),
            end + HEAD_CRC.size + position,
            flags,
            split,
            data_crc,
            pairs,
            first_id,
        )

    def _header(self, position: int) -> tuple[tuple, Any, int]:
        """The checked header at ``position``: its ``HEAD`` fields (first document -1 in
        the older header), its bytes, and where its impact pairs end (its CRC-32 there)."""
        raw = self.read(position, MAX_HEAD_BYTES)
        if len(raw) < HEAD_BYTES:
            raise self.place.error(f"posting block at {position}: truncated")
        if self.first_ids:
            length, count, last_id, *rest = HEAD_FIRST_IDS.unpack_from(raw)
            fields: tuple = (length, count, -1, last_id, *rest)
        else:
            fields = HEAD.unpack_from(raw)
        end = pairs_end(fields[1], HEAD.size)
        if len(raw) < end + HEAD_CRC.size:
            raise self.place.error(f"posting block at {position}: truncated")
        if crc(raw[:end]) != HEAD_CRC.unpack_from(raw, end)[0]:
            raise self.place.error(f"posting block at {position}: checksum mismatch")
        return fields, raw, end

    def block_at(self, position: int) -> tuple[list[int], Any]:
        """The ids and weights of the block whose header is at ``position``. A look-up
        through a list's table decodes a block for a few documents and moves on: this
        reads it straight, without the matcher's :class:`Head` and per-block state."""
        fields, _, end = self._header(position)
        length, count, first_id, last_id, _, flags, _, _, split, data_crc = fields
        data = self._data(position + end + HEAD_CRC.size, position + 4 + abs(length), data_crc)
        try:  # (inline, not through checked(): this runs once per block looked up)
            return self._ids_weights(data, split, flags, count & COUNT_MASK, first_id, last_id)
        except DECODE_ERRORS as error:
            raise self.place.error(f"posting block: {type(error).__name__}: {error}") from None

    def weights_at(self, position: int, ranks: list[int]) -> list[Any]:
        """The weights of the postings at ``ranks`` (ascending places in the block whose
        header is at ``position``), without decoding its ids: a list's bitmap (see
        :mod:`block_table`) gives the places of the documents it holds."""
        fields, _, end = self._header(position)
        length, count, _, _, _, flags, _, _, split, data_crc = fields
        n = count & COUNT_MASK
        if ranks and ranks[-1] >= n:
            raise self.place.error(f"posting block at {position}: its list's bitmap disagrees")
        data = self._data(position + end + HEAD_CRC.size, position + 4 + abs(length), data_crc)
        try:  # (inline, not through checked(): this runs once per block looked up)
            return _weights_at(data[:split], flags, n, self.first_ids, ranks, self.wbits)
        except DECODE_ERRORS as error:
            raise self.place.error(f"posting block: {type(error).__name__}: {error}") from None

    def data(self, head: Head) -> bytes:
        return self._data(head.data_at, head.next_at, head.data_crc)

    def _data(self, data_at: int, next_at: int, data_crc: int) -> bytes:
        size = next_at - data_at
        data = self.read(data_at, size)
        if len(data) != size or crc(data) != data_crc:
            what = "truncated" if len(data) != size else "checksum mismatch"
            raise self.place.error(f"posting block at {data_at - HEAD_BYTES}: {what}")
        return data

    def ids_weights(self, head: Head, data: bytes) -> tuple[list[int], Any]:
        try:  # (inline, not through checked(): this runs once per block scored)
            return self.decode_ids(head, data)
        except DECODE_ERRORS as error:
            raise self.place.error(f"posting block: {type(error).__name__}: {error}") from None

    def decode_ids(self, head: Head, data: bytes) -> tuple[list[int], Any]:
        return self._ids_weights(
            data, head.split, head.flags, head.size, head.first_id, head.last_id
        )

    def _ids_weights(
        self, data: bytes, split: int, flags: int, n: int, first_id: int, last_id: int
    ) -> tuple[list[int], Any]:
        part = data[:split]
        if flags & 1:
            part = zlib.decompress(part, self.wbits)
        code = chr(part[0])
        if self.first_ids:
            size = ITEMSIZE[code] * n
            ids = list(accumulate(native(code, part[1 : 1 + size])))
        else:
            size = ITEMSIZE[code] * (n - 1)
            ids = list(accumulate(native(code, part[1 : 1 + size]), initial=first_id))
            if ids[-1] != last_id:
                raise ValueError("the gaps do not end at the block's last document")
        rest = part[1 + size :]
        kind = (flags >> 4) & 3
        weights: Any
        if kind == WEIGHTS_ONES:
            weights = ONES * n
        elif kind == WEIGHTS_ONE:
            weights = native("f", rest[:4]) * n
        elif kind == WEIGHTS_BYTES:
            weights = native("B", rest)
        else:
            weights = native("f", rest)
        if len(ids) != n or len(weights) != n:
            raise ValueError(f"{len(ids)} ids and {len(weights)} weights for {n} postings")
        return ids, weights

    def values(self, head: Head, data: bytes, fixedsize: int | None) -> tuple:
        return checked(self.place, "posting block", lambda: self.decode_values(head, data))

    def decode_values(self, head: Head, data: bytes) -> tuple:
        kind = (head.flags >> 2) & 3
        n = head.size
        if kind == VALUES_NONE:
            return (None,) * n
        part = bytes(data[head.split :])  # values leave as bytes, never views of the map
        if head.flags & 2:
            part = zlib.decompress(part, self.wbits)
        if kind == VALUES_FIXED:
            size = len(part) // n
            return tuple(part[i : i + size] for i in range(0, len(part), size))
        code = chr(part[0])
        width = ITEMSIZE[code] * n
        joined = part[1 + width :]
        ends = list(accumulate(native(code, part[1 : 1 + width])))
        if len(ends) != n or (ends[-1] if ends else 0) != len(joined):
            raise ValueError("value lengths do not add up")
        return tuple(map(joined.__getitem__, map(slice, [0, *ends[:-1]], ends)))


def _weights_at(
    part: Any, flags: int, n: int, first_ids: bool, ranks: list[int], wbits: int
) -> list[Any]:
    """The weights at ``ranks`` of a block's ids-and-weights ``part`` of ``n`` postings."""
    if flags & 1:
        part = zlib.decompress(part, wbits)
    at = 1 + ITEMSIZE[chr(part[0])] * (n if first_ids else n - 1)
    kind = (flags >> 4) & 3
    size = (0, 4, n, 4 * n)[kind]
    if len(part) - at != size:
        raise ValueError(f"{len(part) - at} bytes of weights for {n} postings")
    if kind == WEIGHTS_ONES:
        return [1.0] * len(ranks)
    if kind == WEIGHTS_ONE:
        return [FLOAT.unpack_from(part, at)[0]] * len(ranks)
    if kind == WEIGHTS_BYTES:
        return [part[at + rank] for rank in ranks]
    return [FLOAT.unpack_from(part, at + 4 * rank)[0] for rank in ranks]


class BlockMatcher(LeafMatcher):
    """A posting list read a block at a time: Whoosh's matcher interface, and the block
    interface the top-k scorer and the match-set counter walk (``block_ids``,
    ``block_weights``, ``block_max_id``, ``block_max_weight``, ``block_min_length``,
    ``next_block``)."""

    def __init__(
        self,
        reader: BlockReader,
        offset: int,
        format_: Any,
        term: Any = None,
        scorer: Any = None,
        terminfo: Any = None,
    ) -> None:
        self.reader = reader
        self.offset = offset
        self.format = format_
        self.scorer = scorer
        self.term_key = term
        self.terminfo = terminfo
        self.fixedsize = format_.fixed_value_size() if format_ is not None else 0
        #: The list's table of blocks, once read (None when it has none).
        self._table: BlockTable | None = None
        self._table_read = False
        self.reset()

    def term(self) -> Any:
        return self.term_key

    def doc_frequency(self) -> int:
        return int(self.terminfo.doc_frequency())

    def reset(self) -> None:
        self.done = False
        self.goto(self.offset)

    def goto(self, position: int) -> None:
        self.head = head = self.reader.head(position)
        self.size = head.size
        self.raw: Any = None
        self.ids: list[int] | None = None
        self.weights: Any = None
        self.values: tuple | None = None
        self.i = 0

    def copy(self) -> BlockMatcher:
        twin = BlockMatcher(
            self.reader, self.offset, self.format, self.term_key, self.scorer, self.terminfo
        )
        twin.head, twin.size, twin.done, twin.i = self.head, self.size, self.done, self.i
        return twin

    # -- blocks ---------------------------------------------------------------------------

    def next_block(self) -> None:
        if self.done:
            raise ReadTooFar
        if self.head.final:
            self.done = True
        else:
            self.goto(self.head.next_at)

    def block_data(self) -> Any:
        if self.raw is None:
            self.raw = self.reader.data(self.head)
        return self.raw

    def block_ids(self) -> list[int]:
        if self.ids is None:
            self.ids, self.weights = self.reader.ids_weights(self.head, self.block_data())
        return self.ids

    def block_weights(self) -> Any:
        if self.weights is None:
            self.block_ids()
        return self.weights

    def block_values(self) -> tuple:
        if self.values is None:
            self.values = self.reader.values(self.head, self.block_data(), self.fixedsize)
        return self.values

    def block_min_id(self) -> int:
        return self.block_ids()[0]

    def block_max_id(self) -> int:
        return self.head.last_id

    def table(self) -> BlockTable | None:
        """The list's table of blocks; None for a list without one (a short list, or one
        in a file written before lists had tables)."""
        if not self._table_read:
            reader = self.reader
            blocks = -(-self.terminfo.doc_frequency() // BLOCK_LIMIT) if self.terminfo else 0
            self._table_read = True
            if reader.tables and blocks >= TABLE_BLOCKS:
                self._table = reader.table(self.terminfo.extent(), blocks)
        return self._table

    def block_min_length(self) -> int:
        return self.head.shortest

    def block_max_length(self) -> int:
        return self.head.longest

    def block_max_weight(self) -> float:
        return self.head.top_weight

    def skip_blocks(self, skipwhile: Any) -> int:
        skipped = 0
        while self.is_active() and skipwhile():
            self.next_block()
            skipped += 1
        return skipped

    # -- Whoosh's matcher -----------------------------------------------------------------

    def is_active(self) -> bool:
        return not self.done and self.i < self.size

    def id(self) -> int:
        ids = self.ids
        if ids is None:
            ids = self.block_ids()
        return ids[self.i]

    def weight(self) -> float:
        weights = self.weights
        if weights is None:
            weights = self.block_weights()
        return float(weights[self.i])

    def value(self) -> Any:
        values = self.values
        if values is None:
            values = self.block_values()
        return values[self.i]

    def next(self) -> bool:
        self.i += 1
        if self.i == self.size:
            self.next_block()
            return True
        return False

    def skip_to(self, id: int) -> None:
        if not self.is_active():
            raise ReadTooFar
        if id <= self.id():
            return
        if id > self.head.last_id:
            self.skip_blocks(lambda: id > self.head.last_id)
            if not self.is_active():
                return
        # The block holds a posting at or past ``id`` (its last one is): found by bisection
        # in its decoded ids, not by stepping through them.
        ids = self.ids
        if ids is None:
            ids = self.block_ids()
        self.i = bisect_left(ids, id, self.i)

    def skip_to_quality(self, minquality: float) -> int:
        if self.block_quality() > minquality:
            return 0
        return self.skip_blocks(lambda: self.block_quality() <= minquality)

    def all_ids(self) -> Any:
        while self.is_active():
            yield from self.block_ids()[self.i :]
            self.next_block()


class InlineMatcher(LeafMatcher):
    """A term's one posting, kept in its term info: a posting list of one block."""

    def __init__(self, terminfo: Any, format_: Any, term: Any = None, scorer: Any = None) -> None:
        ids, weights, values = terminfo.inlined_postings()
        self.ids = list(ids)
        self.weights = list(weights)
        self.values = values
        self.terminfo = terminfo
        self.format = format_
        self.scorer = scorer
        self.term_key = term
        self.i = 0

    def term(self) -> Any:
        return self.term_key

    def doc_frequency(self) -> int:
        return int(self.terminfo.doc_frequency())

    def copy(self) -> InlineMatcher:
        twin = InlineMatcher(self.terminfo, self.format, self.term_key, self.scorer)
        twin.i = self.i
        return twin

    def reset(self) -> None:
        self.i = 0

    def is_active(self) -> bool:
        return self.i < len(self.ids)

    def id(self) -> int:
        return int(self.ids[self.i])

    def weight(self) -> float:
        return float(self.weights[self.i])

    def value(self) -> Any:
        return self.values[self.i]

    def next(self) -> bool:
        self.i += 1
        return False

    def skip_to(self, id: int) -> None:
        if not self.is_active():
            raise ReadTooFar
        while self.is_active() and self.ids[self.i] < id:
            self.i += 1

    def skip_to_quality(self, minquality: float) -> int:
        while self.is_active() and self.block_quality() <= minquality:
            self.i += 1
        return 0

    def max_quality(self) -> float:
        # The whole list is one block (as Whoosh's ListMatcher has it).
        return float(self.scorer.block_quality(self)) if self.scorer else self.block_max_weight()

    def replace(self, minquality: float = 0) -> Any:
        if not self.is_active() or (minquality and self.max_quality() < minquality):
            return NullMatcher()
        return self

    def block_ids(self) -> list[int]:
        return self.ids

    def block_weights(self) -> list[float]:
        return self.weights

    def block_values(self) -> tuple:
        return tuple(self.values)

    def block_min_id(self) -> int:
        return int(self.ids[0])

    def block_max_id(self) -> int:
        return int(self.ids[-1])

    def block_min_length(self) -> int:
        return int(self.terminfo.min_length())

    def block_max_length(self) -> int:
        return int(self.terminfo.max_length())

    def block_max_weight(self) -> float:
        return float(self.terminfo.max_weight())

    def next_block(self) -> None:
        self.i = len(self.ids)
