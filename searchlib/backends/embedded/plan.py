"""A search compiled for the embedded engine: what must match, and who answers it.

``compile.py`` resolves searchlib's query tree against the index -- words analyzed per field,
prefixes and fuzzy words expanded to index terms -- into the small match tree below, once
per search. The tree is read three ways:

* :class:`Words`, when the query is terms of one field that must all match (AND) or may
  (OR) -- most searches, and a prefix or fuzzy word alone (the OR of its expansions) --
  some of them perhaps groups of equivalent forms (an acronym and its long form): the
  top-k scorer (``topk.py``) ranks them and the match-set counter (``matchsets.py``) finds
  every match for the total and the facets, from posting blocks;
* a filter tree becomes, per segment, the set of documents it lets through
  (``matchsets.filter_sets``);
* anything else -- quoted phrases, NOT, date ranges, words searched in several fields,
  nested groups, date order -- is handed to Whoosh's matchers as the Whoosh query that
  ``compile.whoosh_query`` builds.

The tree is made of frozen dataclasses, so equal filters are equal keys of the per-segment
filter cache.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

#: Queries with more terms than this go through Whoosh (pasted paragraphs).
MAX_TERMS = 32


@dataclass(frozen=True)
class Term:
    """One index term of one field, its score multiplied by ``boost``."""

    field: str
    text: str
    boost: float = 1.0


@dataclass(frozen=True)
class Phrase:
    """Index terms that must appear next to each other, in order."""

    field: str
    texts: tuple[str, ...]
    boost: float = 1.0


@dataclass(frozen=True)
class Dates:
    """Documents dated from ``start`` up to, not including, ``end`` (None: unbounded)."""

    field: str
    start: datetime | None
    end: datetime | None


@dataclass(frozen=True)
class AllOf:
    parts: tuple[Match, ...]


@dataclass(frozen=True)
class AnyOf:
    parts: tuple[Match, ...]


@dataclass(frozen=True)
class BestOf:
    """Any of the parts, scored as the best-scoring one: a form the user typed and its
    equivalents (:class:`searchlib.query.Forms`)."""

    parts: tuple[Match, ...]


@dataclass(frozen=True)
class Excluding:
    """Every document except those ``part`` matches."""

    part: Match


@dataclass(frozen=True)
class Nothing:
    """A prefix or fuzzy word that no index term matches."""


Match = Term | Phrase | Dates | AllOf | AnyOf | BestOf | Excluding | Nothing


@dataclass(frozen=True)
class Words:
    """Terms of one field, all required or any of them: what the top-k scorer and the
    match-set counter answer. Parts keep the query's order and repeats (a word typed twice
    counts twice, as in Whoosh's sum of the parts' scores). A part is a term, or a group of
    equivalent forms (:class:`BestOf`) whose forms are terms, phrases, and terms all or any
    of which must match (a long form typed as words), all of the same field."""

    field: str
    parts: tuple[Term | BestOf, ...]
    required: bool

    @property
    def grouped(self) -> bool:
        """Whether some part is a group of forms."""
        return any(isinstance(part, BestOf) for part in self.parts)


def words_of(match: Match) -> Words | None:
    """``match`` as :class:`Words`, or None when only Whoosh's matchers answer it."""
    if isinstance(match, (Term, BestOf)):
        parts: tuple[Match, ...] = (match,)
    elif isinstance(match, (AllOf, AnyOf)) and len(match.parts) > 1:
        parts = match.parts
    else:
        return None
    fields: set[str] = set()
    size = 0
    for part in parts:
        terms = _form_terms(part) if isinstance(part, Term) else _group_terms(part)
        if terms is None:
            return None
        fields.update(t.field for t in terms)
        size += len(terms)
    if len(fields) != 1 or size > MAX_TERMS:
        return None
    slots = tuple(p for p in parts if isinstance(p, (Term, BestOf)))
    return Words(fields.pop(), slots, not isinstance(match, AnyOf))


def _group_terms(match: Match) -> list[Term] | None:
    """The terms of a group of forms the top-k scorer scores (phrases' words as terms)."""
    if not isinstance(match, BestOf):
        return None
    found: list[Term] = []
    for form in match.parts:
        terms = _form_terms(form)
        if terms is None:
            return None
        found.extend(terms)
    return found


def _form_terms(form: Match) -> list[Term] | None:
    if isinstance(form, Term):
        return [form]
    if isinstance(form, Phrase):
        return [Term(form.field, text) for text in form.texts]
    if isinstance(form, (AllOf, AnyOf)) and all(isinstance(p, Term) for p in form.parts):
        return [p for p in form.parts if isinstance(p, Term)]
    return None


def own_terms(match: Match, field: str) -> frozenset[str]:
    """The texts of ``match``'s words in ``field`` that the user typed: not an excluded
    one, nor an equivalent form a synonym group added, nor a phrase's (a quoted phrase, a
    hyphenated compound: the top-k scorer, whose rule this is, ranks no phrases). The
    heading rule counts these."""
    if isinstance(match, Term):
        return frozenset((match.text,)) if match.field == field else frozenset()
    if isinstance(match, BestOf):
        return own_terms(match.parts[0], field)
    if isinstance(match, (AllOf, AnyOf)):
        return frozenset().union(*(own_terms(part, field) for part in match.parts))
    return frozenset()


@dataclass(frozen=True)
class Plan:
    """One search: what must match, the filter it must pass, and how it is ranked."""

    match: Match
    #: What every result must also match (category, source, dates), or None.
    filter: Match | None
    sort: str
    #: The query as words of one field, or None: then Whoosh's matchers find the matches.
    words: Words | None

    @property
    def ranked_words(self) -> Words | None:
        """The words the top-k scorer ranks: by score only (date order is Whoosh's)."""
        return self.words if self.sort == "score" else None
