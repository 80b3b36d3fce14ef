"""``searchlib eval``: score analyzers (and reference rows) on a retrieval test collection."""

from __future__ import annotations

import json
from pathlib import Path

import click

from searchlib import available_analyzers, load_config
from searchlib.evaluation.runner import (
    Collection,
    System,
    format_table,
    load_qrels,
    load_queries,
    run_systems,
    split_of,
    write_trec_run,
)
from searchlib.evaluation.systems import reference_systems


@click.command("eval")
@click.option(
    "--docs",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Documents (JSONL with id, title, body).",
)
@click.option(
    "--queries",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Queries: id<TAB>text per line.",
)
@click.option(
    "--qrels",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Relevance judgments in TREC format (qid 0 docid rel).",
)
@click.option(
    "--analyzer",
    "-a",
    "analyzers",
    multiple=True,
    help="Analyzer to evaluate (repeatable; default: every shipped analyzer).",
)
@click.option(
    "--config",
    "-c",
    "config_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Base config (ranking, boosts) applied to every analyzer.",
)
@click.option(
    "--run-out",
    type=click.Path(path_type=Path),
    help="Write TREC run files here (one per analyzer: FILE.<analyzer>); scores strictly "
    "decrease so trec_eval keeps searchlib's order of ties.",
)
@click.option(
    "--reference/--no-reference",
    default=False,
    help="Also run the reference row: textbook BM25 any-word ranking with no stemming, "
    "same stopwords and boosts (rows with peer stemmers: python -m benchmarks.quality).",
)
@click.option(
    "--splits",
    is_flag=True,
    help="Also score the tuning and held-out halves of the queries (split by id hash).",
)
@click.option(
    "--jobs", "-j", type=click.IntRange(1, 64), default=1, help="Worker processes (default 1)."
)
@click.option(
    "--gain",
    type=click.Choice(["linear", "exponential"]),
    default="linear",
    show_default=True,
    help="nDCG gain: the judged grade, as trec_eval's ndcg_cut, or 2^grade - 1.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the scores as JSON.")
def evaluate_cmd(
    docs: Path,
    queries: Path,
    qrels: Path,
    analyzers: tuple[str, ...],
    config_path: Path | None,
    run_out: Path | None,
    reference: bool,
    splits: bool,
    jobs: int,
    gain: str,
    as_json: bool,
) -> None:
    """Build a temporary index per analyzer, run every query, print nDCG/MRR/recall.

    The figures agree with trec_eval (nDCG@10 is its ndcg_cut_10 with the default linear
    gain), and --run-out files rank in trec_eval as searchlib ranked: tied scores are
    written a millionth apart in searchlib's order.
    """
    base = load_config(config_path).to_dict() if config_path else {}
    base.pop("index_path", None)
    collection = Collection(docs.stem, docs, load_queries(queries), load_qrels(qrels))
    systems = [
        System(name, dict(base, analyzer=name)) for name in analyzers or available_analyzers()
    ]
    if reference:
        systems += reference_systems(base)
    results = run_systems(collection, systems, jobs=jobs, gain=gain)
    if run_out is not None:
        for system, result in zip(systems, results, strict=True):
            tag = _file_tag(system.name)
            write_trec_run(run_out.with_name(f"{run_out.name}.{tag}"), result, tag)
    halves: dict[str, list[str]] = {}
    if splits:
        for qid in collection.qrels:
            halves.setdefault(split_of(qid), []).append(qid)
        halves = {name: halves.get(name, []) for name in ("tuning", "held-out")}
    if as_json:
        payload = {}
        for r in results:
            entry: dict[str, object] = dict(r.scores)
            for name, qids in halves.items():
                entry[name] = r.scores_for(qids)
            payload[r.name] = entry
        click.echo(json.dumps(payload))
    else:
        click.echo(format_table(results, splits=halves))


def _file_tag(name: str) -> str:
    """A row name as a file-name suffix and TREC run tag ("reference: BM25, x" -> ...)."""
    kept = "".join(c if c.isalnum() or c in "-." else " " for c in name)
    return "_".join(kept.split())
