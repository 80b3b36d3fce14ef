"""Stored fields: each document's fields in the engine's own encoding, deflated with a
dictionary trained on the segment's own documents, and checksummed.

Each document is compressed on its own (a hit decodes only its own bytes), but raw deflate
is primed with a preset dictionary (zlib's ``zdict``): the last ``DICT_BYTES`` of the
segment's first ``TRAIN_BYTES`` of encoded documents, stored once in the segment. A segment
smaller than that gets no dictionary: it would cost more than it saves.

A document's fields are encoded without pickle (:func:`encode_fields`): per field a type
tag, the name and the value as text, so a value comes back with its Python type -- a
string, a list of strings, a datetime, a date, an int, a float, a bool, None, a tuple
(of JSON values), or anything else JSON holds.

Layout of the ``.sto`` file: ``MAGIC``; each document's record, the CRC-32 of its
deflated bytes (4 bytes, little-endian) then those bytes (nothing at all for a document
with nothing stored); the tail, a record (:func:`~searchlib.backends.embedded.arrays.pack_parts`)
of the record offsets (one per document, and the end) and the dictionary (deflated);
then the tail's offset (8 bytes), its CRC-32 and ``MAGIC`` again.
"""

from __future__ import annotations

import json
import struct
import zlib
from array import array
from datetime import date, datetime
from typing import Any

from searchlib.backends.embedded.arrays import (
    narrowest,
    pack_array,
    pack_parts,
    unpack_array,
    unpack_parts,
)
from searchlib.backends.embedded.integrity import DECODE_ERRORS, Place, checked, crc
from searchlib.backends.embedded.segment import range_reader
from searchlib.errors import StorageError

__all__ = ["StoredFile", "StoredFileWriter", "decode_fields", "encode_fields"]

EXT = ".sto"
MAGIC = b"SLS5"
#: deflate's window is 32 KB: a longer dictionary would never be referenced.
DICT_BYTES = 32 * 1024
#: Documents buffered before the dictionary is chosen. The dictionary costs about half its
#: size on disk and saves about a fifth of each document: worth it past ~50 articles.
TRAIN_BYTES = 4 * DICT_BYTES
#: Priming deflate with the dictionary makes each document dearer to compress, much more so
#: from level 3 up, for documents only a few percent smaller: level 2 keeps the stored
#: fields a small part of the build. zlib's default memLevel 8: same size as 9, faster.
LEVEL = 2
MEM_LEVEL = 8
CRC = struct.Struct("<I")
FOOTER = struct.Struct("<QI4s")


STR, LIST, DATETIME, DATE, INT, FLOAT, BOOL, NONE, JSON, TUPLE = range(10)


def encode_value(value: Any) -> tuple[int, list[str]]:
    """A value's type tag and its text (a list of strings: its items)."""
    if isinstance(value, str):
        return STR, [value]
    if isinstance(value, bool):
        return BOOL, ["1" if value else "0"]
    if isinstance(value, int):
        return INT, [str(value)]
    if isinstance(value, float):
        return FLOAT, [repr(value)]
    if isinstance(value, datetime):
        return DATETIME, [value.isoformat()]
    if isinstance(value, date):
        return DATE, [value.isoformat()]
    if value is None:
        return NONE, [""]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return LIST, value
    try:
        text = json.dumps(list(value) if isinstance(value, tuple) else value, ensure_ascii=False)
    except (TypeError, ValueError):
        raise StorageError(
            f"a stored value of type {type(value).__name__} cannot be stored "
            "(strings, numbers, dates, lists and JSON values can)"
        ) from None
    return (TUPLE if isinstance(value, tuple) else JSON), [text]


DECODERS: list[Any] = [
    str,
    None,  # lists are read item by item
    datetime.fromisoformat,
    date.fromisoformat,
    int,
    float,
    lambda text: text == "1",
    lambda text: None,
    json.loads,
    lambda text: tuple(json.loads(text)),
]


def encode_fields(fields: dict[str, Any]) -> bytes:
    """The fields as a head (per field its tag, the name's length, then the value's length,
    or a list's item count and each item's length: 32-bit, little-endian, in characters)
    and the names and values as one UTF-8 text, decoded in one step."""
    head: list[int] = []
    text: list[str] = []
    for name, value in fields.items():
        tag, parts = encode_value(value)
        head += (tag, len(name))
        text.append(name)
        if tag == LIST:
            head.append(len(parts))
        head += map(len, parts)
        text += parts
    packed = pack_array(array("I", head))
    return len(head).to_bytes(4, "little") + packed + "".join(text).encode("utf-8", "surrogatepass")


def decode_fields(data: bytes) -> dict[str, Any]:
    count = int.from_bytes(data[:4], "little")
    start = 4 + 1 + 4 * count
    head = unpack_array(data[4:start])
    if len(head) != count:
        raise ValueError("field head is truncated")
    text = data[start:].decode("utf-8", "surrogatepass")
    fields: dict[str, Any] = {}
    i = at = 0
    while i < count:
        tag, size = head[i], head[i + 1]
        name = text[at : at + size]
        at += size
        if tag == LIST:
            items = []
            for size in head[i + 3 : i + 3 + head[i + 2]]:
                items.append(text[at : at + size])
                at += size
            fields[name] = items
            i += 3 + head[i + 2]
        else:
            size = head[i + 2]
            value = text[at : at + size]
            at += size
            fields[name] = value if tag == STR else DECODERS[tag](value)
            i += 3
    if at != len(text):
        raise ValueError("field lengths do not add up")
    return fields


def compressor(zdict: bytes) -> Any:
    return zlib.compressobj(LEVEL, zlib.DEFLATED, -15, MEM_LEVEL, zlib.Z_DEFAULT_STRATEGY, zdict)


class StoredFileWriter:
    """Buffers documents until the dictionary is known, then writes each one compressed."""

    def __init__(self, dbfile: Any) -> None:
        self.dbfile = dbfile
        dbfile.write(MAGIC)
        self.offsets: list[int] = []
        self.pending: list[tuple[int, bytes]] = []
        self.pending_bytes = 0
        self.zdict: bytes | None = None
        #: A compressor primed with the dictionary, copied for each document: priming costs
        #: deflate a pass over the whole dictionary, which a copy does not repeat.
        self.primed: Any = None

    def add(self, docnum: int, fields: dict[str, Any]) -> None:
        value = encode_fields(fields) if fields else b""
        if self.zdict is not None:
            self.write(docnum, value)
            return
        self.pending.append((docnum, value))
        self.pending_bytes += len(value)
        if self.pending_bytes >= TRAIN_BYTES:
            self.train()

    def train(self) -> None:
        # The most recent bytes are the cheapest for deflate to refer to, so the dictionary
        # is the last DICT_BYTES of the buffered documents.
        enough = self.pending_bytes >= TRAIN_BYTES
        joined = b"".join(value for _, value in self.pending) if enough else b""
        self.zdict = joined[-DICT_BYTES:]
        self.primed = compressor(self.zdict)
        pending, self.pending = self.pending, []
        for docnum, value in pending:
            self.write(docnum, value)

    def write(self, docnum: int, value: bytes) -> None:
        dbfile = self.dbfile
        while len(self.offsets) <= docnum:  # documents with no record
            self.offsets.append(dbfile.tell())
        if value:
            c = self.primed.copy()
            packed = c.compress(value) + c.flush()
            dbfile.write(CRC.pack(crc(packed)))
            dbfile.write(packed)

    def finish(self, doccount: int) -> None:
        if self.zdict is None:
            self.train()
        assert self.zdict is not None
        dbfile = self.dbfile
        while len(self.offsets) <= doccount:
            self.offsets.append(dbfile.tell())
        start = dbfile.tell()
        tail = pack_parts([pack_array(narrowest(self.offsets)), zlib.compress(self.zdict, 9)])
        dbfile.write(tail)
        dbfile.write(FOOTER.pack(start, crc(tail), MAGIC))
        dbfile.close()


class StoredFile:
    """Reads the ``.sto`` file of a segment."""

    def __init__(self, dbfile: Any, length: int, place: Place) -> None:
        self.dbfile = dbfile
        self.place = place
        self.read: Any = range_reader(dbfile)
        what = "stored fields"
        if length < len(MAGIC) + FOOTER.size:
            raise place.error(f"{what}: truncated")
        start, tail_crc, magic = FOOTER.unpack(dbfile.get(length - FOOTER.size, FOOTER.size))
        if magic != MAGIC or not len(MAGIC) <= start <= length - FOOTER.size:
            raise place.error(f"{what}: bad footer (truncated?)")
        tail = dbfile.get(start, length - FOOTER.size - start)
        place.check(tail, tail_crc, f"{what} index")

        def decode() -> tuple[array, bytes]:
            offsets, zdict = unpack_parts(tail)
            return unpack_array(offsets), zlib.decompress(zdict)

        self.offsets, self.zdict = checked(place, f"{what} index", decode)
        if (
            any(b < a for a, b in zip(self.offsets, self.offsets[1:], strict=False))
            or self.offsets[-1] > start
        ):
            raise place.error(f"{what} index: offsets out of order")

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def fields(self, docnum: int) -> dict[str, Any]:
        start, end = self.offsets[docnum], self.offsets[docnum + 1]
        if start == end:
            return {}
        raw = self.read(start, end - start)
        what = f"stored fields of document {docnum}"
        if len(raw) != end - start or len(raw) < CRC.size:
            raise self.place.error(f"{what}: truncated")
        self.place.check(raw[CRC.size :], CRC.unpack_from(raw)[0], what)
        try:  # (inline, not through checked(): this runs once per hit)
            return decode_fields(zlib.decompressobj(-15, self.zdict).decompress(raw[CRC.size :]))
        except DECODE_ERRORS as error:
            raise self.place.error(f"{what}: {type(error).__name__}: {error}") from None
