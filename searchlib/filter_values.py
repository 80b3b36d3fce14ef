"""Nearest filter values: what to offer when a keyword filter matches nothing.

``--category ekonomi`` finds nothing when the archive files its articles under
"ekonomi & keuangan". The values offered are the ones the same search has without that
filter (its facet counts), ranked by closeness to what was asked, so every value offered
gives hits. Uses only :meth:`searchlib.Index.search`.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from searchlib.index import Index

__all__ = ["nearest_filter_values", "nearest_values"]

#: Below this similarity (difflib's ratio) a value is not offered, unless it contains the
#: asked value as a word or the asked value contains it.
MIN_RATIO = 0.6


def nearest_values(wanted: str, values: Sequence[str], *, limit: int = 3) -> list[str]:
    """The values closest to ``wanted``: those containing it (or contained in it) first,
    then by spelling similarity; case-insensitive."""
    key = " ".join(wanted.lower().split())
    scored = []
    for value in values:
        low = " ".join(value.lower().split())
        if low == key:
            continue
        ratio = difflib.SequenceMatcher(None, key, low).ratio()
        contains = bool(key) and (key in low.split() or key in low or low in key)
        if contains or ratio >= MIN_RATIO:
            scored.append((not contains, -ratio, value))
    return [value for *_, value in sorted(scored)[:limit]]


def nearest_filter_values(
    index: Index,
    query: str,
    field: str,
    wanted: str | Sequence[str],
    *,
    filters: Mapping[str, str | Sequence[str]] | None = None,
    limit: int = 3,
    **search: Any,
) -> list[str]:
    """Values of ``field`` (a faceted keyword field: category, source) that the search for
    ``query`` with ``filters`` (the other filters) and ``search`` (``since``, ``fields``,
    ...) matches, nearest to the ``wanted`` value(s) first."""
    results = index.search(query, limit=1, filters=filters, **search)
    present = list(results.facets.get(field, {}))
    asked = [wanted] if isinstance(wanted, str) else list(wanted)
    out: list[str] = []
    for value in asked:
        out += [v for v in nearest_values(value, present, limit=limit) if v not in out]
    return out[:limit]
