"""The standard rows of a quality table: searchlib's configurations and the reference rows.

Reference rows are BM25 as peers ship it: textbook parameters (k1 1.2, b 0.75), every query
ranked as one any-word query, and a peer's way of reducing words -- none (``simple``), or a
reference stemmer given as a :class:`~searchlib.evaluation.runner.TextRewriter` (the quality
benchmark brings raw Snowball and the nlp-id lemmatizer, ``benchmarks/peers.py``). They keep
everything else of the base config: the same tokenizer, stopwords and field boosts, in the
same kind of index, so a difference between a reference row and searchlib's row comes from
searchlib's stemmer, ranking settings and query handling, not from different data or word
lists.

"Same ranking" rows answer the other question: the base config's ranking and query handling
with only the stemmer swapped for a peer's.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from searchlib.evaluation.runner import System, TextRewriter

__all__ = ["REFERENCE_BM25", "reference_systems", "same_ranking_systems"]

#: Robertson's textbook values, the defaults of Lucene, bm25s and rank_bm25.
REFERENCE_BM25 = {"k1": 1.2, "b": 0.75}


def _label(rewriter: TextRewriter | None) -> str:
    return "no stemming" if rewriter is None else rewriter.name


def reference_systems(
    base: Mapping[str, Any], stemmers: Sequence[TextRewriter | None] = (None,)
) -> list[System]:
    """Peer-style BM25 rows on ``base``'s stopwords and field boosts, one per stemmer (None:
    no stemming): plain BM25F, without searchlib's title rule."""
    ranking = {**base.get("ranking", {}), "title_rule": False}
    config = dict(base, bm25=dict(REFERENCE_BM25), analyzer="simple", ranking=ranking)
    return [
        System(f"reference: BM25, {_label(s)}", config, query_mode="any", rewriter=s)
        for s in stemmers
    ]


def same_ranking_systems(
    base: Mapping[str, Any], stemmers: Sequence[TextRewriter | None] = (None,)
) -> list[System]:
    """``base``'s ranking and query handling with a peer's stemming instead of its own."""
    config = dict(base, analyzer="simple")
    return [System(f"same ranking, {_label(s)}", config, rewriter=s) for s in stemmers]
