"""The segment writer searchlib builds with: postings gathered per term, written a block at a time.

Whoosh's ``SegmentWriter`` sends every posting through a pool as a tuple (field, term,
document, weight, value), sorts them all, spills and merges sorted runs, and hands them to
the codec one call per posting: most of a build's time. This writer appends each posting to
its term's arrays instead (document numbers, weights, value lengths, value bytes), so a term's
postings are together and in document order from the start; at flush the terms are sorted
once and each posting list is written a block at a time (``PostingsWriter.write_term``).
Text fields whose analyzer runs fused are analyzed into a plain list of terms (no Token per
term), their positions encoded straight from it.

Memory is about 16 bytes a posting plus half a kilobyte a distinct term. Past
``RUN_POSTINGS`` the buffered terms go to a sorted run file; at flush the runs and the last
buffer are merged term by term, concatenating arrays, so memory stays bounded however large
the build (and the merge has no per-posting work either).
"""

from __future__ import annotations

import heapq
import marshal
from array import array
from collections.abc import Callable, Iterator
from itertools import groupby, islice
from operator import itemgetter
from typing import Any

from whoosh.writing import SegmentWriter

from searchlib.backends.embedded.formats import (
    TEXT_GAP,
    CombinedPositions,
    CompactPositions,
    encode_positions,
)

__all__ = ["FastSegmentWriter"]

#: Buffered postings before they are written to a run file (~100 MB with their terms).
RUN_POSTINGS = 4_000_000
#: Terms per marshal chunk in a run file.
CHUNK = 2_000

#: A term's postings: document numbers, weights, value lengths, values joined.
_Entry = list
#: (field name, term, ids, weights, lengths, values): one term's postings, in term order.
_Record = tuple[str, Any, array, array, array, Any]


def _entry() -> _Entry:
    return [array("I"), array("f"), array("I"), bytearray()]


class _Buffer:
    """The postings of the documents added since the last run, per field and term."""

    def __init__(self) -> None:
        self.fields: dict[str, dict[Any, _Entry]] = {}
        self.postings = 0

    def table(self, fieldname: str) -> dict[Any, _Entry]:
        table = self.fields.get(fieldname)
        if table is None:
            table = self.fields[fieldname] = {}
        return table

    def records(self) -> Iterator[_Record]:
        for fieldname in sorted(self.fields):
            table = self.fields[fieldname]
            for term in sorted(table):
                ids, weights, lengths, values = table[term]
                yield fieldname, term, ids, weights, lengths, values


def _add(table: dict[Any, _Entry], term: Any, docnum: int, weight: float, value: bytes) -> None:
    entry = table.get(term)
    if entry is None:
        entry = table[term] = _entry()
    entry[0].append(docnum)
    entry[1].append(weight)
    entry[2].append(len(value))
    entry[3] += value


#: Indexes one field value into a term table: returns (field length, postings added).
_Indexer = Callable[[dict[Any, _Entry], int, Any, float], tuple[int, int]]


def _positions_indexer(kept_terms: Callable[[str], list[str]], fb: float) -> _Indexer:
    """``CombinedPositions.word_values`` for a fused analyzer, straight into the table; a
    plain text is one text of weight 1, which is ``CompactPositions.word_values``."""

    def index(table: dict[Any, _Entry], docnum: int, value: Any, boost: float) -> tuple[int, int]:
        if isinstance(value, str):
            value = [(value, 1.0)]
        poses: dict[str, list[int]] = {}
        weights: dict[str, float] = {}
        base = length = 0
        for text, weight in value:
            terms = kept_terms(text)
            for pos, term in enumerate(terms, base):
                found = poses.get(term)
                if found is None:
                    poses[term] = [pos]
                    weights[term] = weight
                else:
                    found.append(pos)
                    weights[term] += weight
            if terms:
                base += len(terms) - 1 + TEXT_GAP
                length += len(terms)
        for term, poslist in poses.items():
            entry = table.get(term)
            if entry is None:
                entry = table[term] = _entry()
            encoded = encode_positions(poslist)
            entry[0].append(docnum)
            entry[1].append(weights[term] * fb * boost)
            entry[2].append(len(encoded))
            entry[3] += encoded
        return length, len(poses)

    return index


def _fast_indexer(field: Any) -> _Indexer | None:
    analyzer: Any = getattr(field, "analyzer", None)
    if not getattr(analyzer, "fusable", False):
        return None
    fmt = field.format
    if type(fmt) in (CombinedPositions, CompactPositions):
        return _positions_indexer(analyzer.kept_terms, fmt.field_boost)
    return None


class FastSegmentWriter(SegmentWriter):
    def __init__(self, ix: Any, *, private_temp: bool = False, **kwargs: Any) -> None:
        super().__init__(ix, **kwargs)
        for name, field in self.schema.items():
            if field.vector or field.separate_spelling():
                raise ValueError(f"field {name!r}: term vectors and spelling are not supported")
        self._indexers = {
            name: indexer
            for name, field in self.schema.items()
            if field.indexed and (indexer := _fast_indexer(field)) is not None
        }
        self._buffer = _Buffer()
        self._runs: list[str] = []
        if private_temp:
            # A helper process writes beside the parent, which owns Whoosh's "MAIN.tmp" (and
            # destroys it at its commit): the helper's run files go to a directory of its
            # own, which its own _finish destroys.
            self._tempstorage = self.storage.temp_storage(
                f"{self.indexname}.{self.newsegment.segid}.tmp"
            )
        #: Helper processes (parallel.Helper) whose segments this writer's commit publishes.
        self.helpers: list[Any] = []

    # -- gathering ------------------------------------------------------------------------

    def add_document(self, **fields: Any) -> None:
        self._check_state()
        perdocwriter = self.perdocwriter
        schema = self.schema
        docnum = self.docnum
        buffer = self._buffer
        docboost = self._doc_boost(fields)
        fieldnames = sorted(name for name in fields if not name.startswith("_"))
        self._check_fields(schema, fieldnames)

        perdocwriter.start_doc(docnum)
        try:
            for fieldname in fieldnames:
                value = fields[fieldname]
                if value is None:
                    continue
                field = schema[fieldname]
                length = 0
                if field.indexed:
                    boost = self._field_boost(fields, fieldname, docboost)
                    table = buffer.table(fieldname)
                    indexer = self._indexers.get(fieldname)
                    if indexer is not None:
                        length, added = indexer(table, docnum, value, boost)
                        buffer.postings += added
                    else:
                        for tbytes, freq, weight, vbytes in field.index(value):
                            if field.scorable:
                                length += freq
                            _add(table, tbytes, docnum, weight * boost, vbytes or b"")
                            buffer.postings += 1
                stored = fields.get("_stored_" + fieldname, value)
                perdocwriter.add_field(fieldname, field, stored if field.stored else None, length)
                column = field.column_type
                if column and stored is not None:
                    perdocwriter.add_column_value(fieldname, column, field.to_column_value(stored))
        except Exception:
            perdocwriter.cancel_doc()
            raise
        perdocwriter.finish_doc()
        self._added = True
        self.docnum += 1
        if buffer.postings >= RUN_POSTINGS:
            self._spill()

    def add_postings_to_pool(self, reader: Any, startdoc: int, docmap: Any) -> None:
        """A merged segment's postings (Whoosh calls this when it merges segments)."""
        buffer = self._buffer
        keyed_by_text = self._indexers
        for fieldname, btext, docnum, weight, vbytes in self._process_posts(
            reader.iter_postings(), startdoc, docmap
        ):
            term = btext.decode("utf-8") if fieldname in keyed_by_text else btext
            _add(buffer.table(fieldname), term, docnum, weight, vbytes or b"")
            buffer.postings += 1
            if buffer.postings >= RUN_POSTINGS:
                self._spill()
                buffer = self._buffer

    # -- runs -----------------------------------------------------------------------------

    def _spill(self) -> None:
        name = f"run{len(self._runs)}"
        f = self._tempstorage.create_file(name).raw_file()
        with f:
            records = self._buffer.records()
            while chunk := [
                (fieldname, term, ids.tobytes(), weights.tobytes(), lengths.tobytes(), bytes(v))
                for fieldname, term, ids, weights, lengths, v in islice(records, CHUNK)
            ]:
                marshal.dump(chunk, f)
        self._runs.append(name)
        self._buffer = _Buffer()

    def _read_run(self, name: str) -> Iterator[_Record]:
        f = self._tempstorage.open_file(name).raw_file()
        try:
            while True:
                try:
                    chunk = marshal.load(f)
                except EOFError:
                    return
                for fieldname, term, ids, weights, lengths, values in chunk:
                    yield (
                        fieldname,
                        term,
                        array("I", ids),
                        array("f", weights),
                        array("I", lengths),
                        values,
                    )
        finally:
            f.close()
            self._tempstorage.delete_file(name)

    def _records(self) -> Iterator[_Record]:
        """Every term's postings in (field, term) order, the runs' lists concatenated."""
        if not self._runs:
            yield from self._buffer.records()
            return
        sources = [self._read_run(name) for name in self._runs] + [self._buffer.records()]
        # heapq.merge keeps equal keys in the order of their sources: document order.
        merged = heapq.merge(*sources, key=_KEY)
        for _, group in groupby(merged, key=_KEY):
            (fieldname, term, ids, weights, lengths, values), *rest = group
            parts = [bytes(values)]
            for _, _, more_ids, more_weights, more_lengths, more_values in rest:
                ids.extend(more_ids)
                weights.extend(more_weights)
                lengths.extend(more_lengths)
                parts.append(bytes(more_values))
            yield fieldname, term, ids, weights, lengths, b"".join(parts)

    # -- writing --------------------------------------------------------------------------

    def commit(self, mergetype: Any = None, optimize: Any = None, merge: Any = None) -> None:
        # SegmentWriter.commit, publishing the helpers' segments in the same generation.
        self._check_state()
        segments = self._merge_segments(mergetype, optimize, merge)
        if self._added:
            segments.append(self._finalize_segment())
        else:
            self._close_segment()
        # The helpers wrote their segments while this one was written: collect them now.
        helpers, self.helpers = self.helpers, []
        try:
            extra = [seg for helper in helpers if (seg := helper.segment()) is not None]
        finally:
            for helper in helpers:
                helper.abort()
        self._commit_toc(segments + extra)
        self._finish()

    def cancel(self) -> None:
        helpers, self.helpers = self.helpers, []
        for helper in helpers:
            helper.abort()
        super().cancel()

    def _flush_segment(self) -> None:
        self.perdocwriter.close()
        pdr = self.per_document_reader() if self.codec.length_stats else None
        try:
            self._write_postings(pdr)
        finally:
            if pdr is not None:
                pdr.close()
        self.fieldwriter.close()

    def _write_postings(self, pdr: Any) -> None:
        fieldwriter = self.fieldwriter
        schema = self.schema
        doccount = self.docnum
        current = None
        doc_lengths: list[int] | None = None
        for fieldname, term, ids, weights, lengths, values in self._records():
            if fieldname != current:
                if current is not None:
                    fieldwriter.finish_field()
                field = schema[fieldname]
                fieldwriter.start_field(fieldname, field)
                current = fieldname
                doc_lengths = None
                if pdr is not None and field.scorable:
                    length = pdr.doc_field_length
                    doc_lengths = [length(d, fieldname, 0) for d in range(doccount)]
            btext = term.encode("utf-8") if term.__class__ is str else term
            fieldwriter.add_term(btext, ids, weights, lengths, bytes(values), doc_lengths)
        if current is not None:
            fieldwriter.finish_field()


_KEY = itemgetter(0, 1)
