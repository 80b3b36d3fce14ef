"""Whoosh's W3 codec with posting blocks that decode without one Python object per posting.

Whoosh pickles each block of up to 128 postings as a tuple of ids, weights and values (the
positions, one ``bytes`` object per posting), zlib-compressed. Reading a block to score it
then unpickles and builds every posting's positions, which a ranked search never looks
at: most of a query's time went there (``benchmarks/run.py``, profile in README). This
codec keeps Whoosh's block layout, header and statistics, and changes only what the
block's pickled tuple holds:

* ids: the deltas as one ``array`` of the narrowest unsigned type that fits;
* weights: as Whoosh (None when all 1.0, one float when all equal), else a byte each when
  they are small whole numbers (BM25F sums of integer boosts), else one float array;
* values: the lengths as one array and the bytes joined, split only when a phrase query
  asks for positions.

A tuple of a few ``bytes`` objects unpickles in one step; the postings are decoded by
``array`` and ``itertools.accumulate`` in C. In a block with positions, the ids and
weights are stored bare and the value lengths and positions zlib-compressed (level 1)
together: scoring reads only the bare part, so a ranked search never inflates anything
(at 50,000 documents: query p50 -6%, index +4%, ``benchmarks/run.py``). Other blocks are
compressed whole, as Whoosh does.

The term index is :mod:`terms`'s block dictionary instead of Whoosh's hash file, and a
term with one posting keeps it in its term info (``FieldWriter``, ``InlineMatcher``).

Segments remember the codec they were written with (Whoosh pickles it into the table of
contents), so this class keeps its import path; term-vector lists (byte ids) keep Whoosh's
own encoding.
"""

from __future__ import annotations

import struct
import zlib
from array import array
from itertools import accumulate
from operator import itemgetter, sub
from pickle import dumps, loads
from typing import Any

from whoosh.codec.whoosh3 import (
    WHOOSH3_HEADER_MAGIC,
    W3Codec,
    W3FieldWriter,
    W3LeafMatcher,
    W3PostingsWriter,
    W3TermInfo,
    W3TermsReader,
)
from whoosh.matching import ListMatcher
from whoosh.system import pack_ushort
from whoosh.util.numeric import byte_to_length, length_to_byte

from searchlib.backends.embedded.arrays import narrowest
from searchlib.backends.embedded.names import segment_id
from searchlib.backends.embedded.segment import SearchlibSegment
from searchlib.backends.embedded.stored import StoredReader, StoredWriter
from searchlib.backends.embedded.terms import TermDictReader, TermsWriter, is_terms_file

#: The first item of a block's data tuple when its ids and weights are stored bare and its
#: value lengths and positions zipped together (an older block's is "S" or its ids).
_BARE = "T"
#: Index format 2: ids, weights and lengths zipped together, the positions apart.
_SPLIT = "S"
#: Parts shorter than this are stored unzipped.
_MIN_ZIP = 32
#: A block's header after its length: postings, last id, max weight, compression, min and
#: max length bytes. Whoosh pickles it (a pickle starts with 0x80, never this mark); a
#: struct reads without unpickling, once per block visited (a fifth of a query's time).
_HEADER_MARK = b"S"
_HEADER = struct.Struct("!IIdBBB")
_HEAD_BYTES = 4 + len(_HEADER_MARK) + _HEADER.size


class PostingsWriter(W3PostingsWriter):
    #: A bulk block's values: their lengths and their bytes joined (see ``write_term``).
    _joined: tuple[array, bytes] | None = None
    #: Keep a one-posting list in its term info instead of the postings file (set by the
    #: field writer; term vectors keep Whoosh's lists).
    inline_single = False

    def finish_postings(self) -> W3TermInfo:
        if not (self.inline_single and not self.written() and len(self._ids) == 1):
            return super().finish_postings()
        # (Whoosh's own inlining calls a method W3TermInfo lacks, and pickles the lists.)
        fixedsize = self._format.fixed_value_size()
        value = None if fixedsize == 0 else b"".join(self._values)
        return self._inline(value)

    def _inline(self, value: bytes | None) -> W3TermInfo:
        terminfo: W3TermInfo = getattr(self, "_terminfo")  # noqa: B009 (untyped in Whoosh)
        terminfo.add_block(self)
        terminfo._inlined = ((self._ids[0],), (terminfo.weight(),), (value,))
        setattr(self, "_terminfo", None)  # noqa: B010 (between terms, as Whoosh marks it)
        self._new_block()
        return terminfo

    def write_term(
        self,
        format_: Any,
        ids: array,
        weights: array,
        lengths: array,
        joined: bytes,
        doc_lengths: list[int] | None,
    ) -> W3TermInfo:
        """Write a whole posting list at once, a block per ``blocklimit`` postings.

        ``ids`` ascending, ``weights`` one each, ``lengths`` each posting's value length in
        ``joined`` (0 for formats without values), ``doc_lengths`` the field length per
        document (None when the field has none). Gives the same bytes as ``add_posting``
        per posting, with Python work per block instead of per posting.
        """
        terminfo = W3TermInfo()
        self.start_postings(format_, terminfo)
        limit = self._blocklimit
        count = len(ids)
        offset = 0
        for start in range(0, count, limit):
            end = start + limit
            block = ids[start:end]
            self._ids = block
            self._weights = weights[start:end]
            self._maxweight = max(self._weights)
            sizes = lengths[start:end]
            size = sum(sizes)
            self._joined = (sizes, joined[offset : offset + size])
            offset += size
            if doc_lengths is not None:
                found = (
                    itemgetter(*block)(doc_lengths) if len(block) > 1 else (doc_lengths[block[0]],)
                )
                longest = max(found)
                self._maxlength = longest
                self._minlength = min(n for n in found if n) if longest else None
            if count == 1 and self.inline_single:
                self._joined = None
                fixedsize = format_.fixed_value_size()
                return self._inline(None if fixedsize == 0 else joined)
            self._write_block(last=end >= count)
        self._joined = None
        return self.finish_postings()

    def _mini_ids(self) -> Any:
        if self._byteids:
            return super()._mini_ids()
        ids = self._ids
        deltas = [ids[0], *map(sub, ids[1:], ids)]
        packed = narrowest(deltas, "posting id delta")
        return (packed.typecode, packed.tobytes())

    def _write_block(self, last: bool = False) -> None:
        # W3PostingsWriter._write_block, except that a block with positions is split: ids,
        # weights and value lengths are zipped on their own, the positions apart, and the
        # block itself is not compressed (header compression 0). Scoring reads ids and
        # weights only; unzipping the positions with them was a quarter of a query's time.
        if not self._blockcount:
            self._postfile.write(WHOOSH3_HEADER_MAGIC)
        self._terminfo.add_block(self)
        level: int = getattr(self, "_compression")  # noqa: B009 (Whoosh's attribute is untyped)
        ids, weights, values = self._mini_ids(), self._mini_weights(), self._mini_values()
        if not self._byteids and isinstance(values, tuple) and len(values) == 3:
            code, lengths, joined = values
            plain = lengths + joined
            positions = _zip(plain, level)
            databytes = dumps((_BARE, ids, weights, code, positions, positions is not plain), 5)
            comp = 0
        else:
            # (Whoosh meant to leave blocks under 20 bytes unzipped, but overwrote the flag.)
            plain = dumps((ids, weights, values), 5)
            databytes = _zip(plain, level)
            comp = level if databytes is not plain else 0
        block_ids = self._ids
        infobytes = _HEADER_MARK + _HEADER.pack(
            len(block_ids),
            block_ids[-1],
            self._maxweight,
            comp,
            length_to_byte(self._minlength),
            length_to_byte(self._maxlength),
        )
        blocklength = len(infobytes) + len(databytes)
        postfile = self._postfile
        postfile.write_int(-blocklength if last else blocklength)
        postfile.write(infobytes)
        postfile.write(databytes)
        self._blockcount += 1
        self._new_block()

    def _mini_weights(self) -> Any:
        # W3's minified weights (None when all 1.0, one float when all equal, else all),
        # tested with array.count in C instead of a generator per posting.
        weights = self._weights
        if self._byteids or not isinstance(weights, array):
            return super()._mini_weights()
        n = len(weights)
        first = weights[0]
        if weights.count(first) == n:
            return None if first == 1.0 else first
        # BM25F weights are sums of integer boosts in the common case: a byte each.
        whole = list(map(int, weights))
        if whole == weights.tolist() and min(whole) >= 0 and max(whole) < 256:
            return ("B", bytes(whole))
        return weights.tobytes()

    def _mini_values(self) -> Any:
        if self._byteids:
            return super()._mini_values()
        if self._joined is not None:  # a bulk block (write_term)
            sizes, joined = self._joined[0].tolist(), self._joined[1]
        else:
            sizes, joined = [len(v) for v in self._values], b"".join(self._values)
        fixedsize = self._format.fixed_value_size()
        if not (fixedsize is None or fixedsize < 0):
            return None if fixedsize == 0 else joined  # as W3
        lengths = narrowest(sizes, "posting value length")
        return (lengths.typecode, lengths.tobytes(), joined)


def _zip(data: bytes, level: int) -> bytes:
    """``data`` zlib-compressed, or itself when short (zlib's own overhead is ~11 bytes)."""
    return zlib.compress(data, level) if level and len(data) > _MIN_ZIP else data


class LeafMatcher(W3LeafMatcher):
    _data: Any

    def _goto(self, position: int) -> None:
        # W3LeafMatcher._goto for a block header written as a struct; a pickled header
        # (earlier indexes) takes Whoosh's path.
        head = self._postfile.get(position, _HEAD_BYTES)
        if head[4:5] != _HEADER_MARK:
            super()._goto(position)
            return
        self._data = None
        self._ids: Any = None
        self._weights: Any = None
        self._values: Any = None
        self._i = 0
        length = int.from_bytes(head[:4], "big", signed=True)
        if length < 0:
            self._lastblock = True
            length = -length
        self._nextoffset = position + 4 + length
        self._dataoffset = position + _HEAD_BYTES
        (
            self._blocklength,
            self._maxid,
            self._maxweight,
            self._compression,
            shortest,
            longest,
        ) = _HEADER.unpack_from(head, 5)
        self._minlength = byte_to_length(shortest)
        self._maxlength = byte_to_length(longest)

    def _read_data(self) -> None:
        super()._read_data()
        data = self._data
        if data[0] == _BARE:
            _, ids, weights, code, positions, zipped = data
            self._data = (ids, weights, (_BARE, code, positions, zipped))
        elif data[0] == _SPLIT:
            _, packed, positions, (packed_zipped, positions_zipped) = data
            ids, weights, lengths = loads(zlib.decompress(packed) if packed_zipped else packed)
            self._data = (ids, weights, (*lengths, positions, positions_zipped))

    def _read_ids(self) -> None:
        if self._data is None:
            self._read_data()
        code, packed = self._data[0]
        self._ids = list(accumulate(array(code, packed)))

    def _read_weights(self) -> None:
        if self._data is None:
            self._read_data()
        weights = self._data[1]
        block: Any
        if isinstance(weights, bytes):
            block = array("f")
            block.frombytes(weights)
            self._weights = block
        elif isinstance(weights, tuple) and weights and weights[0] == "B":
            block = array("B", weights[1])
            self._weights = block
        else:
            super()._read_weights()

    def _read_values(self) -> None:
        if self._data is None:
            self._read_data()
        fixedsize = self._fixedsize
        if not (fixedsize is None or fixedsize < 0):
            super()._read_values()
            return
        stored = self._data[2]
        if stored[0] == _BARE:  # lengths and positions zipped together, apart from the ids
            _, code, joined, zipped = stored
            if zipped:
                joined = zlib.decompress(joined)
            size = array(code).itemsize * self._blocklength
            packed, joined = joined[:size], joined[size:]
        elif len(stored) == 4:  # a split block: the positions are zipped on their own
            code, packed, joined, zipped = stored
            if zipped:
                joined = zlib.decompress(joined)
        else:
            code, packed, joined = stored
        ends = accumulate(array(code, packed))
        start = 0
        values = []
        for end in ends:
            values.append(joined[start:end])
            start = end
        self._values = tuple(values)


class InlineMatcher(ListMatcher):
    """A term's one posting, kept in its term info: Whoosh's list matcher, which the fast
    path (``fastpath._blocks``) also reads as a posting list of one block."""

    def copy(self) -> InlineMatcher:
        return InlineMatcher(
            self._ids,
            self._weights,
            self._values,
            self._format,
            self._scorer,
            self._i,
            self._all_weights,
            self._term,
            self._terminfo,
        )

    # W3LeafMatcher's block interface, for a list of one block.

    @property
    def _maxid(self) -> int:
        return int(self._ids[-1])

    @property
    def _maxweight(self) -> float:
        return float(self._terminfo.max_weight())

    @property
    def _minlength(self) -> int:
        return int(self._terminfo.min_length())

    def _read_ids(self) -> None:
        pass  # the ids are in the term info

    def _read_weights(self) -> None:
        pass

    def _next_block(self) -> None:
        self._i = len(self._ids)


class FieldWriter(W3FieldWriter):
    """W3's field writer with the term dictionary of :mod:`terms` and one-posting lists
    inlined in their term infos."""

    def __init__(self, codec: Any, storage: Any, segment: Any) -> None:
        # W3FieldWriter.__init__, except that the term index is not Whoosh's hash file.
        self._codec = codec
        self._storage = storage
        self._segment = segment
        self._fieldname = None
        self._fieldid = None
        self._btext = None
        self._fieldobj = None
        self._format = None
        self._tindex = TermsWriter(self._create_file(W3Codec.TERMS_EXT))
        self._fieldmap = self._tindex.fieldmap
        self._postfile = self._create_file(W3Codec.POSTS_EXT)
        self._postwriter: Any = None
        self._infield = False
        self.is_closed = False

    def start_field(self, fieldname: str, fieldobj: Any) -> None:
        super().start_field(fieldname, fieldobj)
        self._postwriter.inline_single = True

    def finish_term(self) -> None:
        terminfo = self._postwriter.finish_postings()
        self._tindex.add(pack_ushort(self._fieldid) + self._btext, terminfo)

    def add_term(
        self,
        btext: bytes,
        ids: array,
        weights: array,
        lengths: array,
        joined: bytes,
        doc_lengths: list[int] | None,
    ) -> None:
        """A term's whole posting list, between ``start_field`` and ``finish_field``."""
        terminfo = self._postwriter.write_term(
            self._format, ids, weights, lengths, joined, doc_lengths
        )
        self._tindex.add(pack_ushort(self._fieldid) + btext, terminfo)


class SearchlibCodec(W3Codec):
    """W3 with the posting blocks above (128 postings a block, zlib level 1)."""

    def __init__(self, blocklimit: int = 128, compression: int = 1, inlinelimit: int = 1):
        super().__init__(blocklimit, compression, inlinelimit)

    def new_segment(self, storage: Any, indexname: str) -> SearchlibSegment:
        return SearchlibSegment(self, indexname, segid=segment_id())

    def field_writer(self, storage: Any, segment: Any) -> FieldWriter:
        return FieldWriter(self, storage, segment)

    def postings_writer(self, dbfile: Any, byteids: bool = False) -> PostingsWriter:
        return PostingsWriter(
            dbfile,
            blocklimit=self._blocklimit,
            byteids=byteids,
            compression=self._compression,
            inlinelimit=self._inlinelimit,
        )

    def postings_reader(
        self, dbfile: Any, terminfo: Any, format_: Any, term: Any = None, scorer: Any = None
    ) -> Any:
        if terminfo.is_inlined():
            ids, weights, values = terminfo.inlined_postings()
            return InlineMatcher(
                ids, weights, values, format_, scorer=scorer, term=term, terminfo=terminfo
            )
        offset, length = terminfo.extent()
        return LeafMatcher(dbfile, offset, length, format_, term=term, scorer=scorer)

    def terms_reader(self, storage: Any, segment: Any) -> Any:
        """The term dictionary of :mod:`terms`, or Whoosh's hash file in segments written
        before it (index formats 1 to 3)."""
        name = segment.make_filename(self.TERMS_EXT)
        length = storage.file_length(name)
        dbfile = storage.open_file(name)
        postfile = segment.open_file(storage, self.POSTS_EXT)
        if is_terms_file(dbfile.get(0, 4)):
            # A segment's id names its files' contents: they are never rewritten.
            return TermDictReader(self, dbfile, length, postfile, key=(segment.segid, length))
        return W3TermsReader(self, dbfile, length, postfile)

    # Stored fields: one compressed column with a trained dictionary (stored.py).

    def per_document_writer(self, storage: Any, segment: Any) -> StoredWriter:
        return StoredWriter(self, storage, segment)

    def per_document_reader(self, storage: Any, segment: Any) -> StoredReader:
        return StoredReader(storage, segment)
