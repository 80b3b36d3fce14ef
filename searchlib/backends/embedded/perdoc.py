"""Per-document data of a segment: field lengths, stored fields, Whoosh columns and term
vectors, each checksummed.

Files: ``.dln`` the field lengths (``MAGIC_LENGTHS``, the CRC-32 of the rest, then a record
of the field names as JSON and one length byte per document for each field), ``.sto`` the
stored fields (:mod:`stored`), ``.col`` the columns and vectors (``MAGIC_COLUMNS``, each
column's bytes as Whoosh's column writer wrote them, each field's vectors, a JSON
directory of name -> [offset, length, CRC-32], then the directory's offset, its CRC-32 and
``MAGIC_COLUMNS`` again). A document's vector is a record of its terms, their weights
(32-bit floats) and their values; a field's vectors are a record of the offsets of the
documents' vectors and the vectors joined.
"""

from __future__ import annotations

import io
import json
import struct
from array import array
from typing import Any

from whoosh.codec.base import PerDocumentReader, PerDocumentWriter
from whoosh.filedb.structfile import StructFile
from whoosh.matching import ListMatcher
from whoosh.util.numeric import byte_to_length, length_to_byte

from searchlib.backends.embedded.arrays import (
    narrowest,
    pack_array,
    pack_parts,
    unpack_array,
    unpack_parts,
)
from searchlib.backends.embedded.integrity import Place, checked, crc
from searchlib.backends.embedded.segment import place_of
from searchlib.backends.embedded.stored import EXT as STORED_EXT
from searchlib.backends.embedded.stored import StoredFile, StoredFileWriter

__all__ = ["PerDocReader", "PerDocWriter"]

LENGTHS_EXT = ".dln"
#: A column Whoosh's ``sorting.add_sortable`` adds to a written segment, as a file of its
#: own beside the segment (Whoosh's column layout, no checksum of ours).
ADDED_COLUMN_EXT = ".col"
COLUMNS_EXT = ".col"
MAGIC_LENGTHS = b"SLL5"
MAGIC_COLUMNS = b"SLC5"
CRC = struct.Struct("<I")
FOOTER = struct.Struct("<QI4s")


class KeptBytes(io.BytesIO):
    """A buffer a column writer may close: its bytes stay readable."""

    def close(self) -> None:
        pass


def encode_vector(items: list[tuple[Any, float, bytes]]) -> bytes:
    texts = [t if isinstance(t, bytes) else t.encode("utf-8") for t, _, _ in items]
    values = [v or b"" for _, _, v in items]
    return pack_parts(
        [
            pack_array(narrowest([len(t) for t in texts])),
            b"".join(texts),
            pack_array(array("f", [w for _, w, _ in items])),
            pack_array(narrowest([len(v) for v in values])),
            b"".join(values),
        ]
    )


def split(sizes: array, joined: bytes) -> list[bytes]:
    out = []
    start = 0
    for size in sizes:
        out.append(joined[start : start + size])
        start += size
    if start != len(joined):
        raise ValueError("lengths do not add up")
    return out


def decode_vector(data: bytes) -> tuple[list[str], list[float], list[bytes]]:
    text_sizes, texts, weights, value_sizes, values = unpack_parts(data)
    words = [t.decode("utf-8") for t in split(unpack_array(text_sizes), texts)]
    return words, list(unpack_array(weights)), split(unpack_array(value_sizes), values)


class PerDocWriter(PerDocumentWriter):
    """Writes a segment's per-document files (see the module docstring)."""

    def __init__(self, storage: Any, segment: Any) -> None:
        self.storage = storage
        self.segment = segment
        self.stored = StoredFileWriter(segment.create_file(storage, STORED_EXT))
        self.lengths: dict[str, bytearray] = {}
        self.totals: dict[str, int] = {}
        self.columns: dict[str, tuple[Any, KeptBytes]] = {}
        self.vectors: dict[str, dict[int, bytes]] = {}
        self.docnum = -1
        self.doccount = 0
        self.fields: dict[str, Any] = {}
        #: The current document's lengths, taken back if it is cancelled.
        self.doc_lengths: dict[str, int] = {}
        self.in_doc = False
        self.is_closed = False

    def start_doc(self, docnum: int) -> None:
        if self.in_doc:
            raise RuntimeError("start_doc called inside a document")
        self.docnum = docnum
        self.doccount = docnum + 1
        self.fields = {}
        self.doc_lengths = {}
        self.in_doc = True

    def add_field(self, fieldname: str, fieldobj: Any, value: Any, length: int) -> None:
        if value is not None:
            self.fields[fieldname] = value
        if length:
            column = self.lengths.setdefault(fieldname, bytearray())
            if len(column) <= self.docnum:
                column.extend(bytes(self.docnum + 1 - len(column)))
            column[self.docnum] = length_to_byte(length)
            self.totals[fieldname] = self.totals.get(fieldname, 0) + length
            self.doc_lengths[fieldname] = length

    def add_column_value(self, fieldname: str, columnobj: Any, value: Any) -> None:
        found = self.columns.get(fieldname)
        if found is None:
            buffer = KeptBytes()
            found = self.columns[fieldname] = (columnobj.writer(StructFile(buffer)), buffer)
        found[0].add(self.docnum, value)

    def add_vector_items(self, fieldname: str, fieldobj: Any, items: Any) -> None:
        items = list(items)
        if items:
            self.vectors.setdefault(fieldname, {})[self.docnum] = encode_vector(items)

    def finish_doc(self) -> None:
        if self.in_doc:
            self.stored.add(self.docnum, self.fields)
        self.in_doc = False

    def cancel_doc(self) -> None:
        # The document's lengths and vectors go; Whoosh's column writers cannot take a
        # value back (the next document's replaces it).
        for fieldname, length in self.doc_lengths.items():
            self.lengths[fieldname][self.docnum] = 0
            self.totals[fieldname] -= length
        for docs in self.vectors.values():
            docs.pop(self.docnum, None)
        self.doccount = self.docnum
        self.in_doc = False

    def close(self) -> None:
        if self.in_doc:
            self.finish_doc()
        doccount = self.doccount
        self.stored.finish(doccount)
        self.write_lengths(doccount)
        self.write_columns(doccount)
        self.segment.field_totals = dict(self.totals)
        self.is_closed = True

    def write_lengths(self, doccount: int) -> None:
        names = sorted(self.lengths)
        columns = [bytes(self.lengths[n][:doccount].ljust(doccount, b"\0")) for n in names]
        record = pack_parts([json.dumps(names).encode("utf-8"), *columns])
        with self.segment.create_file(self.storage, LENGTHS_EXT) as f:
            f.write(MAGIC_LENGTHS + CRC.pack(crc(record)) + record)

    def write_columns(self, doccount: int) -> None:
        directory: dict[str, dict[str, list[int]]] = {"columns": {}, "vectors": {}}
        with self.segment.create_file(self.storage, COLUMNS_EXT) as f:
            f.write(MAGIC_COLUMNS)
            for name, (writer, buffer) in sorted(self.columns.items()):
                writer.finish(doccount)
                self.write_part(f, directory["columns"], name, buffer.getvalue())
            for name, docs in sorted(self.vectors.items()):
                offsets = []
                joined = []
                at = 0
                for docnum in range(doccount):
                    offsets.append(at)
                    data = docs.get(docnum, b"")
                    joined.append(data)
                    at += len(data)
                offsets.append(at)
                data = pack_parts([pack_array(narrowest(offsets)), b"".join(joined)])
                self.write_part(f, directory["vectors"], name, data)
            start = f.tell()
            raw = json.dumps(directory, sort_keys=True).encode("utf-8")
            f.write(raw)
            f.write(FOOTER.pack(start, crc(raw), MAGIC_COLUMNS))

    @staticmethod
    def write_part(f: Any, directory: dict[str, list[int]], name: str, data: bytes) -> None:
        directory[name] = [f.tell(), len(data), crc(data)]
        f.write(data)


class PerDocReader(PerDocumentReader):
    """Reads a segment's per-document files; each is opened when first asked for."""

    def __init__(self, storage: Any, segment: Any) -> None:
        self.storage = storage
        self.segment = segment
        self.doccount = segment.doc_count_all()
        self.opened: list[Any] = []
        self.stored: StoredFile | None = None
        self.lengths: dict[str, bytes] | None = None
        self.coldir: dict[str, dict[str, list[int]]] | None = None
        self.colfile: Any = None
        self.checked_parts: set[tuple[str, str]] = set()
        self.added: dict[str, str | None] = {}
        self.vectors: dict[str, tuple[array, bytes]] = {}
        self.is_closed = False

    def open(self, ext: str) -> tuple[Any, int, Place]:
        name = self.segment.make_filename(ext)
        place = place_of(self.segment, ext)
        try:
            length = self.storage.file_length(name)
            dbfile = self.storage.open_file(name)
        except (OSError, KeyError, NameError):
            raise place.error("missing") from None
        self.opened.append(dbfile)
        return dbfile, length, place

    def close(self) -> None:
        for dbfile in self.opened:
            dbfile.close()
        self.opened = []
        self.is_closed = True

    # -- documents and deletions ----------------------------------------------------------

    def doc_count(self) -> int:
        return self.doccount - self.segment.deleted_count()

    def doc_count_all(self) -> int:
        return self.doccount

    def has_deletions(self) -> bool:
        return bool(self.segment.has_deletions())

    def is_deleted(self, docnum: int) -> bool:
        return bool(self.segment.is_deleted(docnum))

    def deleted_docs(self) -> Any:
        return self.segment.deleted_docs()

    # -- stored fields --------------------------------------------------------------------

    def stored_file(self) -> StoredFile:
        if self.stored is None:
            self.stored = StoredFile(*self.open(STORED_EXT))
        return self.stored

    def stored_fields(self, docnum: int) -> dict[str, Any]:
        return self.stored_file().fields(docnum)

    # -- lengths --------------------------------------------------------------------------

    def length_columns(self) -> dict[str, bytes]:
        if self.lengths is None:
            dbfile, length, place = self.open(LENGTHS_EXT)
            raw = dbfile.get(0, length)
            if len(raw) < 8 or raw[:4] != MAGIC_LENGTHS:
                raise place.error("field lengths: bad header (truncated?)")
            record = raw[8:]
            place.check(record, CRC.unpack_from(raw, 4)[0], "field lengths")

            def decode() -> dict[str, bytes]:
                names, *columns = unpack_parts(record)
                return dict(zip(json.loads(names), columns, strict=True))

            lengths = checked(place, "field lengths", decode)
            for name, column in lengths.items():
                if len(column) != self.doccount:
                    raise place.error(f"field lengths of {name!r}: {len(column)} documents")
            self.lengths = lengths
        return self.lengths

    def length_bytes(self, fieldname: str) -> bytes | None:
        """Each document's length in ``fieldname`` as a length byte (``byte_to_length``),
        or None when no document has the field."""
        return self.length_columns().get(fieldname)

    def doc_field_length(self, docnum: int, fieldname: str, default: int = 0) -> int:
        if docnum >= self.doccount:
            raise IndexError(f"document {docnum} of {self.doccount}")
        column = self.length_columns().get(fieldname)
        if column is None or not column[docnum]:
            return default
        return int(byte_to_length(column[docnum]))

    def field_length(self, fieldname: str) -> int:
        return int(self.segment.field_totals.get(fieldname, 0))

    def min_field_length(self, fieldname: str) -> int:
        column = self.length_columns().get(fieldname)
        return int(byte_to_length(min(column))) if column else 0

    def max_field_length(self, fieldname: str) -> int:
        column = self.length_columns().get(fieldname)
        return int(byte_to_length(max(column))) if column else 0

    # -- columns and vectors --------------------------------------------------------------

    def directory(self) -> dict[str, dict[str, list[int]]]:
        if self.coldir is None:
            dbfile, length, place = self.open(COLUMNS_EXT)
            what = "columns directory"
            if length < len(MAGIC_COLUMNS) + FOOTER.size:
                raise place.error(f"{what}: truncated")
            start, dir_crc, magic = FOOTER.unpack(dbfile.get(length - FOOTER.size, FOOTER.size))
            if magic != MAGIC_COLUMNS or not 4 <= start <= length - FOOTER.size:
                raise place.error(f"{what}: bad footer (truncated?)")
            raw = dbfile.get(start, length - FOOTER.size - start)
            place.check(raw, dir_crc, what)
            self.coldir = checked(place, what, lambda: json.loads(raw))
            self.colfile = (dbfile, place)
        return self.coldir

    def part(self, kind: str, name: str) -> tuple[Any, int, int]:
        """The column file and where a column's (or a field's vectors') bytes are in it,
        checked once per reader."""
        offset, length, part_crc = self.directory()[kind][name]
        dbfile, place = self.colfile
        if (kind, name) not in self.checked_parts:
            place.check(dbfile.get(offset, length), part_crc, f"{kind[:-1]} {name!r}")
            self.checked_parts.add((kind, name))
        return dbfile, offset, length

    def supports_columns(self) -> bool:
        return True

    def added_column(self, fieldname: str) -> str | None:
        """The file of a column added beside the segment, if any (looked up once: asked
        per hit, and a lookup is a file-system call)."""
        if fieldname not in self.added:
            name = self.segment.make_filename(f".{fieldname}{ADDED_COLUMN_EXT}")
            self.added[fieldname] = name if self.storage.file_exists(name) else None
        return self.added[fieldname]

    def has_column(self, fieldname: str) -> bool:
        return fieldname in self.directory()["columns"] or bool(self.added_column(fieldname))

    def list_columns(self) -> list[str]:
        return list(self.directory()["columns"])

    def column_reader(self, fieldname: str, column: Any) -> Any:
        if fieldname not in self.directory()["columns"]:
            added = self.added_column(fieldname)
            if added is None:
                raise KeyError(f"no column {fieldname!r}")
            dbfile = self.storage.open_file(added)
            self.opened.append(dbfile)
            return column.reader(dbfile, 0, self.storage.file_length(added), self.doccount)
        dbfile, offset, length = self.part("columns", fieldname)
        return column.reader(dbfile, offset, length, self.doccount)

    def vector_record(self, docnum: int, fieldname: str) -> bytes:
        if fieldname not in self.directory()["vectors"]:
            return b""
        found = self.vectors.get(fieldname)
        if found is None:
            dbfile, offset, length = self.part("vectors", fieldname)
            _, place = self.colfile
            data = dbfile.get(offset, length)

            def decode() -> tuple[array, bytes]:
                offsets, joined = unpack_parts(data)
                return unpack_array(offsets), joined

            found = self.vectors[fieldname] = checked(place, f"vectors {fieldname!r}", decode)
        offsets, joined = found
        return joined[offsets[docnum] : offsets[docnum + 1]]

    def has_vector(self, docnum: int, fieldname: str) -> bool:
        return bool(self.vector_record(docnum, fieldname))

    def vector(self, docnum: int, fieldname: str, format_: Any) -> ListMatcher:
        record = self.vector_record(docnum, fieldname)
        if not record:
            raise KeyError(f"field {fieldname!r} has no vector in document {docnum}")
        _, place = self.colfile
        words, weights, values = checked(
            place, f"vector of document {docnum}", lambda: decode_vector(record)
        )
        return ListMatcher(words, weights, values, format_)

    # -- integrity ------------------------------------------------------------------------

    def verify(self) -> int:
        """Read and check every per-document record (StorageError on damage); the number
        of documents."""
        self.length_columns()
        stored = self.stored_file()
        if len(stored) != self.doccount:
            raise stored.place.error(f"stored fields: {len(stored)} documents")
        for docnum in range(self.doccount):
            stored.fields(docnum)
        directory = self.directory()
        for name in directory["columns"]:
            self.part("columns", name)
        for name in directory["vectors"]:
            for docnum in range(self.doccount):
                if self.has_vector(docnum, name):
                    self.vector(docnum, name, None)
        return self.doccount
