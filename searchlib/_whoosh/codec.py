"""Whoosh's W3 codec with posting blocks that decode without one Python object per posting.

Whoosh pickles each block of up to 128 postings as a tuple of ids, weights and values (the
positions, one ``bytes`` object per posting), zlib-compressed. Reading a block to score it
then unpickles and builds every posting's positions, which a ranked search never looks
at: most of a query's time went there (``benchmarks/run.py``, profile in README). This
codec keeps Whoosh's block layout, header and statistics, and changes only what the
block's pickled tuple holds:

* ids: the deltas as one ``array`` of the narrowest unsigned type that fits;
* weights: as Whoosh (None when all 1.0, one float when all equal), else one float array;
* values: the lengths as one array and the bytes joined, split only when a phrase query
  asks for positions.

A tuple of a few ``bytes`` objects unpickles in one step; the postings are decoded by
``array`` and ``itertools.accumulate`` in C. Blocks stay zlib-compressed at level 1.

Segments remember the codec they were written with (Whoosh pickles it into the table of
contents), so this class keeps its import path; term-vector lists (byte ids) keep Whoosh's
own encoding.
"""

from __future__ import annotations

from array import array
from itertools import accumulate, pairwise
from typing import Any

from whoosh.codec.whoosh3 import W3Codec, W3LeafMatcher, W3PostingsWriter

from searchlib._whoosh.stored import StoredReader, StoredWriter

_UNSIGNED = ("B", "H", "I", "Q")


def _narrowest(values: list[int]) -> array:
    top = max(values) if values else 0
    for code in _UNSIGNED:
        if top < 1 << (8 * array(code).itemsize):
            return array(code, values)
    raise OverflowError(f"posting id delta {top} does not fit in 64 bits")


class PostingsWriter(W3PostingsWriter):
    def _mini_ids(self) -> Any:
        if self._byteids:
            return super()._mini_ids()
        ids = self._ids
        deltas = [ids[0]] + [b - a for a, b in pairwise(ids)]
        packed = _narrowest(deltas)
        return (packed.typecode, packed.tobytes())

    def _mini_weights(self) -> Any:
        weights = super()._mini_weights()
        if self._byteids or not isinstance(weights, tuple):
            return weights
        return array("f", weights).tobytes()

    def _mini_values(self) -> Any:
        fixedsize = self._format.fixed_value_size()
        if self._byteids or not (fixedsize is None or fixedsize < 0):
            return super()._mini_values()
        values = self._values
        lengths = _narrowest([len(v) for v in values])
        return (lengths.typecode, lengths.tobytes(), b"".join(values))


class LeafMatcher(W3LeafMatcher):
    def _read_ids(self) -> None:
        if self._data is None:
            self._read_data()
        code, packed = self._data[0]
        self._ids = list(accumulate(array(code, packed)))

    def _read_weights(self) -> None:
        if self._data is None:
            self._read_data()
        weights = self._data[1]
        if isinstance(weights, bytes):
            block = array("f")
            block.frombytes(weights)
            self._weights = block
        else:
            super()._read_weights()

    def _read_values(self) -> None:
        if self._data is None:
            self._read_data()
        fixedsize = self._fixedsize
        if not (fixedsize is None or fixedsize < 0):
            super()._read_values()
            return
        code, packed, joined = self._data[2]
        ends = accumulate(array(code, packed))
        start = 0
        values = []
        for end in ends:
            values.append(joined[start:end])
            start = end
        self._values = tuple(values)


class SearchlibCodec(W3Codec):
    """W3 with the posting blocks above (128 postings a block, zlib level 1)."""

    def __init__(self, blocklimit: int = 128, compression: int = 1, inlinelimit: int = 1):
        super().__init__(blocklimit, compression, inlinelimit)

    def postings_writer(self, dbfile: Any, byteids: bool = False) -> PostingsWriter:
        return PostingsWriter(
            dbfile,
            blocklimit=self._blocklimit,
            byteids=byteids,
            compression=self._compression,
            inlinelimit=self._inlinelimit,
        )

    def postings_reader(
        self, dbfile: Any, terminfo: Any, format_: Any, term: Any = None, scorer: Any = None
    ) -> Any:
        if terminfo.is_inlined():
            return super().postings_reader(dbfile, terminfo, format_, term=term, scorer=scorer)
        offset, length = terminfo.extent()
        return LeafMatcher(dbfile, offset, length, format_, term=term, scorer=scorer)

    # Stored fields: one compressed column with a trained dictionary (stored.py).

    def per_document_writer(self, storage: Any, segment: Any) -> StoredWriter:
        return StoredWriter(self, storage, segment)

    def per_document_reader(self, storage: Any, segment: Any) -> StoredReader:
        return StoredReader(storage, segment)
