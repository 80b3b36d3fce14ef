# Parts of this module are adapted from whoosh/writing.py and whoosh/index.py of
# whoosh-reloaded 2.7.5 (the commit sequence of SegmentWriter, its per-document merge of a
# reader, its document-number bookkeeping and FileIndex's reader assembly), under this
# licence:
#
# Copyright 2007 Matt Chaput. All rights reserved.
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
"""The bulk writer: one transaction's new segment, merges and commit, on Whoosh's public API.

A ``whoosh.writing.IndexWriter`` of searchlib's own. It takes the index's write lock
(``Index.lock``), reads the live generation (``TOC.read``), gathers the new documents'
postings in a :class:`~posting_buffer.PostingBuffer`, writes the segment through the
codec's interface (``new_segment``, ``per_document_writer``, ``field_writer``), merges
older segments with Whoosh's merge policies (which call :meth:`BulkWriter.add_reader`)
and publishes the generation with ``TOC(...).write`` and ``clean_files``.

A commit runs these steps in order, each a method so a test can stop a process at any one:
:meth:`merge_segments`, :meth:`flush_segment`, :meth:`assemble_segment`, :meth:`publish`,
:meth:`finish`. Whoosh publishes a generation by renaming a complete TOC, so a process
killed at any step leaves the previous generation whole; a commit that raises still
releases the lock (:meth:`commit`).
"""

from __future__ import annotations

import contextlib
from array import array
from bisect import bisect_right
from typing import Any, Protocol, runtime_checkable

from whoosh import columns
from whoosh import index as windex
from whoosh.fields import UnknownFieldError
from whoosh.reading import EmptyReader, MultiReader, SegmentReader
from whoosh.util.filelock import try_for
from whoosh.writing import MERGE_SMALL, NO_MERGE, OPTIMIZE, IndexingError, IndexWriter

from searchlib.backends.embedded.leftovers import remove_unused
from searchlib.backends.embedded.names import temp_name
from searchlib.backends.embedded.posting_buffer import (
    PostingBuffer,
    Record,
    add_posting,
    date_indexer,
    field_postings,
    fused_indexer,
)
from searchlib.backends.embedded.recovery import remove_debris
from searchlib.backends.embedded.tracked import TrackedStorage
from searchlib.errors import ConfigError

__all__ = ["BulkTermWriter", "BulkWriter"]


@runtime_checkable
class BulkTermWriter(Protocol):
    """A codec field writer that takes a term's whole posting list in one call (searchlib's
    codec); any other ``whoosh.codec.base.FieldWriter`` gets one ``add`` per posting."""

    def add_term(
        self,
        btext: bytes,
        ids: array,
        weights: array,
        lengths: array,
        joined: bytes,
        doc_lengths: list[int] | None,
    ) -> None: ...


class BulkWriter(IndexWriter):
    """Writes one transaction: added documents become one new segment; deletions mark
    documents of the live segments; :meth:`commit` publishes both in one generation.

    ``lock=False`` is for a bulk-add helper process, which writes a segment beside a parent
    that holds the lock and publishes it (``parallel.py``).
    """

    def __init__(
        self,
        ix: Any,
        *,
        codec: Any,
        lock: bool = True,
        timeout: float = 0.0,
        delay: float = 0.1,
    ) -> None:
        self.writelock = None
        self.is_closed = True  # until everything below is set up
        if lock:
            writelock = ix.lock("WRITELOCK")
            if not try_for(writelock.acquire, timeout=timeout, delay=delay):
                raise windex.LockError
            self.writelock = writelock
        try:
            if lock:  # before this writer and its codec create temporary files
                remove_debris(ix.storage, ix.indexname)
            self._open(ix, codec)
        except BaseException:
            self._release_lock()
            raise

    def _open(self, ix: Any, codec: Any) -> None:
        self.storage = TrackedStorage(ix.storage)
        self.indexname = ix.indexname
        # The index's own schema object when it has one (an index opened or created with a
        # schema): schema changes made through this writer are then the index's too.
        toc = windex.TOC.read(self.storage, self.indexname, schema=ix.schema)
        self.generation = toc.generation + 1
        self.schema = toc.schema
        self.segments: list[Any] = toc.segments
        #: The live generation and its segments: what a failed commit leaves in place.
        self._live: tuple[int, list[Any]] = (toc.generation, list(toc.segments))
        self._check_schema()
        self.codec = codec
        self.docnum = 0
        self._first = _first_docnums(self.segments)
        indexed = [(name, field) for name, field in self.schema.items() if field.indexed]
        texts = {name: ix for name, field in indexed if (ix := fused_indexer(field)) is not None}
        dates = {name: ix for name, field in indexed if (ix := date_indexer(field)) is not None}
        self._indexers = {**texts, **dates}
        #: The fields whose terms the indexers key by text, not bytes.
        self._keyed_by_text = frozenset(texts)
        self.newsegment = codec.new_segment(self.storage, self.indexname)
        self.compound = self.newsegment.should_assemble()
        self._run_storage = self.storage.temp_storage(temp_name(self.indexname))
        self._gathered = PostingBuffer(self._run_storage)
        self.perdocwriter = codec.per_document_writer(self.storage, self.newsegment)
        self.fieldwriter = codec.field_writer(self.storage, self.newsegment)
        self._open_files = [self.perdocwriter, self.fieldwriter]
        # What commit() does when called without arguments (Whoosh's writer attributes).
        self.merge = True
        self.optimize = False
        self.mergetype: Any = None
        self.added = False
        self.is_closed = False
        #: Helper processes (parallel.Helper) whose segments this writer's commit publishes.
        self.helpers: list[Any] = []

    def _check_schema(self) -> None:
        for name, field in self.schema.items():
            if field.separate_spelling():
                raise ConfigError(
                    f"field {name!r}: the bulk writer does not write separate spelling words"
                    " (spelling=True on a stemmed field); searchlib suggests from the"
                    " field's own terms"
                )

    def _ensure_open(self) -> None:
        if self.is_closed:
            raise IndexingError("This writer is closed")

    # -- reading what is committed --------------------------------------------------------

    def reader(self, **kwargs: Any) -> Any:
        """A reader of the live segments, this writer's deletions included."""
        self._ensure_open()
        if not self.segments:
            return EmptyReader(self.schema)
        readers = [
            SegmentReader(self.storage, self.schema, segment, generation=self.generation)
            for segment in self.segments
        ]
        if len(readers) == 1:
            return readers[0]
        return MultiReader(readers, generation=self.generation)

    def doc_count(self) -> int:
        """Documents added to the new segment so far."""
        return self.docnum

    # -- deleting -------------------------------------------------------------------------

    def delete_document(self, docnum: int, delete: bool = True) -> None:
        """Mark ``docnum`` (a number of :meth:`reader`) deleted in its segment."""
        self._ensure_open()
        if not 0 <= docnum < sum(seg.doc_count_all() for seg in self.segments):
            raise IndexingError(f"No document ID {docnum!r} in this index")
        index = bisect_right(self._first, docnum) - 1
        self.segments[index].delete_document(docnum - self._first[index], delete=delete)

    # -- adding ---------------------------------------------------------------------------

    def add_field(self, fieldname: str, fieldtype: Any, **kwargs: Any) -> None:
        self._ensure_open()
        if self.added:
            raise IndexingError("the schema cannot change after documents were added")
        super().add_field(fieldname, fieldtype, **kwargs)
        self._check_schema()

    def remove_field(self, fieldname: str, **kwargs: Any) -> None:
        self._ensure_open()
        if self.added:
            raise IndexingError("the schema cannot change after documents were added")
        super().remove_field(fieldname, **kwargs)

    def add_document(self, **fields: Any) -> None:
        """Whoosh's ``add_document``. A document whose analysis fails leaves no trace and
        the writer usable, as Whoosh's own writer does."""
        self._ensure_open()
        schema = self.schema
        names = sorted(name for name in fields if not name.startswith("_"))
        for name in names:
            if name not in schema:
                raise UnknownFieldError(f"No field named {name!r} in {schema}")
        docboost = float(fields.get("_boost", 1.0))
        docnum = self.docnum
        rows: list[_Row] = []
        postings = 0
        try:
            for name in names:
                value = fields[name]
                if value is None:
                    continue
                field = schema[name]
                length = 0
                if field.indexed:
                    boost = float(fields.get(f"_{name}_boost", docboost))
                    length, added = self._index(name, field, value, boost)
                    postings += added
                rows.append(_row(name, field, value, fields.get("_stored_" + name, value), length))
        except BaseException:
            self._gathered.discard(docnum, names)
            raise
        self._store(docnum, rows)
        self.added = True
        self.docnum += 1
        self._gathered.added(postings)

    def _index(self, name: str, field: Any, value: Any, boost: float) -> tuple[int, int]:
        """Gather one field's postings for the current document: (field length, postings)."""
        table = self._gathered.table(name)
        indexer = self._indexers.get(name)
        if indexer is not None:
            return indexer(table, self.docnum, value, boost)
        return field_postings(table, field, self.docnum, value, boost)

    def _store(self, docnum: int, rows: list[_Row]) -> None:
        """The document's vectors, stored fields, lengths and column values, to the codec."""
        perdocwriter = self.perdocwriter
        try:
            perdocwriter.start_doc(docnum)
            for name, field, vector, stored, length, column in rows:
                if vector is not None:
                    perdocwriter.add_vector_items(name, field, vector)
                perdocwriter.add_field(name, field, stored, length)
                if column is not None:
                    perdocwriter.add_column_value(name, field.column_type, column)
            perdocwriter.finish_doc()
        except BaseException:
            # The codec's interface cannot take back a started document: nothing of this
            # writer may be committed any more.
            self.cancel()
            raise

    def add_reader(self, reader: Any) -> None:
        """Append every live document of ``reader`` (a segment a merge policy folds in)."""
        self._ensure_open()
        base = self.docnum
        indexed = {name for name in reader.indexed_field_names() if name in self.schema}
        docmap = self._copy_documents(reader, set(self.schema.names()) | indexed)
        postings = self._gathered
        keyed_by_text = self._keyed_by_text
        for name, btext, docnum, weight, vbytes in reader.iter_postings():
            if name not in self.schema:
                continue
            newdoc = docmap[docnum] if docmap is not None else base + docnum
            term = btext.decode("utf-8") if name in keyed_by_text else btext
            add_posting(postings.table(name), term, newdoc, weight, vbytes or b"")
            postings.added(1)
        self.added = True

    def _copy_documents(self, reader: Any, fieldnames: set[str]) -> dict[int, int] | None:
        """Stored fields, lengths and column values of ``reader``'s live documents; the map
        from their old numbers to new ones when some were deleted."""
        schema = self.schema
        docmap: dict[int, int] | None = {} if reader.has_deletions() else None
        cols = {}
        for name in fieldnames:
            coltype = schema[name].column_type
            if coltype and reader.has_column(name):
                creader = reader.column_reader(name, coltype)
                if isinstance(creader, columns.TranslatingColumnReader):
                    creader = creader.raw_column()
                cols[name] = creader
        pdw = self.perdocwriter
        for docnum, stored in reader.iter_docs():
            if docmap is not None:
                docmap[docnum] = self.docnum
            pdw.start_doc(self.docnum)
            # Sorted, as add_document stores them: the same stored bytes on every run.
            for name in sorted(fieldnames | {s for s in stored if s in schema}):
                field = schema[name]
                length = reader.doc_field_length(docnum, name)
                if field.vector and reader.has_vector(docnum, name):
                    vector = reader.vector(docnum, name, field.vector)
                    pdw.add_vector_matcher(name, field, vector)
                pdw.add_field(name, field, stored.get(name), length)
                if name in cols:
                    pdw.add_column_value(name, field.column_type, cols[name][docnum])
            pdw.finish_doc()
            self.docnum += 1
        return docmap

    # -- committing -----------------------------------------------------------------------

    def commit(self, mergetype: Any = None, optimize: Any = None, merge: Any = None) -> None:
        """Merge, write the new segment, collect the helpers' segments and publish them all
        in the next generation. Whatever happens, the lock is released: a failed commit
        leaves the previous generation live and files the next commit cleans up."""
        self._ensure_open()
        try:
            segments = self.merge_segments(mergetype, optimize, merge)
            segment = self.finish_segment()
            if segment is not None:
                segments.append(segment)
            segments.extend(self._helper_segments())
            self.publish(segments)
        finally:
            self.finish()

    def cancel(self) -> None:
        """Give up: nothing of this writer is published and the lock is released. Safe to
        call in any state, also after a failed commit."""
        if not self.is_closed:
            self.finish()

    def merge_segments(self, mergetype: Any, optimize: Any, merge: Any) -> list[Any]:
        """The live segments left after the merge policy folded some into this writer."""
        mergetype = mergetype if mergetype is not None else self.mergetype
        optimize = optimize if optimize is not None else self.optimize
        merge = merge if merge is not None else self.merge
        if not mergetype:
            mergetype = OPTIMIZE if optimize else MERGE_SMALL if merge else NO_MERGE
        return list(mergetype(self, self.segments))

    def finish_segment(self) -> Any:
        """Write the new segment and return it, or None when nothing was added (its files
        are closed either way)."""
        if not self.added:
            self._close_files()
            return None
        self.flush_segment()
        self._close_files()
        if self.compound:
            self.assemble_segment()
        return self.newsegment

    def flush_segment(self) -> None:
        """Close the per-document files, then write every term's postings."""
        segment = self.newsegment
        segment.set_doc_count(self.docnum)
        self._close(self.perdocwriter)
        lengths = (
            self.codec.per_document_reader(self.storage, segment)
            if self.codec.length_stats
            else None
        )
        try:
            write_postings(
                self.fieldwriter, self.schema, self._gathered.records(), lengths, self.docnum
            )
        finally:
            if lengths is not None:
                lengths.close()
        self._close(self.fieldwriter)

    def assemble_segment(self) -> None:
        """Join the new segment's files into its compound file."""
        self.newsegment.create_compound_file(self.storage)

    def publish(self, segments: list[Any]) -> None:
        """Make ``segments`` the next generation, then delete files no generation uses."""
        windex.TOC(self.schema, segments, self.generation).write(self.storage, self.indexname)
        # Renamed into place: from here on this generation is the live one.
        self._live = (self.generation, segments)
        windex.clean_files(self.storage, self.indexname, self.generation, segments)

    def finish(self) -> None:
        """Close files, stop helpers, delete the run files and every file the live
        generation does not use (a failed or cancelled commit's), and release the lock."""
        self.is_closed = True
        helpers, self.helpers = self.helpers, []
        for helper in helpers:
            with contextlib.suppress(Exception):
                helper.abort()
        for codec_writer in list(self._open_files):
            with contextlib.suppress(Exception):
                self._close(codec_writer)
        # A codec writer whose close failed (a full disk) left its files open.
        self.storage.abandon()
        published = self._live[0] == self.generation
        with contextlib.suppress(OSError):
            self._run_storage.destroy()
        if self.writelock is not None:
            # The helpers have stopped: every temporary file and unpublished segment left
            # (the codec's own too, e.g. the per-document writer's column files) is this
            # writer's or a dead one's.
            with contextlib.suppress(OSError):
                if published:  # its clean-up has run
                    remove_debris(self.storage, self.indexname)
                else:
                    remove_unused(self.storage, self.indexname, *self._live)
        self._release_lock()

    def _helper_segments(self) -> list[Any]:
        """The segments the helpers wrote while this one was written (waits for them)."""
        helpers, self.helpers = self.helpers, []
        try:
            return [seg for helper in helpers if (seg := helper.segment()) is not None]
        finally:
            for helper in helpers:
                helper.abort()

    def _close(self, codec_writer: Any) -> None:
        self._open_files.remove(codec_writer)
        codec_writer.close()

    def _close_files(self) -> None:
        for codec_writer in list(self._open_files):
            self._close(codec_writer)

    def _release_lock(self) -> None:
        lock, self.writelock = self.writelock, None
        if lock is not None:
            with contextlib.suppress(Exception):
                lock.release()


#: One field of a document for the per-document writer: name, field, term-vector items,
#: stored value, length, column value (None where the field has none).
_Row = tuple[str, Any, Any, Any, int, Any]


def _row(name: str, field: Any, value: Any, stored: Any, length: int) -> _Row:
    vector = None
    if field.vector:
        items = field.vector.word_values(value, field.analyzer, mode="index")
        vector = sorted((text, weight, vbytes) for text, _, weight, vbytes in items)
    column = None
    if field.column_type and stored is not None:
        column = field.to_column_value(stored)
    return name, field, vector, stored if field.stored else None, length, column


def _first_docnums(segments: list[Any]) -> list[int]:
    """The first document number of each segment in a reader of them all."""
    offsets = []
    base = 0
    for segment in segments:
        offsets.append(base)
        base += segment.doc_count_all()
    return offsets


def write_postings(
    fieldwriter: Any, schema: Any, records: Any, lengths: Any, doccount: int
) -> None:
    """Hand every term's postings to the codec's field writer, field by field.

    ``lengths`` (a per-document reader of the new segment, or None) gives each document's
    field length, which the codec keeps per block for scoring."""
    bulk = isinstance(fieldwriter, BulkTermWriter)
    current = None
    doc_lengths: list[int] | None = None
    record: Record
    for record in records:
        fieldname, term, ids, weights, value_lengths, values = record
        if fieldname != current:
            if current is not None:
                fieldwriter.finish_field()
            field = schema[fieldname]
            fieldwriter.start_field(fieldname, field)
            current = fieldname
            doc_lengths = None
            if lengths is not None and field.scorable:
                length = lengths.doc_field_length
                doc_lengths = [length(d, fieldname, 0) for d in range(doccount)]
        btext = term.encode("utf-8") if term.__class__ is str else term
        if bulk:
            fieldwriter.add_term(btext, ids, weights, value_lengths, bytes(values), doc_lengths)
        else:
            _add_term(fieldwriter, btext, ids, weights, value_lengths, bytes(values), doc_lengths)
    if current is not None:
        fieldwriter.finish_field()


def _add_term(
    fieldwriter: Any,
    btext: bytes,
    ids: array,
    weights: array,
    value_lengths: array,
    values: bytes,
    doc_lengths: list[int] | None,
) -> None:
    """One term through ``whoosh.codec.base.FieldWriter``'s per-posting calls."""
    fieldwriter.start_term(btext)
    start = 0
    for docnum, weight, size in zip(ids, weights, value_lengths, strict=True):
        end = start + size
        length = doc_lengths[docnum] if doc_lengths is not None else 0
        fieldwriter.add(docnum, weight, values[start:end], length)
        start = end
    fieldwriter.finish_term()
