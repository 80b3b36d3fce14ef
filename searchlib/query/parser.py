"""searchlib's query language, parsed into a small backend-neutral tree.

Grammar (operators are upper case, so the Indonesian words they resemble stay words)::

    query    := or_expr
    or_expr  := and_expr ("OR" and_expr)*
    and_expr := unary (["AND"] unary)*          # words side by side must all match
    unary    := ("NOT" | "-") unary | "+"? primary
    primary  := "(" or_expr ")" | [field ":"] atom
    atom     := '"' words '"' | word | word "*" | word "~"[n] | date ".." date

Words are analyzed later with the index's analyzer, so ``menyetop`` matches ``disetop``.
Every malformed input raises :class:`QueryError` naming the problem and its column.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from searchlib.errors import QueryError

__all__ = [
    "And",
    "DateRange",
    "Forms",
    "Fuzzy",
    "Node",
    "Not",
    "Or",
    "Phrase",
    "Prefix",
    "Word",
    "parse_query",
]


@dataclass(frozen=True)
class Word:
    text: str
    field: str | None = None
    #: Analyze without dropping stopwords (see :func:`searchlib.query.with_stopwords`).
    keep_stopwords: bool = False
    #: Its score's multiplier: below 1 for a form the user did not type (a synonym).
    boost: float = 1.0


@dataclass(frozen=True)
class Phrase:
    text: str
    field: str | None = None
    keep_stopwords: bool = False
    boost: float = 1.0


@dataclass(frozen=True)
class Prefix:
    text: str
    field: str | None = None


@dataclass(frozen=True)
class Fuzzy:
    text: str
    distance: int = 1
    field: str | None = None


@dataclass(frozen=True)
class DateRange:
    start: datetime | None
    end: datetime | None  # exclusive
    field: str = "date"


@dataclass(frozen=True)
class And:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Forms(Or):
    """What the user typed and its equivalents (a synonym group), the typed form first.
    Matches as an :class:`Or` does (every walker of the tree may treat it as one); a
    backend that can scores it as its best-scoring form, so a document writing two forms
    of one name counts it once."""


@dataclass(frozen=True)
class Not:
    child: Node


Node = Word | Phrase | Prefix | Fuzzy | DateRange | And | Or | Not

MIN_PREFIX_CHARS = 2
MAX_FUZZY_DISTANCE = 2
MAX_DEPTH = 32

_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<lparen>\()
  | (?P<rparen>\))
  | (?P<quote>"[^"]*"?)
  | (?P<sign>[-+])(?=[A-Za-z_][A-Za-z0-9_]*:(?=\S)(?!//))
  | (?P<field>[A-Za-z_][A-Za-z0-9_]*):(?=\S)(?!//)
  | (?P<word>[^\s()"]+)
    """,
    re.VERBOSE,
)
_OPERATORS = {"AND", "OR", "NOT"}
_FUZZY = re.compile(r"^(?P<word>.+?)~(?P<dist>\d*)$")
_DATE = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")


@dataclass
class _Tok:
    kind: str
    text: str
    col: int


def _lex(query: str) -> list[_Tok]:
    tokens = []
    for m in _TOKEN.finditer(query):
        kind = m.lastgroup or "word"
        if kind == "ws":
            continue
        text = m.group(kind)
        if kind == "quote" and (len(text) < 2 or not text.endswith('"')):
            raise QueryError(
                f"unbalanced quote at column {m.start() + 1}", hint='close the "phrase"'
            )
        if kind == "word" and text in _OPERATORS:
            kind = text
        tokens.append(_Tok(kind, text, m.start() + 1))
    return tokens


class _Parser:
    def __init__(self, tokens: list[_Tok], fields: frozenset[str] | None) -> None:
        self.tokens = tokens
        self.i = 0
        self.fields = fields
        self.depth = 0

    def peek(self) -> _Tok | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self) -> _Tok:
        tok = self.tokens[self.i]
        self.i += 1
        return tok

    def parse(self) -> Node:
        node = self.or_expr()
        tok = self.peek()
        if tok is not None:  # only a stray ")" can stop or_expr early
            raise QueryError(f"unbalanced parenthesis: unexpected ')' at column {tok.col}")
        return node

    def or_expr(self) -> Node:
        children = [self.and_expr()]
        while (tok := self.peek()) is not None and tok.kind == "OR":
            self.take()
            if self.peek() is None or self.peek().kind in ("rparen", "OR", "AND"):  # type: ignore[union-attr]
                raise QueryError(f"OR at column {tok.col} needs a term after it")
            children.append(self.and_expr())
        return children[0] if len(children) == 1 else Or(tuple(children))

    def and_expr(self) -> Node:
        children = [self.unary()]
        while (tok := self.peek()) is not None and tok.kind not in ("OR", "rparen"):
            if tok.kind == "AND":
                self.take()
                if self.peek() is None or self.peek().kind in ("rparen", "OR", "AND"):  # type: ignore[union-attr]
                    raise QueryError(f"AND at column {tok.col} needs a term after it")
            children.append(self.unary())
        return children[0] if len(children) == 1 else And(tuple(children))

    def unary(self) -> Node:
        tok = self.peek()
        if tok is None:
            raise QueryError("the query ends where a term was expected")
        if tok.kind in ("AND", "OR"):
            raise QueryError(f"{tok.kind} at column {tok.col} needs a term before it")
        if tok.kind == "sign":  # "-field:x" / "+field:x": the sign applies to the clause
            self.take()
            return Not(self.nested(self.unary)) if tok.text == "-" else self.primary()
        if tok.kind == "NOT" or (
            tok.kind == "word" and tok.text.startswith("-") and len(tok.text) > 1
        ):
            if tok.kind == "NOT":
                self.take()
                if self.peek() is None:
                    raise QueryError(f"NOT at column {tok.col} needs a term after it")
            else:  # "-word": strip the sign and parse the rest as a primary
                tok.text = tok.text[1:]
                tok.col += 1
            return Not(self.nested(self.unary))
        if tok.kind == "word" and tok.text.startswith("+") and len(tok.text) > 1:
            tok.text = tok.text[1:]
            tok.col += 1
        return self.primary()

    def nested(self, rule: Callable[[], Node]) -> Node:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise QueryError(f"the query nests deeper than {MAX_DEPTH} levels")
        try:
            return rule()
        finally:
            self.depth -= 1

    def primary(self) -> Node:
        tok = self.take()
        if tok.kind == "lparen":
            if self.peek() is None:
                raise QueryError(f"unbalanced parenthesis: '(' at column {tok.col} is never closed")
            if self.peek().kind == "rparen":  # type: ignore[union-attr]
                raise QueryError(f"empty parentheses at column {tok.col}")
            node = self.nested(self.or_expr)
            close = self.peek()
            if close is None or close.kind != "rparen":
                raise QueryError(f"unbalanced parenthesis: '(' at column {tok.col} is never closed")
            self.take()
            return node
        if tok.kind == "rparen":
            raise QueryError(f"unbalanced parenthesis: unexpected ')' at column {tok.col}")
        if tok.kind == "field":
            name = tok.text.lower()
            if self.fields is not None and name not in self.fields:
                raise QueryError(
                    f"unknown field {tok.text!r} at column {tok.col}",
                    hint="searchable fields: " + ", ".join(sorted(self.fields)),
                )
            nxt = self.peek()
            if nxt is None or nxt.kind not in ("word", "quote"):
                raise QueryError(f"field {tok.text}: at column {tok.col} needs a term after it")
            return _atom(self.take(), name)
        return _atom(tok, None)


def _atom(tok: _Tok, field: str | None) -> Node:
    text = tok.text
    if tok.kind == "quote":
        inner = text[1:-1].strip()
        if not inner:
            raise QueryError(f"empty phrase at column {tok.col}")
        return Phrase(inner, field)
    if field == "date" or (".." in text and _DATE.match(text.split("..", 1)[0] or "0000")):
        return _date_range(text, tok.col)
    if text.endswith("*"):
        stem = text.rstrip("*")
        if "*" in stem or "?" in stem:
            raise QueryError(f"only trailing wildcards are supported: {text!r} at column {tok.col}")
        if len(stem) < MIN_PREFIX_CHARS:
            raise QueryError(
                f"a prefix search needs at least {MIN_PREFIX_CHARS} letters before '*' "
                f"(column {tok.col})"
            )
        return Prefix(stem, field)
    m = _FUZZY.match(text)
    if m:
        dist = int(m.group("dist") or 1)
        if not 1 <= dist <= MAX_FUZZY_DISTANCE:
            raise QueryError(f"fuzzy distance must be 1 or {MAX_FUZZY_DISTANCE} (column {tok.col})")
        return Fuzzy(m.group("word"), dist, field)
    return Word(text, field)


def _parse_date(text: str, col: int, *, end: bool) -> datetime:
    m = _DATE.match(text)
    if not m:
        raise QueryError(
            f"invalid date {text!r} at column {col}", hint="use YYYY, YYYY-MM or YYYY-MM-DD"
        )
    year, month, day = int(m.group(1)), m.group(2), m.group(3)
    try:
        if day is not None:
            start = datetime(year, int(month), int(day))
            return start + timedelta(days=1) if end else start
        if month is not None:
            start = datetime(year, int(month), 1)
            if not end:
                return start
            return datetime(year + (start.month == 12), start.month % 12 + 1, 1)
        return datetime(year + 1 if end else year, 1, 1)
    except (ValueError, OverflowError):  # OverflowError: the day after 9999-12-31
        raise QueryError(f"impossible date {text!r} at column {col}") from None


def _date_range(text: str, col: int) -> DateRange:
    """``2022-03-01..2022-03-31`` (inclusive days), open ends allowed, or one day/month/year."""
    if ".." in text:
        lo, hi = text.split("..", 1)
    else:
        lo = hi = text
    start = _parse_date(lo, col, end=False) if lo else None
    stop = _parse_date(hi, col, end=True) if hi else None
    if start is None and stop is None:
        raise QueryError(f"a date range needs at least one end (column {col})")
    if start is not None and stop is not None and start >= stop:
        raise QueryError(f"date range {text!r} ends before it starts (column {col})")
    return DateRange(start, stop)


def parse_query(query: str, *, fields: frozenset[str] | None = None, max_chars: int = 1000) -> Node:
    """Parse ``query`` into a tree; ``fields`` limits which ``field:`` prefixes are allowed."""
    if not isinstance(query, str):
        raise QueryError(f"a query must be a string, got {type(query).__name__}")
    if len(query) > max_chars:
        raise QueryError(
            f"query too long: {len(query)} characters (limit {max_chars})",
            hint="raise limits.max_query_chars in the config if you need longer queries",
        )
    if not query.strip():
        raise QueryError("empty query")
    tokens = _lex(query)
    if not tokens:
        raise QueryError("empty query")
    return _Parser(tokens, fields).parse()


def date_bound(value: str | date | datetime | None, *, end: bool, name: str) -> datetime | None:
    """A ``since``/``until`` argument as a datetime bound (``until`` is inclusive of its day)."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        start = datetime(value.year, value.month, value.day)
        try:
            return start + timedelta(days=1) if end else start
        except OverflowError:
            raise QueryError(f"{name}: {value} has no next day; leave {name} out") from None
    if not isinstance(value, str):
        raise QueryError(f"{name} must be a date, got {type(value).__name__}")
    try:
        return _parse_date(value.strip(), 0, end=end)
    except QueryError:
        raise QueryError(f"{name}: invalid date {value!r}", hint="use YYYY-MM-DD") from None


_PLAIN_WORD = re.compile(r"[^\s\"()]+")


def parse_plain(text: str, *, max_chars: int = 1000) -> Node:
    """User text taken literally: every word must match, no operators or field prefixes.

    For search boxes and evaluation questions, where ``(``, ``-`` or ``OR`` are prose.
    """
    if not isinstance(text, str):
        raise QueryError(f"a query must be a string, got {type(text).__name__}")
    if len(text) > max_chars:
        raise QueryError(f"query too long: {len(text)} characters (limit {max_chars})")
    words = [Word(w) for w in _PLAIN_WORD.findall(text) if w.strip("-+*~:")]
    if not words:
        raise QueryError("empty query")
    return words[0] if len(words) == 1 else And(tuple(words))
