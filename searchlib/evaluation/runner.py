"""Running a retrieval test collection through the public search API."""

from __future__ import annotations

import csv
import tempfile
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from searchlib.errors import IngestError, QueryError
from searchlib.evaluation.metrics import evaluate
from searchlib.index import Index

__all__ = ["EvalResult", "load_qrels", "load_queries", "run_collection"]


@dataclass
class EvalResult:
    name: str
    scores: dict[str, float]
    run: dict[str, list[tuple[str, float]]]
    build_s: float
    query_s: float


def load_queries(path: str | Path) -> dict[str, str]:
    """``id<TAB>text`` per line."""
    queries: dict[str, str] = {}
    with open(path, encoding="utf-8", newline="") as fh:
        for n, row in enumerate(csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE), 1):
            if not row or not row[0].strip():
                continue
            if len(row) < 2:
                raise IngestError("expected id<TAB>query text", source=str(path), line=n)
            queries[row[0].strip()] = row[1]
    return queries


def load_qrels(path: str | Path) -> dict[str, dict[str, int]]:
    """TREC qrels: ``qid iteration docid relevance`` per line (whitespace-separated)."""
    qrels: dict[str, dict[str, int]] = {}
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            parts = line.split()
            if not parts:
                continue
            if len(parts) != 4:
                raise IngestError("expected: qid 0 docid relevance", source=str(path), line=n)
            try:
                grade = int(parts[3])
            except ValueError:
                raise IngestError(
                    f"relevance must be an integer, got {parts[3]!r}", source=str(path), line=n
                ) from None
            qrels.setdefault(parts[0], {})[parts[2]] = grade
    return qrels


def run_collection(
    name: str,
    docs: Path,
    queries: Mapping[str, str],
    qrels: Mapping[str, Mapping[str, int]],
    config: Mapping[str, Any],
    *,
    depth: int = 100,
    workdir: Path | None = None,
) -> EvalResult:
    """Index ``docs`` with ``config`` in a temporary index and score every query."""
    with tempfile.TemporaryDirectory(dir=workdir) as tmp:
        started = time.perf_counter()
        with Index.create(Path(tmp) / "ix", dict(config)) as ix:
            ix.add_files([docs])
            build_s = time.perf_counter() - started
            started = time.perf_counter()
            run = {qid: _ranked(ix, text, depth) for qid, text in queries.items()}
            query_s = time.perf_counter() - started
    ranked = {qid: [doc for doc, _ in hits] for qid, hits in run.items()}
    return EvalResult(name, evaluate(ranked, qrels), run, build_s, query_s)


def _ranked(ix: Index, text: str, depth: int) -> list[tuple[str, float]]:
    try:
        results = ix.search(text, limit=depth, syntax="plain")
    except QueryError:  # e.g. a question made only of stopwords
        return []
    return [(hit.id, hit.score) for hit in results.hits]


def write_trec_run(path: Path, result: EvalResult, tag: str | None = None) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        for qid, hits in result.run.items():
            for rank, (doc, score) in enumerate(hits, 1):
                fh.write(f"{qid} Q0 {doc} {rank} {score:.4f} {tag or result.name}\n")


def format_table(results: Iterable[EvalResult]) -> str:
    rows = [
        "| analyzer | nDCG@10 | MRR@10 | R@10 | R@100 | queries | build s | query ms |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in results:
        s = r.scores
        per_query = 1000 * r.query_s / max(int(s["queries"]), 1)
        rows.append(
            f"| {r.name} | {s['ndcg@10']:.4f} | {s['mrr@10']:.4f} | {s['recall@10']:.4f} | "
            f"{s['recall@100']:.4f} | {int(s['queries'])} | {r.build_s:.1f} | {per_query:.1f} |"
        )
    return "\n".join(rows)
