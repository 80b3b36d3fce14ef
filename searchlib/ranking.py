"""Ranking policy shared by every backend: the combined BM25F field and the recency boost.

Backends score with BM25(F); what goes into the combined field and how a document's age
changes its score is decided here, once, so that every backend ranks alike.
"""

from __future__ import annotations

import time

from searchlib.backends.base import RawHit
from searchlib.config import Config

__all__ = ["RECENCY_CANDIDATES", "combined_fields", "heading_field", "recency_rerank"]

#: With a recency boost, this many BM25 candidates are re-ranked by date.
RECENCY_CANDIDATES = 200


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
    of a query's words (``heading_counts_fully`` in the embedded backend's scoring)."""
    combined = combined_fields(config)
    if not combined or not config.title_rule:
        return None
    boosts = sorted((config.field(n).boost, n) for n in combined)
    (low, _), (high, name) = boosts[0], boosts[-1]
    if high <= low or sum(1 for b, _ in boosts if b == high) > 1:
        return None
    return name, high - low


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
