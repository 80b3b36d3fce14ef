"""``searchlib stats`` and ``searchlib delete``."""

from __future__ import annotations

import json
from pathlib import Path

import click

from searchlib import Index
from searchlib.cli._conventions import EXIT_NOT_FOUND, LeadingDashCommand
from searchlib.cli._options import (
    given,
    index_options,
    load,
    lock_timeout_option,
    open_for_reading,
    target_path,
)


@click.command()
@index_options
@click.option("--json", "as_json", is_flag=True, help="Print the statistics as JSON.")
def stats(index_path: Path | None, config_path: Path | None, as_json: bool) -> None:
    """Show document count, size, segments and analyzer of an index."""
    with open_for_reading(index_path, config_path) as ix:
        data = ix.stats()
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, default=str))
        return
    for key, value in data.items():
        if isinstance(value, dict):
            value = ", ".join(f"{k}={v}" for k, v in value.items())
        click.echo(f"{key + ':':<15} {value}")


@click.command(cls=LeadingDashCommand)
@click.argument("ids", nargs=-1, required=True)
@index_options
@lock_timeout_option
@click.option("--json", "as_json", is_flag=True, help="Print what was deleted as JSON.")
def delete(
    ids: tuple[str, ...],
    index_path: Path | None,
    config_path: Path | None,
    lock_timeout: float,
    as_json: bool,
) -> None:
    """Delete the documents with the given IDS (one atomic commit).

    An id the index does not hold is named on stderr, and the exit code is then 1.
    """
    config = load(config_path)
    path = target_path(index_path, config)
    wanted = list(dict.fromkeys(ids))
    with Index.open(path, given(config)) as ix:
        ix.lock_timeout = lock_timeout
        missing = [doc_id for doc_id in wanted if ix.get(doc_id) is None]
        deleted = ix.delete([doc_id for doc_id in wanted if doc_id not in missing])
        total = len(ix)
    if as_json:
        data = {
            "index": str(path),
            "deleted": deleted,
            "not_found": missing,
            "documents": total,
        }
        click.echo(json.dumps(data, ensure_ascii=False))
    else:
        for doc_id in missing:
            click.echo(f"not found: no document with id {doc_id!r}", err=True)
        note = f" ({len(missing)} not found)" if missing else ""
        click.echo(f"{path}: deleted {deleted} of {len(wanted)} documents{note}")
    if missing:
        raise click.exceptions.Exit(EXIT_NOT_FOUND)
