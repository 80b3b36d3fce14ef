"""Segments whose files are read from the memory map, not copied out of it.

Whoosh maps a segment's compound file and opens each file inside it as a ``BufferFile``,
whose ``BytesIO`` copies the file's bytes: every searcher (searchlib keeps one per thread)
held its own private copy of the postings, stored fields and term index -- at 50,000
documents 200 MB of memory per thread on top of the mapped pages, and a 0.1 s copy before
a new searcher's first query. Here the files are read through a buffered reader over a
view of the map: nothing is copied until read, pages are shared by all threads and
processes, and memory holds only what queries touch.

Segments pickle their class into the index's table of contents, so this module's import
path is part of the index format (indexes written before it keep Whoosh's segments).
"""

from __future__ import annotations

import io
from typing import Any

from whoosh.codec.whoosh3 import W3Segment
from whoosh.filedb.compound import CompoundStorage
from whoosh.filedb.structfile import BufferFile

from searchlib.backends.embedded.pickles import vet_compound

__all__ = ["SearchlibSegment"]

#: Bytes per read from the map: about one posting block or one stored document.
_BUFFER = 4096


class _ViewReader(io.RawIOBase):
    """A seekable raw file over a memoryview (its own position: one per opened file)."""

    def __init__(self, view: memoryview) -> None:
        self._view = view
        self._pos = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        view = self._view
        pos = self._pos
        n = min(len(buffer), len(view) - pos)
        if n <= 0:
            return 0
        buffer[:n] = view[pos : pos + n]
        self._pos = pos + n
        return n

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        if whence == io.SEEK_SET:
            self._pos = offset
        elif whence == io.SEEK_CUR:
            self._pos += offset
        else:
            self._pos = len(self._view) + offset
        return self._pos

    def tell(self) -> int:
        return self._pos

    def close(self) -> None:
        self._view.release()
        super().close()


class _MappedFile(BufferFile):
    def __init__(self, buf: memoryview, name: str | None = None, onclose: Any = None) -> None:
        self._buf = buf
        self._name = name
        self.file = io.BufferedReader(_ViewReader(buf), _BUFFER)
        self.onclose = onclose
        self.is_real = False
        self.is_closed = False

    def close(self) -> None:
        if not self.is_closed:
            self.file.close()  # its raw reader releases the view
            self.is_closed = True
            if self.onclose:
                self.onclose(self)


class _MappedCompound(CompoundStorage):
    def open_file(self, name: str, *args: Any, **kwargs: Any) -> Any:
        if not self._source:
            return super().open_file(name, *args, **kwargs)
        offset, length = self.range(name)
        return _MappedFile(memoryview(self._source)[offset : offset + length], name=name)


class SearchlibSegment(W3Segment):
    def open_compound_file(self, storage: Any) -> CompoundStorage:
        dbfile = storage.open_file(self.make_filename(self.COMPOUND_EXT))
        try:
            vet_compound(dbfile)
            return _MappedCompound(dbfile, use_mmap=storage.supports_mmap)
        except BaseException:  # a damaged directory: the file is no one else's to close
            dbfile.close()
            raise
