"""Turning searchlib's query tree into the engine's plan (``plan.py``), and a plan's match
tree into a Whoosh query for the searches only Whoosh's matchers answer.

Words are analyzed with each field's own analyzer (the one the index was built with), so a
query word in one inflected form matches documents using another. Prefix and fuzzy terms are
expanded here against the index's term list, with a cap, so a two-letter prefix can never
turn into a query over half the vocabulary.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from whoosh import query as wq
from whoosh.reading import IndexReader

from searchlib import query as sq
from searchlib.analysis.tokenizer import normalize_word
from searchlib.backends.embedded.plan import (
    AllOf,
    AnyOf,
    BestOf,
    Dates,
    Excluding,
    Match,
    Nothing,
    Phrase,
    Plan,
    Term,
    words_of,
)
from searchlib.backends.embedded.queries import Best, Without
from searchlib.backends.embedded.schema import COMBINED_FIELD, COMBINED_ONLY
from searchlib.errors import QueryError


@dataclass
class CompileContext:
    schema: object  # whoosh Schema
    reader: IndexReader
    default_fields: Sequence[str]
    boosts: dict[str, float]
    text_fields: frozenset[str]
    max_expansions: int
    #: The fields folded into the combined BM25F field (empty when the index has none).
    combined: tuple[str, ...] = ()
    #: Every analyzed term per field, for highlighting and did-you-mean.
    terms: dict[str, set[str]] = field(default_factory=dict)
    #: Query words that analysis removed entirely (stopwords).
    dropped: list[str] = field(default_factory=list)

    def fields_for(self, name: str | None) -> Sequence[str]:
        fields = [name] if name else list(self.default_fields)
        # body has no postings of its own: body-only searches use the combined field too.
        if self.combined and (set(self.combined) <= set(fields) or COMBINED_ONLY in fields):
            return [COMBINED_FIELD] + [f for f in fields if f not in self.combined]
        return fields

    def analyze(self, fieldname: str, text: str, *, keep_stopwords: bool = False) -> list[str]:
        if fieldname in self.text_fields:
            analyzer = self.schema[fieldname].analyzer  # type: ignore[index]
            return [t.text for t in analyzer(text, removestops=not keep_stopwords)]
        if fieldname == "date":
            raise QueryError(
                f"date: expects a date or range, e.g. date:2022-03-01..2022-03-31, got {text!r}"
            )
        word = text.strip().lower()
        return [word] if word else []

    def note(self, fieldname: str, terms: Sequence[str]) -> None:
        for name in self.combined if fieldname == COMBINED_FIELD else (fieldname,):
            self.terms.setdefault(name, set()).update(terms)


def plan_search(
    node: sq.Node, filters: Sequence[sq.Node], sort: str, ctx: CompileContext
) -> Plan | None:
    """The plan of one search, or None when analysis left nothing to search for.

    The filters are resolved in a context of their own: their words are not highlighted.
    """
    match = compile_match(node, ctx)
    if match is None:
        return None
    parts = []
    if filters:
        fctx = replace(ctx, terms={}, dropped=[])
        parts = [p for p in (compile_match(f, fctx) for f in filters) if p is not None]
    filter_ = AllOf(tuple(parts)) if len(parts) > 1 else (parts[0] if parts else None)
    return Plan(match, filter_, sort, words_of(match))


def _any(matches: list[Match]) -> Match | None:
    if not matches:
        return None
    return matches[0] if len(matches) == 1 else AnyOf(tuple(matches))


def _words(node: sq.Word | sq.Phrase, ctx: CompileContext) -> Match | None:
    """A word, or a quoted phrase, in each field it is searched in.

    A word that analyzes to several terms (a split compound) is a phrase of them; in a
    keyword field a phrase is one exact value.
    """
    per_field: list[Match] = []
    for name in ctx.fields_for(node.field):
        terms = ctx.analyze(name, node.text, keep_stopwords=node.keep_stopwords)
        if not terms:
            continue
        ctx.note(name, terms)
        boost = ctx.boosts.get(name, 1.0) * node.boost
        if len(terms) == 1 or name not in ctx.text_fields:
            per_field.append(Term(name, terms[0], boost))
        else:
            per_field.append(Phrase(name, tuple(terms), boost))
    if not per_field:
        ctx.dropped.append(node.text)
    return _any(per_field)


def _expansions(name: str, found: list[str], what: str, ctx: CompileContext) -> list[str]:
    if len(found) > ctx.max_expansions:
        raise QueryError(
            f"{what} matches more than {ctx.max_expansions} terms",
            hint="type more letters, or raise limits.max_expansions",
        )
    ctx.note(name, found)
    return found


def _expanded(
    node: sq.Prefix | sq.Fuzzy, ctx: CompileContext, expand: Callable[[str, set[str]], list[str]]
) -> Match:
    """``node`` as the index terms ``expand`` finds per field, from the typed form and
    from its stem (index terms are stems: "pengirim*" should still reach "kirim")."""
    what = f"prefix {node.text}*" if isinstance(node, sq.Prefix) else f"fuzzy {node.text}~"
    per_field: list[Match] = []
    for name in ctx.fields_for(node.field):
        bases = {normalize_word(node.text)}
        if name in ctx.text_fields:
            bases.update(ctx.analyze(name, node.text))
        bases.discard("")  # "'~" normalizes to "": Whoosh fails on ""
        words = _expansions(name, sorted(set(expand(name, bases))), what, ctx)
        boost = ctx.boosts.get(name, 1.0)
        per_field.extend(Term(name, w, boost) for w in words)
    return _any(per_field) or Nothing()


def _prefix(node: sq.Prefix, ctx: CompileContext) -> Match:
    def expand(name: str, prefixes: set[str]) -> list[str]:
        found: list[str] = []
        for prefix in sorted(prefixes):
            for term in ctx.reader.expand_prefix(name, prefix):
                found.append(term.decode("utf-8") if isinstance(term, bytes) else term)
                if len(found) > ctx.max_expansions:
                    return found
        return found

    return _expanded(node, ctx, expand)


def _fuzzy(node: sq.Fuzzy, ctx: CompileContext) -> Match:
    def expand(name: str, bases: set[str]) -> list[str]:
        found: list[str] = []
        for base in sorted(bases):
            for term in ctx.reader.terms_within(name, base, node.distance, prefix=1):
                found.append(term)
                if len(found) > ctx.max_expansions:
                    return found
        return found

    return _expanded(node, ctx, expand)


def compile_match(node: sq.Node, ctx: CompileContext) -> Match | None:
    """What ``node`` matches in this index, or None when analysis left nothing."""
    if isinstance(node, (sq.Word, sq.Phrase)):
        return _words(node, ctx)
    if isinstance(node, sq.Prefix):
        return _prefix(node, ctx)
    if isinstance(node, sq.Fuzzy):
        return _fuzzy(node, ctx)
    if isinstance(node, sq.DateRange):
        return Dates(node.field, node.start, node.end)
    if isinstance(node, sq.Not):
        child = compile_match(node.child, ctx)
        return Excluding(child) if child is not None else None
    if isinstance(node, (sq.And, sq.Or)):
        parts = [m for m in (compile_match(c, ctx) for c in node.children) if m is not None]
        if not parts:
            return None
        if len(parts) == 1:
            return parts[0]
        if isinstance(node, sq.Forms):
            return BestOf(tuple(parts))
        return AllOf(tuple(parts)) if isinstance(node, sq.And) else AnyOf(tuple(parts))
    raise TypeError(f"unknown query node {node!r}")


def whoosh_query(match: Match) -> wq.Query:
    """``match`` as a Whoosh query, for Whoosh's matchers."""
    if isinstance(match, Term):
        return wq.Term(match.field, match.text, boost=match.boost)
    if isinstance(match, Phrase):
        return wq.Phrase(match.field, list(match.texts), boost=match.boost)
    if isinstance(match, Dates):
        return wq.DateRange(match.field, match.start, match.end, endexcl=True)
    if isinstance(match, Excluding):
        return Without(whoosh_query(match.part))
    if isinstance(match, AllOf):
        return wq.And([whoosh_query(part) for part in match.parts])
    if isinstance(match, AnyOf):
        return wq.Or([whoosh_query(part) for part in match.parts])
    if isinstance(match, BestOf):
        return Best([whoosh_query(part) for part in match.parts])
    if isinstance(match, Nothing):
        return wq.NullQuery
    raise TypeError(f"unknown match {match!r}")
