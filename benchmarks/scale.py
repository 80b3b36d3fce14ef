"""How each figure grows with the archive: one markdown table from runs at several sizes.

    python -m benchmarks.scale RUN.json RUN.json [...] [--systems searchlib,fts5]

Each RUN.json is the ``--json`` file of one ``python -m benchmarks.run`` (e.g. at 50,000,
200,000 and 1,000,000 documents). The table has a row per system and figure (build s, peak
RSS MB of the worker, of the worker when its build ended and of its build helper, index over
text, query and facets p50/p95/p99), then the same figures as the first system over the
second, with the value at each size, the growth factor from each size to the next and, for
three sizes or more, from the first to the last. A figure a run did not measure is "-".
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from benchmarks._report import SYSTEM_ORDER, cell

#: (label, figure in the run's systems; "index_vs_text" is index MB over the run's text MB).
ROWS = (
    ("build s", "build_s"),
    ("peak RSS MB", "peak_rss_mb"),
    ("build peak RSS MB", "build_rss_mb"),
    ("helper peak RSS MB", "helper_rss_mb"),
    ("index / text", "index_vs_text"),
    ("p50 ms", "query_p50_ms"),
    ("p95 ms", "query_p95_ms"),
    ("p99 ms", "query_p99_ms"),
    ("facets p50 ms", "facets_p50_ms"),
    ("facets p95 ms", "facets_p95_ms"),
    ("facets p99 ms", "facets_p99_ms"),
)
#: The rows compared as the first system over the second: FTS5 builds with no helper.
COMPARED = tuple(row for row in ROWS if row[1] != "helper_rss_mb")
DEFAULT_SYSTEMS = ("searchlib", "fts5")


class ScaleError(Exception):
    """A run file is unreadable or the runs do not make a scale."""


def load_run(path: Path) -> dict[str, Any]:
    """One run's JSON, checked for what the table reads."""
    try:
        run = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ScaleError(f"{path}: not a readable JSON file ({error})") from None
    if not isinstance(run, dict):
        raise ScaleError(f"{path}: not the JSON of benchmarks.run (not an object)")
    for key, kind in (("docs", int), ("text_mb", (int, float)), ("systems", dict)):
        if not isinstance(run.get(key), kind) or isinstance(run.get(key), bool):
            raise ScaleError(f"{path}: not the JSON of benchmarks.run (no valid {key!r})")
    return run


def value(run: dict[str, Any], system: str, figure: str) -> float | None:
    figures = run["systems"].get(system) or {}
    if figure == "index_vs_text":
        index = figures.get("index_mb")
        return index / run["text_mb"] if index is not None and run["text_mb"] else None
    found = figures.get(figure)
    return float(found) if isinstance(found, (int, float)) else None


def _over(a: float | None, b: float | None) -> float | None:
    return a / b if a is not None and b else None


def short(docs: int) -> str:
    """50000 -> "50k", 1000000 -> "1M": compact labels for the growth columns."""
    for unit, size in (("M", 1_000_000), ("k", 1_000)):
        if docs >= size:
            return f"{docs / size:g}{unit}"
    return str(docs)


def _steps(runs: list[dict[str, Any]]) -> list[tuple[int, int]]:
    """Index pairs the growth columns compare: each size to the next, then first to last."""
    steps = [(i, i + 1) for i in range(len(runs) - 1)]
    return [*steps, (0, len(runs) - 1)] if len(runs) > 2 else steps


def _row(label: str, values: list[float | None], steps: list[tuple[int, int]]) -> str:
    cells = [cell(None if v is None else round(v, 3)) for v in values]
    growth = [_over(values[b], values[a]) for a, b in steps]
    cells += ["-" if g is None else f"{g:.2f}x" for g in growth]
    return f"| {label} | " + " | ".join(cells) + " |"


def table(runs: list[dict[str, Any]], systems: tuple[str, ...] = DEFAULT_SYSTEMS) -> str:
    """The scale table of ``runs`` (sorted by size here)."""
    runs = sorted(runs, key=lambda r: r["docs"])
    steps = _steps(runs)
    head = ["system: figure", *(f"{r['docs']:,}" for r in runs)]
    head += [f"x {short(runs[a]['docs'])}->{short(runs[b]['docs'])}" for a, b in steps]
    lines = ["| " + " | ".join(head) + " |", "|---|" + "---:|" * (len(head) - 1)]
    lines.append(_row("documents", [float(r["docs"]) for r in runs], steps))
    lines.append(_row("text MB", [float(r["text_mb"]) for r in runs], steps))
    for system in systems:
        for label, figure in ROWS:
            values = [value(r, system, figure) for r in runs]
            lines.append(_row(f"{system}: {label}", values, steps))
    if len(systems) == 2:
        first, second = systems
        for label, figure in COMPARED:
            values = [_over(value(r, first, figure), value(r, second, figure)) for r in runs]
            lines.append(_row(f"{first} / {second}: {label}", values, steps))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("runs", type=Path, nargs="+", help="--json files of benchmarks.run")
    parser.add_argument(
        "--systems", default=",".join(DEFAULT_SYSTEMS), help="comma-separated systems"
    )
    args = parser.parse_args(argv)
    systems = tuple(s.strip() for s in args.systems.split(",") if s.strip())
    unknown = sorted(set(systems) - set(SYSTEM_ORDER))
    if unknown:
        parser.error(f"unknown systems: {', '.join(unknown)}")
    try:
        runs = [load_run(path) for path in args.runs]
        sizes: dict[int, Path] = {}
        for path, run in zip(args.runs, runs, strict=True):
            if run["docs"] in sizes:
                raise ScaleError(f"{sizes[run['docs']]} and {path} are both {run['docs']:,} docs")
            sizes[run["docs"]] = path
        if len(runs) < 2:
            raise ScaleError("a scale needs runs at two sizes at least")
    except ScaleError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(table(runs, systems))
    return 0


if __name__ == "__main__":
    sys.exit(main())
