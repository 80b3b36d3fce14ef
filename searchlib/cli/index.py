"""``searchlib index``: build or update an index from files."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from searchlib import Index
from searchlib.cli._options import index_options, load, target_path

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


class _Processes(click.ParamType):
    """``auto`` or a whole number (the library checks the range and says it)."""

    name = "auto|N"

    def convert(self, value: object, param: click.Parameter | None, ctx: click.Context | None):
        text = str(value).strip().lower()
        if text == "auto":
            return "auto"
        if text.isdigit():
            return int(text)
        self.fail(f"{value!r} is not 'auto' or a whole number", param, ctx)


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
@click.option(
    "--processes",
    type=_Processes(),
    default=None,
    help="Processes a large add may use: 1 (this one only), 2 (plus a helper process) or "
    "auto (a helper when the machine has more than one core). Default: the config's "
    "build.processes, itself auto. See docs/build.md.",
)
def index_cmd(
    sources: tuple[Path, ...],
    index_path: Path | None,
    config_path: Path | None,
    fmt: str,
    on_error: str,
    rebuild: bool,
    optimize: bool,
    processes: int | str | None,
) -> None:
    """Add the documents in SOURCES (JSONL, JSON, CSV files or directories) to an index.

    Documents whose id is already indexed are replaced. The run is one atomic commit.
    """
    config = load(config_path)
    path = target_path(index_path, config)
    if Index.exists(path) and not rebuild:
        ix = Index.open(path, config if config_path else None)
    else:
        ix = Index.create(path, config, overwrite=rebuild)
    progress = _Progress(_count_lines(sources)) if sys.stderr.isatty() else None
    with ix:
        summary = ix.add_files(
            sources, format=fmt, on_error=on_error, progress=progress, processes=processes
        )
        if progress is not None:
            progress.done()
        if optimize:
            ix.optimize()
        total = len(ix)
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
