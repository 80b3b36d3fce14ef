"""A JSON array of objects, streamed element by element.

A small scanner finds where each top-level element ends (tracking strings, escapes and
bracket depth, jumping between special characters with regular expressions), so only one
element is held at a time and a malformed element is reported on its own line while the
rest of the array is still read. A file of whitespace-separated objects (JSON Lines saved
as ``.json``) is read the same way.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from dataclasses import dataclass
from io import BufferedIOBase

from searchlib.ingest._binary import raw_cap
from searchlib.ingest.jsonl import parse_object
from searchlib.ingest.model import Problem, Record
from searchlib.ingest.normalize import FieldSet
from searchlib.ingest.stdin import open_input

__all__ = ["read_json"]

_CHUNK = 1 << 16
_STRUCT = re.compile(r'[\[\]{}"]')
_STRING = re.compile(r'["\\]')
_SCALAR_END = re.compile(r'[\s,\[\]{}"]')
_NON_SPACE = re.compile(r"[^ \t\r\n]")


@dataclass
class _Value:
    """A top-level element: its first line and text (None when over the size cap)."""

    line: int
    column: int
    text: str | None
    size: int


@dataclass
class _Stop:
    """The array's structure is broken here; nothing after it can be read reliably."""

    line: int
    reason: str


def read_json(source: str, fields: FieldSet, max_doc_bytes: int) -> Iterator[Record | Problem]:
    with open_input(source) as fh:
        for item in _elements(_chunks(fh), raw_cap(max_doc_bytes)):
            if isinstance(item, _Stop):
                yield Problem(source, item.line, item.reason)
                return
            if item.text is None:
                yield Problem(
                    source,
                    item.line,
                    f"element is {item.size:,} characters, too large "
                    f"for a document of at most {max_doc_bytes:,} bytes",
                )
                continue
            try:
                item.text.encode("utf-8")
            except UnicodeEncodeError as error:  # surrogate-escaped bytes that are not UTF-8
                line = item.line + item.text.count("\n", 0, error.start)
                yield Problem(source, line, "not valid UTF-8 (save the file as UTF-8)")
                continue
            yield parse_object(
                item.text, source, item.line, fields, max_doc_bytes, column=item.column
            )


def _chunks(fh: BufferedIOBase) -> Iterator[str]:
    # surrogateescape: bad bytes become lone surrogates, caught per element above.
    decoder = codecs.getincrementaldecoder("utf-8-sig")(errors="surrogateescape")
    while True:
        data = fh.read1(_CHUNK)  # what is there: a pipe's first element need not wait
        text = decoder.decode(data, final=not data)
        if text:
            yield text
        if not data:
            return


def _elements(chunks: Iterator[str], cap: int) -> Iterator[_Value | _Stop]:
    line = 1
    state = "start"  # start | first | value | sep | end | seq
    in_value = in_string = escape = scalar = False
    depth = size = start_line = start_column = 0
    carry = 0  # characters since the last newline, before the current chunk
    parts: list[str] = []
    for buf in chunks:
        pos, n = 0, len(buf)
        while pos < n:
            if in_value:
                begin = pos
                pos, done, depth, in_string, escape = _scan_value(
                    buf, pos, depth, in_string, escape, scalar
                )
                piece = buf[begin:pos]
                line += piece.count("\n")
                size += len(piece)
                if size <= cap:
                    parts.append(piece)
                else:
                    parts.clear()
                if done:
                    yield _value(start_line, start_column, parts, size, cap)
                    in_value, parts, size = False, [], 0
                    state = "seq" if state == "seq" else "sep"
                continue
            m = _NON_SPACE.search(buf, pos)
            if m is None:
                line += buf.count("\n", pos)
                break
            line += buf.count("\n", pos, m.start())
            pos = m.start()
            char = buf[pos]
            state, consumed, reason = _between(state, char)
            if reason is not None:
                yield _Stop(line, reason)
                return
            if consumed:
                pos += 1
                continue
            # a new element starts here
            in_value, start_line, depth = True, line, 0
            newline = buf.rfind("\n", 0, pos)
            start_column = pos - newline if newline >= 0 else carry + pos + 1
            scalar = char not in '"[{'
            if scalar:  # consume its first character so the end search moves forward
                parts, size, pos = [char], 1, pos + 1
        newline = buf.rfind("\n")
        carry = n - newline - 1 if newline >= 0 else carry + n
    if in_value and scalar:  # a number or literal may end at the end of the file
        yield _value(start_line, start_column, parts, size, cap)
        in_value, state = False, "seq" if state == "seq" else "sep"
    if in_value:
        yield _Stop(
            start_line,
            "malformed JSON: the element starting here is not closed before the end of the file",
        )
    elif state in ("first", "value", "sep"):
        yield _Stop(line, "malformed JSON: the array is not closed with ']'")


def _value(line: int, column: int, parts: list[str], size: int, cap: int) -> _Value:
    """A finished element; its text is dropped (None) when it is over the size cap."""
    return _Value(line, column, "".join(parts) if size <= cap else None, size)


def _scan_value(
    buf: str, pos: int, depth: int, in_string: bool, escape: bool, scalar: bool
) -> tuple[int, bool, int, bool, bool]:
    """Scan an element from ``pos`` to its end or the end of ``buf``, whichever is first.

    Returns (position reached, whether the element ended there, bracket depth, inside a
    string, after a backslash); the last three carry over to the next chunk. It jumps
    between special characters with regular expressions, so a chunk costs a call, not a
    call per character.
    """
    n = len(buf)
    while pos < n:
        if escape:
            escape = False
            pos += 1
        elif in_string:
            m = _STRING.search(buf, pos)
            if m is None:
                pos = n
            elif m.group() == "\\":
                pos, escape = m.end(), True
            else:
                pos, in_string = m.end(), False
                if depth == 0:
                    return pos, True, depth, in_string, escape
        elif scalar:
            m = _SCALAR_END.search(buf, pos)
            if m is None:
                return n, False, depth, in_string, escape
            return m.start(), True, depth, in_string, escape
        else:
            m = _STRUCT.search(buf, pos)
            if m is None:
                pos = n
            else:
                pos, char = m.end(), m.group()
                if char == '"':
                    in_string = True
                elif char in "[{":
                    depth += 1
                else:
                    depth -= 1
                    if depth == 0:
                        return pos, True, depth, in_string, escape
    return pos, False, depth, in_string, escape


def _between(state: str, char: str) -> tuple[str, bool, str | None]:
    """The array's structure between elements: the next state on the non-space ``char``,
    whether ``char`` is consumed (else an element starts at it), and why the array is
    broken there (or None)."""
    if state == "start":
        if char == "[":
            return "first", True, None
        if char == "{":
            return "seq", False, None
        return state, False, "expected a JSON array of objects, found " + _show(char)
    if state == "first" and char == "]":
        return "end", True, None
    if state == "sep":
        if char == ",":
            return "value", True, None
        if char == "]":
            return "end", True, None
        return (
            state,
            False,
            f"malformed JSON: expected ',' or ']' after an element, found {_show(char)}",
        )
    if state == "value" and char == "]":
        return state, False, "malformed JSON: ',' before ']' (trailing comma)"
    if state == "end":
        return state, False, f"unexpected {_show(char)} after the end of the JSON array"
    return state, False, None


def _show(char: str) -> str:
    return repr(char) if char.isprintable() else f"character U+{ord(char):04X}"
