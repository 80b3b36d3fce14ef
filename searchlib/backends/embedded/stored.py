"""Stored fields compressed with a dictionary trained on the segment's own documents.

Whoosh's W3 codec zlib-compresses each document's pickled stored fields on its own, so
the compressor starts every ~3 KB article from nothing: the field names, the pickle
framing and the language's common words are paid for again in every document. Here each
document is still compressed on its own (a hit decodes only its own bytes: 10 random hits
cost 10 small inflates, not 10 blocks of neighbours), but raw deflate is primed with a
preset dictionary (zlib's ``zdict``): the last ``DICT_BYTES`` of the segment's first
``TRAIN_BYTES`` of pickled documents, stored once in the segment (itself deflated). A
segment smaller than that gets no dictionary: it would cost more than it saves.

Measured on the 50,000-document ``benchmarks/run.py`` corpus (one segment): Whoosh's
stored-fields column 87.79 MB, this one 71.31 MB (level 5; 70.35 MB at level 6), with
decoding as fast as before (~15-20 us a document, mostly inflate). On 5,000 of those
documents blocks of 16 reached 6.0 MB against 6.66 MB one at a time (level 6), but cost
~180 us a hit.

Layout of the ``_zstored`` column file: Whoosh's ``VarBytesColumn`` (one entry per
document, ``b""`` for a document with nothing stored), then the deflated dictionary, its
length (4 bytes, little-endian) and ``MAGIC``. Segments written by Whoosh's own writer
(searchlib indexes of format 1) have no such column and are read as before.
"""

from __future__ import annotations

import pickle
import struct
import threading
import zlib
from typing import Any

from whoosh.codec.whoosh3 import W3PerDocReader, W3PerDocWriter
from whoosh.columns import Column, VarBytesColumn

from searchlib.errors import StorageError

__all__ = ["StoredReader", "StoredWriter"]

#: Name of the column that holds the compressed stored fields.
STORED_COLUMN = "_zstored"
#: Whoosh's own stored-fields column, which this writer does not create.
W3_STORED_COLUMN = "_stored"
MAGIC = b"SLZ1"
#: deflate's window is 32 KB: a longer dictionary would never be referenced.
DICT_BYTES = 32 * 1024
#: Documents buffered before the dictionary is chosen. The dictionary costs about half its
#: size on disk and saves about a fifth of each document: worth it past ~50 articles.
TRAIN_BYTES = 4 * DICT_BYTES
#: Priming deflate with the dictionary makes each document dearer to compress, more so at
#: higher levels. On 1,460 composed articles (busy machine): Whoosh's per-document level 3
#: 2.333 MB, ~90 us a document; with the dictionary, level 4 1.937 MB ~130 us, level 5
#: 1.883 MB ~160 us, level 6 1.861 MB ~220 us. zlib's default memLevel 8: same size as 9,
#: faster.
LEVEL = 5
MEM_LEVEL = 8
#: Protocol 5 reads on every Python searchlib supports (3.10+).
PICKLE_PROTOCOL = 5
_TRAILER = struct.Struct("<I4s")


def _compressor(zdict: bytes) -> Any:
    return zlib.compressobj(LEVEL, zlib.DEFLATED, -15, MEM_LEVEL, zlib.Z_DEFAULT_STRATEGY, zdict)


class _StoredColumnWriter:
    """Buffers documents until the dictionary is known, then writes each one compressed."""

    def __init__(self, dbfile: Any) -> None:
        self._dbfile = dbfile
        self._column = VarBytesColumn().writer(dbfile)
        self._pending: list[tuple[int, bytes]] = []
        self._pending_bytes = 0
        self._zdict: bytes | None = None
        #: A compressor primed with the dictionary, copied for each document: priming costs
        #: deflate a pass over the whole dictionary, about a third of a document's time.
        self._primed: Any = None

    def add(self, docnum: int, value: bytes) -> None:
        if self._zdict is not None:
            self._write(docnum, value)
            return
        self._pending.append((docnum, value))
        self._pending_bytes += len(value)
        if self._pending_bytes >= TRAIN_BYTES:
            self._train()

    def _train(self) -> None:
        # The most recent bytes are the cheapest for deflate to refer to, so the dictionary
        # is the last DICT_BYTES of the buffered documents.
        enough = self._pending_bytes >= TRAIN_BYTES
        joined = b"".join(value for _, value in self._pending) if enough else b""
        self._zdict = joined[-DICT_BYTES:]
        self._primed = _compressor(self._zdict)
        pending, self._pending = self._pending, []
        for docnum, value in pending:
            self._write(docnum, value)

    def _write(self, docnum: int, value: bytes) -> None:
        assert self._primed is not None
        if value:
            c = self._primed.copy()
            value = c.compress(value) + c.flush()
        self._column.add(docnum, value)

    def finish(self, doccount: int) -> None:
        if self._zdict is None:
            self._train()
        assert self._zdict is not None
        self._column.finish(doccount)
        packed = zlib.compress(self._zdict, 9)
        self._dbfile.write(packed)
        self._dbfile.write(_TRAILER.pack(len(packed), MAGIC))


class _StoredColumn(Column):
    def writer(self, dbfile: Any) -> _StoredColumnWriter:
        return _StoredColumnWriter(dbfile)


class StoredWriter(W3PerDocWriter):
    """W3's per-document writer with the stored fields in one ``_zstored`` column."""

    _indoc: bool
    _docnum: int
    _storedfields: dict[str, Any]

    def _create_column(self, fieldname: str, column: Any) -> None:
        if fieldname == W3_STORED_COLUMN:
            # W3's __init__ asks for its pickle column; this writer's replaces it.
            fieldname, column = STORED_COLUMN, _StoredColumn()
        super()._create_column(fieldname, column)

    def finish_doc(self) -> None:
        # W3's close() calls finish_doc() again after the last document: write only once.
        if self._indoc:
            fields = self._storedfields
            value = pickle.dumps(fields, PICKLE_PROTOCOL) if fields else b""
            self._colwriters[STORED_COLUMN].add(self._docnum, value)
            fields.clear()
        self._indoc = False


class _StoredColumnReader:
    def __init__(self, dbfile: Any, basepos: int, length: int, doccount: int) -> None:
        end = basepos + length
        if length < _TRAILER.size:
            raise StorageError(f"stored-fields column of {length} bytes is truncated")
        size, magic = _TRAILER.unpack(dbfile.get(end - _TRAILER.size, _TRAILER.size))
        if magic != MAGIC:
            raise StorageError(f"stored-fields column has an unknown format ({magic!r})")
        dict_start = end - _TRAILER.size - size
        self.zdict = zlib.decompress(dbfile.get(dict_start, size))
        self._column = VarBytesColumn().reader(dbfile, basepos, dict_start - basepos, doccount)

    def __getitem__(self, docnum: int) -> dict[str, Any]:
        value = self._column[docnum]
        if not value:
            return {}
        inflater = zlib.decompressobj(-15, self.zdict)
        fields: dict[str, Any] = pickle.loads(inflater.decompress(value))
        return fields


class StoredReader(W3PerDocReader):
    """W3's per-document reader that reads ``_zstored`` columns, and W3's own pickles in
    segments written before them."""

    def __init__(self, storage: Any, segment: Any) -> None:
        super().__init__(storage, segment)
        self._stored: _StoredColumnReader | None = None
        self._stored_lock = threading.Lock()
        self._compact: bool | None = None

    def _stored_reader(self) -> _StoredColumnReader | None:
        if self._compact is None:
            # WhooshStore gives each thread its own searcher (Whoosh's files seek), so this
            # runs once per reader; the lock only keeps the column from being opened twice.
            with self._stored_lock:
                if self._compact is None:
                    if self.has_column(STORED_COLUMN):
                        colfile, offset, length = self._get_column_file(STORED_COLUMN)
                        self._colfiles[STORED_COLUMN] = (colfile, offset, length)
                        self._stored = _StoredColumnReader(colfile, offset, length, self._doccount)
                        self._compact = True
                    else:
                        self._compact = False
        return self._stored

    def stored_fields(self, docnum: int) -> dict[str, Any]:
        reader = self._stored_reader()
        if reader is None:
            fields: dict[str, Any] = super().stored_fields(docnum)
            return fields
        return reader[docnum]
