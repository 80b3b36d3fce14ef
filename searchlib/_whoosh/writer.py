"""Whoosh's segment writer with its slowest per-posting step removed.

When Whoosh writes a segment's postings it asks the per-document reader for the field
length of every posting's document, and that reader decodes the length from a column on
disk each time: about a sixth of the build time. The lengths do not change during the
flush, so each field's lengths are decoded once, into a list.
"""

from __future__ import annotations

from typing import Any

from whoosh.writing import SegmentWriter

__all__ = ["FastSegmentWriter"]


class _CachedLengths:
    def __init__(self, reader: Any) -> None:
        self._reader = reader
        self._tables: dict[str, list[int]] = {}

    def doc_field_length(self, docnum: int, fieldname: str, default: int = 0) -> int:
        table = self._tables.get(fieldname)
        if table is None:
            length = self._reader.doc_field_length
            table = [length(d, fieldname, default) for d in range(self._reader.doc_count_all())]
            self._tables[fieldname] = table
        return table[docnum]


class FastSegmentWriter(SegmentWriter):
    def _flush_segment(self) -> None:
        self.perdocwriter.close()
        pdr = self.per_document_reader() if self.codec.length_stats else None
        lengths = _CachedLengths(pdr) if pdr is not None else None
        self.fieldwriter.add_postings(self.schema, lengths, self.pool.iter_postings())
        self.fieldwriter.close()
        if pdr is not None:
            pdr.close()
