"""``searchlib index``: build or update an index from files."""

from __future__ import annotations

import shutil
import sys
import time
from pathlib import Path

import click

from searchlib.cli._options import given, index_options, load, target_path
from searchlib.index import Index

MAX_LISTED_SKIPS = 20


def _count_lines(paths: tuple[Path, ...]) -> int | None:
    """Documents to expect, for the ETA; None when a source is not line-based."""
    total = 0
    for path in paths:
        if path.is_dir() or path.suffix.lower() not in (".jsonl", ".ndjson", ".csv"):
            return None
        with open(path, "rb") as fh:
            total += sum(chunk.count(b"\n") for chunk in iter(lambda: fh.read(1 << 20), b""))
    return total


class _Progress:
    """A one-line status on a terminal: documents, docs/s and ETA."""

    def __init__(self, total: int | None) -> None:
        self.total = total
        self.started = time.perf_counter()

    def __call__(self, done: int) -> None:
        elapsed = max(time.perf_counter() - self.started, 1e-9)
        rate = done / elapsed
        line = f"\rindexing: {done:,} docs, {rate:,.0f} docs/s"
        if self.total:
            left = max(self.total - done, 0) / rate if rate else 0
            line += f", {min(done / self.total, 1):.0%}, ETA {left:.0f} s"
        click.echo(line + "   ", nl=False, err=True)

    def done(self) -> None:
        click.echo("\r" + " " * 72 + "\r", nl=False, err=True)


def _discard(path: Path, made_folder: bool) -> None:
    if made_folder:
        shutil.rmtree(path, ignore_errors=True)
        return
    for entry in path.iterdir():
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)


@click.command("index")
@click.argument(
    "sources",
    nargs=-1,
    required=True,
    type=click.Path(exists=True, path_type=Path),
)
@index_options
@click.option(
    "--format",
    "-f",
    "fmt",
    default="auto",
    show_default=True,
    type=click.Choice(["auto", "jsonl", "json", "csv", "dir"]),
    help="Input format (auto: by extension; directories hold .txt/.md/.html files).",
)
@click.option(
    "--on-error",
    default="fail",
    show_default=True,
    type=click.Choice(["fail", "skip"]),
    help="fail: commit nothing if any document is bad; skip: index the rest and list the bad.",
)
@click.option("--rebuild", is_flag=True, help="Delete the existing index and build it anew.")
@click.option(
    "--optimize", is_flag=True, help="Merge into one segment afterwards (fastest queries)."
)
def index_cmd(
    sources: tuple[Path, ...],
    index_path: Path | None,
    config_path: Path | None,
    fmt: str,
    on_error: str,
    rebuild: bool,
    optimize: bool,
) -> None:
    """Add the documents in SOURCES (JSONL, JSON, CSV files or directories) to an index.

    Documents whose id is already indexed are replaced. The run is one atomic commit.
    """
    config = load(config_path)
    path = target_path(index_path, config)
    # A first run that fails leaves nothing behind: an empty index would look like a
    # successful build to the next query (an empty folder the user made stays).
    first = config.backend == "whoosh" and not Index.exists(path)
    made_folder = first and not path.exists()
    if Index.exists(path) and not rebuild:
        ix = Index.open(path, given(config))
    else:
        ix = Index.create(path, config, overwrite=rebuild)
    progress = _Progress(_count_lines(sources)) if sys.stderr.isatty() else None
    try:
        with ix:
            summary = ix.add_files(sources, format=fmt, on_error=on_error, progress=progress)
            if progress is not None:
                progress.done()
            if optimize:
                ix.optimize()
            total = len(ix)
    except BaseException:
        if first:
            _discard(path, made_folder)
        raise
    for skipped in summary.skipped[:MAX_LISTED_SKIPS]:
        click.echo(f"skipped {skipped}", err=True)
    if len(summary.skipped) > MAX_LISTED_SKIPS:
        click.echo(f"... and {len(summary.skipped) - MAX_LISTED_SKIPS} more skipped", err=True)
    done = summary.added + summary.replaced
    rate = done / summary.seconds if summary.seconds else 0.0
    click.echo(
        f"{path}: added {summary.added}, replaced {summary.replaced}, "
        f"skipped {len(summary.skipped)} in {summary.seconds:.1f} s "
        f"({rate:,.0f} docs/s); {total} documents in the index"
    )
