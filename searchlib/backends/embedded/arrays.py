"""Integers packed as narrow arrays, and byte strings packed as one record.

These are the engine's own encodings (no pickle, no marshal): an ``array`` is stored as
its type code and its bytes (little-endian, whatever the machine), a record as the number
of its parts, each part's length and the parts joined.
"""

from __future__ import annotations

import sys
from array import array
from collections.abc import Sequence
from itertools import accumulate

from searchlib.errors import StorageError

__all__ = ["narrowest", "pack_array", "pack_parts", "unpack_array", "unpack_parts"]

_UNSIGNED = ("B", "H", "I", "Q")
_BIG = sys.byteorder == "big"
#: An empty array per type code: copying one is cheaper than parsing ``array(code)``'s
#: arguments, and every block read makes a few.
_EMPTY = {code: array(code) for code in "bBhHiIlLqQfd"}
ITEMSIZE = {code: proto.itemsize for code, proto in _EMPTY.items()}
#: Each unsigned type code and the first value it cannot hold.
_BOUNDS = [(code, 1 << (8 * ITEMSIZE[code])) for code in _UNSIGNED]


def empty(code: str) -> array:
    """A new empty array of type ``code`` (ValueError for any other code)."""
    proto = _EMPTY.get(code)
    if proto is None:
        raise ValueError(f"bad array type code {code!r}")
    return proto[:]


def narrowest(values: Sequence[int], what: str = "value") -> array:
    """``values`` (none negative) as the narrowest unsigned array; ``what`` names them in
    the error for a value past 64 bits."""
    top = max(values) if values else 0
    for code, bound in _BOUNDS:
        if top < bound:
            return array(code, values)
    raise StorageError(f"{what} {top} does not fit in 64 bits")


def pack_array(values: array) -> bytes:
    """An array as its type code and its bytes, little-endian."""
    if _BIG and values.itemsize > 1:
        values = array(values.typecode, values)
        values.byteswap()
    return values.typecode.encode("ascii") + values.tobytes()


def unpack_array(data: bytes | memoryview) -> array:
    """The array :func:`pack_array` packed (ValueError on damaged bytes)."""
    values = empty(chr(data[0]))
    values.frombytes(data[1:])
    if _BIG and values.itemsize > 1:
        values.byteswap()
    return values


def pack_parts(parts: list[bytes]) -> bytes:
    """Byte strings as one: their count, their lengths (4 bytes each), then the parts."""
    sizes = array("I", [len(part) for part in parts])
    return pack_array(array("I", [len(parts)])) + pack_array(sizes) + b"".join(parts)


def unpack_parts(data: bytes | memoryview) -> list[bytes]:
    """The parts :func:`pack_parts` joined; ValueError when the lengths do not add up."""
    count = unpack_array(data[:5])[0]
    head = 5 + 1 + 4 * count
    sizes = unpack_array(data[5:head])
    ends = list(accumulate(sizes, initial=head))
    if len(sizes) != count or ends[-1] != len(data):
        raise ValueError("record lengths do not add up")
    if isinstance(data, memoryview):
        data = bytes(data)
    return list(map(data.__getitem__, map(slice, ends[:-1], ends[1:])))
