"""``searchlib eval``: score analyzers on a retrieval test collection."""

from __future__ import annotations

import json
from pathlib import Path

import click

from searchlib.analysis import available_analyzers
from searchlib.config import load_config
from searchlib.evaluation.runner import (
    format_table,
    load_qrels,
    load_queries,
    run_collection,
    write_trec_run,
)


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
    help="Write TREC run files here (one per analyzer: FILE.<analyzer>).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the scores as JSON.")
def evaluate_cmd(
    docs: Path,
    queries: Path,
    qrels: Path,
    analyzers: tuple[str, ...],
    config_path: Path | None,
    run_out: Path | None,
    as_json: bool,
) -> None:
    """Build a temporary index per analyzer, run every query, print nDCG/MRR/recall."""
    base = load_config(config_path).to_dict() if config_path else {}
    base.pop("index_path", None)
    query_texts = load_queries(queries)
    judgments = load_qrels(qrels)
    results = []
    for name in analyzers or available_analyzers():
        config = dict(base, analyzer=name)
        result = run_collection(name, docs, query_texts, judgments, config)
        results.append(result)
        if run_out is not None:
            write_trec_run(run_out.with_name(f"{run_out.name}.{name}"), result)
    if as_json:
        click.echo(json.dumps({r.name: r.scores for r in results}))
    else:
        click.echo(format_table(results))
