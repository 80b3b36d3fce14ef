"""``searchlib check``: verify every file of an index."""

from __future__ import annotations

import json
from pathlib import Path

import click

from searchlib.cli._options import index_options, load, target_path
from searchlib.index import Index

#: Exit code when the index has problems (each printed on its own line).
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
    path = index_path if index_path is not None else target_path(None, load(config_path))
    report = Index.check(path)
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
