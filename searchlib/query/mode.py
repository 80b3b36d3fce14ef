"""The one search box: how a query typed without a ``syntax`` choice is read.

People type keywords ("korupsi KPK"), questions ("Siapa menteri ...?") and pasted headlines
or sentences into the same box. Keywords are best served by requiring every word (falling
back to any word when no document has them all); prose by ranking its words as one any-word
query, since requiring every word of a sentence loses the right document whenever it lacks
one of them. The text is parsed with the query language either way, so operators keep
working; what differs is only how its top-level list of words is ranked:

* **prose** -- at least :data:`PROSE_MIN_WORDS` loosenable parts (words, phrases, groups not
  pinned to a field), or a question (a question word, or a ``?``): any-word ranking, field
  clauses, dates and exclusions still required (:func:`searchlib.query.any_word`), a quoted
  phrase ranked as itself and as its words, and the noun that names the kind of answer
  dropped from a question (:func:`searchlib.query.drop_answer_nouns`);
* **keywords** -- anything shorter: every word required, any word only when no document has
  them all (the fallback of :class:`searchlib.searching.QueryRunner`).

Prose that does not parse (a pasted headline with an unbalanced quote or parenthesis) is read
as plain text, with a warning naming the syntax error; a short query that does not parse is
an error, as with ``syntax="query"``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from searchlib.errors import QueryError
from searchlib.query.parser import And, Node, Phrase, Word, parse_plain, parse_query
from searchlib.query.question import drop_answer_nouns, is_question_word
from searchlib.query.rewrite import any_word, restricts

__all__ = ["PROSE_MIN_WORDS", "Reading", "is_prose", "read_query"]

#: A query with this many loosenable parts is prose. Keyword queries of two or three words
#: rank best with every word required; sentences and headlines with any word.
PROSE_MIN_WORDS = 4

_EDGES = re.compile(r"^\W+|\W+$")


@dataclass(frozen=True)
class Reading:
    """How a default-mode query is searched."""

    node: Node
    #: ``"prose"`` (ranked by any word) or ``"keywords"`` (all words, then any word).
    shape: str
    warnings: tuple[str, ...] = ()


def _loosenable(node: Node) -> list[Node]:
    parts = list(node.children) if isinstance(node, And) else [node]
    return [p for p in parts if not restricts(p)]


def _asks(node: Node, text: str) -> bool:
    if "?" in text:
        return True
    words = [p for p in _loosenable(node) if isinstance(p, Word)]
    return any(is_question_word(_EDGES.sub("", w.text).casefold()) for w in words)


def is_prose(node: Node, text: str) -> bool:
    """Whether ``node`` (``text`` parsed) reads as prose rather than keywords."""
    return len(_loosenable(node)) >= PROSE_MIN_WORDS or (
        len(_loosenable(node)) >= 2 and _asks(node, text)
    )


def read_query(text: str, *, fields: frozenset[str], max_chars: int) -> Reading:
    """The default mode's reading of ``text`` (see the module docstring)."""
    warnings: tuple[str, ...] = ()
    try:
        node = parse_query(text, fields=fields, max_chars=max_chars)
    except QueryError as error:
        if not isinstance(text, str) or len(text) > max_chars:
            raise
        node = parse_plain(text, max_chars=max_chars)
        if len(_loosenable(node)) < PROSE_MIN_WORDS:
            raise
        warnings = (f"read as plain text: {error}",)
    if not is_prose(node, text):
        return Reading(node, "keywords", warnings)
    node = drop_answer_nouns(_phrase_words(node))
    return Reading(any_word(node) or node, "prose", warnings)


def _phrase_words(node: Node) -> Node:
    """``node`` with each top-level phrase followed by its words as alternatives: quotes in
    pasted prose usually mark a title or a quotation, so its words count one by one and the
    exact phrase ranks higher still."""
    if not isinstance(node, And):
        return node
    parts: list[Node] = []
    for child in node.children:
        parts.append(child)
        if isinstance(child, Phrase) and child.field is None:
            parts.extend(Word(w) for w in child.text.split())
    return And(tuple(parts))
