"""A new segment's postings, gathered per term, in memory and in sorted run files.

Whoosh's own writer sends every posting through a pool as a tuple (field, term, document,
weight, value), sorts them all, spills and merges sorted runs, and hands them to the codec
one call per posting: work repeated for every word of every document. Here each posting is
appended to its term's two byte arrays instead (its document, weight and value length
packed in one record, its value in the other), so a term's postings are together and in
document order from the start; at flush the terms are sorted once, each term's records are
split into arrays in C, and each posting list goes to the codec whole. Text fields whose
analyzer runs fused are analyzed into a plain list of terms (no Token per term), their
positions encoded straight from it; a date is prepared once for all its tiers' terms.

Memory grows with the buffered postings and their distinct terms. Past ``RUN_POSTINGS``
the buffered terms go to a sorted run file; at flush the runs and the last buffer are
merged term by term, concatenating the records as bytes and splitting them once, so memory
stays bounded however large the build (and the merge has no per-posting work either).
"""

from __future__ import annotations

import heapq
import marshal
from array import array
from collections.abc import Callable, Iterator
from datetime import datetime
from itertools import groupby, islice
from operator import itemgetter
from struct import Struct
from typing import Any

from whoosh import fields
from whoosh.util.numeric import to_sortable

from searchlib.backends.embedded.formats import (
    ONE_POSITION,
    SMALL,
    TEXT_GAP,
    CombinedPositions,
    CompactPositions,
    encode_positions,
)

__all__ = [
    "CHUNK",
    "RUN_POSTINGS",
    "Indexer",
    "PostingBuffer",
    "date_indexer",
    "field_postings",
    "fused_indexer",
]

#: Buffered postings before they are written to a run file (~100 MB with their terms).
RUN_POSTINGS = 4_000_000
#: Terms per marshal chunk in a run file.
CHUNK = 2_000

#: A posting as its term's records hold it: document number, weight, value length (native
#: byte order, as ``array`` reads it back).
POSTING = Struct("=IfI")
_pack = POSTING.pack
#: A term's postings: their records packed, their values joined. Two appends a posting,
#: into a tuple of byte arrays, which the cyclic garbage collector soon stops tracking, so
#: its full collections do not walk the buffered terms.
Entry = tuple[bytearray, bytearray]
#: (field name, term, ids, weights, lengths, values): one term's postings, in term order.
Record = tuple[str, Any, array, array, array, Any]
#: (field name, term, records, values): one term's postings as gathered or spilled.
Packed = tuple[str, Any, bytes | bytearray, bytes | bytearray]
#: Indexes one field value into a term table: returns (field length, postings added).
Indexer = Callable[[dict[Any, Entry], int, Any, float], tuple[int, int]]


def add_posting(
    table: dict[Any, Entry], term: Any, docnum: int, weight: float, value: bytes
) -> None:
    # Packed before the term's entry is made: a weight that cannot be packed leaves no
    # empty entry behind for the commit to trip over.
    record = _pack(docnum, weight, len(value))
    entry = table.get(term)
    if entry is None:
        table[term] = bytearray(record), bytearray(value)
    else:
        records, values = entry
        records += record
        values += value


def _unpacked(records: bytes | bytearray) -> tuple[array, array, array]:
    """A term's records as arrays: document numbers, weights, value lengths."""
    whole, reals = array("I", records), array("f", records)
    return whole[0::3], reals[1::3], whole[2::3]


def field_postings(
    table: dict[Any, Entry], field: Any, docnum: int, value: Any, boost: float
) -> tuple[int, int]:
    """A field value's postings gathered through the field's own ``index`` (the way with
    no direct indexer): (field length, postings added)."""
    length = added = 0
    for tbytes, freq, weight, vbytes in field.index(value):
        if field.scorable:
            length += freq
        add_posting(table, tbytes, docnum, weight * boost, vbytes or b"")
        added += 1
    return length, added


def _positions_indexer(kept_terms: Callable[[str], list[str]], fb: float) -> Indexer:
    """``CombinedPositions.word_values`` for a fused analyzer, straight into the table; a
    plain text is one text of weight 1, which is ``CompactPositions.word_values``."""

    def index(table: dict[Any, Entry], docnum: int, value: Any, boost: float) -> tuple[int, int]:
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
        get = table.get
        pack = _pack
        scale = fb * boost
        for term, poslist in poses.items():
            # One position below SMALL is most postings: a lookup, not a call.
            if len(poslist) == 1 and poslist[0] < SMALL:
                encoded = ONE_POSITION[poslist[0]]
            else:
                encoded = encode_positions(poslist)
            # Packed before the entry is made, as in add_posting.
            record = pack(docnum, weights[term] * scale, len(encoded))
            entry = get(term)
            if entry is None:
                table[term] = bytearray(record), bytearray(encoded)
            else:
                records, values = entry
                records += record
                values += encoded
        return length, len(poses)

    return index


def date_indexer(field: Any) -> Indexer | None:
    """The direct indexer of a date field (its terms keyed by bytes), else None.
    ``DATETIME.index`` prepares a date again for each of its tiers' terms (eight), which
    are the same sortable number shifted: this prepares it once. Values other than dates
    (a string, bytes, a list) go through the field's own ``index``."""
    if type(field) is not fields.DATETIME:
        return None
    shifts = range(0, field.bits, field.shift_step) if field.shift_step else range(1)
    numtype, bits, signed = field.numtype, field.bits, field.signed
    prepared = field.prepare_datetime
    number = field.prepare_number
    to_bytes = field.sortable_to_bytes

    def index(table: dict[Any, Entry], docnum: int, value: Any, boost: float) -> tuple[int, int]:
        if not isinstance(value, datetime):
            return field_postings(table, field, docnum, value, boost)
        sortable = to_sortable(numtype, bits, signed, number(prepared(value)))
        for shift in shifts:
            add_posting(table, to_bytes(sortable, shift), docnum, boost, b"")
        return 0, len(shifts)

    return index


def fused_indexer(field: Any) -> Indexer | None:
    """The direct indexer of a text field whose analyzer runs fused (its terms keyed by
    text), else None (the field's own ``index`` is used)."""
    analyzer: Any = getattr(field, "analyzer", None)
    if not getattr(analyzer, "fusable", False):
        return None
    fmt = field.format
    if type(fmt) in (CombinedPositions, CompactPositions):
        return _positions_indexer(analyzer.kept_terms, fmt.field_boost)
    return None


class _Table:
    """The postings of the documents added since the last run, per field and term."""

    def __init__(self) -> None:
        self.fields: dict[str, dict[Any, Entry]] = {}
        self.postings = 0

    def table(self, fieldname: str) -> dict[Any, Entry]:
        table = self.fields.get(fieldname)
        if table is None:
            table = self.fields[fieldname] = {}
        return table

    def records(self) -> Iterator[Record]:
        for fieldname, term, records, values in self.packed():
            yield fieldname, term, *_unpacked(records), values

    def packed(self) -> Iterator[Packed]:
        """Each term's records and values as gathered, in (field, term) order."""
        for fieldname in sorted(self.fields):
            table = self.fields[fieldname]
            for term in sorted(table):
                yield fieldname, term, *table[term]


class PostingBuffer:
    """Postings per (field, term); past ``RUN_POSTINGS`` they spill to sorted run files in
    ``tempstorage`` (a Whoosh storage the writer owns and destroys)."""

    def __init__(self, tempstorage: Any) -> None:
        self._run_storage = tempstorage
        self._table = _Table()
        self._runs: list[str] = []

    def table(self, fieldname: str) -> dict[Any, Entry]:
        """The term table of ``fieldname``: add postings with :func:`add_posting` or an
        :data:`Indexer`, then call :meth:`added`."""
        return self._table.table(fieldname)

    def added(self, postings: int) -> None:
        """``postings`` were added to the tables: spill them if the buffer is full."""
        table = self._table
        table.postings += postings
        if table.postings >= RUN_POSTINGS:
            self._spill()

    def discard(self, docnum: int, fieldnames: list[str]) -> None:
        """Take back the postings of ``docnum`` (the last document gathered, whose adding
        failed) from the tables of ``fieldnames``."""
        last = -POSTING.size
        for fieldname in fieldnames:
            table = self._table.fields.get(fieldname, {})
            for term, (records, values) in list(table.items()):
                doc, _, length = POSTING.unpack_from(records, last)
                if doc == docnum:
                    del records[last:]
                    del values[len(values) - length :]
                    if not records:
                        del table[term]

    def _spill(self) -> None:
        name = f"run{len(self._runs)}"
        f = self._run_storage.create_file(name).raw_file()
        with f:
            packed = self._table.packed()
            while chunk := [
                (fieldname, term, bytes(records), bytes(values))
                for fieldname, term, records, values in islice(packed, CHUNK)
            ]:
                marshal.dump(chunk, f)
        self._runs.append(name)
        self._table = _Table()

    def _run_records(self, name: str) -> Iterator[Packed]:
        f = self._run_storage.open_file(name).raw_file()
        try:
            while True:
                try:
                    chunk = marshal.load(f)
                except EOFError:
                    return
                yield from chunk
        finally:
            f.close()
            self._run_storage.delete_file(name)

    def records(self) -> Iterator[Record]:
        """Every term's postings in (field, term) order, the runs' lists concatenated."""
        if not self._runs:
            yield from self._table.records()
            return
        sources = [self._run_records(name) for name in self._runs] + [self._table.packed()]
        # heapq.merge keeps equal keys in the order of their sources: document order. A
        # term's records and values from each run are joined as bytes and split once.
        merged = heapq.merge(*sources, key=_KEY)
        for (fieldname, term), group in groupby(merged, key=_KEY):
            parts: list[Packed] = list(group)
            records = b"".join([part[2] for part in parts])
            values = b"".join([part[3] for part in parts])
            yield fieldname, term, *_unpacked(records), values


_KEY = itemgetter(0, 1)
