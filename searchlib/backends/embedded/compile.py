"""Turning searchlib's query tree into Whoosh queries.

Words are analyzed with each field's own analyzer (the one the index was built with), so a
query word in one inflected form matches documents using another. Prefix and fuzzy terms are
expanded here against the index's term list, with a cap, so a two-letter prefix can never
turn into a query over half the vocabulary.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from whoosh import query as wq
from whoosh.reading import IndexReader

from searchlib.analysis.tokenizer import normalize_word
from searchlib.backends.embedded.schema import COMBINED_FIELD, COMBINED_ONLY
from searchlib.errors import QueryError
from searchlib.query import And, DateRange, Fuzzy, Node, Not, Or, Phrase, Prefix, Word


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


def _any(queries: list[wq.Query]) -> wq.Query | None:
    if not queries:
        return None
    return queries[0] if len(queries) == 1 else wq.Or(queries)


def _words(node: Word | Phrase, ctx: CompileContext) -> wq.Query | None:
    """A word, or a quoted phrase, in each field it is searched in.

    A word that analyzes to several terms (a split compound) is a phrase of them; in a
    keyword field a phrase is one exact value.
    """
    per_field: list[wq.Query] = []
    for name in ctx.fields_for(node.field):
        terms = ctx.analyze(name, node.text, keep_stopwords=node.keep_stopwords)
        if not terms:
            continue
        ctx.note(name, terms)
        boost = ctx.boosts.get(name, 1.0)
        if len(terms) == 1 or name not in ctx.text_fields:
            per_field.append(wq.Term(name, terms[0], boost=boost))
        else:
            per_field.append(wq.Phrase(name, terms, boost=boost))
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
    node: Prefix | Fuzzy, ctx: CompileContext, expand: Callable[[str, set[str]], list[str]]
) -> wq.Query:
    """``node`` as the index terms ``expand`` finds per field, from the typed form and
    from its stem (index terms are stems: "pengirim*" should still reach "kirim")."""
    what = f"prefix {node.text}*" if isinstance(node, Prefix) else f"fuzzy {node.text}~"
    per_field: list[wq.Query] = []
    for name in ctx.fields_for(node.field):
        bases = {normalize_word(node.text)}
        if name in ctx.text_fields:
            bases.update(ctx.analyze(name, node.text))
        bases.discard("")  # "'~" normalizes to "": Whoosh fails on ""
        words = _expansions(name, sorted(set(expand(name, bases))), what, ctx)
        boost = ctx.boosts.get(name, 1.0)
        per_field.extend(wq.Term(name, w, boost=boost) for w in words)
    return _any(per_field) or wq.NullQuery


def _prefix(node: Prefix, ctx: CompileContext) -> wq.Query:
    def expand(name: str, prefixes: set[str]) -> list[str]:
        found: list[str] = []
        for prefix in sorted(prefixes):
            for term in ctx.reader.expand_prefix(name, prefix):
                found.append(term.decode("utf-8") if isinstance(term, bytes) else term)
                if len(found) > ctx.max_expansions:
                    return found
        return found

    return _expanded(node, ctx, expand)


def _fuzzy(node: Fuzzy, ctx: CompileContext) -> wq.Query:
    def expand(name: str, bases: set[str]) -> list[str]:
        found: list[str] = []
        for base in sorted(bases):
            for term in ctx.reader.terms_within(name, base, node.distance, prefix=1):
                found.append(term)
                if len(found) > ctx.max_expansions:
                    return found
        return found

    return _expanded(node, ctx, expand)


def date_range(fieldname: str, start, end) -> wq.Query:
    return wq.DateRange(fieldname, start, end, endexcl=True)


def compile_query(node: Node, ctx: CompileContext) -> wq.Query | None:
    """A Whoosh query, or None when analysis left nothing to search for."""
    if isinstance(node, (Word, Phrase)):
        return _words(node, ctx)
    if isinstance(node, Prefix):
        return _prefix(node, ctx)
    if isinstance(node, Fuzzy):
        return _fuzzy(node, ctx)
    if isinstance(node, DateRange):
        return date_range(node.field, node.start, node.end)
    if isinstance(node, Not):
        child = compile_query(node.child, ctx)
        return wq.Not(child) if child is not None else None
    if isinstance(node, (And, Or)):
        parts = [q for q in (compile_query(c, ctx) for c in node.children) if q is not None]
        if not parts:
            return None
        if len(parts) == 1:
            return parts[0]
        return wq.And(parts) if isinstance(node, And) else wq.Or(parts)
    raise TypeError(f"unknown query node {node!r}")
