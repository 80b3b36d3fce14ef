"""``searchlib stats`` and ``searchlib delete``."""

from __future__ import annotations

import json
from pathlib import Path

import click

from searchlib.cli._options import given, index_options, load, open_for_reading, target_path
from searchlib.index import Index


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


@click.command()
@click.argument("ids", nargs=-1, required=True)
@index_options
def delete(ids: tuple[str, ...], index_path: Path | None, config_path: Path | None) -> None:
    """Delete the documents with the given IDS (one atomic commit)."""
    config = load(config_path)
    path = target_path(index_path, config)
    with Index.open(path, given(config)) as ix:
        deleted = ix.delete(ids)
    missing = len(set(ids)) - deleted
    note = f" ({missing} not found)" if missing else ""
    click.echo(f"{path}: deleted {deleted} of {len(set(ids))} documents{note}")
