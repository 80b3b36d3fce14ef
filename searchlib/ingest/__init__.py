"""Ingestion: read JSONL, JSON, CSV files and directories of text into canonical documents.

:func:`read_documents` yields a :class:`Record` per readable document and a :class:`Problem`
(file, line, reason) per unreadable one; the index layer decides whether a problem fails
the run or is skipped. See :mod:`searchlib.ingest.normalize` for the field rules and
:mod:`searchlib.ingest.dates` for the date formats.
"""

from searchlib.ingest.article import Article, extract_article
from searchlib.ingest.dates import parse_date
from searchlib.ingest.html import html_to_text
from searchlib.ingest.model import CANONICAL_FIELDS, FORMATS, Problem, Record
from searchlib.ingest.normalize import normalize_document
from searchlib.ingest.reader import format_of, read_documents
from searchlib.ingest.textfiles import ignored_files

__all__ = [
    "CANONICAL_FIELDS",
    "FORMATS",
    "Article",
    "Problem",
    "Record",
    "extract_article",
    "format_of",
    "html_to_text",
    "ignored_files",
    "normalize_document",
    "parse_date",
    "read_documents",
]
