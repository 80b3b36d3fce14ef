"""Standard input as a source: ``searchlib index -`` (``cat artikel.jsonl | ...``).

Its format comes from ``format=`` or is sniffed from the first character that is not white
space: ``[`` a JSON array, ``{`` JSON Lines, anything else CSV. The bytes read to sniff are
given back to the reader in front of the rest, so nothing is lost and nothing is spooled.
"""

from __future__ import annotations

import io
import sys
from typing import Any

__all__ = ["STDIN", "STDIN_NAME", "open_input", "sniff_stdin"]

#: The path that names standard input, as in most Unix tools.
STDIN = "-"
#: How standard input is named in messages ("<stdin>:3: malformed JSON ...") and the
#: source name :func:`open_input` reads it under.
STDIN_NAME = "<stdin>"
_SPACE = b" \t\r\n"
_BOM = b"\xef\xbb\xbf"

#: Standard input after sniffing: the sniffed bytes in front of the rest.
_sniffed: io.BufferedReader | None = None


class _Prefixed(io.RawIOBase):
    """``head`` and then the rest of ``stream`` (which closing this leaves open)."""

    def __init__(self, head: bytes, stream: Any) -> None:
        self._head = head
        self._stream = stream

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        data = self._head[: len(view)] if self._head else _read_some(self._stream, len(view))
        self._head = self._head[len(data) :]
        view[: len(data)] = data
        return len(data)


def _read_some(stream: Any, size: int) -> bytes:
    return stream.read1(size) if hasattr(stream, "read1") else stream.read(size)


def sniff_stdin(stream: Any = None) -> str:
    """Read standard input (or ``stream``) up to its first non-space byte and say its
    format; :func:`open_input` then reads it whole, those bytes included."""
    global _sniffed
    source = stream if stream is not None else sys.stdin.buffer
    head = b""
    while True:
        chunk = _read_some(source, 1 << 16)
        head += chunk
        content = head.removeprefix(_BOM).lstrip(_SPACE)
        if content or not chunk:
            break
    _sniffed = io.BufferedReader(_Prefixed(head, source))
    first = content[:1]
    return "json" if first == b"[" else "jsonl" if first == b"{" else "csv"


def open_input(source: str) -> io.BufferedReader:
    """``open(source, "rb")``, except that :data:`STDIN_NAME` is standard input (with the
    bytes :func:`sniff_stdin` read in front); closing it leaves standard input open."""
    global _sniffed
    if source != STDIN_NAME:
        return open(source, "rb")
    stream, _sniffed = _sniffed, None
    return stream or io.BufferedReader(_Prefixed(b"", sys.stdin.buffer))
