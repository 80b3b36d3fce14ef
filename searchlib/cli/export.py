"""``searchlib export`` and ``searchlib reindex``: documents out of an index, and an index
rebuilt from its own documents."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any

import click

from searchlib import Index
from searchlib.cli._options import given, index_options, load, lock_timeout_option, target_path
from searchlib.cli.index import _Processes, _Progress


@click.command()
@index_options
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to FILE (replaced only once complete) instead of standard output.",
)
def export(index_path: Path | None, config_path: Path | None, output: Path | None) -> None:
    """Write every document of an index as JSONL, one per line, that searchlib index reads
    back into the same documents (dates in ISO 8601)."""
    config = load(config_path)
    path = target_path(index_path, config)
    with Index.open(path, given(config)) as ix:
        order = ix.config.field_names
        if output is None:
            count = _write(ix.documents(), order, sys.stdout)
        else:
            partial = output.with_name(f".{output.name}.partial")
            try:
                with open(partial, "w", encoding="utf-8", newline="\n") as f:
                    count = _write(ix.documents(), order, f)
                os.replace(partial, output)
            finally:
                partial.unlink(missing_ok=True)
    if output is not None:
        click.echo(f"{path}: exported {count} documents to {output}", err=True)


def _write(documents: Iterable[dict[str, Any]], order: tuple[str, ...], out: IO[str]) -> int:
    count = 0
    for doc in documents:
        fields = {name: doc[name] for name in order if name in doc}
        fields.update((name, value) for name, value in doc.items() if name not in fields)
        out.write(json.dumps(fields, ensure_ascii=False, default=_jsonable) + "\n")
        count += 1
    return count


def _jsonable(value: Any) -> str:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    raise TypeError(f"cannot write a {type(value).__name__} as JSON")


@click.command()
@index_options
@click.option(
    "--processes",
    type=_Processes(),
    default=None,
    help="Processes the rebuild may use, as for searchlib index (default: the config's "
    "build.processes).",
)
@lock_timeout_option
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
def reindex(
    index_path: Path | None,
    config_path: Path | None,
    processes: int | str | None,
    lock_timeout: float,
    as_json: bool,
) -> None:
    """Rebuild an index from the documents it stores, under the config given with --config
    (default: the index's own) and this searchlib's analysis.

    Atomic: the old index answers until the new one is complete; if the rebuild fails, the
    old index is left as it was. Needs room for a second copy of the index meanwhile.
    """
    config = load(config_path)
    path = target_path(index_path, config)
    progress = _Progress(None) if sys.stderr.isatty() else None
    summary = Index.reindex(
        path,
        given(config),
        progress=progress,
        processes=processes,
        lock_timeout=lock_timeout,
    )
    if progress is not None:
        progress.done()
    if as_json:
        data = {"index": str(path), "documents": summary.added, "seconds": summary.seconds}
        click.echo(json.dumps(data))
        return
    rate = summary.added / summary.seconds if summary.seconds else 0.0
    click.echo(
        f"{path}: reindexed {summary.added} documents in {summary.seconds:.1f} s "
        f"({rate:,.0f} docs/s)"
    )
