"""Integers packed as an ``array`` of the narrowest unsigned type that holds them all."""

from __future__ import annotations

from array import array

from searchlib.errors import StorageError

__all__ = ["narrowest"]

_UNSIGNED = ("B", "H", "I", "Q")


def narrowest(values: list[int], what: str = "value") -> array:
    """``values`` (none negative) as the narrowest unsigned array; ``what`` names them in
    the error for a value past 64 bits."""
    top = max(values) if values else 0
    for code in _UNSIGNED:
        if top < 1 << (8 * array(code).itemsize):
            return array(code, values)
    raise StorageError(f"{what} {top} does not fit in 64 bits")
