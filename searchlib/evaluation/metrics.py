"""Ranking metrics over TREC-style runs and relevance judgments.

``run`` maps a query id to its ranked document ids (best first); ``qrels`` maps a query id to
{doc id: graded relevance}. Queries without judgments are not scored; judged queries the run
has no answer for score 0, as trec_eval does with ``-c``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence

__all__ = ["METRICS", "evaluate", "mean_scores", "mrr_at", "ndcg_at", "per_query", "recall_at"]

Run = Mapping[str, Sequence[str]]
Qrels = Mapping[str, Mapping[str, int]]


def mrr_at(ranked: Sequence[str], relevant: Mapping[str, int], k: int) -> float:
    for i, doc in enumerate(ranked[:k]):
        if relevant.get(doc, 0) > 0:
            return 1.0 / (i + 1)
    return 0.0


def recall_at(ranked: Sequence[str], relevant: Mapping[str, int], k: int) -> float:
    wanted = {d for d, grade in relevant.items() if grade > 0}
    if not wanted:
        return 0.0
    return len(wanted.intersection(ranked[:k])) / len(wanted)


def ndcg_at(ranked: Sequence[str], relevant: Mapping[str, int], k: int) -> float:
    """nDCG with gain 2^rel - 1 and log2(rank + 1) discount (trec_eval's ndcg_cut)."""
    dcg = sum(
        (2 ** relevant.get(doc, 0) - 1) / math.log2(i + 2) for i, doc in enumerate(ranked[:k])
    )
    ideal = sorted((g for g in relevant.values() if g > 0), reverse=True)[:k]
    idcg = sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


#: The reported metrics: name -> (function, cutoff).
METRICS = {
    "ndcg@10": (ndcg_at, 10),
    "mrr@10": (mrr_at, 10),
    "recall@10": (recall_at, 10),
    "recall@100": (recall_at, 100),
}


def per_query(run: Run, qrels: Qrels) -> dict[str, dict[str, float]]:
    """Every metric for every judged query (one with at least one relevant document)."""
    scores: dict[str, dict[str, float]] = {}
    for qid, relevant in qrels.items():
        if not any(g > 0 for g in relevant.values()):
            continue
        ranked = list(run.get(qid, ()))
        scores[qid] = {name: metric(ranked, relevant, k) for name, (metric, k) in METRICS.items()}
    return scores


def mean_scores(
    scores: Mapping[str, Mapping[str, float]], qids: Iterable[str] | None = None
) -> dict[str, float]:
    """The mean of each metric over ``qids`` (default: every query in ``scores``), with the
    number of queries averaged under ``"queries"``."""
    chosen = list(scores) if qids is None else [q for q in qids if q in scores]
    n = len(chosen)
    means = {name: (sum(scores[q][name] for q in chosen) / n if n else 0.0) for name in METRICS}
    return means | {"queries": n}


def evaluate(run: Run, qrels: Qrels) -> dict[str, float]:
    """Mean nDCG@10, MRR@10, Recall@10 and Recall@100 over the judged queries."""
    return mean_scores(per_query(run, qrels))
