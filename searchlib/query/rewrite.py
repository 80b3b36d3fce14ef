"""Rewrites of a parsed query that keep its meaning for ranking but loosen what must match."""

from __future__ import annotations

from dataclasses import replace

from searchlib.query.parser import And, DateRange, Fuzzy, Node, Not, Or, Phrase, Prefix, Word


def restricts(node: Node) -> bool:
    """Whether ``node`` says which documents may match rather than what they are about.

    Clauses the user pinned to a field (``category:ekonomi``, ``source:"Detik News"``,
    ``date:2025-07``, ``title:banjir``), exclusions (``NOT``, ``-word``) and groups made
    only of such clauses are restrictions. A field prefix is a deliberate choice, so it is
    kept whether the field is a keyword, date or text field: ``title:banjir jakarta`` that
    falls back still wants "banjir" in the title. Unprefixed words are what loosens.
    """
    if isinstance(node, (DateRange, Not)):
        return True
    if isinstance(node, (Word, Phrase, Prefix, Fuzzy)):
        return node.field is not None
    return all(restricts(child) for child in node.children)


def any_word(node: Node) -> Node | None:
    """The ranked any-word reading of an all-words query, or None if there is none.

    Only a top-level AND with two or more loosenable parts falls back: its unprefixed
    parts become alternatives, and every restriction (:func:`restricts`) stays required,
    so a fallback never returns documents outside the filters the query named.
    """
    if not isinstance(node, And):
        return None
    positive = [c for c in node.children if not restricts(c)]
    required = [c for c in node.children if restricts(c)]
    if len(positive) < 2:
        return None
    return And((Or(tuple(positive)), *required)) if required else Or(tuple(positive))


def with_stopwords(node: Node) -> Node:
    """``node`` with every word and phrase searched as written, stopwords included.

    For a query made only of stopwords ("ingin sekali", a song title): analysis would drop
    every word and leave nothing to search, so its words are searched as typed instead.
    """
    if isinstance(node, (Word, Phrase)):
        return replace(node, keep_stopwords=True)
    if isinstance(node, (And, Or)):
        return type(node)(tuple(with_stopwords(c) for c in node.children))
    if isinstance(node, Not):
        return Not(with_stopwords(node.child))
    return node
