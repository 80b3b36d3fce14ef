"""``read_documents``: records from files and directories, in order, one at a time.

Mistakes in the request itself (a path that does not exist, an extension with no known
format, an unknown format name, a mapping onto no field) raise :class:`IngestError` when
``read_documents`` is called, before any document is read: skipping them would let a run
"succeed" with nothing indexed from a misspelled file. Problems inside the data are
yielded as :class:`Problem`\\ s in input order, so the caller chooses to fail or skip.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping

from searchlib.errors import IngestError
from searchlib.ingest.csvfile import read_csv
from searchlib.ingest.jsonarray import read_json
from searchlib.ingest.jsonl import read_jsonl
from searchlib.ingest.model import FORMATS, Problem, Record
from searchlib.ingest.normalize import DEFAULT_MAX_DOC_BYTES, FieldSet
from searchlib.ingest.stdin import STDIN, STDIN_NAME, sniff_stdin
from searchlib.ingest.textfiles import TEXT_SUFFIXES, read_directory, read_text_file
from searchlib.zones import DEFAULT_TIMEZONE

__all__ = ["format_of", "read_documents"]

_SUFFIXES = {
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".jsonlines": "jsonl",
    ".json": "json",
    ".csv": "csv",
    ".tsv": "csv",
}
_FORMAT_HINT = "name the format: --format jsonl|json|csv|dir (library: format=...)"

Reader = Callable[[str, FieldSet, int], Iterator["Record | Problem"]]


def _read_one_text_file(
    source: str, fields: FieldSet, max_doc_bytes: int
) -> Iterator[Record | Problem]:
    # A text file given on its own gets the id it would have in its directory: its name.
    yield read_text_file(source, os.path.basename(source), fields, max_doc_bytes)


_READERS: dict[str, Reader] = {
    "jsonl": read_jsonl,
    "json": read_json,
    "csv": read_csv,
    "dir": read_directory,
    "file": _read_one_text_file,
}


def read_documents(
    paths: Iterable[str | os.PathLike[str]] | str | os.PathLike[str],
    *,
    format: str = "auto",
    mapping: Mapping[str, str] | None = None,
    extra_fields: Collection[str] | Mapping[str, str] = (),
    max_doc_bytes: int = DEFAULT_MAX_DOC_BYTES,
    timezone: str = DEFAULT_TIMEZONE,
) -> Iterator[Record | Problem]:
    """Every document in ``paths`` as a :class:`Record`, or a :class:`Problem` saying why not.

    ``format`` is ``"auto"`` (by extension: ``.jsonl``/``.ndjson``, ``.json``, ``.csv``/
    ``.tsv``, a directory, or a single ``.txt``/``.md``/``.html`` file) or one of
    :data:`FORMATS` for every path. The path ``-`` is standard input (named ``<stdin>``
    in problems), its format sniffed when ``"auto"`` (:mod:`searchlib.ingest.stdin`).
    ``mapping`` renames input fields (``{"judul": "title"}``); ``extra_fields`` are the
    config's fields beyond the canonical ones; dates without a zone are taken as in
    ``timezone`` (the index's zone, an IANA name). Reading is lazy: only the current document
    is held in memory.
    """
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    if format != "auto" and format not in FORMATS:
        raise IngestError(f"unknown format {format!r}; use auto, {', '.join(FORMATS)}")
    if isinstance(max_doc_bytes, bool) or not isinstance(max_doc_bytes, int) or max_doc_bytes < 1:
        raise IngestError(f"max_doc_bytes must be a positive integer, got {max_doc_bytes!r}")
    try:
        fields = FieldSet(mapping, extra_fields, timezone)
    except ValueError as error:
        raise IngestError(str(error)) from None
    names = [os.fspath(p) for p in paths]
    if names.count(STDIN) > 1:
        raise IngestError("standard input ('-') can be read only once")
    plan = [_stdin_plan(format) if p == STDIN else (p, format_of(p, format)) for p in names]
    return _read(plan, fields, max_doc_bytes)


def _stdin_plan(format: str) -> tuple[str, str]:
    if format == "dir":
        raise IngestError("standard input is one stream, not a directory", source=STDIN_NAME)
    return STDIN_NAME, sniff_stdin() if format == "auto" else format


def _read(
    plan: list[tuple[str, str]], fields: FieldSet, max_doc_bytes: int
) -> Iterator[Record | Problem]:
    for source, kind in plan:
        try:
            yield from _READERS[kind](source, fields, max_doc_bytes)
        except OSError as error:  # vanished or unreadable since the call
            yield Problem(source, None, f"cannot read: {error.strerror or error}")


def format_of(path: str | os.PathLike[str], format: str = "auto") -> str:
    """The reader for ``path``: jsonl, json, csv, dir, or file (one text document)."""
    source = os.fspath(path)
    if not os.path.exists(source):
        raise IngestError("no such file or directory", source=source)
    suffix = os.path.splitext(source)[1].lower()
    if os.path.isdir(source):
        if format not in ("auto", "dir"):
            raise IngestError(
                f"is a directory, but the format is {format!r}",
                source=source,
                hint="directories are read with --format dir (or auto)",
            )
        return "dir"
    if format == "dir" or (format == "auto" and suffix in TEXT_SUFFIXES):
        if suffix not in TEXT_SUFFIXES:
            raise IngestError(
                f"format 'dir' reads {', '.join(TEXT_SUFFIXES)} files, not {suffix or 'this file'}",
                source=source,
            )
        return "file"
    if format != "auto":
        return format
    if suffix not in _SUFFIXES:
        raise IngestError(
            f"cannot tell the format from the extension {suffix!r}"
            if suffix
            else "cannot tell the format of a file without an extension",
            source=source,
            hint=_FORMAT_HINT,
        )
    return _SUFFIXES[suffix]
