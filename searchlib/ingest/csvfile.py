"""CSV with a header row. The delimiter (``,`` ``;`` tab or ``|``) is taken from the header.

Columns are a schema declared once, so a column that feeds no field (not canonical, not
mapped, not a declared extra field) is reported once, on the header line, and its values
are left out; a file without an ``id`` or ``body`` column is one problem, not one per row.
"""

from __future__ import annotations

import csv
import sys
from collections.abc import Iterator
from typing import BinaryIO

from searchlib.ingest._binary import raw_cap, read_lines, utf8_reason
from searchlib.ingest.model import Problem, Record
from searchlib.ingest.normalize import FieldSet, normalize
from searchlib.ingest.stdin import open_input

__all__ = ["read_csv"]

_DELIMITERS = (",", ";", "\t", "|")


class _Lines:
    """Decoded lines with their endings, for ``csv.reader``; remembers lines with bad bytes.

    Each line is decoded on its own, so a bad byte is pinned to its line; it is kept as a
    surrogate escape for the csv module to get past, and the row holding it is refused.
    """

    def __init__(self, fh: BinaryIO, cap: int) -> None:
        self._lines = read_lines(fh, cap)
        self.bad: dict[int, str] = {}

    def __iter__(self) -> Iterator[str]:
        for number, data, size in self._lines:
            if data is None:
                self.bad[number] = f"line is {size:,} bytes, too large for a document"
                data = b""
            if number == 1 and data.startswith(b"\xef\xbb\xbf"):
                data = data[3:]
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError as error:
                self.bad[number] = utf8_reason(error)
                text = data.decode("utf-8", "surrogateescape")
            yield text + "\n"

    def problems_until(self, line: int) -> list[tuple[int, str]]:
        found = sorted((n, r) for n, r in self.bad.items() if n <= line)
        for n, _ in found:
            del self.bad[n]
        return found


def read_csv(source: str, fields: FieldSet, max_doc_bytes: int) -> Iterator[Record | Problem]:
    cap = raw_cap(max_doc_bytes)
    # The limit is process-wide in the csv module: raise it, never lower it.
    csv.field_size_limit(max(csv.field_size_limit(), min(cap, sys.maxsize)))
    with open_input(source) as fh:
        lines = _Lines(fh, cap)
        it = iter(lines)
        first = next(it, None)
        if first is None:
            return
        reader = csv.reader(_prepend(first, it), delimiter=_delimiter(first))
        try:
            header = next(reader)
        except csv.Error as error:
            yield Problem(source, 1, f"unreadable CSV header: {error}")
            return
        for number, reason in lines.problems_until(reader.line_num):
            yield Problem(source, number, reason + " (in the header)")
            return
        names = [name.strip() for name in header]
        targets = [fields.target(name) if name else None for name in names]
        problems, fatal = _check_header(names, targets)
        for reason in problems:
            yield Problem(source, 1, reason)
        if fatal:
            return
        keep = [
            (i, name) for i, (name, target) in enumerate(zip(names, targets, strict=True)) if target
        ]
        last = reader.line_num
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as error:
                yield Problem(
                    source, last + 1, f"unreadable CSV: {error}; the rest of the file was not read"
                )
                return
            start, last = last + 1, reader.line_num
            bad = lines.problems_until(last)
            if bad:
                yield Problem(source, bad[0][0], bad[0][1])
                continue
            if not row or (len(row) == 1 and not row[0].strip()):
                continue  # a blank line
            if len(row) != len(names):
                reason = f"row has {len(row)} fields, the header has {len(names)}"
                if last > start:
                    reason += f" (the row runs to line {last}: is a quote left open?)"
                yield Problem(source, start, reason)
                continue
            raw = {name: row[i] for i, name in keep}
            try:
                yield Record(source, start, normalize(raw, fields, max_doc_bytes))
            except ValueError as error:
                yield Problem(source, start, str(error))


def _prepend(first: str, rest: Iterator[str]) -> Iterator[str]:
    yield first
    yield from rest


def _delimiter(header: str) -> str:
    counts = {d: header.count(d) for d in _DELIMITERS}
    best = max(_DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def _check_header(names: list[str], targets: list[str | None]) -> tuple[list[str], bool]:
    """Problems with the header, and whether they leave no row readable."""
    problems = []
    unknown = [
        repr(name) if name else f"number {i} (no name)"
        for i, (name, target) in enumerate(zip(names, targets, strict=True), 1)
        if target is None
    ]
    if unknown:
        problems.append(
            f"unknown CSV column{'s' if len(unknown) > 1 else ''} {', '.join(unknown)}: "
            "not a field, not mapped and not declared in the config; "
            f"{'their' if len(unknown) > 1 else 'its'} values are not indexed"
        )
    fatal = False
    seen: dict[str, str] = {}
    for name, target in zip(names, targets, strict=True):
        if target is None:
            continue
        if target in seen:
            problems.append(f"columns {seen[target]!r} and {name!r} both give {target!r}")
            fatal = True
        seen[target] = name
    for required in ("id", "body"):
        if required not in seen:
            problems.append(f"no {required!r} column (map yours with the config's mapping)")
            fatal = True
    return problems, fatal
