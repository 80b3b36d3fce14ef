"""Benchmark ``searchlib serve``: concurrent clients on loopback against one server process.

    python -m benchmarks.serve [--docs 50000] [--clients 16] [--seconds 30] [--workdir DIR]

Composes --docs documents with _corpus.py the way run.py does, builds an index with the
public API (``Index.create`` + ``add_files``, timed), derives title-word queries
(_queries.py), starts ``searchlib serve`` on a free loopback port in its own process, then
runs --clients client threads (standard library ``http.client``, one keep-alive connection
each), every client cycling through the queries from its own offset:
``GET /api/search?q=...&limit=10`` (the API always counts facets and the total) or, with
--endpoint page, the HTML search page. A warm-up of --warmup seconds comes first and is not
counted. Prints requests/s, latency p50/p95/p99 and errors, and exits 1 on any error.

Bounded in time (--seconds, a per-request timeout) and count (--max-requests). The clients
run on the same machine as the server and share its cores; the server's CPU use over the
timed window is printed too. --workdir keeps the corpus and index for a later run (a
50,000-document build takes minutes), which then reuses them.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from benchmarks._corpus import DEFAULT_SEED, Composer, CorpusError, find_source
from benchmarks._queries import DEFAULT_COUNT, derive_queries, stopwords
from benchmarks._workdir import write_corpus
from searchlib.cli.serve import cores, default_threads

DEFAULT_DOCS = 50_000
REQUEST_TIMEOUT_S = 10.0
CLK_TCK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


@dataclass
class ClientLog:
    latencies_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of a process and its children so far (Linux /proc: the
    worker processes of ``--workers N``), else None."""
    try:
        pids = [pid, *_children(pid)]
        total = 0
        for p in pids:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
    except OSError:
        return None
    return total / CLK_TCK


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        children = (task / "children").read_text().split()
        for child in children:
            found += [int(child), *_children(int(child))]
    return found


def prepare(args: argparse.Namespace, workdir: Path) -> tuple[Path, list[str], dict[str, Any]]:
    """The index and queries, built now or reused from an earlier run in the same workdir."""
    index_dir = workdir / f"index-{args.docs}"
    meta_file = workdir / f"prepared-{args.docs}.json"
    if index_dir.is_dir() and meta_file.is_file():
        meta = json.loads(meta_file.read_text(encoding="utf-8"))
        print(f"reusing the index in {index_dir} (built in {meta['build_s']:.0f} s)")
        return index_dir, meta["queries"], meta
    from searchlib import Index

    source = find_source(args.shared) if args.shared else find_source()
    composer = Composer(source, seed=args.seed)
    corpus_file = workdir / f"corpus-{args.docs}.jsonl"
    started = time.perf_counter()
    titles, text_mb, vocabulary = write_corpus(composer, args.docs, corpus_file)
    queries = derive_queries(titles, stopwords(), count=args.queries, seed=args.seed)
    print(f"corpus: {composer.describe(args.docs)}; {vocabulary:,} distinct words")
    print(f"composed in {time.perf_counter() - started:.1f} s; building the index ...")
    shutil.rmtree(index_dir, ignore_errors=True)
    started = time.perf_counter()
    with Index.create(index_dir) as ix:
        ix.add_files([corpus_file])
        count = len(ix)
    build_s = time.perf_counter() - started
    corpus_file.unlink()
    meta = {
        "documents": count,
        "text_mb": round(text_mb, 2),
        "build_s": round(build_s, 1),
        "corpus": composer.describe(args.docs),
        "queries": queries,
    }
    meta_file.write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    print(f"built {count:,} documents in {build_s:.1f} s ({count / build_s:.0f} docs/s)")
    return index_dir, queries, meta


class Server:
    def __init__(self, index_dir: Path, log: Path, workers: int, threads: int) -> None:
        self.port = _free_port()
        command = [sys.executable, "-c", "from searchlib.cli import main; main()", "serve"]
        options = ["--index", str(index_dir), "--port", str(self.port)]
        options += ["--workers", str(workers), "--threads", str(threads)]
        with log.open("w") as out:
            self.proc = subprocess.Popen(
                [*command, *options],
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and self.proc.poll() is None:
            try:
                url = f"http://127.0.0.1:{self.port}/healthz"
                with urllib.request.urlopen(url, timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"searchlib serve did not start:\n{log.read_text()}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(15)


def client(
    port: int,
    paths: list[str],
    offset: int,
    until: float,
    counted: float,
    budget: threading.Semaphore,
    log: ClientLog,
) -> None:
    """Requests back to back until ``until``; those started after ``counted`` are recorded."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT_S)
    i = offset
    try:
        while True:
            started = time.monotonic()
            if started >= until:
                return
            record = started >= counted
            if record and not budget.acquire(blocking=False):
                return  # --max-requests reached
            path = paths[i % len(paths)]
            i += 1
            t0 = time.perf_counter()
            try:
                conn.request("GET", path)
                response = conn.getresponse()
                body = response.read()
                status = response.status
            except (OSError, http.client.HTTPException) as error:
                if record:
                    log.errors.append(f"{path}: {type(error).__name__}: {error}")
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT_S)
                continue
            elapsed_ms = (time.perf_counter() - t0) * 1000.0
            if not record:
                continue
            if status != 200:
                log.errors.append(f"{path}: HTTP {status}: {body[:200]!r}")
            else:
                log.latencies_ms.append(elapsed_ms)
    finally:
        conn.close()


def percentile(sorted_values: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    if not sorted_values:
        return float("nan")
    rank = max(1, min(len(sorted_values), round(p / 100.0 * len(sorted_values) + 0.5)))
    return sorted_values[rank - 1]


def load(args: argparse.Namespace, port: int, queries: list[str], pid: int) -> dict[str, Any]:
    endpoint = "/api/search" if args.endpoint == "api" else "/"
    paths = [f"{endpoint}?{urlencode({'q': q, 'limit': 10})}" for q in queries]
    logs = [ClientLog() for _ in range(args.clients)]
    start = time.monotonic()
    counted = start + args.warmup
    until = counted + args.seconds
    budget = threading.Semaphore(args.max_requests)
    step = max(1, len(paths) // args.clients)
    threads = [
        threading.Thread(
            target=client,
            args=(port, paths, n * step, until, counted, budget, logs[n]),
            daemon=True,
        )
        for n in range(args.clients)
    ]
    for t in threads:
        t.start()
    time.sleep(max(0.0, counted - time.monotonic()))
    cpu_before, wall_before = _cpu_seconds(pid), time.monotonic()
    for t in threads:
        t.join(args.seconds + args.warmup + REQUEST_TIMEOUT_S + 5)
    cpu_after, wall_after = _cpu_seconds(pid), time.monotonic()
    latencies = sorted(x for log in logs for x in log.latencies_ms)
    errors = [e for log in logs for e in log.errors]
    window = min(wall_after, until) - counted
    cpu = (
        (cpu_after - cpu_before) / (wall_after - wall_before)
        if cpu_before is not None and cpu_after is not None
        else None
    )
    return {
        "endpoint": endpoint,
        "clients": args.clients,
        "seconds": round(window, 1),
        "requests": len(latencies) + len(errors),
        "errors": len(errors),
        "error_samples": errors[:5],
        "requests_per_s": round(len(latencies) / window, 1) if window > 0 else None,
        "p50_ms": round(percentile(latencies, 50), 1),
        "p95_ms": round(percentile(latencies, 95), 1),
        "p99_ms": round(percentile(latencies, 99), 1),
        "max_ms": round(latencies[-1], 1) if latencies else None,
        "mean_ms": round(statistics.fmean(latencies), 1) if latencies else None,
        "server_cpu_cores": round(cpu, 2) if cpu is not None else None,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--docs", type=int, default=DEFAULT_DOCS, help="documents to index")
    parser.add_argument("--clients", type=int, default=16, help="concurrent clients")
    parser.add_argument("--seconds", type=float, default=30.0, help="timed window")
    parser.add_argument("--warmup", type=float, default=5.0, help="untimed seconds first")
    parser.add_argument("--max-requests", type=int, default=1_000_000, help="cap on requests")
    parser.add_argument("--endpoint", choices=("api", "page"), default="api")
    parser.add_argument(
        "--workers", type=int, help="searchlib serve --workers (default: serve's own default)"
    )
    parser.add_argument(
        "--threads", type=int, help="searchlib serve --threads (default: serve's own default)"
    )
    parser.add_argument("--queries", type=int, default=DEFAULT_COUNT)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--shared", type=Path, help="corpus directory (default: ../shared/corpus)")
    parser.add_argument("--workdir", type=Path, help="keep (and reuse) the corpus and index here")
    parser.add_argument("--json", type=Path, help="write the figures here")
    args = parser.parse_args(argv)
    if args.docs < 1 or args.clients < 1 or args.seconds <= 0 or args.max_requests < 1:
        parser.error("--docs, --clients, --seconds and --max-requests must be positive")
    # The figures are of what `searchlib serve` does with its defaults unless told otherwise.
    args.workers = args.workers or cores()
    args.threads = args.threads or default_threads(args.workers)
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="searchlib-serve-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        index_dir, queries, meta = prepare(args, workdir)
        server = Server(index_dir, workdir / "serve.log", args.workers, args.threads)
        try:
            figures = load(args, server.port, queries, server.proc.pid)
        finally:
            server.stop()
    except CorpusError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    finally:
        if args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)
    figures.update(
        documents=meta["documents"],
        build_s=meta["build_s"],
        queries=len(queries),
        workers=args.workers,
        threads=args.threads,
        cpus=os.cpu_count(),
    )
    print(
        f"\n{figures['documents']:,} documents, {len(queries)} title-word queries, "
        f"{args.clients} clients, {figures['seconds']} s on {figures['endpoint']}, "
        f"{args.workers} server worker{'s' if args.workers > 1 else ''} x "
        f"{args.threads} search thread{'s' if args.threads > 1 else ''} "
        f"({os.cpu_count()} CPUs, clients on the same machine)"
    )
    print("| requests | requests/s | p50 ms | p95 ms | p99 ms | max ms | errors | server CPU |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    print(
        f"| {figures['requests']:,} | {figures['requests_per_s']} | {figures['p50_ms']} | "
        f"{figures['p95_ms']} | {figures['p99_ms']} | {figures['max_ms']} | "
        f"{figures['errors']} | {figures['server_cpu_cores']} cores |"
    )
    for sample in figures["error_samples"]:
        print(f"error: {sample}", file=sys.stderr)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return 1 if figures["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
