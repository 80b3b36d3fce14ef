"""Whoosh's segment writer with its slowest per-posting steps removed.

- When Whoosh writes a segment's postings it asks the per-document reader for the field
  length of every posting's document, decoding it from a column on disk each time (a
  sixth of the build). The lengths do not change during the flush: each field's lengths
  are decoded once, into a list.
- The posting pool estimates every posting's size in Python and, past its memory limit,
  spills sorted runs to disk with one ``pickle.dump`` per posting and reads them back with
  one ``pickle.load`` each (half the build time of a large index). Here a run is written
  as a few large ``marshal`` chunks, and the limit counts postings.
"""

from __future__ import annotations

import marshal
from collections.abc import Iterator
from typing import Any

from whoosh.writing import PostingPool, SegmentWriter

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


#: Postings per run: about 300 bytes each in memory, so a run holds ~300 MB.
RUN_POSTINGS = 1_000_000
#: Postings per marshal chunk in a run file.
CHUNK = 20_000


class FastPostingPool(PostingPool):
    current: list[tuple]

    def __init__(self, tempstore: Any, segment: Any, **kwargs: Any) -> None:
        super().__init__(tempstore, segment, **kwargs)
        # Whoosh reads ``fieldnames`` of a pool only when merging sub-writers' pools,
        # which searchlib never does; the writer's schema names every field anyway.
        self.fieldnames: set[str] = set()

    def add(self, item: tuple) -> None:
        current = self.current
        current.append(item)
        if len(current) >= RUN_POSTINGS:
            self.save()

    def save(self) -> None:
        current = self.current
        if current:
            current.sort()
            path, f = self._new_run()
            with f:
                for i in range(0, len(current), CHUNK):
                    marshal.dump(current[i : i + CHUNK], f)
            self._add_run(path)
            self.current = []

    def _read_run(self, path: str) -> Iterator[tuple]:
        f = self._open_run(path)
        try:
            while True:
                try:
                    chunk = marshal.load(f)
                except EOFError:
                    return
                yield from chunk
        finally:
            f.close()
            self._remove_run(path)

    def reduce_to(self, target: int, k: int) -> None:
        raise NotImplementedError("runs are merged in one pass (at most 128 open)")


class FastSegmentWriter(SegmentWriter):
    def __init__(self, ix: Any, **kwargs: Any) -> None:
        super().__init__(ix, **kwargs)
        self.pool = FastPostingPool(self._tempstorage, self.newsegment)

    def _flush_segment(self) -> None:
        self.perdocwriter.close()
        pdr = self.per_document_reader() if self.codec.length_stats else None
        lengths = _CachedLengths(pdr) if pdr is not None else None
        self.fieldwriter.add_postings(self.schema, lengths, self.pool.iter_postings())
        self.fieldwriter.close()
        if pdr is not None:
            pdr.close()
