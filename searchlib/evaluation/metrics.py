"""Ranking metrics over TREC-style runs and relevance judgments.

``run`` maps a query id to its ranked document ids (best first); ``qrels`` maps a query id to
{doc id: graded relevance}. Queries without judgments are not scored; judged queries the run
has no answer for score 0, as trec_eval does with ``-c``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

__all__ = ["evaluate", "mrr_at", "ndcg_at", "recall_at"]

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


def evaluate(run: Run, qrels: Qrels) -> dict[str, float]:
    """Mean nDCG@10, MRR@10, Recall@10 and Recall@100 over the judged queries."""
    names = {
        "ndcg@10": (ndcg_at, 10),
        "mrr@10": (mrr_at, 10),
        "recall@10": (recall_at, 10),
        "recall@100": (recall_at, 100),
    }
    totals = dict.fromkeys(names, 0.0)
    judged = [q for q, rel in qrels.items() if any(g > 0 for g in rel.values())]
    for qid in judged:
        ranked = list(run.get(qid, ()))
        for name, (metric, k) in names.items():
            totals[name] += metric(ranked, qrels[qid], k)
    n = len(judged)
    return {name: (total / n if n else 0.0) for name, total in totals.items()} | {"queries": n}
