"""searchlib's query tree as a SphinxQL ``MATCH()`` expression plus attribute conditions.

Words are analyzed by the field's own searchlib analyzer, as in the embedded backend, and
sent as encoded terms (see ids.py), so the engine matches exactly what searchlib indexed.
Date ranges are integer-attribute conditions, which SphinxQL can only AND with the full-text
match: a date range must be one of the query's top-level parts (``inflasi date:2022-03``).
"""

from __future__ import annotations

import calendar
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from searchlib.analysis.tokenizer import normalize_word
from searchlib.backends.sphinxql.ids import encode_term
from searchlib.backends.sphinxql.schema import ALL_FIELD, ALL_TOKEN, NO_DATE, ftname
from searchlib.errors import BackendNotSupportedError, QueryError
from searchlib.query import And, DateRange, Fuzzy, Node, Not, Or, Phrase, Prefix, Word

Analyze = Callable[[str], list[str]]


@dataclass
class Compiled:
    #: The MATCH() expression; None for a search by attributes only (a date range).
    match: str | None
    #: Select-list expressions that must be 1 for a document to match.
    conditions: list[str] = field(default_factory=list)
    terms: dict[str, set[str]] = field(default_factory=dict)
    dropped: list[str] = field(default_factory=list)
    #: Analysis left nothing to search for (only stopwords): nothing matches.
    empty: bool = False
    #: Prefixes searched per field: the engine does not say what they expanded to, so the
    #: terms to highlight are found in the hits' own text (see SphinxStore.search).
    prefixes: dict[str, set[str]] = field(default_factory=dict)


@dataclass
class _Context:
    analyzers: dict[str, Analyze]  # text fields
    keyword_fields: frozenset[str]
    date_fields: frozenset[str]
    default_fields: Sequence[str]
    combined: tuple[str, ...]
    terms: dict[str, set[str]] = field(default_factory=dict)
    dropped: list[str] = field(default_factory=list)
    prefixes: dict[str, set[str]] = field(default_factory=dict)

    def fields_for(self, name: str | None) -> list[str]:
        fields = [name] if name else list(self.default_fields)
        # As in the embedded backend: title and body are one BM25F field there, so body:
        # searches titles too.
        if self.combined and (set(self.combined) <= set(fields) or "body" in fields):
            return list(self.combined) + [f for f in fields if f not in self.combined]
        return fields

    def analyze(self, name: str, text: str) -> list[str]:
        if name in self.analyzers:
            return self.analyzers[name](text)
        if name in self.date_fields:
            raise QueryError(
                f"{name}: expects a date or range, e.g. date:2022-03-01..2022-03-31, got {text!r}"
            )
        word = text.strip().lower()
        return [word] if word else []


def epoch(value: datetime) -> int:
    """Seconds since 1970 of a datetime (naive ones are taken as UTC, as stored)."""
    return calendar.timegm(value.utctimetuple())


def _limit(names: list[str], expr: str) -> str:
    cols = ",".join(ftname(n) for n in names)
    return f"(@{cols} {expr})" if len(names) == 1 else f"(@({cols}) {expr})"


def _any(parts: list[str]) -> str | None:
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else "(" + " | ".join(parts) + ")"


def _terms_expr(terms: list[str]) -> str:
    encoded = [encode_term(t) for t in terms]
    return encoded[0] if len(encoded) == 1 else '"' + " ".join(encoded) + '"'


def _per_field(node: Word | Phrase, ctx: _Context) -> str | None:
    groups: dict[tuple[str, ...], list[str]] = {}
    for name in ctx.fields_for(node.field):
        terms = ctx.analyze(name, node.text)
        if not terms:
            continue
        if name not in ctx.analyzers:
            terms = terms[:1]  # a keyword value is one term, phrase or not
        ctx.terms.setdefault(name, set()).update(terms)
        groups.setdefault(tuple(terms), []).append(name)
    if not groups:
        ctx.dropped.append(node.text)
    return _any([_limit(names, _terms_expr(list(terms))) for terms, names in groups.items()])


def _prefix(node: Prefix, ctx: _Context) -> str | None:
    raw = normalize_word(node.text)
    parts = []
    for name in ctx.fields_for(node.field):
        # Index terms are stems: look for the typed prefix and the prefix's own stem.
        prefixes = {raw} if raw else set()
        if name in ctx.analyzers:
            prefixes.update(ctx.analyze(name, node.text))
        ctx.prefixes.setdefault(name, set()).update(p for p in prefixes if len(p) >= 2)
        options = [encode_term(p) + "*" for p in sorted(prefixes) if len(p) >= 2]
        if options:
            parts.append(_limit([name], _any(options) or ""))
    if not parts:
        ctx.dropped.append(node.text)
    return _any(parts)


def _date_condition(node: DateRange, negate: bool) -> str:
    checks = [f"d_{node.field} > {NO_DATE}"]
    if node.start is not None:
        checks.append(f"d_{node.field} >= {epoch(node.start)}")
    if node.end is not None:
        checks.append(f"d_{node.field} < {epoch(node.end)}")
    inside, outside = (0, 1) if negate else (1, 0)
    return f"IF({' AND '.join(checks)}, {inside}, {outside})"


def _match(node: Node, ctx: _Context) -> str | None:
    if isinstance(node, (Word, Phrase)):
        return _per_field(node, ctx)
    if isinstance(node, Prefix):
        return _prefix(node, ctx)
    if isinstance(node, Fuzzy):
        raise BackendNotSupportedError(
            f"fuzzy search ({node.text}~) is not supported by this backend (sphinxql)",
            hint="search the word itself, or a prefix: word*",
        )
    if isinstance(node, DateRange):
        raise BackendNotSupportedError(
            "a date range inside OR or NOT is not supported by this backend (sphinxql)",
            hint="use it as a whole part of the query: inflasi date:2022-03",
        )
    if isinstance(node, Not):
        child = _match(node.child, ctx)
        return f"-{child}" if child is not None else None
    if isinstance(node, (And, Or)):
        parts = [p for p in (_match(c, ctx) for c in node.children) if p is not None]
        if not parts:
            return None
        if isinstance(node, Or):
            return _any(parts)
        return parts[0] if len(parts) == 1 else "(" + " ".join(parts) + ")"
    raise TypeError(f"unknown query node {node!r}")


def compile_query(
    node: Node,
    filters: Sequence[Node],
    *,
    analyzers: dict[str, Analyze],
    keyword_fields: frozenset[str],
    date_fields: frozenset[str],
    default_fields: Sequence[str],
    combined: tuple[str, ...],
) -> Compiled:
    """The SphinxQL form of ``node`` restricted by ``filters``."""
    ctx = _Context(analyzers, keyword_fields, date_fields, default_fields, combined)
    top = list(node.children) if isinstance(node, And) else [node]
    positive: list[str] = []
    negative: list[str] = []
    conditions: list[str] = []
    searched = False
    for part in top:
        if isinstance(part, DateRange):
            conditions.append(_date_condition(part, negate=False))
            searched = True
        elif isinstance(part, Not) and isinstance(part.child, DateRange):
            conditions.append(_date_condition(part.child, negate=True))
            searched = True
        else:
            expr = _match(part, ctx)
            if expr is not None:
                (negative if expr.startswith("-") else positive).append(expr)
                searched = True
    if not searched:
        return Compiled(None, terms=ctx.terms, dropped=ctx.dropped, empty=True)
    terms, dropped = ctx.terms, ctx.dropped
    # Filters restrict but do not score (their fields weigh 0 in the ranker); their terms
    # are not highlighted.
    fctx = _Context(analyzers, keyword_fields, date_fields, default_fields, combined)
    for f in filters:
        if isinstance(f, DateRange):
            conditions.append(_date_condition(f, negate=False))
        else:
            expr = _match(f, fctx)
            if expr is not None:
                positive.append(expr)
    if negative and not positive:
        positive.append(_limit_all())
    match = " ".join(positive + negative) if positive else None
    return Compiled(match, conditions, terms, dropped, prefixes=ctx.prefixes)


def _limit_all() -> str:
    return f"(@{ALL_FIELD} {ALL_TOKEN})"
