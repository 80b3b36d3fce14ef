"""More-like-this: a document's most distinctive terms, searched for as one any-term query.

The term choice is policy, the same for every backend; a backend only answers term
statistics and the weighted any-term search (:mod:`searchlib.backends.base`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable

from searchlib.backends.base import Backend, RawResults, TermStatistics

__all__ = ["SIMILAR_TERMS", "distinctive_terms", "more_like_this"]

#: Terms of a document that ``similar`` searches for.
SIMILAR_TERMS = 15
#: The stored text fields whose terms describe a document.
DESCRIBING_FIELDS = ("title", "body")
#: The field the terms are looked up and searched in (a backend maps it to its postings).
SEARCHED_FIELD = "body"


def distinctive_terms(counts: dict[str, int], stats: TermStatistics) -> list[tuple[float, str]]:
    """The ``SIMILAR_TERMS`` terms with the highest tf x idf, as ``(weight, term)``, best
    first. A term no other document has, or every document has, says nothing."""
    total = max(stats.documents, 1)
    scored = []
    for term, tf in counts.items():
        df = stats.frequencies.get(term, 0)
        if 1 < df < total:
            scored.append((tf * math.log(total / df), term))
    return sorted(scored, reverse=True)[:SIMILAR_TERMS]


def term_counts(stored: dict, analyze: Callable[[str], Iterable[str]]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for name in DESCRIBING_FIELDS:
        text = stored.get(name)
        if isinstance(text, str):
            for term in analyze(text):
                counts[term] = counts.get(term, 0) + 1
    return counts


def more_like_this(
    backend: Backend, analyze: Callable[[str], Iterable[str]], doc_id: str, limit: int
) -> RawResults | None:
    """Documents sharing the most distinctive terms of ``doc_id`` (None: no such document)."""
    stored = backend.get(doc_id)
    if stored is None:
        return None
    counts = term_counts(stored, analyze)
    stats = backend.term_statistics(SEARCHED_FIELD, list(counts))
    keywords = distinctive_terms(counts, stats)
    found = {term for _, term in keywords}
    terms = {name: set(found) for name in DESCRIBING_FIELDS}
    if not keywords:
        return RawResults(collected=0, hits=[], terms=terms)
    raw = backend.search_terms(SEARCHED_FIELD, keywords, exclude=doc_id, limit=limit)
    raw.terms = terms
    return raw
