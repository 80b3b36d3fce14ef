"""Benchmark searchlib against stock Whoosh, SQLite FTS5 and an analysis floor.

    python -m benchmarks.run --docs N [--json FILE] [--check benchmarks/thresholds.yaml]
                             [--systems searchlib,fts5] [--workdir DIR]

One run composes the corpus (see _corpus.py) and the queries (_queries.py) once, then runs
each system on the same documents and queries, each in its own fresh Python subprocess
(_worker.py), one after another, so each peak RSS is that system's alone and none inherits
another's imports or caches. Each builds (timed, streaming the documents from a JSONL file,
parsing included), then a warm searcher answers every query once untimed and once timed (top
10 with snippets; all words must match, else any word), then the same again with facets
(each query also counts its total and its matches per facet field, as a search page does;
systems without facets skip this pass). The timed passes then run in ``QUERY_ROUNDS - 1``
more rounds, a fresh worker per system on its built index, the systems taking turns, and
each query's latency is the least of its rounds: on a shared machine the speed drifts over
seconds, and one system's pass in a slow stretch would otherwise decide its ratios. Peak
RSS is each worker's VmHWM over its build and queries, build peak RSS its VmHWM when its
build ended (the searches map the index's pages, and VmHWM counts those too); helper peak
RSS is the largest child process it waited for (searchlib's build helper), which VmHWM
does not count. MB are MiB (2**20 bytes); text MB counts the UTF-8
bytes of titles and bodies. Prints a markdown table; --json writes the figures; --check
exits 1 naming each ratio above its maximum in the thresholds file. With --workdir the
corpus and queries are kept there and reused by a later run with the same --docs, --seed,
--queries and source (_workdir.py); each system's index directory from an earlier run there
is removed before it builds.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, NamedTuple

from benchmarks._corpus import DEFAULT_SEED, CorpusError, find_source
from benchmarks._queries import DEFAULT_COUNT
from benchmarks._report import SYSTEM_ORDER, agreement, busy_warnings, document, markdown
from benchmarks._workdir import Prepared, WorkdirError, clear_index, prepare
from benchmarks.check_thresholds import ThresholdsError, load_thresholds, regressions

#: The worker runs as a module of this package, from the repository root.
REPO = Path(__file__).resolve().parents[1]
#: Used when searchlib's config cannot be read (so FTS5 and Whoosh still weigh titles and
#: FTS5 counts the same facets).
FALLBACK_TITLE_BOOST = 2.0
FALLBACK_FACETS = ("category", "source")
#: Rounds of timed query passes per system (the first in the building worker).
QUERY_ROUNDS = 3
#: The systems whose built index a later worker can open and query again (the cluster's
#: nodes stop with their worker).
REQUERIED = ("searchlib", "whoosh_stock", "fts5")
#: The per-query latencies a round gives.
LATENCIES = ("latencies_ms", "facets_latencies_ms")


class Defaults(NamedTuple):
    """What the other systems copy from searchlib's default config, and where it came from."""

    title_boost: float
    facets: tuple[str, ...]
    #: Whether searchlib collapses near-duplicate stories (its totals then count stories).
    collapse: bool
    source: str


def searchlib_defaults() -> Defaults:
    try:
        from searchlib.config import Config

        config = Config()
        return Defaults(
            config.field("title").boost,
            tuple(config.facets),
            bool(config.collapse_duplicates),
            "searchlib's default config",
        )
    except Exception as error:
        note = f"searchlib's config is unreadable ({type(error).__name__}: {error})"
        return Defaults(FALLBACK_TITLE_BOOST, FALLBACK_FACETS, False, f"{note}; assumed")


def run_worker(
    name: str,
    prepared: Prepared,
    workdir: Path,
    boost: float,
    facets: tuple[str, ...],
    queries_only: bool = False,
) -> dict[str, Any]:
    command = [
        sys.executable,
        "-m",
        "benchmarks._worker",
        name,
        "--corpus",
        str(prepared.corpus),
        "--queries",
        str(prepared.queries),
        "--dir",
        str(workdir / name),
        "--title-boost",
        str(boost),
        "--facets",
        ",".join(facets),
        *(["--queries-only"] if queries_only else []),
    ]
    proc = subprocess.run(command, capture_output=True, text=True, check=False, cwd=REPO)
    if proc.returncode != 0:
        return {"failed": f"exit {proc.returncode}: {proc.stderr.strip()[-2000:]}"}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--docs", type=int, required=True, help="number of documents")
    parser.add_argument("--json", type=Path, help="write the figures here")
    parser.add_argument("--check", type=Path, help="thresholds.yaml: fail on a regressed ratio")
    parser.add_argument("--queries", type=int, default=DEFAULT_COUNT, help="at least 300")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument(
        "--systems",
        default=",".join(SYSTEM_ORDER),
        help="comma-separated subset to run (default: all)",
    )
    parser.add_argument("--shared", type=Path, help="corpus directory (default: ../shared/corpus)")
    parser.add_argument(
        "--workdir", type=Path, help="keep the corpus and indexes here; reuse its corpus"
    )
    args = parser.parse_args(argv)
    if args.docs < 1:
        parser.error("--docs must be at least 1")
    if args.queries < DEFAULT_COUNT:
        parser.error(f"--queries must be at least {DEFAULT_COUNT}")
    args.chosen = [s.strip() for s in args.systems.split(",") if s.strip()]
    unknown = sorted(set(args.chosen) - set(SYSTEM_ORDER))
    if unknown:
        parser.error(f"unknown systems: {', '.join(unknown)}")
    return args


def _describe(prepared: Prepared, workdir: Path, seed: int) -> None:
    queries = prepared.query_list
    print(f"corpus: {prepared.description}")
    print(f"text: {prepared.text_mb:.2f} MB in titles and bodies")
    mean = sum(len(q.split()) for q in queries) / len(queries)
    print(
        f"queries: {len(queries)} ({len(set(queries))} distinct; {mean:.2f} words on "
        f"average), 1-3 content words of the corpus's titles, seed {seed}"
    )
    if prepared.reused:
        print(
            f"corpus and queries reused from {workdir} (composed there in "
            f"{prepared.composed_s:.1f} s by an earlier run with the same arguments)"
        )
    else:
        print(f"corpus and queries made in {prepared.seconds:.1f} s")


def _run_systems(
    args: argparse.Namespace, prepared: Prepared, workdir: Path
) -> tuple[dict[str, dict[str, Any] | None], list[str]]:
    defaults = searchlib_defaults()
    boost, facets = defaults.title_boost, defaults.facets
    print(f"title weight {boost:g} vs body 1.0, facets {', '.join(facets)} ({defaults.source})")
    if defaults.collapse:
        print(
            "searchlib collapses near-duplicate stories: its totals count stories, FTS5's "
            "count documents"
        )
    print()
    raws: dict[str, dict[str, Any] | None] = {}
    failures = []
    for name in SYSTEM_ORDER:
        raws[name] = None
        if name not in args.chosen:
            continue
        clear_index(workdir / name)
        t0 = time.perf_counter()
        raw = run_worker(name, prepared, workdir, boost, facets)
        took = time.perf_counter() - t0
        if "failed" in raw:
            failures.append(name)
            print(f"{name}: FAILED {raw['failed']}", file=sys.stderr)
        elif "skipped" in raw:
            print(f"{name}: skipped: {raw['skipped']}")
        else:
            print(f"{name}: done in {took:.1f} s")
            raws[name] = raw
    for _ in range(QUERY_ROUNDS - 1):
        _query_round(raws, failures, prepared, workdir, boost, facets)
    return raws, failures


def _query_round(
    raws: dict[str, dict[str, Any] | None],
    failures: list[str],
    prepared: Prepared,
    workdir: Path,
    boost: float,
    facets: tuple[str, ...],
) -> None:
    """One more timed round of each built system's queries: each latency becomes the least
    of its rounds."""
    for name in REQUERIED:
        raw = raws.get(name)
        if raw is None or "latencies_ms" not in raw:
            continue
        again = run_worker(name, prepared, workdir, boost, facets, queries_only=True)
        if "failed" in again:
            failures.append(name)
            print(f"{name}: query round FAILED {again['failed']}", file=sys.stderr)
            continue
        for key in LATENCIES:
            if key in raw and key in again:
                raw[key] = list(map(min, raw[key], again[key]))


def main(argv: list[str] | None = None) -> int:
    args = _arguments(argv)
    maxima = None
    if args.check:
        try:
            maxima = load_thresholds(args.check)
        except (OSError, ThresholdsError) as error:
            print(f"error: {error}", file=sys.stderr)
            return 2

    started = time.perf_counter()
    workdir = (args.workdir or Path(tempfile.mkdtemp(prefix="searchlib-bench-"))).resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        source = find_source(args.shared) if args.shared else find_source()
        prepared = prepare(workdir, source, args.docs, args.seed, args.queries)
        _describe(prepared, workdir, args.seed)
        raws, failures = _run_systems(args, prepared, workdir)
    except (CorpusError, WorkdirError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    finally:
        if args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)

    doc = document(args.docs, prepared.text_mb, prepared.description, raws)
    print()
    print(markdown(doc, raws, len(prepared.query_list)))
    for line in [*agreement(raws), *busy_warnings(raws)]:
        print(line)
    print(f"\nwall time: {time.perf_counter() - started:.1f} s")
    if args.json:
        args.json.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    status = 1 if failures else 0
    if maxima is not None:
        failed = regressions(doc["ratios"], maxima)
        for message in failed:
            print(f"REGRESSED {message}", file=sys.stderr)
        if failed:
            status = 1
        else:
            print(f"thresholds: all {len(maxima)} ratios within {args.check}")
    return status


if __name__ == "__main__":
    sys.exit(main())
