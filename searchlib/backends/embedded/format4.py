"""The read path of index format 4 (and the format-2 and format-3 segments a format-4
index may still hold): legacy only, never written.

Format 4 stored posting blocks, inlined postings and stored fields as pickles, and its
term dictionary as ``marshal`` data: this module unpickles them. Reading such an index
runs whatever its pickles name, so open only format-4 indexes you trust; new segments, and
every segment a merge rewrites, are written in format 5 (:mod:`codec`), which holds no
pickles.

Format-4 segments were pickled into the table of contents as Whoosh's ``W3Segment`` state
naming ``searchlib._whoosh.segment.SearchlibSegment`` and
``searchlib._whoosh.codec.SearchlibCodec``. To unpickle that state these two classes
subclass Whoosh's W3 classes (whose attributes the pickles hold) and override only public
methods; they keep those import paths (``__module__``) so a table of contents rewritten
with old segments in it names the same classes.
"""

from __future__ import annotations

import io
import marshal
import pickle
import struct
import threading
import zlib
from array import array
from itertools import accumulate
from typing import Any

from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3Codec, W3PerDocReader, W3Segment, W3TermsReader
from whoosh.columns import Column, VarBytesColumn
from whoosh.util.numeric import byte_to_length

from searchlib.backends.embedded.integrity import Place
from searchlib.backends.embedded.integrity import checked as checked_by
from searchlib.backends.embedded.postings import BlockMatcher, Head, InlineMatcher, PostingsFile
from searchlib.backends.embedded.segment import mapped_compound, place_of
from searchlib.backends.embedded.terms import Block, Columns, TermDictReader, Trailer, split

__all__ = ["SearchlibCodec", "SearchlibSegment"]

TERMS_EXT = ".trm"
POSTS_EXT = ".pst"
TERMS_MAGIC = b"SLT1"
TERMS_FOOTER = struct.Struct(">Q4s")
#: Whoosh's tag at the start of every posting list.
LIST_MAGIC = b"W3Bl"
#: A block header written as a struct (after the block length): postings, last id, max
#: weight, compression, min and max length bytes; older blocks pickled it.
HEADER_MARK = b"S"
HEADER = struct.Struct("!IIdBBB")
HEAD_BYTES = 4 + len(HEADER_MARK) + HEADER.size
#: The first item of a block's data tuple: ids and weights bare, value lengths and
#: positions zipped together ("T"); ids, weights and lengths zipped apart ("S").
BARE = "T"
SPLIT = "S"
STORED_COLUMN = "_zstored"
STORED_MAGIC = b"SLZ1"
STORED_TRAILER = struct.Struct("<I4s")


def checked(place: Place, what: str, decode: Any) -> Any:
    """``decode()``; anything unpickling damaged bytes raises (format 4 has no checksums,
    and a damaged pickle can raise nearly any exception) is a StorageError."""
    return checked_by(place, what, decode, errors=(Exception,))


def length_column(fieldname: str) -> str:
    """The name format 4 (Whoosh's W3 layout) gave a field's length column."""
    return f"_{fieldname}_len"


# -- posting blocks ---------------------------------------------------------------------


class Format4Postings(PostingsFile):
    """Reads format-4 posting blocks (pickled data tuples) from a ``.pst`` file: the same
    file handling as format 5's, other blocks."""

    def head(self, position: int) -> Head:
        return checked(self.place, f"posting block at {position}", lambda: self.read_head(position))

    def read_head(self, position: int) -> Head:
        head = self.postfile.get(position, HEAD_BYTES)
        length = int.from_bytes(head[:4], "big", signed=True)
        final = length < 0
        next_at = position + 4 + abs(length)
        if head[4:5] == HEADER_MARK:
            count, last, top, comp, shortest, longest = HEADER.unpack_from(head, 5)
            data_at = position + HEAD_BYTES
        else:  # a pickled header
            stream = io.BytesIO(self.postfile.get(position + 4, abs(length)))
            count, last, top, comp, shortest, longest = pickle.load(stream)
            data_at = position + 4 + stream.tell()
        return Head(
            count,
            last,
            top,
            byte_to_length(shortest),
            byte_to_length(longest),
            final,
            next_at,
            data_at,
            comp,
            0,
            0,
        )

    def data(self, head: Head) -> Any:
        return checked(self.place, "posting block", lambda: self.read_data(head))

    def read_data(self, head: Head) -> Any:
        raw = self.postfile.get(head.data_at, head.next_at - head.data_at)
        data = pickle.loads(zlib.decompress(raw) if head.flags else raw)
        if data[0] == BARE:
            _, ids, weights, code, positions, zipped = data
            return (ids, weights, (BARE, code, positions, zipped))
        if data[0] == SPLIT:
            _, packed, positions, (packed_zipped, positions_zipped) = data
            ids, weights, lengths = pickle.loads(
                zlib.decompress(packed) if packed_zipped else packed
            )
            return (ids, weights, (*lengths, positions, positions_zipped))
        return data

    def ids_weights(self, head: Head, data: Any) -> tuple[list[int], Any]:
        return checked(self.place, "posting block", lambda: decode_ids(head.size, data))

    def values(self, head: Head, data: Any, fixedsize: int | None) -> tuple:
        return checked(
            self.place, "posting block", lambda: decode_values(head.size, data, fixedsize)
        )


def decode_ids(count: int, data: Any) -> tuple[list[int], Any]:
    code, packed = data[0]
    ids = list(accumulate(array(code, packed)))
    weights = data[1]
    if weights is None:
        return ids, array("f", [1.0]) * count
    if isinstance(weights, float):
        return ids, array("f", [weights]) * count
    if isinstance(weights, bytes):
        return ids, array("f", weights)
    if isinstance(weights, tuple) and weights and weights[0] == "B":
        return ids, array("B", weights[1])
    return ids, weights


def decode_values(count: int, data: Any, fixedsize: int | None) -> tuple:
    stored = data[2]
    if not (fixedsize is None or fixedsize < 0):
        if fixedsize == 0:
            return (None,) * count
        return tuple(stored[i : i + fixedsize] for i in range(0, len(stored), fixedsize))
    if stored[0] == BARE:  # lengths and positions zipped together, apart from the ids
        _, code, joined, zipped = stored
        if zipped:
            joined = zlib.decompress(joined)
        size = array(code).itemsize * count
        packed, joined = joined[:size], joined[size:]
    elif len(stored) == 4:  # the positions zipped on their own
        code, packed, joined, zipped = stored
        if zipped:
            joined = zlib.decompress(joined)
    else:
        code, packed, joined = stored
    values = []
    start = 0
    for end in accumulate(array(code, packed)):
        values.append(joined[start:end])
        start = end
    return tuple(values)


# -- term dictionary --------------------------------------------------------------------


class Format4Blocks:
    """Format 4's term-dictionary blocks and trailer (zlib-compressed ``marshal``)."""

    def read_trailer(self, place: Place, data: Any, length: int) -> Trailer:
        def decode() -> Trailer:
            start, magic = TERMS_FOOTER.unpack(bytes(data[length - TERMS_FOOTER.size : length]))
            if magic != TERMS_MAGIC:
                raise ValueError("bad footer")
            raw = zlib.decompress(data[start : length - TERMS_FOOTER.size])
            fieldmap, firsts, offsets = marshal.loads(raw)
            return Trailer(fieldmap, firsts, array("Q", [*offsets, start]))

        return checked(place, "term dictionary trailer", decode)

    def read_block(self, place: Place, raw: Any) -> Block:
        def decode() -> Block:
            columns = list(marshal.loads(zlib.decompress(raw)))
            for i, column in enumerate(columns):
                if isinstance(column, tuple):  # (type code, bytes): an array
                    columns[i] = array(column[0], column[1])
            return Block(split(columns[1], columns[0]), [], Columns(*columns[2:]))

        return checked(place, "term dictionary block", decode)


# -- stored fields ----------------------------------------------------------------------


class Format4StoredReader:
    """Format 4's stored-fields column: each document's pickled fields, deflated with the
    segment's dictionary."""

    def __init__(self, dbfile: Any, basepos: int, length: int, doccount: int) -> None:
        end = basepos + length
        size, magic = STORED_TRAILER.unpack(
            dbfile.get(end - STORED_TRAILER.size, STORED_TRAILER.size)
        )
        if magic != STORED_MAGIC:
            raise ValueError(f"stored-fields column has an unknown format ({magic!r})")
        dict_start = end - STORED_TRAILER.size - size
        self.zdict = zlib.decompress(dbfile.get(dict_start, size))
        self.column = VarBytesColumn().reader(dbfile, basepos, dict_start - basepos, doccount)

    def __getitem__(self, docnum: int) -> dict[str, Any]:
        value = self.column[docnum]
        if not value:
            return {}
        fields: dict[str, Any] = pickle.loads(zlib.decompressobj(-15, self.zdict).decompress(value))
        return fields


class Format4StoredColumn(Column):
    def reader(self, dbfile: Any, basepos: int, length: int, doccount: int) -> Any:
        return Format4StoredReader(dbfile, basepos, length, doccount)


class Format4PerDocReader(W3PerDocReader):
    """Whoosh's W3 per-document reader, with format 4's stored-fields column."""

    def __init__(self, storage: Any, segment: Any) -> None:
        super().__init__(storage, segment)
        self.place = place_of(segment, ".col")
        self.zstored: Any = None
        self.zstored_lock = threading.Lock()

    def stored_fields(self, docnum: int) -> dict[str, Any]:
        if not self.has_column(STORED_COLUMN):
            fields: dict[str, Any] = super().stored_fields(docnum)
            return fields
        if self.zstored is None:
            with self.zstored_lock:
                if self.zstored is None:
                    self.zstored = checked(
                        self.place,
                        "stored fields",
                        lambda: self.column_reader(STORED_COLUMN, Format4StoredColumn()),
                    )
        return checked(
            self.place, f"stored fields of document {docnum}", lambda: self.zstored[docnum]
        )

    def length_bytes(self, fieldname: str) -> bytes | None:
        """Each document's length byte in ``fieldname`` (None when no document has it)."""
        name = length_column(fieldname)
        if not self.has_column(name):
            return None
        column = self.column_reader(name, LENGTHS_COLUMN)
        return bytes(column[i] for i in range(self.doc_count_all()))

    def verify(self) -> int:
        """Decode every document's stored fields (format 4 has no checksums)."""
        for docnum in range(self.doc_count_all()):
            self.stored_fields(docnum)
        return int(self.doc_count_all())


# -- the classes format-4 tables of contents name ---------------------------------------


class SearchlibCodec(W3Codec):
    """Reads format-4 segments (see the module docstring); never writes."""

    __module__ = "searchlib._whoosh.codec"

    def terms_reader(self, storage: Any, segment: Any) -> Any:
        name = segment.make_filename(TERMS_EXT)
        length = storage.file_length(name)
        dbfile = storage.open_file(name)
        postfile = Format4Postings(
            segment.open_file(storage, POSTS_EXT), place_of(segment, POSTS_EXT)
        )
        if dbfile.get(0, 4) == TERMS_MAGIC:
            return TermDictReader(
                self,
                dbfile,
                length,
                postfile,
                place_of(segment, TERMS_EXT),
                key=(segment.segment_id(), length),
                blocks=Format4Blocks(),
            )
        # Whoosh's hash file (index formats 2 and 3).
        return W3TermsReader(self, dbfile, length, postfile)

    def postings_reader(
        self, dbfile: Any, terminfo: Any, format_: Any, term: Any = None, scorer: Any = None
    ) -> Any:
        if terminfo.is_inlined():
            return InlineMatcher(terminfo, format_, term=term, scorer=scorer)
        if not isinstance(dbfile, Format4Postings):
            dbfile = Format4Postings(dbfile, Place(POSTS_EXT, POSTS_EXT))
        offset, _ = terminfo.extent()
        if dbfile.postfile.get(offset, 4) != LIST_MAGIC:
            raise dbfile.place.error(f"posting list at {offset}: bad tag")
        return BlockMatcher(
            dbfile, offset + 4, format_, term=term, scorer=scorer, terminfo=terminfo
        )

    def per_document_reader(self, storage: Any, segment: Any) -> Format4PerDocReader:
        return Format4PerDocReader(storage, segment)


class SearchlibSegment(W3Segment):
    """A format-4 segment, its files read from a memory map."""

    __module__ = "searchlib._whoosh.segment"

    def open_compound_file(self, storage: Any) -> Any:
        return mapped_compound(storage, self.make_filename(self.COMPOUND_EXT))
