"""Runs one system in this (fresh) process and prints its raw figures as one JSON line.

``run.py`` starts one worker per system, one after another, so each peak RSS is that system's
alone (a fresh interpreter plus what the system imports, builds and searches) and no system
profits from another's warm caches in the same interpreter. Documents are streamed from the
corpus file while building, so the corpus itself never sits in memory.
"""

from __future__ import annotations

import argparse
import importlib
import json
import resource
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from benchmarks._system import Searcher, Settings, System
from benchmarks._workdir import MARKER

SYSTEMS = ("analysis_floor", "whoosh_stock", "fts5", "searchlib", "sphinx_2node")


def load_system(name: str) -> System:
    if name not in SYSTEMS:
        raise ValueError(f"unknown system {name!r}")
    module: Any = importlib.import_module(f"benchmarks._sys_{name}")
    return module


def peak_rss_mb() -> float:
    """This process's peak resident set size so far, in MiB (VmHWM, else ru_maxrss)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024 if sys.platform == "darwin" else 1024)


def children_peak_rss_mb() -> float:
    """The peak RSS of the largest finished child process (searchlib's build helper), in MiB;
    0 when there was none. VmHWM counts this process only."""
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return peak / (1024 * 1024 if sys.platform == "darwin" else 1024)


def cpu_s() -> float:
    """CPU seconds used so far by this process and its finished children (worker pools)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def dir_bytes(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def stream(corpus: Path) -> Iterator[dict[str, Any]]:
    with corpus.open(encoding="utf-8") as lines:
        for line in lines:
            yield json.loads(line)


def timed_pass(searcher: Searcher, queries: list[str], facets: bool) -> dict[str, Any]:
    """Every query once untimed (caches, lazily opened files, first-use imports), then once
    timed; with ``facets``, each also counts its total and facets."""
    for query in queries:
        searcher.search(query, facets=facets)
    latencies, hits, fallbacks, answered, counted = [], 0, 0, 0, []
    for query in queries:
        started = time.perf_counter()
        outcome = searcher.search(query, facets=facets)
        latencies.append((time.perf_counter() - started) * 1000.0)
        hits += len(outcome.hits)
        answered += bool(outcome.hits)
        fallbacks += outcome.fallback
        counted.append((outcome.total, outcome.facets))
    if facets:  # the counts, so the report can check that the systems counted alike
        return {
            "facets_latencies_ms": latencies,
            "totals": [total for total, _ in counted],
            "facets": [counts for _, counts in counted],
        }
    return {"latencies_ms": latencies, "hits": hits, "answered": answered, "fallbacks": fallbacks}


def run(
    name: str, corpus: Path, queries: list[str], workdir: Path, settings: Settings
) -> dict[str, Any]:
    system = load_system(name)
    reason = system.unavailable()
    if reason is not None:
        return {"skipped": reason}
    workdir.mkdir(parents=True, exist_ok=False)
    (workdir / MARKER).touch()
    started, cpu = time.perf_counter(), cpu_s()
    system.build(stream(corpus), workdir, settings)
    build_s = time.perf_counter() - started
    result: dict[str, Any] = {
        "build_s": build_s,
        "build_cpu_s": cpu_s() - cpu,
        "index_bytes": dir_bytes(workdir),
        # The worker's peak so far is its build's: the searches below map the index's
        # pages and count them too.
        "build_rss_mb": peak_rss_mb(),
    }
    result.update(_timed_passes(system, queries, workdir, settings))
    result["peak_rss_mb"] = peak_rss_mb()
    result["helper_rss_mb"] = children_peak_rss_mb()
    return result


def query_round(name: str, queries: list[str], workdir: Path, settings: Settings) -> dict[str, Any]:
    """The timed passes again on the index an earlier :func:`run` built in ``workdir``."""
    return _timed_passes(load_system(name), queries, workdir, settings)


def _timed_passes(
    system: System, queries: list[str], workdir: Path, settings: Settings
) -> dict[str, Any]:
    """The plain pass, then the facets pass when the system counts facets (none when it
    cannot open a searcher)."""
    searcher = system.open_searcher(workdir, settings)
    if searcher is None:
        return {}
    result = timed_pass(searcher, queries, facets=False)
    if searcher.counts_facets:
        result.update(timed_pass(searcher, queries, facets=True))
    searcher.close()
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("system", choices=SYSTEMS)
    parser.add_argument("--corpus", type=Path, required=True, help="JSONL, one document a line")
    parser.add_argument("--queries", type=Path, required=True, help="JSON list of strings")
    parser.add_argument("--dir", type=Path, required=True, help="a new directory for the index")
    parser.add_argument("--title-boost", type=float, required=True)
    parser.add_argument("--facets", required=True, help="comma-separated facet fields")
    parser.add_argument(
        "--queries-only", action="store_true", help="query the index already in --dir"
    )
    args = parser.parse_args(argv)
    queries = json.loads(args.queries.read_text(encoding="utf-8"))
    facets = tuple(f for f in args.facets.split(",") if f)
    settings = Settings(args.title_boost, facets=facets)
    if args.queries_only:
        result = query_round(args.system, queries, args.dir, settings)
    else:
        result = run(args.system, args.corpus, queries, args.dir, settings)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
