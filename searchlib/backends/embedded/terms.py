"""A segment's term dictionary as sorted, compressed, checksummed blocks of term infos.

Terms reach the field writer in key order, so they are written in blocks of
``BLOCK_TERMS``: the keys joined and every statistic a column of the narrowest integers (or
32-bit floats), zlib-compressed. An in-memory list of each block's first key finds a
term's block by bisection; a lookup decompresses that block and bisects in it. Small
blocks keep a lookup cheap (a lookup decodes only its own block's terms); a reader
keeps its last ``CACHED_BLOCKS`` decoded blocks, so the words of recent queries cost less.

A term in one document (names, typos and numbers make these common in news) keeps its
posting in its term info instead of a posting list in the ``.pst`` file: only the
posting's value (positions) is stored, as its document is the term's first and its weight
the term's total.

Layout of the ``.trm`` file: ``MAGIC``; the blocks; the trailer; the trailer's offset
(8 bytes, little-endian) and ``MAGIC`` again. A block and the trailer are each a CRC-32
of the rest (4 bytes, little-endian) and a zlib-compressed record
(:func:`~searchlib.backends.embedded.arrays.pack_parts`). A block's record holds, in
order: the key lengths, the keys joined, the document frequencies, total weights, highest
weights, shortest and longest field lengths (a length byte each), first documents, spans
to the last document, which terms are inlined, the first posting list's offset, the gaps
between posting lists, their lengths, which inlined values are None, the inlined values'
lengths and the inlined values joined. The trailer's record holds the field map (JSON,
name -> number), the first key of every block and every block's offset. A key is the field
number (2 bytes, big-endian) and the term's bytes, so keys sort by field, then term.

The reader (:class:`TermDictReader`) also reads format-4 dictionaries, given their block
decoder (:mod:`~searchlib.backends.embedded.format4`).
"""

from __future__ import annotations

import json
import struct
import zlib
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Hashable, Iterator, Sequence
from functools import lru_cache
from itertools import accumulate
from typing import Any, NamedTuple, Protocol
from weakref import WeakValueDictionary

from whoosh.codec.base import FieldCursor, TermsReader
from whoosh.reading import TermInfo as WhooshTermInfo
from whoosh.reading import TermNotFound
from whoosh.util.numeric import byte_to_length, length_to_byte

from searchlib.backends.embedded.arrays import (
    narrowest,
    pack_array,
    pack_parts,
    unpack_array,
    unpack_parts,
)
from searchlib.backends.embedded.integrity import Place, checked, crc
from searchlib.errors import StorageError

__all__ = [
    "MAGIC",
    "Block",
    "Cursor",
    "TermDictReader",
    "TermInfo",
    "TermsWriter",
    "Trailer",
    "is_terms_file",
]

MAGIC = b"SLT5"
#: Terms a block. A lookup decodes one block: larger blocks compress better and decode
#: slower.
BLOCK_TERMS = 16
#: Decoded blocks a reader keeps (~2 KB each): the words of the last few hundred queries
#: (a query looks up each word in the body and, for the title rule, in the title).
CACHED_BLOCKS = 2048
ZLIB_LEVEL = 6
FOOTER = struct.Struct("<Q4s")
CRC = struct.Struct("<I")
NO_ID = 0xFFFFFFFF
#: The columns of a block's record stored as bytes (the others are arrays).
RAW_COLUMNS = frozenset((1, 5, 6, 9, 13, 15))
BYTE_LENGTHS = [byte_to_length(i) for i in range(256)]


def is_terms_file(head: bytes) -> bool:
    """Whether a ``.trm`` file starting with ``head`` is of this format."""
    return head[: len(MAGIC)] == MAGIC


def field_key(number: int, tbytes: bytes) -> bytes:
    return number.to_bytes(2, "big") + tbytes


class TermInfo(WhooshTermInfo):
    """Whoosh's term statistics, and where the term's postings are: ``extent`` (offset,
    length) in the ``.pst`` file, or ``inline`` (the one posting's value) for a term in one
    document."""

    def __init__(
        self,
        weight: float = 0,
        df: int = 0,
        minlength: int | None = None,
        maxlength: int = 0,
        maxweight: float = 0,
        minid: int | None = None,
        maxid: int | None = 0,
        postings: tuple[int, int] | None = None,
        inline: tuple[bytes | None] | None = None,
    ) -> None:
        super().__init__(weight, df, minlength, maxlength, maxweight, minid, maxid)
        self.postings = postings
        self.inline = inline

    def is_inlined(self) -> bool:
        return self.inline is not None

    def extent(self) -> tuple[int, int] | None:
        return self.postings

    def inlined_postings(self) -> tuple[tuple, tuple, tuple]:
        assert self.inline is not None
        return (self.min_id(),), (self.weight(),), self.inline


def ints(values: Sequence[int]) -> bytes:
    return pack_array(narrowest(values, "term dictionary value"))


def floats(values: Sequence[float]) -> bytes:
    """As 32-bit floats (the rounding Whoosh's term infos have), or as integers when all
    are whole (they compress to almost nothing)."""
    rounded = array("f", values)
    if all(v.is_integer() and 0 <= v < 1 << 32 for v in rounded):
        return ints([int(v) for v in rounded])
    return pack_array(rounded)


#: A term's statistics and place as the writer gathers them: total weight, document
#: frequency, shortest and longest field length, highest weight, first and last document,
#: posting-list extent (offset, length) or None, inlined value (a 1-tuple) or None.
Row = tuple[float, int, int | None, int, float, int | None, int | None, Any, Any]


@lru_cache(maxsize=65536)
def length_byte(length: int | None) -> int:
    """A field length's byte (0 for None), as the matchers and the blocks keep it."""
    return int(length_to_byte(length))


def info_row(info: TermInfo) -> Row:
    """The row of ``info``, as :func:`encode_block` takes it."""
    return (
        info.weight(),
        info.doc_frequency(),
        info.min_length(),
        info.max_length(),
        info.max_weight(),
        info.min_id(),
        info.max_id(),
        info.extent(),
        info.inline,
    )


def encode_block(keys: list[bytes], rows: list[Row]) -> bytes:
    """A block's record (see the module docstring), its columns read from the rows at once."""
    weights, dfs, shortest, longest, tops, minids, maxids, extents, inlines = zip(
        *rows, strict=True
    )
    base = 0
    gaps = []
    lengths = []
    nones = []
    values = []
    end: int | None = None
    for extent, inline in zip(extents, inlines, strict=True):
        if inline is not None:
            value = inline[0]
            nones.append(value is None)
            values.append(value or b"")
            continue
        offset, length = extent
        if end is None:
            base = offset
            gaps.append(0)
        else:
            gaps.append(offset - end)
        lengths.append(length)
        end = offset + length
    return pack_parts(
        [
            ints([len(key) for key in keys]),
            b"".join(keys),
            ints(dfs),
            floats(weights),
            floats(tops),
            bytes(map(length_byte, shortest)),
            bytes(map(length_byte, longest)),
            ints([NO_ID if m is None else m for m in minids]),
            ints([0 if lo is None else hi - lo for lo, hi in zip(minids, maxids, strict=True)]),
            bytes([inline is not None for inline in inlines]),
            ints([base]),
            ints(gaps),
            ints(lengths),
            bytes(nones),
            ints([len(v) for v in values]),
            b"".join(values),
        ]
    )


def sealed(record: bytes) -> bytes:
    """A record as stored: its CRC-32, then the record zlib-compressed."""
    packed = zlib.compress(record, ZLIB_LEVEL)
    return CRC.pack(crc(packed)) + packed


def unsealed(place: Place, data: bytes | memoryview, what: str) -> bytes:
    if len(data) < CRC.size:
        raise place.error(f"{what}: truncated")
    place.check(data[CRC.size :], CRC.unpack_from(data)[0], what)
    return checked(place, what, lambda: zlib.decompress(data[CRC.size :]))


def split(joined: bytes, sizes: Any) -> list[bytes]:
    """``joined`` cut into pieces of ``sizes`` (in C: no Python loop per piece)."""
    ends = list(accumulate(sizes, initial=0))
    if ends[-1] != len(joined):
        raise ValueError("lengths do not add up")
    return list(map(joined.__getitem__, map(slice, ends[:-1], ends[1:])))


class Columns(NamedTuple):
    """A block's statistics, one entry per term (see the module docstring)."""

    df: Any
    weights: Any
    top_weights: Any
    shortest: bytes
    longest: bytes
    minids: Any
    spans: Any
    inlined: bytes
    base: int
    gaps: Any
    lengths: Any
    nones: bytes
    sizes: Any
    values: bytes


class Block:
    """A decoded block: its keys, and its columns, decoded when a term of the block is
    first asked for (a lookup that misses, and a walk over keys, never need them)."""

    __slots__ = ("keys", "offsets", "parts", "stats")

    def __init__(self, keys: list[bytes], parts: list[bytes], stats: Columns | None = None) -> None:
        self.keys = keys
        self.parts = parts
        self.stats = stats
        #: Per term, where its postings are: (offset, length) in the ``.pst`` file, or the
        #: index of its inlined value; filled in with the columns.
        self.offsets: list[tuple[int, int] | int] = (
            [] if stats is None else _postings_offsets(stats)
        )

    @classmethod
    def from_record(cls, record: bytes) -> Block:
        parts = unpack_parts(record)
        if len(parts) != 16:
            raise ValueError(f"{len(parts)} columns, not 16")
        return cls(split(parts[1], unpack_array(parts[0])), parts)

    def columns(self) -> Columns:
        if self.stats is None:
            numbers: list[Any] = [
                p if i in RAW_COLUMNS else unpack_array(p) for i, p in enumerate(self.parts)
            ][2:]
            numbers[8] = numbers[8][0]  # the base offset
            stats = Columns(*numbers)
            if len(stats.df) != len(self.keys):
                raise ValueError("columns do not match the keys")
            self.offsets = _postings_offsets(stats)
            self.stats = stats
        return self.stats

    def weight(self, i: int) -> float:
        return float(self.columns().weights[i])

    def doc_frequency(self, i: int) -> int:
        return int(self.columns().df[i])

    def term_info(self, i: int) -> TermInfo:
        c = self.columns()
        minid = c.minids[i]
        first, last = (minid, minid + c.spans[i]) if minid != NO_ID else (None, None)
        postings = inline = None
        where = self.offsets[i]
        if isinstance(where, int):  # its place among the inlined terms
            start = sum(c.sizes[:where])
            end = start + c.sizes[where]
            inline = (None if c.nones[where] else c.values[start:end],)
        else:
            postings = where
        return TermInfo(
            float(c.weights[i]),
            c.df[i],
            BYTE_LENGTHS[c.shortest[i]],
            BYTE_LENGTHS[c.longest[i]],
            float(c.top_weights[i]),
            first,
            last,
            postings,
            inline,
        )


def _postings_offsets(c: Columns) -> list[tuple[int, int] | int]:
    """Per term of a block: (offset, length) of its postings, or, for an inlined term, its
    place among the block's inlined terms. Computed once per decoded block: a lookup then
    costs no sums over the block's columns."""
    out: list[tuple[int, int] | int] = []
    inlined = n = 0
    end = c.base
    for flag in c.inlined:
        if flag:
            out.append(inlined)
            inlined += 1
            continue
        offset = end + c.gaps[n]
        length = c.lengths[n]
        out.append((offset, length))
        end = offset + length
        n += 1
    if n != len(c.lengths) or inlined != len(c.sizes):
        raise ValueError("postings columns do not match the terms")
    return out


class TermsWriter:
    """Writes term infos, given in ascending key order, to a ``.trm`` file."""

    def __init__(self, dbfile: Any) -> None:
        self.dbfile = dbfile
        self.fieldmap: dict[str, int] = {}
        self.keys: list[bytes] = []
        self.rows: list[Row] = []
        self.firsts: list[bytes] = []
        self.offsets: list[int] = []
        self.last: bytes | None = None
        dbfile.write(MAGIC)

    def add(self, key: bytes, info: TermInfo) -> None:
        self.add_row(key, info_row(info))

    def add_row(self, key: bytes, row: Row) -> None:
        """A term's :data:`Row` (the bulk writer's form: no TermInfo object per term)."""
        if self.last is not None and key <= self.last:
            raise StorageError(f"terms out of order: {key!r} after {self.last!r}")
        self.last = key
        self.keys.append(key)
        self.rows.append(row)
        if len(self.keys) >= BLOCK_TERMS:
            self.flush()

    def flush(self) -> None:
        if not self.keys:
            return
        self.firsts.append(self.keys[0])
        self.offsets.append(self.dbfile.tell())
        self.dbfile.write(sealed(encode_block(self.keys, self.rows)))
        self.keys = []
        self.rows = []

    def close(self) -> None:
        self.flush()
        dbfile = self.dbfile
        start = dbfile.tell()
        fieldmap = json.dumps(self.fieldmap, sort_keys=True).encode("utf-8")
        offsets = pack_array(array("Q", self.offsets))
        dbfile.write(sealed(pack_parts([fieldmap, pack_parts(self.firsts), offsets])))
        dbfile.write(FOOTER.pack(start, MAGIC))
        dbfile.close()


class Position(NamedTuple):
    block: int
    item: int


class Trailer:
    """A dictionary's field map and sparse index (the first key and offset of each block;
    each block ends where the next starts, the last where the trailer starts)."""

    __slots__ = ("__weakref__", "fieldmap", "fieldnames", "firsts", "offsets")

    def __init__(self, fieldmap: dict[str, int], firsts: list[bytes], offsets: array) -> None:
        if len(offsets) != len(firsts) + 1 or any(map(bytes.__gt__, firsts, firsts[1:])):
            raise ValueError("sparse index out of order")
        self.fieldmap = fieldmap
        self.fieldnames: dict[int, str] = {n: name for name, n in fieldmap.items()}
        self.firsts = firsts
        self.offsets = offsets


class BlockFormat(Protocol):
    """How one format's dictionary stores its trailer and blocks."""

    def read_trailer(self, place: Place, data: Any, length: int) -> Trailer: ...

    def read_block(self, place: Place, raw: Any) -> Block: ...


class Format5:
    """This module's layout."""

    def read_trailer(self, place: Place, data: Any, length: int) -> Trailer:
        what = "term dictionary trailer"
        if length < len(MAGIC) + FOOTER.size:
            raise place.error(f"{what}: truncated")
        start, magic = FOOTER.unpack(bytes(data[length - FOOTER.size : length]))
        if magic != MAGIC or not len(MAGIC) <= start <= length - FOOTER.size:
            raise place.error(f"{what}: bad footer (truncated?)")
        record = unsealed(place, data[start : length - FOOTER.size], what)

        def decode() -> Trailer:
            fieldmap, firsts, offsets = unpack_parts(record)
            fmap = json.loads(fieldmap.decode("utf-8"))
            if not isinstance(fmap, dict):
                raise ValueError("field map is not an object")
            return Trailer(fmap, unpack_parts(firsts), array("Q", [*unpack_array(offsets), start]))

        return checked(place, what, decode)

    def read_block(self, place: Place, raw: Any) -> Block:
        what = "term dictionary block"
        record = unsealed(place, raw, what)
        return checked(place, what, lambda: Block.from_record(record))


#: Per segment, its dictionary's trailer while a reader has it open: the readers of one
#: segment (a searcher per thread in ``searchlib serve``) share it. A segment's files
#: never change once written.
TRAILERS: WeakValueDictionary[Hashable, Trailer] = WeakValueDictionary()


class TermDictReader(TermsReader):
    """The term dictionary of one segment. ``postfile`` reads its posting blocks (it has
    ``length()`` and ``close()``); ``key`` names the file's contents (the segment) for
    readers to share its trailer, None shares nothing."""

    def __init__(
        self,
        codec: Any,
        dbfile: Any,
        length: int,
        postfile: Any,
        place: Place,
        key: Hashable | None = None,
        blocks: BlockFormat | None = None,
    ) -> None:
        self.codec = codec
        self.dbfile = dbfile
        self.postfile = postfile
        self.place = place
        self.blockformat: BlockFormat = blocks or Format5()
        view = getattr(dbfile, "view", None)
        # A mapped file is sliced (thread-safe, no copy); any other is read once, as a
        # file's seek-then-read would interleave between threads.
        self.data: Any = view if view is not None else dbfile.get(0, length)
        trailer = TRAILERS.get(key) if key is not None else None
        if trailer is None:
            trailer = self.blockformat.read_trailer(place, self.data, length)
            if key is not None:
                TRAILERS[key] = trailer
        self.trailer = trailer  # keeps it alive while this reader is
        self.fieldmap = trailer.fieldmap
        self.firsts = trailer.firsts
        self.offsets = trailer.offsets
        # The most recently used decoded blocks (functools' cache is thread-safe: readers
        # are shared by the threads of ``searchlib serve``).
        self.block: Callable[[int], Block] = lru_cache(maxsize=CACHED_BLOCKS)(self.read_block)

    # -- blocks ---------------------------------------------------------------------------

    def read_block(self, n: int) -> Block:
        start, end = self.offsets[n], self.offsets[n + 1]
        if not start <= end <= len(self.data):
            raise self.place.error(f"term dictionary block {n}: past the end (truncated?)")
        return self.blockformat.read_block(self.place, self.data[start:end])

    def find(self, key: bytes) -> tuple[Block, int] | None:
        n = bisect_right(self.firsts, key) - 1
        if n < 0:
            return None
        block = self.block(n)
        i = bisect_left(block.keys, key)
        if i < len(block.keys) and block.keys[i] == key:
            return block, i
        return None

    def seek(self, key: bytes) -> Position | None:
        """The position of the first key at or after ``key``."""
        n = max(0, bisect_right(self.firsts, key) - 1)
        if n >= len(self.firsts):
            return None
        keys = self.block(n).keys
        i = bisect_left(keys, key)
        if i == len(keys):
            n, i = n + 1, 0
        return Position(n, i) if n < len(self.firsts) else None

    def scan(self, key: bytes) -> Iterator[tuple[Block, int]]:
        """Every (block, index) from the first key at or after ``key`` on; the blocks
        read in passing are not cached (a scan would flush the lookups' blocks)."""
        for block, start in self.blocks_from(key):
            for j in range(start, len(block.keys)):
                yield block, j

    def prefixed(self, fieldname: str, prefix: bytes) -> Iterator[list[bytes]]:
        """The terms of ``fieldname`` that start with ``prefix``, a block's worth at a time
        (a did-you-mean walks thousands: no Python step per term here)."""
        key = self.key(fieldname, prefix)
        for block, start in self.blocks_from(key):
            keys = block.keys[start:]
            if not keys or not keys[-1].startswith(key):
                yield [k[2:] for k in keys if k.startswith(key)]
                return
            yield [k[2:] for k in keys]

    def blocks_from(self, key: bytes) -> Iterator[tuple[Block, int]]:
        """Each block from the one holding the first key at or after ``key`` on, with the
        index of its first key at or after it; the blocks read in passing are not cached."""
        pos = self.seek(key)
        if pos is None:
            return
        n, i = pos
        block = self.block(n)
        while True:
            yield block, i
            n, i = n + 1, 0
            if n >= len(self.firsts):
                return
            block = self.read_block(n)

    def position_key(self, pos: Position) -> tuple[Block, int]:
        return self.block(pos.block), pos.item

    def next_position(self, pos: Position) -> Position | None:
        if pos.item + 1 < len(self.block(pos.block).keys):
            return Position(pos.block, pos.item + 1)
        if pos.block + 1 < len(self.firsts):
            return Position(pos.block + 1, 0)
        return None

    def verify(self) -> int:
        """Read and check every block (StorageError on damage); the number of terms."""
        count = 0
        last = b""
        for n in range(len(self.firsts)):
            block = self.read_block(n)
            if not block.keys or block.keys[0] != self.firsts[n] or block.keys[0] < last:
                raise self.place.error(f"term dictionary block {n}: keys out of order")
            infos = checked(
                self.place,
                f"term dictionary block {n}",
                lambda b=block: [b.term_info(i) for i in range(len(b.keys))],  # type: ignore[misc]
            )
            for info in infos:
                extent = info.extent()
                if extent is not None and sum(extent) > self.postfile.length():
                    raise self.place.error(f"term dictionary block {n}: postings past the end")
            last = block.keys[-1]
            count += len(block.keys)
        return count

    # -- keys -----------------------------------------------------------------------------

    def key(self, fieldname: str, tbytes: bytes) -> bytes:
        return field_key(self.fieldmap.get(fieldname, 65535), tbytes)

    def decode_key(self, key: bytes) -> tuple[str, bytes]:
        return self.trailer.fieldnames[int.from_bytes(key[:2], "big")], key[2:]

    # -- Whoosh's TermsReader -------------------------------------------------------------

    def __contains__(self, term: Any) -> bool:
        return self.find(self.key(*term)) is not None

    def indexed_field_names(self) -> Any:
        return self.fieldmap.keys()

    def cursor(self, fieldname: str, fieldobj: Any) -> Cursor:
        return Cursor(self, fieldname, fieldobj)

    def terms(self) -> Iterator[tuple[str, bytes]]:
        decode = self.decode_key
        return (decode(block.keys[i]) for block, i in self.scan(b""))

    def terms_from(self, fieldname: str, prefix: bytes) -> Iterator[tuple[str, bytes]]:
        decode = self.decode_key
        return (decode(block.keys[i]) for block, i in self.scan(self.key(fieldname, prefix)))

    def items(self) -> Iterator[tuple[tuple[str, bytes], TermInfo]]:
        decode = self.decode_key
        return ((decode(block.keys[i]), self.info(block, i)) for block, i in self.scan(b""))

    def items_from(
        self, fieldname: str, prefix: bytes
    ) -> Iterator[tuple[tuple[str, bytes], TermInfo]]:
        decode = self.decode_key
        key = self.key(fieldname, prefix)
        return ((decode(block.keys[i]), self.info(block, i)) for block, i in self.scan(key))

    def term_info(self, fieldname: str, tbytes: bytes) -> TermInfo:
        found = self.find(self.key(fieldname, tbytes))
        if found is None:
            raise TermNotFound(f"No term {fieldname}:{tbytes!r}")
        block, i = found
        return self.info(block, i)

    def info(self, block: Block, i: int) -> TermInfo:
        """The term info of a block's term (its columns are decoded, and checked, now)."""
        return checked(self.place, "term dictionary block", lambda: block.term_info(i))

    def found(self, fieldname: str, tbytes: bytes) -> tuple[Block, int]:
        found = self.find(self.key(fieldname, tbytes))
        if found is None:
            raise KeyError(tbytes)
        return found

    def frequency(self, fieldname: str, tbytes: bytes) -> float:
        block, i = self.found(fieldname, tbytes)
        return block.weight(i)

    def doc_frequency(self, fieldname: str, tbytes: bytes) -> int:
        block, i = self.found(fieldname, tbytes)
        return block.doc_frequency(i)

    def block_postings(self, fieldname: str, tbytes: bytes) -> tuple[int, Any] | None:
        """The term's document frequency and its posting blocks (for the top-k scorer and
        the match-set counter, which read values never), or None when this segment lacks
        the term: no exception and no Whoosh wrapper on the path every query takes."""
        found = self.find(self.key(fieldname, tbytes))
        if found is None:
            return None
        info = self.info(*found)
        return info.doc_frequency(), self.codec.postings_reader(self.postfile, info, None)

    def matcher(self, fieldname: str, tbytes: bytes, format_: Any, scorer: Any = None) -> Any:
        terminfo = self.term_info(fieldname, tbytes)
        return self.codec.postings_reader(
            self.postfile, terminfo, format_, term=(fieldname, tbytes), scorer=scorer
        )

    def close(self) -> None:
        self.block = self.read_block  # drops the cached blocks
        self.dbfile.close()
        self.postfile.close()


class Cursor(FieldCursor):
    """The terms of one field in order (spelling suggestions walk it with ``find`` and
    ``next``)."""

    def __init__(self, reader: TermDictReader, fieldname: str, fieldobj: Any) -> None:
        self.reader = reader
        self.fieldobj = fieldobj
        self.prefix = field_key(reader.fieldmap.get(fieldname, 65535), b"")
        self.start = reader.seek(self.prefix)
        self.pos: Position | None = self.start
        self.current: Any = None
        self.found: tuple[Block, int] | None = None
        self.next()

    def first(self) -> Any:
        self.pos = self.start
        return self.next()

    def find(self, term: Any) -> Any:
        if not isinstance(term, bytes):
            term = self.fieldobj.to_bytes(term)
        self.pos = self.reader.seek(self.prefix + term)
        return self.next()

    def next(self) -> Any:
        pos = self.pos
        if pos is not None:
            block, i = self.reader.position_key(pos)
            key = block.keys[i]
            if key[:2] == self.prefix:
                self.pos = self.reader.next_position(pos)
                self.found = (block, i)
                self.current = self.fieldobj.from_bytes(key[2:])
                return self.current
        self.pos = self.found = self.current = None
        return None

    def text(self) -> Any:
        return self.current

    def term_info(self) -> TermInfo | None:
        if self.found is None:
            return None
        block, i = self.found
        return self.reader.info(block, i)

    def is_valid(self) -> bool:
        return self.found is not None
