"""Facet labels: keyword values counted case-insensitively, shown as written.

Keyword values (category, source, tags ...) match and filter case-insensitively, so a facet
counts "Ekonomi & Keuangan" and "ekonomi & keuangan" as one value. Its label is the spelling
the most documents use (on a tie, the one that sorts first, so capitals win over the
lowercased form and the choice is stable). Every backend labels its counts with
:func:`labelled`, so the rule lives once.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping

__all__ = ["labelled", "value_key"]


def value_key(value: str) -> str:
    """What a keyword value is matched by: as the backends index it (trimmed, lowercased)."""
    return value.strip().lower()


def labelled(
    counts: Mapping[str, int], spellings: Mapping[str, Mapping[str, int]] | None = None
) -> dict[str, int]:
    """``counts`` (value -> matching documents; values may differ only in case) merged
    case-insensitively, each under its label, most frequent first.

    ``spellings`` (matching key -> spelling -> documents, e.g. over the whole index) decides
    the labels when given; otherwise the spellings' own counts do."""
    totals: Counter[str] = Counter()
    seen: dict[str, Counter[str]] = {}
    for value, n in counts.items():
        key = value_key(value)
        totals[key] += n
        seen.setdefault(key, Counter())[value] += n
    out = {}
    for key, n in totals.items():
        votes = (spellings or {}).get(key) or seen[key]
        label = min(votes, key=lambda spelling: (-votes[spelling], spelling))
        out[label] = n
    return dict(sorted(out.items(), key=lambda kv: (-kv[1], kv[0])))
