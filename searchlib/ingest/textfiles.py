"""Directories of ``.txt``, ``.md`` and ``.html`` files: one document per file.

The id is the file's path relative to the directory, ``/``-separated. An HTML page is read
as an article (:mod:`searchlib.ingest.article`: its text, headline, date and author without
the page's furniture). The title of a text file is its first Markdown heading, or else the
first non-empty line; for text and Markdown that line is then left out of the body unless it is
all there is. A Markdown front-matter block (``---`` lines) is skipped. Hidden files and
directories (``.name``) and files with other extensions are left out, and
:func:`ignored_files` says which and why; symbolic links to directories are not followed,
so a link loop cannot trap the walk.
"""

from __future__ import annotations

import codecs
import os
import re
from collections.abc import Iterator

from searchlib.ingest._binary import raw_cap, utf8_reason
from searchlib.ingest.article import extract_article
from searchlib.ingest.dates import parse_date
from searchlib.ingest.model import Problem, Record
from searchlib.ingest.normalize import FieldSet, normalize

__all__ = ["TEXT_SUFFIXES", "ignored_files", "read_directory", "read_text_file"]

TEXT_SUFFIXES = {
    ".txt": "text",
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".htm": "html",
}
_HEADING = re.compile(r" {0,3}#{1,6}[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*")
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([-\w.:]+)""", re.IGNORECASE)


def read_directory(root: str, fields: FieldSet, max_doc_bytes: int) -> Iterator[Record | Problem]:
    for rel, reason in _walk(root):
        if reason is None:
            source = os.path.join(root, *rel.split("/"))
            yield read_text_file(source, rel, fields, max_doc_bytes)


def ignored_files(root: str | os.PathLike[str]) -> Iterator[tuple[str, str]]:
    """``(path, reason)`` for each entry under the directory ``root`` that reading it
    leaves out (a ``.pdf``, a ``.json``, a hidden folder, a link to a directory), in the
    order the walk meets them; ``path`` is ``root`` joined with the entry."""
    top = os.fspath(root)
    for rel, reason in _walk(top):
        if reason is not None:
            yield os.path.join(top, *rel.split("/")), reason


def _walk(root: str) -> Iterator[tuple[str, str | None]]:
    """Relative paths under ``root`` in sorted order, without recursion: each text file
    with None, each entry left out with the reason."""
    stack: list[tuple[str, bool]] = [("", True)]  # (relative path, is a directory)
    while stack:
        rel, is_dir = stack.pop()
        if not is_dir:
            yield rel, None
            continue
        try:
            with os.scandir(os.path.join(root, rel) if rel else root) as scan:
                entries = sorted(scan, key=lambda e: e.name, reverse=True)
        except OSError as error:
            yield rel, f"unreadable directory: {error.strerror or error}"
            continue
        for entry in reversed(entries):
            path = f"{rel}/{entry.name}" if rel else entry.name
            reason = _left_out(entry)
            if reason is not None:
                yield path, reason
        for entry in entries:
            if _left_out(entry) is None:
                path = f"{rel}/{entry.name}" if rel else entry.name
                stack.append((path, entry.is_dir(follow_symlinks=False)))


def _left_out(entry: os.DirEntry[str]) -> str | None:
    """Why the walk leaves ``entry`` out, or None when it reads it (or descends into it)."""
    if entry.name.startswith("."):
        return "hidden"
    if entry.is_dir(follow_symlinks=False):
        return None
    if entry.is_dir():
        return "a link to a directory (not followed)"
    suffix = os.path.splitext(entry.name)[1].lower()
    if suffix not in TEXT_SUFFIXES:
        kind = f"{suffix} is not" if suffix else "a file without an extension is not"
        return f"{kind} a text format (reads {', '.join(TEXT_SUFFIXES)})"
    if not entry.is_file():
        return "not a regular file"
    return None


def read_text_file(
    source: str, doc_id: str, fields: FieldSet, max_doc_bytes: int
) -> Record | Problem:
    """One file as one document with id ``doc_id``."""
    kind = TEXT_SUFFIXES.get(os.path.splitext(source)[1].lower(), "text")
    cap = raw_cap(max_doc_bytes)
    try:
        with open(source, "rb") as fh:
            data = fh.read(cap + 1)
    except OSError as error:
        return Problem(source, None, f"cannot read the file: {error.strerror or error}")
    if len(data) > cap:
        return Problem(
            source,
            None,
            f"file is over {cap:,} bytes, too large for a document "
            f"of at most {max_doc_bytes:,} bytes",
        )
    try:
        text = data.decode(_encoding(data) if kind == "html" else "utf-8-sig")
    except UnicodeDecodeError as error:
        start = data.rfind(b"\n", 0, error.start) + 1
        return Problem(
            source, data.count(b"\n", 0, error.start) + 1, utf8_reason(error, line_start=start)
        )
    text = text.replace("\r\n", "\n")
    raw: dict[str, object] = {"id": doc_id}
    if kind == "html":
        article = extract_article(text)
        raw["body"] = article.text
        raw["title"] = article.title or _first_line(article.text.split("\n"))[1]
        raw["author"] = article.author
        raw["date"] = _date_or_none(article.date)
    else:
        raw["title"], raw["body"] = _split_title(text, markdown=kind == "markdown")
    try:
        doc = normalize(raw, fields, max_doc_bytes)
    except ValueError as error:
        return Problem(source, None, str(error))
    return Record(source, None, doc)


def _date_or_none(value: str | None) -> str | None:
    """A page's date when searchlib reads it; a page whose meta date is garbled is still
    indexed, without a date."""
    if value is None:
        return None
    try:
        parse_date(value)
    except ValueError:
        return None
    return value


def _encoding(data: bytes) -> str:
    """UTF-8 unless the page declares a charset Python knows (old pages: windows-1252)."""
    m = _CHARSET.search(data, 0, 4096)
    if m:
        try:
            return codecs.lookup(m.group(1).decode("ascii")).name
        except (LookupError, UnicodeDecodeError):
            pass
    return "utf-8-sig"


def _first_line(lines: list[str]) -> tuple[int, str]:
    for i, line in enumerate(lines):
        if line.strip():
            return i, line.strip()
    return -1, ""


def _split_title(text: str, *, markdown: bool) -> tuple[str, str]:
    lines = text.split("\n")
    if markdown and lines and lines[0].strip() == "---":
        for i in range(1, len(lines)):
            if lines[i].strip() in ("---", "..."):
                lines = lines[i + 1 :]
                break
    index, title = -1, ""
    if markdown:
        for i, line in enumerate(lines):
            m = _HEADING.fullmatch(line)
            if m and m.group(1).strip():
                index, title = i, m.group(1).strip()
                break
    if index < 0:
        index, title = _first_line(lines)
    body = "\n".join(lines[:index] + lines[index + 1 :]).strip() if index >= 0 else ""
    return title, body or title
