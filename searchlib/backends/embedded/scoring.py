"""BM25 as Lucene, bm25s and Elasticsearch compute it, on Whoosh's BM25F scorer.

Whoosh's own inverse document frequency is ``log(N / (df + 1)) + 1``: the ``+ 1`` keeps
every term worth at least one, so a word found in half the archive still counts nearly as
much as a name found in three articles. Robertson's ``log(1 + (N - df + 0.5) / (df + 0.5))``
lets the rare words decide: on the quality tasks' tuning halves it ranks the answer higher
on facqa and detik-lead and a little lower on detik-headline (docs/quality.md).
"""

from __future__ import annotations

from math import log
from typing import Any

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
