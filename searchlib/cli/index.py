"""``searchlib index``: build or update an index from files."""

from __future__ import annotations

import json
import shutil
import sys
import time
from pathlib import Path
from typing import Any

import click

from searchlib import Index, ignored_files
from searchlib.cli._options import given, index_options, load, lock_timeout_option, target_path

MAX_LISTED_SKIPS = 20
#: Files with one document a line, whose lines can be counted ahead for the ETA.
_LINE_FORMATS = (".jsonl", ".ndjson", ".csv")


def _count_lines(paths: tuple[Path, ...]) -> int | None:
    """Documents to expect, for the ETA; None when a source is not line-based."""
    total = 0
    for path in paths:
        if str(path) == "-" or path.is_dir() or path.suffix.lower() not in _LINE_FORMATS:
            return None
        with open(path, "rb") as fh:
            total += sum(chunk.count(b"\n") for chunk in iter(lambda: fh.read(1 << 20), b""))
    return total


class _Processes(click.ParamType):
    """``auto`` or a whole number (the library checks the range and says it)."""

    name = "auto|N"

    def convert(
        self, value: object, param: click.Parameter | None, ctx: click.Context | None
    ) -> str | int:
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
    type=click.Path(exists=True, allow_dash=True, path_type=Path),
)
@index_options
@click.option(
    "--format",
    "-f",
    "fmt",
    default="auto",
    show_default=True,
    type=click.Choice(["auto", "jsonl", "json", "csv", "dir"]),
    help="Input format (auto: by extension, or sniffed for '-', standard input; "
    "directories hold .txt/.md/.html files, HTML article text improves with "
    "pip install 'searchlib[html]').",
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
@lock_timeout_option
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
def index_cmd(
    sources: tuple[Path, ...],
    index_path: Path | None,
    config_path: Path | None,
    fmt: str,
    on_error: str,
    rebuild: bool,
    optimize: bool,
    processes: int | str | None,
    lock_timeout: float,
    as_json: bool,
) -> None:
    """Add the documents in SOURCES (JSONL, JSON, CSV files or directories; - is standard
    input) to an index.

    Documents whose id is already indexed are replaced. The run is one atomic commit.
    Files a directory holds that are not read (.pdf, .json, hidden) are listed on stderr.
    """
    config = load(config_path)
    path = target_path(index_path, config)
    ignored = [entry for source in sources if source.is_dir() for entry in ignored_files(source)]
    # A first run that fails leaves nothing behind: an empty index would look like a
    # successful build to the next query (an empty folder the user made stays).
    first = config.backend == "whoosh" and not Index.exists(path)
    made_folder = first and not path.exists()
    try:
        summary, total = _add(
            path,
            config,
            sources,
            rebuild=rebuild,
            lock_timeout=lock_timeout,
            optimize=optimize,
            options={"format": fmt, "on_error": on_error, "processes": processes},
        )
    except BaseException:
        if first:
            _discard(path, made_folder)
        raise
    _report(path, summary, ignored, total, as_json=as_json)


def _add(
    path: Path,
    config: Any,
    sources: tuple[Path, ...],
    *,
    rebuild: bool,
    lock_timeout: float,
    optimize: bool,
    options: dict[str, Any],
) -> tuple[Any, int]:
    """Open or create the index, add ``sources`` in one commit; the summary and the count."""
    if Index.exists(path) and not rebuild:
        ix = Index.open(path, given(config))
    else:
        ix = Index.create(path, config, overwrite=rebuild)
    ix.lock_timeout = lock_timeout
    progress = _Progress(_count_lines(sources)) if sys.stderr.isatty() else None
    with ix:
        summary = ix.add_files([str(s) for s in sources], progress=progress, **options)
        if progress is not None:
            progress.done()
        if optimize:
            ix.optimize()
        return summary, len(ix)


def _report(
    path: Path, summary: Any, ignored: list[tuple[str, str]], total: int, *, as_json: bool
) -> None:
    """The run's summary: skipped files and documents on stderr, the figures on stdout."""
    _list_skips([f"{file}: not indexed: {why}" for file, why in ignored], "not indexed")
    _list_skips([f"skipped {skipped}" for skipped in summary.skipped], "skipped")
    if as_json:
        data = {
            "index": str(path),
            "added": summary.added,
            "replaced": summary.replaced,
            "skipped": [vars(s) for s in summary.skipped],
            "not_indexed": [{"source": file, "reason": why} for file, why in ignored],
            "seconds": round(summary.seconds, 3),
            "documents": total,
        }
        click.echo(json.dumps(data, ensure_ascii=False))
        return
    done = summary.added + summary.replaced
    rate = done / summary.seconds if summary.seconds else 0.0
    click.echo(
        f"{path}: added {summary.added}, replaced {summary.replaced}, "
        f"skipped {len(summary.skipped)} in {summary.seconds:.1f} s "
        f"({rate:,.0f} docs/s); {total} documents in the index"
    )


def _list_skips(lines: list[str], what: str) -> None:
    for line in lines[:MAX_LISTED_SKIPS]:
        click.echo(line, err=True)
    if len(lines) > MAX_LISTED_SKIPS:
        click.echo(f"... and {len(lines) - MAX_LISTED_SKIPS} more {what}", err=True)
