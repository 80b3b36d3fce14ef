"""``fts5``: SQLite FTS5 from the standard library over text pre-analyzed by searchlib.

Each document's title and body go through ``searchlib.analyze`` (the default analyzer) and are
stored as space-joined terms in an FTS5 table (``title_terms``, ``body_terms``, plus the id,
unindexed); the original title and body are stored in a plain table beside it, so the index
holds what the other systems store. Queries are analyzed the same way; all terms must match
(FTS5's implicit AND), else any term (OR). A query naming a listed acronym or long form is,
as searchlib's default config expands it, a group of its forms joined by OR, a long form as
a phrase (``searchlib.query.synonyms``), so both answer the same question. Ranking is ``bm25()``
with searchlib's default field weights (FTS5's bm25 has k1=1.2, b=0.75 built in, as
searchlib's defaults). The snippet is
FTS5's ``snippet()`` over ``body_terms``: stemmed terms, not the original sentences, which is
less work than the other systems' snippets of the original text.

The facet fields (searchlib's default facets: category, source) are columns of the plain
table. Asked for facets, a query also counts its matches (``COUNT(*)`` with the same MATCH as
the ranked query, the OR one when it fell back) and, per facet field, the matches by value
(``GROUP BY`` over the plain table joined on rowid), as a search page built on SQLite would.

FTS5's unicode61 tokenizer would split a term such as ``#belamuslimindia`` or ``1.234`` again
(and drop the ``#``), changing what matches; so each character of a term that is not a letter
or digit is escaped as a private-use-delimited code (private-use characters are token
characters to unicode61) and every term stays one FTS5 token, matching as in searchlib.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from benchmarks._system import Outcome, Searcher, Settings

DB = "fts5.db"
SNIPPET_TOKENS = 24
_OPEN, _CLOSE = "\ue000", "\ue001"
_NOT_ALNUM = re.compile(r"[\W_]")
_ESCAPED = re.compile(f"{_OPEN}([0-9a-f]+){_CLOSE}")
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def encode(term: str) -> str:
    """``term`` as one unicode61 token."""
    if term.isalnum():
        return term
    return _NOT_ALNUM.sub(lambda m: f"{_OPEN}{ord(m.group()):x}{_CLOSE}", term)


def decode(text: str) -> str:
    return _ESCAPED.sub(lambda m: chr(int(m.group(1), 16)), text)


def _terms(analyze: Any, text: str) -> str:
    return " ".join(encode(t) for t in analyze(text))


def unavailable() -> str | None:
    try:
        sqlite3.connect(":memory:").execute("CREATE VIRTUAL TABLE t USING fts5(a)")
    except sqlite3.Error as error:
        return f"this Python's SQLite has no FTS5 ({error})"
    try:
        from searchlib import analyze  # noqa: F401
    except Exception as error:
        return f"searchlib.analyze is not importable ({type(error).__name__}: {error})"
    return None


def _column(field: str) -> str:
    """The plain table's column for a facet field (prefixed: no clash with title or body)."""
    if not _IDENTIFIER.fullmatch(field):
        raise ValueError(f"facet field {field!r} is not a plain identifier")
    return f"f_{field}"


def _value(doc: dict[str, Any], field: str) -> str | None:
    value = doc.get(field)
    if isinstance(value, (list, tuple)):
        raise ValueError(f"document {doc.get('id')!r}: {field} holds a list; only one value")
    return str(value) if value not in (None, "") else None


def build(docs: Iterable[dict[str, Any]], path: Path, settings: Settings) -> None:
    from searchlib import analyze

    columns = [_column(f) for f in settings.facets]
    db = sqlite3.connect(path / DB)
    with db:
        db.execute(
            "CREATE VIRTUAL TABLE docs USING fts5("
            "id UNINDEXED, title_terms, body_terms, tokenize='unicode61 remove_diacritics 0')"
        )
        facet_columns = "".join(f", {c} TEXT" for c in columns)
        db.execute(
            f"CREATE TABLE articles (rowid INTEGER PRIMARY KEY, title TEXT, body TEXT"
            f"{facet_columns})"
        )
        insert = f"INSERT INTO articles VALUES (?, ?, ?{', ?' * len(columns)})"
        for rowid, doc in enumerate(docs, 1):
            title = str(doc.get("title") or "")
            body = str(doc.get("body") or "")
            db.execute(
                "INSERT INTO docs (rowid, id, title_terms, body_terms) VALUES (?, ?, ?, ?)",
                (rowid, str(doc["id"]), _terms(analyze, title), _terms(analyze, body)),
            )
            facets = [_value(doc, f) for f in settings.facets]
            db.execute(insert, (rowid, title, body, *facets))
    db.close()


def _quoted(terms: list[str]) -> str:
    """One term, or a phrase of several, as an FTS5 string."""
    return '"' + " ".join(terms).replace('"', '""') + '"'


def _expression(node: Any, analyze: Any, operator: str) -> str | None:
    """``node`` (a plain query's word, or a group of forms) as an FTS5 expression, or None
    when analysis leaves nothing of it."""
    from searchlib.query import And, Forms, Or, Phrase, Word

    if isinstance(node, (Word, Phrase)):
        terms = [encode(t) for t in analyze(node.text)]
        return _quoted(terms) if terms else None
    if isinstance(node, (And, Or)):
        joiner = " OR " if isinstance(node, (Forms, Or)) else f" {operator} "
        parts = [e for e in (_expression(c, analyze, operator) for c in node.children) if e]
        return "(" + joiner.join(parts) + ")" if parts else None
    raise TypeError(f"unexpected query node {node!r}")


class _Searcher:
    counts_facets = True

    def __init__(self, path: Path, settings: Settings) -> None:
        from searchlib import analyze
        from searchlib.config import Config
        from searchlib.query.synonyms import synonyms_for

        self._analyze = analyze
        self._expand = synonyms_for(Config().synonyms, ("title", "body")).expand
        self._db = sqlite3.connect(path / DB)
        # FTS5 sorts by rank itself, so LIMIT stops early and snippet() runs only for the top
        # hits; the id column is unindexed, so its weight is irrelevant.
        self._rank = f"bm25(0.0, {settings.title_boost}, 1.0)"
        self._sql = (
            "SELECT id, (SELECT title FROM articles WHERE articles.rowid = docs.rowid), "
            f"snippet(docs, 2, '[', ']', '…', {SNIPPET_TOKENS}) "
            "FROM docs WHERE docs MATCH ? AND rank MATCH ? ORDER BY rank LIMIT ?"
        )
        self._limit = settings.limit
        self._count = "SELECT count(*) FROM docs WHERE docs MATCH ?"
        self._by_value = {
            field: (
                f"SELECT a.{_column(field)}, count(*) FROM docs "
                "JOIN articles AS a ON a.rowid = docs.rowid "
                f"WHERE docs MATCH ? AND a.{_column(field)} IS NOT NULL "
                f"GROUP BY a.{_column(field)}"
            )
            for field in settings.facets
        }

    def search(self, query: str, facets: bool = False) -> Outcome:
        from searchlib.query import And, parse_plain

        typed = parse_plain(query)
        node = self._expand(typed)
        if node == typed:  # no acronym: the query's terms, analyzed at once
            words = [(_quoted([encode(t)]),) * 2 for t in self._analyze(query)]
        else:
            children = node.children if type(node) is And else (node,)
            words = [
                (every, str(_expression(c, self._analyze, "OR")))
                for c in children
                if (every := _expression(c, self._analyze, "AND"))
            ]
        if not words:
            empty: dict[str, dict[str, int]] = {field: {} for field in self._by_value}
            return Outcome([], False, 0, empty) if facets else Outcome([], False)
        match = " AND ".join(every for every, _ in words)
        rows = self._top(match)
        wider = not rows and len(words) > 1  # one word: "any" is "all"
        if wider:
            match = " OR ".join(any_ for _, any_ in words)
            rows = self._top(match)
        hits = [(str(i), str(t), decode(str(s))) for i, t, s in rows]
        if not facets:
            return Outcome(hits, wider and bool(rows))
        total, counts = self._counts(match)
        return Outcome(hits, wider and bool(rows), total, counts)

    def _top(self, match: str) -> list[tuple[str, str, str]]:
        return self._db.execute(self._sql, (match, self._rank, self._limit)).fetchall()

    def _counts(self, match: str) -> tuple[int, dict[str, dict[str, int]]]:
        (total,) = self._db.execute(self._count, (match,)).fetchone()
        counts = {
            field: {str(value): n for value, n in self._db.execute(sql, (match,))}
            for field, sql in self._by_value.items()
        }
        return int(total), counts

    def close(self) -> None:
        self._db.close()


def open_searcher(path: Path, settings: Settings) -> Searcher | None:
    return _Searcher(path, settings)
