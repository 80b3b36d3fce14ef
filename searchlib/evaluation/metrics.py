"""Ranking metrics over TREC-style runs and relevance judgments.

``run`` maps a query id to its ranked document ids (best first); ``qrels`` maps a query id to
{doc id: graded relevance}. Queries without judgments are not scored; judged queries the run
has no answer for score 0, as trec_eval does with ``-c``.

nDCG's gain is the judged grade itself by default ("linear"), as trec_eval's ``ndcg_cut``
computes it, so the figures agree with trec_eval on graded judgments; ``gain="exponential"``
is 2^grade - 1 (Burges et al.), which weighs the top grade more. With 0/1 judgments the two
are the same.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable, Mapping, Sequence

__all__ = [
    "GAINS",
    "METRICS",
    "evaluate",
    "mean_scores",
    "mrr_at",
    "ndcg_at",
    "per_query",
    "recall_at",
]

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


#: nDCG gain functions by name: the grade (trec_eval) or 2^grade - 1.
GAINS = {
    "linear": lambda grade: float(max(grade, 0)),
    "exponential": lambda grade: float(2 ** max(grade, 0) - 1),
}


def ndcg_at(
    ranked: Sequence[str], relevant: Mapping[str, int], k: int, gain: str = "linear"
) -> float:
    """nDCG with log2(rank + 1) discount and ``gain`` (see the module's docstring); the
    ideal ranking is every judged relevant document by grade, as in trec_eval."""
    g = GAINS[gain]
    dcg = sum(g(relevant.get(doc, 0)) / math.log2(i + 2) for i, doc in enumerate(ranked[:k]))
    ideal = sorted((grade for grade in relevant.values() if grade > 0), reverse=True)[:k]
    idcg = sum(g(grade) / math.log2(i + 2) for i, grade in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


#: The reported metrics: name -> (function, cutoff).
METRICS = {
    "ndcg@10": (ndcg_at, 10),
    "mrr@10": (mrr_at, 10),
    "recall@10": (recall_at, 10),
    "recall@100": (recall_at, 100),
}


def per_query(run: Run, qrels: Qrels, gain: str = "linear") -> dict[str, dict[str, float]]:
    """Every metric for every judged query (one with at least one relevant document)."""
    if gain not in GAINS:
        raise ValueError(f"gain must be one of {', '.join(GAINS)}, not {gain!r}")
    metrics = {
        name: (functools.partial(ndcg_at, gain=gain) if metric is ndcg_at else metric, k)
        for name, (metric, k) in METRICS.items()
    }
    scores: dict[str, dict[str, float]] = {}
    for qid, relevant in qrels.items():
        if not any(g > 0 for g in relevant.values()):
            continue
        ranked = list(run.get(qid, ()))
        scores[qid] = {name: metric(ranked, relevant, k) for name, (metric, k) in metrics.items()}
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


def evaluate(run: Run, qrels: Qrels, gain: str = "linear") -> dict[str, float]:
    """Mean nDCG@10, MRR@10, Recall@10 and Recall@100 over the judged queries."""
    return mean_scores(per_query(run, qrels, gain))
