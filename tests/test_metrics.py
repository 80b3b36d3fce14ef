"""Ranking metrics, checked against small cases computed by hand."""

from __future__ import annotations

import math

import pytest

from searchlib.evaluation.metrics import evaluate, mrr_at, ndcg_at, recall_at


def test_mrr():
    assert mrr_at(["a", "b", "c"], {"a": 1}, 10) == 1.0
    assert mrr_at(["x", "y", "a"], {"a": 1}, 10) == pytest.approx(1 / 3)
    assert mrr_at(["x", "y", "a"], {"a": 1}, 2) == 0.0
    assert mrr_at(["x", "a", "b"], {"a": 1, "b": 1}, 10) == 0.5
    assert mrr_at([], {"a": 1}, 10) == 0.0


def test_recall():
    assert recall_at(["a", "x", "b"], {"a": 1, "b": 1, "c": 1}, 10) == pytest.approx(2 / 3)
    assert recall_at(["a", "x", "b"], {"a": 1, "b": 1}, 2) == 0.5
    assert recall_at(["a"], {"a": 0}, 10) == 0.0


def test_ndcg_by_hand():
    # One relevant doc at rank 2: DCG = 1/log2(3), IDCG = 1/log2(2) = 1.
    assert ndcg_at(["x", "a"], {"a": 1}, 10) == pytest.approx(1 / math.log2(3))
    # Graded: ranks 1..3 = [rel 1, rel 0, rel 2]; linear gains (trec_eval) 1, 0, 2.
    dcg = 1 / math.log2(2) + 0 + 2 / math.log2(4)
    idcg = 2 / math.log2(2) + 1 / math.log2(3)
    assert ndcg_at(["a", "x", "b"], {"a": 1, "b": 2}, 10) == pytest.approx(dcg / idcg)
    # Exponential gains 2^rel - 1: 1, 0, 3.
    dcg = 1 / math.log2(2) + 0 + 3 / math.log2(4)
    idcg = 3 / math.log2(2) + 1 / math.log2(3)
    exponential = ndcg_at(["a", "x", "b"], {"a": 1, "b": 2}, 10, gain="exponential")
    assert exponential == pytest.approx(dcg / idcg)
    assert ndcg_at(["b", "a"], {"a": 1, "b": 2}, 10) == pytest.approx(1.0)
    assert ndcg_at(["x"], {"a": 1}, 10) == 0.0


def test_evaluate_averages_judged_queries_and_counts_missing_answers_as_zero():
    run = {"q1": ["a", "b"], "q2": ["x", "c"], "q9": ["a"]}
    qrels = {"q1": {"a": 1}, "q2": {"c": 1}, "q3": {"z": 1}, "q4": {"a": 0}}
    scores = evaluate(run, qrels)
    assert scores["queries"] == 3  # q4 has no relevant doc; q9 is not judged
    assert scores["mrr@10"] == pytest.approx((1 + 0.5 + 0) / 3)
    assert scores["recall@10"] == pytest.approx(2 / 3)
    assert scores["ndcg@10"] == pytest.approx((1 + 1 / math.log2(3)) / 3)
