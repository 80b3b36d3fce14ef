"""Checksums on the engine's own files, and the error a damaged one raises.

Every block the engine writes (a posting block, a term-dictionary block, a stored
document, a column) carries a CRC-32 of its bytes, checked when it is read: damage is
reported as :class:`~searchlib.errors.StorageError` naming the segment file and the part
of it, instead of whatever a decoder happens to raise on garbage (or a wrong answer).
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Callable
from typing import TypeVar

from searchlib.errors import StorageError

__all__ = ["ADVICE", "DECODE_ERRORS", "Place", "checked", "crc"]

ADVICE = "restore the index from a backup, or export what still reads and reindex"
#: What decoding damaged bytes raises (the CRC catches nearly all of it first).
DECODE_ERRORS = (
    struct.error,
    zlib.error,
    ValueError,
    IndexError,
    KeyError,
    EOFError,
    TypeError,
    OverflowError,
)

T = TypeVar("T")


#: The CRC-32 of a block's bytes (Python's zlib gives it unsigned, as the formats store it).
crc = zlib.crc32


class Place:
    """Where a part of a segment lives: the file on disk (the segment's compound file or
    the loose file) and the part's own name, for error messages."""

    __slots__ = ("file", "part")

    def __init__(self, file: str, part: str) -> None:
        self.file = file
        self.part = part

    def error(self, what: str) -> StorageError:
        where = self.file if self.file == self.part else f"{self.file} (part {self.part})"
        return StorageError(f"damaged index file {where}: {what}; {ADVICE}")

    def check(self, data: bytes | memoryview, expected: int, what: str) -> None:
        if crc(data) != expected:
            raise self.error(f"{what}: checksum mismatch")


def checked(
    place: Place,
    what: str,
    decode: Callable[[], T],
    errors: tuple[type[BaseException], ...] = DECODE_ERRORS,
) -> T:
    """``decode()``, with a decoder's exception on damaged bytes (``errors``) raised as a
    StorageError."""
    try:
        return decode()
    except errors as error:
        raise place.error(f"{what}: {type(error).__name__}: {error}") from None
