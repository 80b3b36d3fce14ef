"""``searchlib check``: verify every file of an index."""

from __future__ import annotations

import json
from pathlib import Path

import click

from searchlib import Index
from searchlib.cli._options import given, index_options, load, target_path

#: Exit code when the index has problems (each printed on its own line), as grep's
#: "nothing found" is 1: the command ran, and its answer is no.
EXIT_DAMAGED = 1


@click.command()
@index_options
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def check(index_path: Path | None, config_path: Path | None, as_json: bool) -> None:
    """Read every file of an index and report each problem with its file.

    Reads the metadata, the table of contents and, in every segment, every term's
    postings, every stored document, the field lengths, columns and deletions. Exits 0
    when the index is whole, 1 with one line per problem when it is not.
    """
    config = load(config_path)
    path = target_path(index_path, config)
    report = Index.check(path, given(config))
    if as_json:
        click.echo(json.dumps(report.to_dict(), ensure_ascii=False))
    elif report.ok:
        click.echo(
            f"{path}: ok ({report.segments} segments, {report.documents} documents, "
            f"{report.terms} terms, {report.postings} postings read)"
        )
    else:
        for problem in report.problems:
            click.echo(str(problem))
    if not report.ok:
        raise SystemExit(EXIT_DAMAGED)
