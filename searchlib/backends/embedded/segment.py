"""The engine's segment, and segment files read from a memory map, not copied out of it.

Whoosh maps a segment's compound file and opens each file inside it as a ``BufferFile``,
whose ``BytesIO`` copies the file's bytes: every searcher (searchlib keeps one per thread)
would hold its own private copy of the postings, stored fields and term index. Here the
compound file is mapped once per reader and each file inside it is a view of the map:
nothing is copied until read, pages are shared by all threads and processes, and memory
holds only what queries touch.

:class:`EmbeddedSegment` is pickled into the index's table of contents, so its import path
and the names of its attributes are part of the index format: it holds the document
count, the deleted documents and each field's total length, and names no codec state (the
codec is stateless).
"""

from __future__ import annotations

import contextlib
import io
import mmap
from collections.abc import Callable
from typing import Any

from whoosh.codec.base import Segment
from whoosh.filedb.compound import CompoundStorage
from whoosh.filedb.structfile import StructFile

from searchlib.backends.embedded.integrity import Place
from searchlib.backends.embedded.names import segment_id
from searchlib.backends.embedded.pickles import vet_compound

__all__ = ["EmbeddedSegment", "MappedFile", "mapped_compound", "place_of", "range_reader"]

#: Bytes per buffered read from the map: about one posting block or one stored document.
BUFFER = 4096


class ViewReader(io.RawIOBase):
    """A seekable raw file over a memoryview (its own position: one per opened file)."""

    def __init__(self, view: memoryview) -> None:
        self.view = view
        self.pos = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        view = self.view
        pos = self.pos
        n = min(len(buffer), len(view) - pos)
        if n <= 0:
            return 0
        buffer[:n] = view[pos : pos + n]
        self.pos = pos + n
        return n

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        if whence == io.SEEK_SET:
            self.pos = offset
        elif whence == io.SEEK_CUR:
            self.pos += offset
        else:
            self.pos = len(self.view) + offset
        return self.pos

    def tell(self) -> int:
        return self.pos

    def close(self) -> None:
        self.view.release()
        super().close()


class MappedFile(StructFile):
    """A file inside a mapped compound file: ``get`` slices the map (no seek, so threads
    may share it); ``view`` is the whole file, for readers that slice it themselves."""

    def __init__(self, view: memoryview, name: str) -> None:
        super().__init__(io.BufferedReader(ViewReader(view), BUFFER), name=name)
        self.view = view

    def get(self, position: int, length: int) -> bytes:
        return bytes(self.view[position : position + length])


def range_reader(dbfile: Any) -> Callable[[int, int], bytes | memoryview]:
    """``read(at, size)`` over a segment file: a slice of the map when the file is mapped
    (no copy, and no seek, so threads may share it), else the file's own ``get``."""
    view = getattr(dbfile, "view", None)
    if view is None:
        return dbfile.get
    return lambda at, size: view[at : at + size]


class MappedCompound(CompoundStorage):
    """Whoosh's compound storage (its directory), with files opened over one map."""

    def __init__(self, dbfile: Any, mapped: mmap.mmap | None) -> None:
        super().__init__(dbfile, use_mmap=False)
        self.mapped = mapped

    def open_file(self, name: str, *args: Any, **kwargs: Any) -> Any:
        if self.mapped is None:
            return super().open_file(name, *args, **kwargs)
        offset, length = self.range(name)
        return MappedFile(memoryview(self.mapped)[offset : offset + length], name)

    def close(self) -> None:
        super().close()
        if self.mapped is not None:
            # A reader still holding a view keeps the map until it lets go.
            with contextlib.suppress(BufferError):
                self.mapped.close()
            self.mapped = None


def mapped_compound(storage: Any, name: str) -> CompoundStorage:
    """The compound file ``name`` of ``storage``, mapped when the storage is on disk (the
    file handle is closed at once: the map is all a reader holds)."""
    dbfile = storage.open_file(name)
    try:  # its directory is a pickle: vetted before Whoosh unpickles it (pickles.py)
        vet_compound(dbfile)
    except BaseException:
        dbfile.close()
        raise
    raw = dbfile.raw_file()
    mapped = None
    if storage.supports_mmap and hasattr(raw, "fileno"):
        try:
            mapped = mmap.mmap(raw.fileno(), 0, access=mmap.ACCESS_READ)
        except (OSError, ValueError):
            mapped = None  # empty or unmappable: read through the file
    if mapped is None:
        source = dbfile
    else:
        dbfile.close()
        source = StructFile(io.BufferedReader(ViewReader(memoryview(mapped)), BUFFER), name=name)
    try:
        return MappedCompound(source, mapped)
    except Exception as error:  # Whoosh's directory (a pickle) is unreadable: damaged
        source.close()
        if mapped is not None:
            mapped.close()
        what = f"unreadable file directory ({type(error).__name__}: {error})"
        raise Place(name, name).error(what) from None


def place_of(segment: Any, ext: str) -> Place:
    """Where the segment's part ``ext`` is on disk, for error messages."""
    part = segment.make_filename(ext)
    if segment.is_compound():
        return Place(segment.make_filename(segment.COMPOUND_EXT), part)
    return Place(part, part)


class EmbeddedSegment(Segment):
    """A segment written by :class:`~searchlib.backends.embedded.codec.EmbeddedCodec`."""

    def __init__(self, indexname: str) -> None:
        super().__init__(indexname)
        # Our own id: Whoosh's comes from the global random generator, which applications
        # seed (names.py).
        self.segid = segment_id()
        self.doc_total = 0
        self.deletions: set[int] | None = None
        #: Each field's total length over the segment's documents (BM25's average).
        self.field_totals: dict[str, int] = {}

    def codec(self, **kwargs: Any) -> Any:
        from searchlib.backends.embedded.codec import EmbeddedCodec

        return EmbeddedCodec()

    def open_compound_file(self, storage: Any) -> CompoundStorage:
        return mapped_compound(storage, self.make_filename(self.COMPOUND_EXT))

    def set_doc_count(self, doccount: int) -> None:
        self.doc_total = doccount

    def doc_count_all(self) -> int:
        return self.doc_total

    def deleted_count(self) -> int:
        return len(self.deletions) if self.deletions else 0

    def deleted_docs(self) -> Any:
        return iter(self.deletions) if self.deletions else ()

    def delete_document(self, docnum: int, delete: bool = True) -> None:
        if delete:
            if self.deletions is None:
                self.deletions = set()
            self.deletions.add(docnum)
        elif self.deletions is not None:
            self.deletions.discard(docnum)

    def is_deleted(self, docnum: int) -> bool:
        return self.deletions is not None and docnum in self.deletions


def __getattr__(name: str) -> Any:
    # Indexes written after the engine moved here and before format 5 name the format-4
    # class by this module's path in their table of contents.
    if name == "SearchlibSegment":
        from searchlib.backends.embedded.format4 import SearchlibSegment

        return SearchlibSegment
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
