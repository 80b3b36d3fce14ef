"""Ranking policy shared by every backend: the combined BM25F field and the recency boost.

Backends score with BM25(F); what goes into the combined field and how a document's age
changes its score is decided here, once, so that every backend ranks alike.
"""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from searchlib.analysis.tokenizer import normalize_word
from searchlib.backends.base import RawHit
from searchlib.config import Config
from searchlib.query.mode import PROSE_MIN_WORDS
from searchlib.query.parser import And, Node, Or, Word

__all__ = [
    "RECENCY_CANDIDATES",
    "TYPED_SHARE",
    "combined_fields",
    "heading_counts_fully",
    "heading_field",
    "prefer_typed_forms",
    "recency_rerank",
    "typed_forms",
]

#: With a recency boost, this many BM25 candidates are re-ranked by date.
RECENCY_CANDIDATES = 200
#: A hit whose title holds all of a short query's words as typed scores this much more
#: (proportionally less for some of them).
TYPED_SHARE = 0.3


def combined_fields(config: Config) -> tuple[str, ...]:
    """The default fields scored as one weighted BM25F field (none when it cannot be built:
    fewer than two text fields, or text fields with different analyzers)."""
    names = tuple(n for n in config.default_fields if config.field(n).type == "text")
    analyzers = {config.field(n).analyzer for n in names}
    return names if len(names) >= 2 and len(analyzers) == 1 else ()


def heading_field(config: Config) -> tuple[str, float] | None:
    """The combined field's heading (the title) and how much more one of its occurrences
    weighs than one of the least weighted combined field's (the body), or None when no
    combined field outweighs the others. A heading counts fully only when it holds several
    of a query's words (:func:`heading_counts_fully`)."""
    combined = combined_fields(config)
    if not combined or not config.title_rule:
        return None
    boosts = sorted((config.field(n).boost, n) for n in combined)
    (low, _), (high, name) = boosts[0], boosts[-1]
    if high <= low or sum(1 for b, _ in boosts if b == high) > 1:
        return None
    return name, high - low


def heading_counts_fully(found: int, terms: int) -> bool:
    """Whether a heading holding ``found`` of a query's ``terms`` distinct terms keeps its
    full weight: when it holds at least two of them, or the query's only one.

    A title sharing one word with a longer query says little about the document; with the
    title's full weight that one word outranked bodies holding every word. A title holding
    two or more of the words (a headline-like match) still leads."""
    return found >= min(terms, 2)


def recency_rerank(hits: list[RawHit], half_life: float) -> list[RawHit]:
    """score x (1 + 0.5^(age/half_life)): today's news up to twice as strong; old news keeps
    its BM25 score, so relevance still decides among old articles. An undated hit keeps
    its score; equal scores keep the backend's order."""
    now = time.time()
    for hit in hits:
        if hit.date is not None:
            age_days = max(0.0, (now - hit.date) / 86400.0)
            hit.score = hit.score * (1.0 + 0.5 ** (age_days / half_life))
    return sorted(hits, key=lambda hit: -hit.score)


def typed_forms(node: Node, analyzer: Any) -> tuple[str, ...]:
    """The words of a short query as typed (normalized, not stemmed; stopwords dropped), or
    none when the query is not a few plain words of the default fields (prose, a phrase, a
    prefix, a field or an exclusion)."""
    parts = node.children if isinstance(node, (And, Or)) else (node,)
    if not all(type(p) is Word and p.field is None and p.boost == 1.0 for p in parts):
        return ()
    forms: dict[str, None] = {}
    for part in parts:
        assert isinstance(part, Word)
        for token in analyzer(part.text, keeporiginal=True):
            forms[normalize_word(token.original)] = None
    return tuple(forms) if len(forms) < PROSE_MIN_WORDS else ()


def prefer_typed_forms(hits: list[RawHit], forms: Sequence[str], heading: str) -> list[RawHit]:
    """A page of hits, each scored up by the share of the query's typed words its heading
    (the title) holds as typed, and re-sorted; when the heading holds at least two of the
    words, or the only one (the title rule's condition).

    Index terms are stems, so ``kendalikan pasar`` matches "Gubernur Kendalikan Inflasi
    Lewat Operasi Pasar" and "Pemprov Percepat Pengendalian Inflasi, 5 Pasar" alike, and a
    newsroom tells one story under several headlines; people who type a few words usually
    take them from the headline they remember. Only the page is reordered, so every page
    holds the documents it holds without the preference."""
    if not forms or len(hits) < 2:
        return hits
    patterns = [_as_a_word(form) for form in forms]
    for hit in hits:
        title = hit.stored.get(heading)
        if not isinstance(title, str):
            continue
        text = normalize_word(title)
        found = sum(1 for pattern in patterns if pattern.search(text))
        if heading_counts_fully(found, len(forms)):
            hit.score *= 1.0 + TYPED_SHARE * found / len(forms)
    return sorted(hits, key=lambda hit: -hit.score)


@lru_cache(maxsize=4096)
def _as_a_word(form: str) -> re.Pattern[str]:
    """``form`` as a whole word of a normalized text (a part of a hyphenated word counts)."""
    return re.compile(rf"(?<!\w){re.escape(form)}(?!\w)")
