"""A segment's term dictionary as sorted, compressed blocks of term infos.

Whoosh's W3 codec keeps the term dictionary in a hash file (``OrderedHashWriter``): per
term its key (~10 bytes), ``W3TermInfo.to_bytes()`` (35 bytes) and ~36 bytes of hash table
and lengths, ~81 bytes a term. A segment of the 50,000-document benchmark has ~160k terms:
12.9 MB of it. Terms reach the field writer in key order, so here they are written in
blocks of ``BLOCK_TERMS``: the keys joined, every statistic a column of the narrowest
integers (or 32-bit floats), zlib-compressed. An in-memory list of each block's first key
finds a term's block by bisection; a lookup decompresses that block and bisects in it.

Measured on a segment of the 50,000-document benchmark (160,494 terms, one-posting lists
inlined; Whoosh's hash file was 12.86 MB): blocks of 16 terms 2.88 MB (17.9 bytes a term),
a block decoded in ~4.6 us; of 32 2.42 MB, ~8.1 us; of 64 2.11 MB, ~14.3 us (unzipped:
5.37, 4.70 and 4.37 MB, decoded in 3.1, 4.1 and 6.4 us). Front-coding the keys saved 4%
and cost a fifth of a decode. Hence small blocks: a term info whose block the reader has
not decoded lately costs ~7.5 us against ~3.8 us from the hash file, and a search looks
up each word once per segment -- on the 50k benchmark's queries, over the same two
segments both ways, query p50 1.21-1.23 -> 1.23-1.26 ms (three runs each). A reader keeps
its last ``CACHED_BLOCKS`` decoded blocks: the words of recent queries cost ~1.5 us.

A term in one document (43% of the terms at 50,000 documents) had a posting list of its
own in the ``.pst`` file, ~82 bytes with its header; Whoosh can inline such lists in the
term info, but pickles them (and its writer calls a method ``W3TermInfo`` lacks). Here the
field writer inlines them and the dictionary stores only the posting's value (positions):
its document is the term's first, its weight the term's total. On the 50k benchmark's two
segments 70,498 and 68,013 terms are inlined, their values ~118 KB in each dictionary,
and the ``.pst`` files shrink from 46.09 to 41.55 MB and from 46.13 to 41.70 MB.

Layout of the ``.trm`` file: ``MAGIC``; the blocks, each a zlib-compressed ``marshal``
tuple (see ``_encode``); the trailer, a zlib-compressed ``marshal`` tuple of the field map
(name -> number, as Whoosh's), the first key of every block and every block's offset;
then the trailer's offset (8 bytes, big-endian) and ``MAGIC`` again. A key is Whoosh's:
the field number (2 bytes, big-endian) and the term's bytes, so keys sort by field, then
term. Segments whose ``.trm`` is Whoosh's hash file (its magic is ``HSH3``) are read by
Whoosh's own reader.

A term info holds what ``W3TermInfo.to_bytes`` holds, with the same rounding (weights as
32-bit floats, lengths as length bytes): its document frequency, total and highest
weight, shortest and longest field length, first and last document, and either where its
postings are in the ``.pst`` file or, for a term inlined by the field writer, its one
posting's value (the document is its first, the weight its total).
"""

from __future__ import annotations

import marshal
import struct
import zlib
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Hashable, Iterator
from functools import lru_cache
from typing import Any, NamedTuple
from weakref import WeakValueDictionary

from whoosh.codec.base import FieldCursor, TermsReader
from whoosh.codec.whoosh3 import W3TermInfo
from whoosh.reading import TermNotFound
from whoosh.system import pack_ushort, unpack_ushort
from whoosh.util.numeric import byte_to_length, length_to_byte

from searchlib.backends.embedded.arrays import narrowest
from searchlib.errors import StorageError

__all__ = ["MAGIC", "Cursor", "TermDictReader", "TermsWriter", "is_terms_file"]

MAGIC = b"SLT1"
#: Terms a block. A lookup decodes one block: larger blocks compress better and decode
#: slower (see the module docstring).
BLOCK_TERMS = 16
#: Decoded blocks a reader keeps (~2 KB each): the words of the last queries.
CACHED_BLOCKS = 256
ZLIB_LEVEL = 6
_FOOTER = struct.Struct(">Q4s")
_NO_ID = 0xFFFFFFFF
_BYTE_LENGTHS = [byte_to_length(i) for i in range(256)]


def is_terms_file(head: bytes) -> bool:
    """Whether a ``.trm`` file starting with ``head`` is this module's (else Whoosh's)."""
    return head[: len(MAGIC)] == MAGIC


def _ints(values: list[int]) -> tuple[str, bytes]:
    packed = narrowest(values, "term dictionary value")
    return packed.typecode, packed.tobytes()


def _floats(values: list[float]) -> tuple[str, bytes]:
    """As 32-bit floats (W3TermInfo's rounding), or as integers when all are whole."""
    rounded = array("f", values)
    if all(v.is_integer() and 0 <= v < 1 << 32 for v in rounded):
        return _ints([int(v) for v in rounded])
    return "f", rounded.tobytes()


def _encode(keys: list[bytes], infos: list[W3TermInfo]) -> bytes:
    """A block: the keys, then each statistic as a column (an ``array``: columns of small
    numbers compress to almost nothing)."""
    inlined = [info.is_inlined() for info in infos]
    minids = [_NO_ID if i._minid is None else i._minid for i in infos]
    spans = [0 if i._minid is None else i._maxid - i._minid for i in infos]
    base = 0
    gaps = []
    lengths = []
    nones = []
    values = []
    end: int | None = None
    for info, inline in zip(infos, inlined, strict=True):
        if inline:
            value = info.inlined_postings()[2][0]
            nones.append(value is None)
            values.append(value or b"")
            continue
        offset, length = info.extent()
        if end is None:
            base = offset
            gaps.append(0)
        else:
            gaps.append(offset - end)
        lengths.append(length)
        end = offset + length
    data = (
        _ints([len(key) for key in keys]),
        b"".join(keys),
        _ints([i._df for i in infos]),
        _floats([i._weight for i in infos]),
        _floats([i._maxweight for i in infos]),
        bytes(0 if i._minlength is None else length_to_byte(i._minlength) for i in infos),
        bytes(length_to_byte(i._maxlength) for i in infos),
        _ints(minids),
        _ints(spans),
        bytes(inlined),
        base,
        _ints(gaps),
        _ints(lengths),
        bytes(nones),
        _ints([len(v) for v in values]),
        b"".join(values),
    )
    return zlib.compress(marshal.dumps(data), ZLIB_LEVEL)


def _array(packed: tuple[str, bytes]) -> array:
    return array(packed[0], packed[1])


class Block:
    """A decoded block: its keys, and its columns, read per term when asked (a lookup
    wants one term of the block)."""

    __slots__ = (
        "_base",
        "_gaps",
        "_inlined",
        "_lengths",
        "_maxlength",
        "_maxweight",
        "_minid",
        "_minlength",
        "_nones",
        "_sizes",
        "_span",
        "_values",
        "_weight",
        "df",
        "keys",
    )

    def __init__(self, raw: Any) -> None:
        (
            key_sizes,
            joined_keys,
            df,
            self._weight,
            self._maxweight,
            self._minlength,
            self._maxlength,
            minid,
            span,
            self._inlined,
            self._base,
            gaps,
            lengths,
            self._nones,
            sizes,
            self._values,
        ) = marshal.loads(zlib.decompress(raw))
        keys = []
        start = 0
        for size in _array(key_sizes):
            keys.append(joined_keys[start : start + size])
            start += size
        self.keys: list[bytes] = keys
        self.df = _array(df)
        self._weight = _array(self._weight)
        self._maxweight = _array(self._maxweight)
        self._minid = _array(minid)
        self._span = _array(span)
        self._gaps = _array(gaps)
        self._lengths = _array(lengths)
        self._sizes = _array(sizes)

    def weight(self, i: int) -> float:
        return float(self._weight[i])

    def term_info(self, i: int) -> W3TermInfo:
        # Every attribute W3TermInfo's constructors set is set below (not calling them saves
        # ~0.2 us of a ~1.7 us lookup).
        info = W3TermInfo.__new__(W3TermInfo)
        info._offset = info._length = info._inlined = None
        weight = info._weight = float(self._weight[i])
        info._df = self.df[i]
        info._minlength = _BYTE_LENGTHS[self._minlength[i]]
        info._maxlength = _BYTE_LENGTHS[self._maxlength[i]]
        info._maxweight = float(self._maxweight[i])
        minid = self._minid[i]
        if minid != _NO_ID:
            info._minid = minid
            info._maxid = minid + self._span[i]
        else:
            info._minid = info._maxid = None
        inlined = self._inlined
        before = inlined.count(1, 0, i)  # inlined terms before this one
        if inlined[i]:
            start = sum(self._sizes[:before])
            end = start + self._sizes[before]
            value = None if self._nones[before] else self._values[start:end]
            info._inlined = ((minid,), (weight,), (value,))
        else:
            n = i - before  # its place among the terms with postings in the .pst file
            info._offset = self._base + sum(self._gaps[: n + 1]) + sum(self._lengths[:n])
            info._length = self._lengths[n]
        return info


class TermsWriter:
    """Writes term infos, given in ascending key order, to a ``.trm`` file."""

    def __init__(self, dbfile: Any) -> None:
        self._dbfile = dbfile
        self.fieldmap: dict[str, int] = {}
        self._keys: list[bytes] = []
        self._infos: list[W3TermInfo] = []
        self._firsts: list[bytes] = []
        self._offsets: list[int] = []
        self._last: bytes | None = None
        dbfile.write(MAGIC)

    def add(self, key: bytes, info: W3TermInfo) -> None:
        if self._last is not None and key <= self._last:
            raise StorageError(f"terms out of order: {key!r} after {self._last!r}")
        self._last = key
        self._keys.append(key)
        self._infos.append(info)
        if len(self._keys) >= BLOCK_TERMS:
            self._flush()

    def _flush(self) -> None:
        if not self._keys:
            return
        self._firsts.append(self._keys[0])
        self._offsets.append(self._dbfile.tell())
        self._dbfile.write(_encode(self._keys, self._infos))
        self._keys = []
        self._infos = []

    def close(self) -> None:
        self._flush()
        dbfile = self._dbfile
        start = dbfile.tell()
        dbfile.write(zlib.compress(marshal.dumps((self.fieldmap, self._firsts, self._offsets))))
        dbfile.write(_FOOTER.pack(start, MAGIC))
        dbfile.close()


class _Position(NamedTuple):
    block: int
    item: int


class _Trailer:
    """A dictionary's field map and sparse index (the first key and offset of each block)."""

    __slots__ = ("__weakref__", "fieldmap", "fieldunmap", "firsts", "offsets")

    def __init__(self, data: Any, length: int) -> None:
        start, magic = _FOOTER.unpack(bytes(data[length - _FOOTER.size : length]))
        if magic != MAGIC:
            raise StorageError("term dictionary: bad footer")
        fieldmap, firsts, offsets = marshal.loads(
            zlib.decompress(data[start : length - _FOOTER.size])
        )
        self.fieldmap: dict[str, int] = fieldmap
        self.fieldunmap: dict[int, str] = {n: name for name, n in fieldmap.items()}
        self.firsts: list[bytes] = firsts
        # Each block ends where the next starts, the last where the trailer starts (an array:
        # a list of ints would cost 36 bytes a block).
        self.offsets = array("Q", [*offsets, start])


#: Per segment, its dictionary's trailer while a reader has it open: the readers of one
#: segment (a searcher per thread in ``searchlib serve``) share it, ~0.6 MB at 50,000
#: documents. A segment's files never change once written.
_TRAILERS: WeakValueDictionary[Hashable, _Trailer] = WeakValueDictionary()


class TermDictReader(TermsReader):
    """Whoosh's ``W3TermsReader`` on a file written by :class:`TermsWriter`. ``key`` names
    the file's contents (the segment) for readers to share its trailer; None shares
    nothing."""

    def __init__(
        self, codec: Any, dbfile: Any, length: int, postfile: Any, key: Hashable | None = None
    ) -> None:
        self._codec = codec
        self._dbfile = dbfile
        self._postfile = postfile
        buf = getattr(dbfile, "_buf", None)
        # A mapped file is sliced (thread-safe, no copy); any other is read once, as a
        # file's seek-then-read would interleave between threads.
        self._data: Any = buf if buf is not None else dbfile.get(0, length)
        trailer = _TRAILERS.get(key) if key is not None else None
        if trailer is None:
            trailer = _Trailer(self._data, length)
            if key is not None:
                _TRAILERS[key] = trailer
        self._trailer = trailer  # keeps it alive while this reader is
        self._fieldmap = trailer.fieldmap
        self._fieldunmap = trailer.fieldunmap
        self._firsts = trailer.firsts
        self._offsets = trailer.offsets
        # The most recently used decoded blocks (functools' cache is thread-safe: readers
        # are shared by the threads of ``searchlib serve``).
        self._block: Callable[[int], Block] = lru_cache(maxsize=CACHED_BLOCKS)(self._read_block)

    # -- blocks ---------------------------------------------------------------------------

    def _read_block(self, n: int) -> Block:
        return Block(self._data[self._offsets[n] : self._offsets[n + 1]])

    def _find(self, key: bytes) -> tuple[Block, int] | None:
        n = bisect_right(self._firsts, key) - 1
        if n < 0:
            return None
        block = self._block(n)
        i = bisect_left(block.keys, key)
        if i < len(block.keys) and block.keys[i] == key:
            return block, i
        return None

    def _seek(self, key: bytes) -> _Position | None:
        """The position of the first key at or after ``key``."""
        n = max(0, bisect_right(self._firsts, key) - 1)
        if n >= len(self._firsts):
            return None
        keys = self._block(n).keys
        i = bisect_left(keys, key)
        if i == len(keys):
            n, i = n + 1, 0
        return _Position(n, i) if n < len(self._firsts) else None

    def _scan(self, key: bytes) -> Iterator[tuple[Block, int]]:
        """Every (block, index) from the first key at or after ``key`` on; the blocks
        read in passing are not cached (a scan would flush the lookups' blocks)."""
        pos = self._seek(key)
        if pos is None:
            return
        n, i = pos
        block = self._block(n)
        while True:
            for j in range(i, len(block.keys)):
                yield block, j
            n, i = n + 1, 0
            if n >= len(self._firsts):
                return
            block = self._read_block(n)

    def position_key(self, pos: _Position) -> tuple[Block, int]:
        return self._block(pos.block), pos.item

    def next_position(self, pos: _Position) -> _Position | None:
        if pos.item + 1 < len(self._block(pos.block).keys):
            return _Position(pos.block, pos.item + 1)
        if pos.block + 1 < len(self._firsts):
            return _Position(pos.block + 1, 0)
        return None

    # -- keys -----------------------------------------------------------------------------

    def _keycoder(self, fieldname: str, tbytes: bytes) -> bytes:
        return pack_ushort(self._fieldmap.get(fieldname, 65535)) + tbytes

    def _keydecoder(self, key: bytes) -> tuple[str, bytes]:
        return self._fieldunmap[unpack_ushort(key[:2])[0]], key[2:]

    # -- Whoosh's TermsReader -------------------------------------------------------------

    def __contains__(self, term: Any) -> bool:
        return self._find(self._keycoder(*term)) is not None

    def indexed_field_names(self) -> Any:
        return self._fieldmap.keys()

    def cursor(self, fieldname: str, fieldobj: Any) -> Cursor:
        return Cursor(self, fieldname, fieldobj)

    def terms(self) -> Iterator[tuple[str, bytes]]:
        decode = self._keydecoder
        return (decode(block.keys[i]) for block, i in self._scan(b""))

    def terms_from(self, fieldname: str, prefix: bytes) -> Iterator[tuple[str, bytes]]:
        decode = self._keydecoder
        key = self._keycoder(fieldname, prefix)
        return (decode(block.keys[i]) for block, i in self._scan(key))

    def items(self) -> Iterator[tuple[tuple[str, bytes], W3TermInfo]]:
        decode = self._keydecoder
        return ((decode(block.keys[i]), block.term_info(i)) for block, i in self._scan(b""))

    def items_from(
        self, fieldname: str, prefix: bytes
    ) -> Iterator[tuple[tuple[str, bytes], W3TermInfo]]:
        decode = self._keydecoder
        key = self._keycoder(fieldname, prefix)
        return ((decode(block.keys[i]), block.term_info(i)) for block, i in self._scan(key))

    def term_info(self, fieldname: str, tbytes: bytes) -> W3TermInfo:
        found = self._find(self._keycoder(fieldname, tbytes))
        if found is None:
            raise TermNotFound(f"No term {fieldname}:{tbytes!r}")
        block, i = found
        return block.term_info(i)

    def _found(self, fieldname: str, tbytes: bytes) -> tuple[Block, int]:
        found = self._find(self._keycoder(fieldname, tbytes))
        if found is None:
            raise KeyError(tbytes)
        return found

    def frequency(self, fieldname: str, tbytes: bytes) -> float:
        block, i = self._found(fieldname, tbytes)
        return block.weight(i)

    def doc_frequency(self, fieldname: str, tbytes: bytes) -> int:
        block, i = self._found(fieldname, tbytes)
        return block.df[i]

    def matcher(self, fieldname: str, tbytes: bytes, format_: Any, scorer: Any = None) -> Any:
        terminfo = self.term_info(fieldname, tbytes)
        return self._codec.postings_reader(
            self._postfile, terminfo, format_, term=(fieldname, tbytes), scorer=scorer
        )

    def close(self) -> None:
        self._block = self._read_block  # drops the cached blocks
        self._dbfile.close()
        self._postfile.close()


class Cursor(FieldCursor):
    """Whoosh's ``W3FieldCursor``: the terms of one field in order (spelling suggestions
    walk it with ``find`` and ``next``)."""

    def __init__(self, reader: TermDictReader, fieldname: str, fieldobj: Any) -> None:
        self._reader = reader
        self._fieldobj = fieldobj
        self._field = pack_ushort(reader._fieldmap.get(fieldname, 65535))
        self._start = reader._seek(self._field)
        self._pos: _Position | None = self._start
        self._text: Any = None
        self._info: tuple[Block, int] | None = None
        self.next()

    def first(self) -> Any:
        self._pos = self._start
        return self.next()

    def find(self, term: Any) -> Any:
        if not isinstance(term, bytes):
            term = self._fieldobj.to_bytes(term)
        self._pos = self._reader._seek(self._field + term)
        return self.next()

    def next(self) -> Any:
        pos = self._pos
        if pos is not None:
            block, i = self._reader.position_key(pos)
            key = block.keys[i]
            if key[:2] == self._field:
                self._pos = self._reader.next_position(pos)
                self._info = (block, i)
                self._text = self._fieldobj.from_bytes(key[2:])
                return self._text
        self._pos = self._info = self._text = None
        return None

    def text(self) -> Any:
        return self._text

    def term_info(self) -> W3TermInfo | None:
        if self._info is None:
            return None
        block, i = self._info
        return block.term_info(i)

    def is_valid(self) -> bool:
        return self._info is not None
