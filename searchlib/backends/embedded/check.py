"""``searchlib check``: read every byte of an embedded index that a query could read.

As SQLite's ``PRAGMA integrity_check`` and Lucene's CheckIndex do, this opens the table of
contents and then each segment on its own, through Whoosh's public reader API, and reads
everything a query could reach: every term of every field and all of its postings
(positions decoded), every stored document, every field length and column value, and the
deletions. Besides what fails to decode, it reports what decodes but cannot be right
(postings out of order or past the segment's end, a document frequency that disagrees with
the postings, terms out of order, a stored document that is not a mapping).

Each part of a segment is checked on its own, so one damaged part does not hide another.
A codec that can verify its own bytes (checksums) does so too, through two documented
hooks found by name (:data:`VERIFY_METHOD`): the segment's codec's
``verify(storage, segment)``, and ``verify()`` on the terms reader and the per-document
reader the codec opens for the segment. Each string they yield is a problem in the
segment's file; a StorageError they raise is one too.
"""

from __future__ import annotations

import functools
import inspect
import math
from collections.abc import Callable, Iterable
from itertools import pairwise
from pathlib import Path
from typing import Any

from whoosh import index as windex
from whoosh.filedb.filestore import FileStorage
from whoosh.reading import SegmentReader

from searchlib.backends.embedded.damage import reading, segment_file
from searchlib.backends.embedded.pickles import latest_toc, vet_latest_toc
from searchlib.errors import StorageError
from searchlib.results import CheckReport

__all__ = ["VERIFY_METHOD", "check_index"]

#: The codec method that verifies a segment's own checksums, when the codec has one.
VERIFY_METHOD = "verify"
INDEX_NAME = "MAIN"


def check_index(root: Path) -> CheckReport:
    """Every problem in the table of contents and the segments of the index at ``root``."""
    report = CheckReport(path=str(root))
    storage = FileStorage(str(root))
    try:
        with reading(root, blame=latest_toc(root, INDEX_NAME), diagnose=False):
            vet_latest_toc(root)
            toc = windex.TOC.read(storage, INDEX_NAME)
    except windex.EmptyIndexError:
        report.add(str(root), "no table of contents (_MAIN_<n>.toc): not a whole index")
        return report
    except StorageError as error:
        report.add(error.path or str(root), _detail(error))
        return report
    for segment in toc.segments:
        report.segments += 1
        _check_segment(root, storage, toc, segment, report)
    return report


def _detail(error: StorageError) -> str:
    """The error's message without the file name it starts with (the report names it)."""
    text = str(error)
    if error.path and text.startswith(error.path + ": "):
        text = text[len(error.path) + 2 :]
    return text


def _check_segment(root: Path, storage: Any, toc: Any, segment: Any, report: CheckReport) -> None:
    filename = segment_file(segment, root)
    name = str(root / filename)

    def part(what: str, check: Callable[[], Iterable[str]]) -> None:
        try:
            with reading(root, blame=filename, diagnose=False):
                for problem in check():
                    report.add(name, problem)
        except StorageError as error:
            report.add(error.path or name, f"{what}: {_detail(error)}")

    reader: SegmentReader | None = None

    def open_reader() -> Iterable[str]:
        nonlocal reader
        reader = SegmentReader(storage, toc.schema, segment, generation=toc.generation)
        return ()

    part("opening the segment", open_reader)
    if reader is None:
        return
    try:
        opened: SegmentReader = reader
        part("deletions", lambda: _deletions(opened, segment))
        part("stored fields", lambda: _stored(opened, report))
        part("terms and postings", lambda: _terms(opened, segment, report))
        part("field lengths and columns", lambda: _lengths_and_columns(opened))
        codec = segment.codec()
        verified: list[bool] = []
        verify = getattr(codec, VERIFY_METHOD, None)
        if callable(verify):
            verified.append(True)
            part("the codec's checksums", lambda: _problems(verify(opened.storage(), segment)))
        parts = {
            "the term index's checksums": codec.terms_reader,
            "the stored fields' checksums": codec.per_document_reader,
        }
        for what, open_part in parts.items():
            check = functools.partial(_verified, open_part, opened.storage(), segment, verified)
            part(what, check)
        report.checksummed += any(verified)
    finally:
        reader.close()


def _verified(
    open_part: Callable[[Any, Any], Any], storage: Any, segment: Any, verified: list[bool]
) -> Iterable[str]:
    """What a segment part's reader (``whoosh.codec.base.TermsReader`` or
    ``PerDocumentReader``) finds wrong with its own bytes, when it can verify them."""
    part_reader = open_part(storage, segment)
    try:
        verify = getattr(part_reader, VERIFY_METHOD, None)
        if callable(verify):
            verified.append(True)
            yield from _problems(verify())
    finally:
        part_reader.close()


def _problems(result: Any) -> Iterable[str]:
    """The problems a verify hook reported: the strings it returned or yielded. A hook
    that finds nothing may return None or a summary (a count, a dict of counts); damage
    it finds first is a StorageError it raises."""
    if isinstance(result, (list, tuple)) or inspect.isgenerator(result):
        return [str(problem) for problem in result]
    return ()


def _deletions(reader: SegmentReader, segment: Any) -> Iterable[str]:
    total = reader.doc_count_all()
    deleted = sorted(segment.deleted_docs())
    beyond = [n for n in deleted if not 0 <= n < total]
    if beyond:
        yield f"{len(beyond)} deleted document numbers past the segment's {total} documents"
    if reader.doc_count() != total - len(deleted):
        yield f"document count {reader.doc_count()} is not {total} less {len(deleted)} deleted"


def _stored(reader: SegmentReader, report: CheckReport) -> Iterable[str]:
    stored_id = "id" in reader.schema and reader.schema["id"].stored
    for docnum in range(reader.doc_count_all()):
        fields = reader.stored_fields(docnum)
        if not isinstance(fields, dict):
            yield f"stored document {docnum} is a {type(fields).__name__}, not a mapping"
        elif stored_id and not isinstance(fields.get("id"), str):
            yield f"stored document {docnum} has no id"
        report.documents += not reader.is_deleted(docnum)


def _terms(reader: SegmentReader, segment: Any, report: CheckReport) -> Iterable[str]:
    """Every term of every field in order, each one's postings against its term info.

    Read through the segment's codec (``whoosh.codec.base.TermsReader``), which takes terms
    as stored bytes in every field type (the reader converts them from the field's values).
    """
    terms = segment.codec().terms_reader(reader.storage(), segment)
    try:
        total = reader.doc_count_all()
        previous: tuple[str, bytes] | None = None
        for key, info in terms.items():
            report.terms += 1
            fieldname, btext = key
            if previous is not None and previous[0] == fieldname and not previous[1] < btext:
                yield f"field {fieldname!r}: term {btext!r} after {previous[1]!r} (out of order)"
            previous = key
            if fieldname not in reader.schema:
                yield f"term {btext!r} of a field {fieldname!r} the schema does not have"
                continue
            format_ = reader.schema[fieldname].format
            problem = _postings(terms.matcher(fieldname, btext, format_), info, total, report)
            if problem is not None:
                yield f"field {fieldname!r} term {btext!r}: {problem}"
    finally:
        terms.close()


def _postings(m: Any, info: Any, total: int, report: CheckReport) -> str | None:
    positions = m.supports("positions")
    ids = []
    weight = 0.0
    while m.is_active():
        ids.append(m.id())
        weight += m.weight()
        if positions:
            m.value_as("positions")
        m.next()
    report.postings += len(ids)
    if any(b <= a for a, b in pairwise(ids)):
        return "posting ids not in ascending order"
    if ids and not 0 <= ids[0] <= ids[-1] < total:
        return f"posting ids from {ids[0]} to {ids[-1]}, past the segment's {total} documents"
    if len(ids) != info.doc_frequency():
        return f"{len(ids)} postings, but the term info counts {info.doc_frequency()}"
    if ids and (ids[0] != info.min_id() or ids[-1] != info.max_id()):
        return (
            f"postings from {ids[0]} to {ids[-1]}, "
            f"but the term info says {info.min_id()} to {info.max_id()}"
        )
    if not math.isclose(weight, info.weight(), rel_tol=1e-4, abs_tol=1e-3):
        return f"postings weigh {weight:g} in all, but the term info says {info.weight():g}"
    return None


def _lengths_and_columns(reader: SegmentReader) -> Iterable[str]:
    schema = reader.schema
    total = reader.doc_count_all()
    for fieldname in schema.scorable_names():
        for docnum in range(total):
            if reader.doc_field_length(docnum, fieldname) < 0:
                yield f"field {fieldname!r}: document {docnum} has a negative length"
    for fieldname in schema.names():
        if reader.has_column(fieldname):
            column = reader.column_reader(fieldname)
            for docnum in range(total):
                column[docnum]
