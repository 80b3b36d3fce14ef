"""JSON Lines: one JSON object per ``\\n``-terminated line; blank lines are skipped."""

from __future__ import annotations

import json
from collections.abc import Iterator

from searchlib.ingest._binary import raw_cap, read_lines, utf8_reason
from searchlib.ingest.model import Problem, Record
from searchlib.ingest.normalize import FieldSet, normalize
from searchlib.ingest.stdin import open_input

__all__ = ["read_jsonl"]

_BOM = b"\xef\xbb\xbf"


def read_jsonl(source: str, fields: FieldSet, max_doc_bytes: int) -> Iterator[Record | Problem]:
    # Binary lines decoded one by one: a bad byte costs one line, and numbers stay right.
    with open_input(source) as fh:
        for number, data, size in read_lines(fh, raw_cap(max_doc_bytes)):
            if data is None:
                yield Problem(
                    source,
                    number,
                    f"line is {size:,} bytes, too large for a document "
                    f"of at most {max_doc_bytes:,} bytes",
                )
                continue
            if number == 1 and data.startswith(_BOM):
                data = data[len(_BOM) :]
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError as error:
                yield Problem(source, number, utf8_reason(error))
                continue
            if not text.strip():
                continue
            yield parse_object(text, source, number, fields, max_doc_bytes)


def parse_object(
    text: str,
    source: str,
    line: int,
    fields: FieldSet,
    max_doc_bytes: int,
    *,
    column: int = 1,
) -> Record | Problem:
    """One JSON object's text, starting at ``line``/``column`` of the file, as a record."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        if error.lineno == 1:
            where = f"column {column + error.colno - 1}"
        else:
            where = f"line {line + error.lineno - 1} column {error.colno}"
        return Problem(source, line, f"malformed JSON: {error.msg} at {where}")
    except RecursionError:
        return Problem(source, line, "malformed JSON: nested too deeply")
    if not isinstance(value, dict):
        return Problem(source, line, f"expected a JSON object, got {_json_kind(value)}")
    try:
        return Record(source, line, normalize(value, fields, max_doc_bytes))
    except ValueError as error:
        return Problem(source, line, str(error))


def _json_kind(value: object) -> str:
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool):
        return "true/false"
    if value is None:
        return "null"
    return "a number"
