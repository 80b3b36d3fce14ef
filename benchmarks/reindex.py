"""Reindex against index: the time to rebuild an index from its own stored documents.

    python -m benchmarks.reindex --docs N [--rounds 3] [--processes auto|N] [--json FILE]

Composes the benchmark corpus (_corpus.py) as one JSONL file, then, each round, runs the
two commands a user runs, each in its own process and timed from outside (start-up
included in both): ``searchlib index CORPUS --index DIR`` into a new index, then
``searchlib reindex --index DIR`` on it. Prints each round's times and the ratio of the
median reindex time to the median index time (the bound searchlib keeps is 1.2), in wall time and
in CPU time (user + system of the command and its helper process: on a machine shared
with other work, wall times swing with the load and CPU times much less). Rounds
alternate the two commands, so a machine that slows down part-way slows both.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks._corpus import DEFAULT_SEED, Composer, find_source
from benchmarks._workdir import write_corpus

SEARCHLIB = [sys.executable, "-m", "searchlib"]


def timed(command: list[str]) -> tuple[float, float]:
    """Wall seconds ``command`` took, and the CPU seconds (user + system) it and its
    helper process used; a failure stops the benchmark with its error."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    proc = subprocess.run(command, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed: {proc.stderr.strip()}")
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return seconds, cpu


def rounds(corpus: Path, index: Path, count: int, processes: str) -> list[dict[str, float]]:
    """``count`` rounds of (index from JSONL, reindex of that index)."""
    out = []
    options = ["--index", str(index), "--processes", processes]
    for n in range(count):
        shutil.rmtree(index, ignore_errors=True)
        build, build_cpu = timed([*SEARCHLIB, "index", str(corpus), *options])
        rebuild, rebuild_cpu = timed([*SEARCHLIB, "reindex", *options])
        out.append(
            {
                "index_s": build,
                "reindex_s": rebuild,
                "index_cpu_s": build_cpu,
                "reindex_cpu_s": rebuild_cpu,
            }
        )
        print(
            f"round {n + 1}: index {build:.2f} s ({build_cpu:.2f} s CPU), reindex "
            f"{rebuild:.2f} s ({rebuild_cpu:.2f} s CPU); ratio {rebuild / build:.2f} wall, "
            f"{rebuild_cpu / build_cpu:.2f} CPU",
            flush=True,
        )
    return out


def summary(docs: int, results: list[dict[str, float]]) -> dict[str, Any]:
    """Medians of each time, and reindex / index of the medians (wall and CPU)."""
    out: dict[str, Any] = {"docs": docs, "rounds": results}
    for key in ("index_s", "reindex_s", "index_cpu_s", "reindex_cpu_s"):
        out[f"{key[:-2]}_median_s"] = statistics.median(r[key] for r in results)
    out["ratio"] = out["reindex_median_s"] / out["index_median_s"]
    out["cpu_ratio"] = out["reindex_cpu_median_s"] / out["index_cpu_median_s"]
    # The fastest run of each is the least disturbed by other work on the machine.
    out["best_ratio"] = min(r["reindex_s"] for r in results) / min(r["index_s"] for r in results)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--docs", type=int, required=True, help="number of documents")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument(
        "--processes", default="auto", help="--processes of both commands (default: auto)"
    )
    parser.add_argument("--json", type=Path, help="write the figures here")
    args = parser.parse_args(argv)
    source = find_source()
    print(f"corpus: {args.docs} documents from {source.label}", flush=True)
    with tempfile.TemporaryDirectory(prefix="searchlib-reindex-") as work:
        corpus = Path(work) / "corpus.jsonl"
        write_corpus(Composer(source, args.seed), args.docs, corpus)
        results = summary(
            args.docs, rounds(corpus, Path(work) / "index", args.rounds, args.processes)
        )
    print(
        f"median: index {results['index_median_s']:.2f} s, reindex "
        f"{results['reindex_median_s']:.2f} s, reindex / index {results['ratio']:.2f} wall, "
        f"{results['cpu_ratio']:.2f} CPU; fastest reindex / fastest index "
        f"{results['best_ratio']:.2f}"
    )
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
