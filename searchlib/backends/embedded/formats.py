"""A compact posting format for text fields.

Whoosh's ``Positions`` stores each posting's positions as a 4-byte count plus a *pickled*
list of deltas: a pickle's framing around every posting, however short, and a
``pickle.dumps`` call per posting at build time. ``CompactPositions`` stores the same
information as varints (one or two bytes for most postings) and encodes with table lookups.
It is pickled into the index schema, so this import path is part of the index format.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from whoosh.formats import Positions, tokens

__all__ = [
    "ONE_POSITION",
    "SMALL",
    "TEXT_GAP",
    "CombinedPositions",
    "CompactPositions",
    "encode_positions",
]

#: Numbers below this have precomputed varints: nearly every position delta.
SMALL = 1 << 14
_VARINT = [bytes([n]) if n < 0x80 else bytes([(n & 0x7F) | 0x80, n >> 7]) for n in range(SMALL)]


#: The encoding of a posting with one position ``p < SMALL``: most postings of a text field.
ONE_POSITION = [_VARINT[1] + v for v in _VARINT]


def encode_positions(poslist: list[int]) -> bytes:
    """A posting's value: the count, then the deltas between positions, as varints."""
    if len(poslist) == 1 and poslist[0] < SMALL:
        return ONE_POSITION[poslist[0]]
    parts = [_varint(len(poslist))]
    base = 0
    for pos in poslist:
        parts.append(_VARINT[pos - base] if pos - base < SMALL else _varint(pos - base))
        base = pos
    return b"".join(parts)


def _varint(n: int) -> bytes:
    if n < SMALL:
        return _VARINT[n]
    out = bytearray()
    while n >= 0x80:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def _read_varints(data: bytes) -> Iterator[int]:
    value = shift = 0
    for byte in data:
        value |= (byte & 0x7F) << shift
        if byte & 0x80:
            shift += 7
        else:
            yield value
            value = shift = 0


class CompactPositions(Positions):
    """Frequency and positions as varints: count, then deltas between positions."""

    def word_values(self, value: Any, analyzer: Any, **kwargs: Any) -> Iterator[tuple]:
        fb = self.field_boost
        poses: dict[str, list[int]] = {}
        kwargs["positions"] = True
        for t in tokens(value, analyzer, kwargs):
            found = poses.get(t.text)
            if found is None:
                poses[t.text] = [t.pos]
            else:
                found.append(t.pos)
        encode = self.encode
        for word, poslist in poses.items():
            yield (word, len(poslist), len(poslist) * fb, encode(poslist))

    def encode(self, poslist: list[int]) -> bytes:
        return encode_positions(poslist)

    def decode_positions(self, valuestring: bytes) -> list[int]:
        if len(valuestring) == 2 and valuestring[0] == 1 and valuestring[1] < 0x80:
            return [valuestring[1]]  # one early position: most postings
        numbers = _read_varints(valuestring)
        count = next(numbers, 0)
        positions = []
        position = 0
        for _ in range(count):
            position += next(numbers)
            positions.append(position)
        return positions

    def decode_frequency(self, valuestring: bytes) -> int:
        return next(_read_varints(valuestring), 0)


#: Positions between two texts of a combined field, so no phrase spans title and body.
TEXT_GAP = 100


class CombinedPositions(CompactPositions):
    """One field built from several texts with their own weights: BM25F's combined field.

    The value is a sequence of ``(text, weight)`` pairs (title and body). A term's posting
    weight is its weighted frequency, so BM25 saturates the *sum* over fields, as BM25F
    does, instead of adding up one saturated score per field.
    """

    def word_values(self, value: Any, analyzer: Any, **kwargs: Any) -> Iterator[tuple]:
        if isinstance(value, str):
            value = [(value, 1.0)]
        fb = self.field_boost
        poses: dict[str, list[int]] = {}
        weights: dict[str, float] = {}
        kwargs["positions"] = True
        base = 0
        for text, weight in value:
            last = -1
            for t in tokens(text, analyzer, kwargs):
                pos = base + t.pos
                found = poses.get(t.text)
                if found is None:
                    poses[t.text] = [pos]
                    weights[t.text] = weight
                else:
                    found.append(pos)
                    weights[t.text] += weight
                last = pos
            if last >= 0:
                base = last + TEXT_GAP
        encode = self.encode
        for word, poslist in poses.items():
            yield (word, len(poslist), weights[word] * fb, encode(poslist))
