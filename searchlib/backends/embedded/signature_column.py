"""The story signature as a per-document column: fixed width, read as a slice of the
segment's mapped file.

The collapse of duplicate stories reads the signature of every candidate beyond the page;
kept among the stored fields, each would cost decompressing and decoding a whole document.
A Whoosh ``COLUMN`` field (:class:`whoosh.columns.FixedBytesColumn`) holds it in the
segment's column file instead, ``SIGNATURE_BYTES`` per document, and its reader slices the
segment's map directly: the collapse reads a score of them per search.

Segments written before the column existed have none, and a merge copies their documents
with the column's default (``ABSENT``): those documents' signatures are read from their
stored fields, where they were kept then (a document indexed before signatures existed has
none there either, and is a story of its own).
"""

from __future__ import annotations

import heapq
from bisect import bisect_right
from typing import Any

from whoosh import columns, fields

from searchlib.backends.embedded.segment import range_reader
from searchlib.signatures import SIGNATURE_BYTES, SIGNATURE_FIELD, document_signature, packed

__all__ = ["ABSENT", "SignatureColumn", "SignatureReader", "match_signatures"]

#: The column's default, and the value of a document without a signature in it: every bin
#: empty, which no text's signature is (every text has at least one shingle).
ABSENT = b"\xff" * SIGNATURE_BYTES


class SignatureColumn(fields.COLUMN):
    """The schema field of the signature: not indexed, not stored, one column value."""

    def __init__(self) -> None:
        super().__init__(_FixedSignatures(SIGNATURE_BYTES, default=ABSENT))

    def __reduce__(self) -> tuple[type, tuple[()]]:
        """Pickled into the table of contents as its class path alone: everything else
        is fixed by the class."""
        return SignatureColumn, ()

    def to_column_value(self, value: Any) -> bytes:
        """Documents carry the signature as hex text (:mod:`searchlib.signatures`)."""
        return packed(value) or ABSENT


class _FixedSignatures(columns.FixedBytesColumn):
    """Whoosh's fixed-width bytes column, read through :class:`_SignatureValues`."""

    def reader(self, dbfile: Any, basepos: int, length: int, doccount: int) -> Any:
        return _SignatureValues(dbfile, basepos, length, doccount)


class _SignatureValues(columns.ColumnReader):
    """A segment's signatures as slices of its column file (of the map, when the segment
    is mapped). The writer stops after the last document with a value of its own, so the
    documents beyond are ``ABSENT``, as with Whoosh's own fixed-width reader."""

    def __init__(self, dbfile: Any, basepos: int, length: int, doccount: int) -> None:
        super().__init__(dbfile, basepos, length, doccount)
        self.read_range = range_reader(dbfile)
        self.base = basepos
        self.written = length // SIGNATURE_BYTES

    def __getitem__(self, docnum: int) -> bytes:
        if docnum >= self.written:
            return ABSENT
        return bytes(self.read_range(self.base + SIGNATURE_BYTES * docnum, SIGNATURE_BYTES))


class SignatureReader:
    """Each document's signature by its number in a searcher's reader: bytes from its
    segment's column, or None where the column has none (the hit then reads its stored
    fields). Each segment's column is opened when first asked for; a store keeps one
    reader per searcher, as the collapse asks for signatures on every search."""

    def __init__(self, reader: Any) -> None:
        self._leaves = list(reader.leaf_readers())
        self._starts = [offset for _, offset in self._leaves]
        self._columns: dict[int, Any] = {}

    def many(self, docnums: list[int]) -> list[bytes | None]:
        """The signatures of ``docnums``, in their order."""
        if len(self._leaves) == 1:
            column = self._segment(0)
            if column is None:
                return [None] * len(docnums)
            values = map(column.__getitem__, docnums)
            return [None if value == ABSENT else value for value in values]
        starts, out = self._starts, []
        for docnum in docnums:
            i = bisect_right(starts, docnum) - 1
            column = self._segment(i)
            value = ABSENT if column is None else column[docnum - starts[i]]
            out.append(None if value == ABSENT else value)
        return out

    def _segment(self, i: int) -> Any:
        column = self._columns.get(i, False)
        if column is False:
            column = self._columns[i] = self._column(self._leaves[i][0])
        return column

    @staticmethod
    def _column(leaf: Any) -> Any:
        if not leaf.has_column(SIGNATURE_FIELD):
            return None
        return leaf.column_reader(SIGNATURE_FIELD, translate=False)


def match_signatures(
    matches: list[tuple[Any, set[int]]] | None, n: int
) -> list[bytes | None] | None:
    """The signatures of the first ``n`` matches in index order (``matches``: per segment
    reader, its matching document numbers), or None when some segment has no column (its
    signatures are in stored fields: too dear to read for a count), the matches are
    unknown or the readers closed since (the caller then ranks the matches again)."""
    if matches is None or any(reader.is_closed for reader, _ in matches):
        return None
    out: list[bytes | None] = []
    for reader, docs in matches:
        if len(out) >= n:
            break
        if docs and not reader.has_column(SIGNATURE_FIELD):
            return None
        if docs:
            column = reader.column_reader(SIGNATURE_FIELD, translate=False)
            values = map(column.__getitem__, heapq.nsmallest(n - len(out), docs))
            out.extend(None if value == ABSENT else value for value in values)
    return out


def signed(values: dict[str, Any]) -> dict[str, Any]:
    """A document's fields with its story signature, computed where the document is
    indexed: a large add's helper process signs the documents it indexes, so the parent,
    which also reads and normalizes every document, does not sign them all."""
    values[SIGNATURE_FIELD] = document_signature(values)
    return values
