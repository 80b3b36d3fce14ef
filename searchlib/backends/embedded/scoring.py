"""BM25 as Lucene, bm25s and Elasticsearch compute it, on Whoosh's BM25F scorer.

Whoosh's own inverse document frequency is ``log(N / (df + 1)) + 1``: the ``+ 1`` keeps
every term worth at least one, so a word found in half the archive still counts nearly as
much as a name found in three articles. Robertson's ``log(1 + (N - df + 0.5) / (df + 0.5))``
lets the rare words decide: on the quality tasks' tuning halves it ranks the answer higher
on facqa and detik-lead and a little lower on detik-headline (docs/quality.md).
"""

from __future__ import annotations

from math import log
from typing import Any, NamedTuple

from whoosh import scoring


class BM25(scoring.BM25F):
    """Whoosh's BM25F with Robertson's (Lucene's) inverse document frequency."""

    def __init__(self, B: float = 0.75, K1: float = 1.2) -> None:
        # One B for every field (BM25F's per-field ``<name>_B`` is not taken): the top-k
        # scorer (topk.py) computes the same scores from B and K1 alone.
        super().__init__(B=B, K1=K1)

    def idf(self, searcher: Any, fieldname: str, text: Any) -> float:
        parent = searcher.get_parent()
        df = parent.doc_frequency(fieldname, text)
        n = parent.doc_count_all()
        return log(1.0 + (n - df + 0.5) / (df + 0.5))


class Heading(NamedTuple):
    """The combined field's most weighted part (the title) as the top-k scorer reads it: the
    field its own postings are in, and how much more one of its occurrences weighs in the
    combined field than one occurrence of the least weighted part (the body)."""

    field: str
    extra: float


def heading_weight(weight: float, in_heading: float, extra: float) -> float:
    """A term's combined-field weight when its heading does not count fully: each heading
    occurrence counts like one occurrence of the rest. Never more than ``weight``, so a
    term's upper bound (its plain BM25 score) still holds."""
    return weight - in_heading * extra
