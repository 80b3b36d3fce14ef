"""Reading raw input bytes with a bound on what is held in memory at once."""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO

__all__ = ["RAW_FACTOR", "raw_cap", "read_lines", "utf8_reason"]

#: Input may spell a document at most this many times its size: a JSON ``\\u0001`` escape
#: is 6 bytes for 1. Raw input above ``RAW_FACTOR * max_doc_bytes`` cannot be a document
#: under the limit, so it is refused without being held in memory.
RAW_FACTOR = 6
_DRAIN = 1 << 20


def raw_cap(max_doc_bytes: int) -> int:
    return RAW_FACTOR * max_doc_bytes + 4096


def read_lines(fh: BinaryIO, cap: int) -> Iterator[tuple[int, bytes | None, int]]:
    """``(line number, line without its newline, size)`` for each ``\\n``-terminated line.

    Only ``\\n`` ends a line (article text may hold U+2028 or a lone ``\\r``). A line longer
    than ``cap`` bytes is skipped as it is read and given as ``None`` with its size.
    """
    number = 0
    while True:
        line = fh.readline(cap + 1)
        if not line:
            return
        number += 1
        if len(line) > cap and not line.endswith(b"\n"):
            size = len(line)
            while True:
                rest = fh.readline(_DRAIN)
                size += len(rest)
                if not rest or rest.endswith(b"\n"):
                    break
            yield number, None, size - rest.endswith(b"\n")
            continue
        if line.endswith(b"\n"):
            line = line[:-1]
            if line.endswith(b"\r"):
                line = line[:-1]
        yield number, line, len(line)


def utf8_reason(error: UnicodeDecodeError, *, line_start: int = 0) -> str:
    """A readable reason for bytes that are not UTF-8 (``line_start``: the line's offset)."""
    bad = error.object[error.start : error.start + 1]
    return (
        f"not valid UTF-8: byte 0x{bad.hex()} at column {error.start - line_start + 1} "
        "(save the file as UTF-8)"
    )
