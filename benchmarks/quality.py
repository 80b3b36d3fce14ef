"""Retrieval quality: searchlib's default configuration against reference rows, per task.

    python -m benchmarks.quality [--shared PATH] [--tasks facqa,detik-headline,detik-lead,...]
                                 [--jobs 2] [--ablation] [--json FILE]
    python -m benchmarks.quality --tune [--tasks ...]

Each task (see _eval_tasks.py for how the detik tasks are built and why they are fair) is
run through searchlib's public API (``searchlib.evaluation``): one temporary index per
distinct analysis, every query answered 100 deep. Rows:

* ``searchlib default``: ``Config()`` exactly as shipped (analyzer, BM25 k1/b, title boost),
  each query put to ``Index.search(text)``, the call a search box makes: prose ranked as one
  any-word query, keywords all words first (``searchlib.query.mode``), duplicate stories
  collapsed (a story judged by its best-judged version; every other row ranks each version
  on its own).
* ``searchlib plain``: the same config, each query put to ``Index.search(text,
  syntax="plain")``: every query ranked as one any-word query (a question without the noun
  next to its question word that names the kind of answer: ``searchlib.query.question``).
* ``reference: BM25, ...``: peer-style BM25 -- textbook k1 1.2 / b 0.75, each query ranked as
  one any-word query -- with no stemming, raw Snowball, or the nlp-id lemmatizer (skipped
  with a note when nlp-id is not installed: ``pip install .[bench]``). Same tokenizer,
  stopwords and field boosts as the default.
* ``searchlib all words first``: the same config with every query read as keywords (every
  word required; any word only when no document has them all), what ``Index.search(text)``
  did with every query before it told prose from keywords.
* ``searchlib all words fill``: computed from the plain and all-words rows, no further
  queries: the all-words hits first, then the any-word hits not among them.
* ``searchlib default, no acronyms``: the default with ``synonyms: {expand: false}``, so a
  listed acronym or long form searches only itself, not its equivalents
  (``searchlib.query.synonyms``); the reference rows quote every word, so they never
  expand.
* with ``--ablation``, ``same ranking, ...``: the default's ranking and query handling with
  only the stemmer swapped, to show what the stemmer alone contributes.

``--tune`` instead sweeps one setting at a time away from the shipped default (BM25 k1 and b,
title boost, analyzer / stemmer mode) on the *tuning* half of each task's queries
only (adding the detik-middle task, a check on the title boost), and prints MRR@10 and
nDCG@10 per task and their mean over tasks. The title boost is swept only on the tasks whose
documents have titles.

Scores are over all queries, and over two fixed halves split by a hash of the query id:
``tuning`` (the half defaults were chosen on) and ``held-out``. The verdict line says whether
the default beats every reference row on MRR@10 and nDCG@10, on all queries and held-out;
the line after it gives the default's MRR@10 and nDCG@10 minus the plain and all-words rows'.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks import _eval_tasks
from benchmarks.peers import available_peers
from searchlib.evaluation.runner import (
    Collection,
    EvalResult,
    System,
    filled,
    format_table,
    run_systems,
    split_of,
)
from searchlib.evaluation.systems import reference_systems, same_ranking_systems

REPO = Path(__file__).resolve().parents[1]
DEFAULT_SHARED = REPO.parent / "shared"
DEFAULT_ROW = "searchlib default"
PLAIN_ROW = "searchlib plain"
ALL_ROW = "searchlib all words first"
FILL_ROW = "searchlib all words fill"
SYNONYMS_ROW = "searchlib default, no acronyms"
#: Tasks whose documents have titles: the only ones a title boost can change.
TITLED_TASKS = {"detik-lead", "detik-middle", "detik-keywords", "mixed-untitled"}

#: --tune: each setting's values, tried one at a time with everything else as shipped.
SWEEPS: dict[str, list[tuple[str, dict[str, Any]]]] = {
    "bm25.k1": [(f"k1 {v}", {"bm25": {"k1": v}}) for v in (0.9, 1.2, 1.5, 1.8)],
    "bm25.b": [(f"b {v}", {"bm25": {"b": v}}) for v in (0.6, 0.75, 0.9)],
    "title boost": [
        (f"title {v}", {"fields": {"title": {"boost": v}}}) for v in (1.0, 2.5, 4.0, 8.0, 12.0)
    ],
    "analyzer": [
        (f"analyzer {v}", {"analyzer": v}) for v in ("indonesian", "indonesian-light", "simple")
    ],
}


def halves(collection: Collection) -> dict[str, list[str]]:
    parts: dict[str, list[str]] = {"tuning": [], "held-out": []}
    for qid in collection.qrels:
        parts[split_of(qid)].append(qid)
    return parts


def verdict(results: list[EvalResult], parts: dict[str, list[str]], row: str) -> str:
    """Whether ``row`` beats every reference row on MRR@10 and nDCG@10."""
    default = next(r for r in results if r.name == row)
    references = [r for r in results if r.name.startswith("reference:")]
    lines = []
    for label, qids in (("all queries", None), ("held-out", parts["held-out"])):

        def score(r: EvalResult, metric: str, qids: list[str] | None = qids) -> float:
            return r.scores[metric] if qids is None else r.scores_for(qids)[metric]

        losses = [
            f"{r.name} {metric} {score(r, metric):.4f} >= {score(default, metric):.4f}"
            for r in references
            for metric in ("mrr@10", "ndcg@10")
            if score(r, metric) >= score(default, metric)
        ]
        state = "yes" if not losses else "NO (" + "; ".join(losses) + ")"
        lines.append(f"{row} beats every reference row ({label}): {state}")
    return "\n".join(lines)


def against_modes(results: list[EvalResult]) -> str:
    """The default row's MRR@10 and nDCG@10 against the plain and all-words-first rows."""
    by_name = {r.name: r.scores for r in results}
    default = by_name[DEFAULT_ROW]
    cells = [
        f"{metric} {default[metric] - by_name[row][metric]:+.4f} vs {row}"
        for row in (PLAIN_ROW, ALL_ROW)
        for metric in ("mrr@10", "ndcg@10")
    ]
    return f"{DEFAULT_ROW}: " + ", ".join(cells)


def compare(collections: list[Collection], args: argparse.Namespace) -> dict[str, Any]:
    peers, notes = available_peers()
    for note in notes:
        print(f"note: {note}")
    report: dict[str, Any] = {}
    for collection in collections:
        rows = [
            System(DEFAULT_ROW, {}, query_mode="default"),
            System(PLAIN_ROW, {}, query_mode="search"),
            System(ALL_ROW, {}, query_mode="all"),
        ]
        rows += reference_systems({}, peers)
        rows.append(System(SYNONYMS_ROW, {"synonyms": {"expand": False}}, query_mode="default"))
        if args.ablation:
            rows += same_ranking_systems({}, peers)
        results = run_systems(collection, rows, jobs=args.jobs)
        results.insert(3, filled(FILL_ROW, results[2], results[1], collection.qrels))
        parts = halves(collection)
        print(f"\n## {collection.name}: {collection.description}\n")
        print(format_table(results, splits=parts))
        refused = {r.name: r.refused for r in results if r.refused}
        if refused:
            print(f"queries refused (only stopwords): {refused}")
        print(verdict(results, parts, DEFAULT_ROW))
        print(against_modes(results))
        report[collection.name] = {
            "description": collection.description,
            "rows": {
                r.name: {"all": r.scores, **{k: r.scores_for(v) for k, v in parts.items()}}
                for r in results
            },
        }
    return report


def tune(collections: list[Collection], args: argparse.Namespace) -> dict[str, Any]:
    """One-at-a-time sweeps on the tuning half of every task."""
    tuning = []
    for c in collections:
        qids = [q for q in c.qrels if split_of(q) == "tuning"]
        queries = {q: c.queries[q] for q in qids if q in c.queries}
        qrels = {q: c.qrels[q] for q in qids}
        tuning.append(Collection(c.name, c.docs, queries, qrels, c.description))
    report: dict[str, Any] = {}
    for setting, values in SWEEPS.items():
        rows = [System(label, override, query_mode="default") for label, override in values]
        tasks = [c for c in tuning if setting != "title boost" or c.name in TITLED_TASKS]
        per_task = {c.name: run_systems(c, rows, jobs=args.jobs) for c in tasks}
        if not per_task:
            continue
        head = ["value"] + [f"{t} MRR@10 / nDCG@10" for t in per_task] + ["mean MRR@10"]
        print(f"\n### {setting} (tuning half)\n")
        print("| " + " | ".join(head) + " |")
        print("| --- |" + " ---: |" * (len(head) - 1))
        for i, (label, _) in enumerate(values):
            cells = [label]
            mrrs = []
            for results in per_task.values():
                s = results[i].scores
                cells.append(f"{s['mrr@10']:.4f} / {s['ndcg@10']:.4f}")
                mrrs.append(s["mrr@10"])
            cells.append(f"{sum(mrrs) / len(mrrs):.4f}")
            print("| " + " | ".join(cells) + " |", flush=True)
            report.setdefault(setting, {})[label] = {t: r[i].scores for t, r in per_task.items()}
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED)
    parser.add_argument(
        "--tasks", help="comma-separated (default: all six; --tune adds detik-middle)"
    )
    parser.add_argument("--jobs", type=int, default=2, help="worker processes (default 2)")
    parser.add_argument("--ablation", action="store_true", help="add the same-ranking rows")
    parser.add_argument("--tune", action="store_true", help="sweep settings on the tuning half")
    parser.add_argument("--json", type=Path, help="also write every score as JSON here")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        collections = []
        names = _eval_tasks.TASKS + (_eval_tasks.EXTRA_TASKS if args.tune else ())
        for name in args.tasks.split(",") if args.tasks else names:
            try:
                collections.append(_eval_tasks.build(name, args.shared, Path(tmp)))
            except _eval_tasks.TaskUnavailable as error:
                print(f"{name}: skipped ({error})")
        report = (tune if args.tune else compare)(collections, args)
    print(f"\n{len(collections)} task(s), {time.perf_counter() - started:.0f} s")
    if args.json:
        args.json.write_text(json.dumps(report, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
