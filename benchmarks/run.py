"""Benchmark searchlib against stock Whoosh, SQLite FTS5 and an analysis floor.

    python -m benchmarks.run --docs N [--json FILE] [--check benchmarks/thresholds.yaml]

One run composes the corpus (see _corpus.py) and the queries (_queries.py) once, then runs
each system on the same documents and queries, each in its own fresh Python subprocess
(_worker.py), one after another, so each peak RSS is that system's alone and none inherits
another's imports or caches. Each
builds (timed, streaming the documents from a JSONL file, parsing included), then a warm
searcher answers every query once untimed and once timed (top 10 with snippets; all words
must match, else any word). Peak RSS is each worker's VmHWM over its build and queries.
MB are MiB (2**20 bytes); text MB counts the UTF-8 bytes of titles and bodies. Prints a
markdown table; --json writes the figures; --check exits 1 naming each ratio above its
maximum in the thresholds file.
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
from typing import Any

from benchmarks._corpus import DEFAULT_SEED, Composer, CorpusError, find_source, words
from benchmarks._queries import DEFAULT_COUNT, derive_queries, stopwords
from benchmarks._report import SYSTEM_ORDER, busy_warnings, document, markdown
from benchmarks.check_thresholds import ThresholdsError, load_thresholds, regressions

#: The worker runs as a module of this package, from the repository root.
REPO = Path(__file__).resolve().parents[1]
#: Used when searchlib's config cannot be read (so FTS5 and Whoosh still weigh titles).
FALLBACK_TITLE_BOOST = 2.0


def title_boost() -> tuple[float, str]:
    """searchlib's default title weight (body is 1.0), and where it came from."""
    try:
        from searchlib.config import Config

        return Config().field("title").boost, "searchlib's default config"
    except Exception as error:
        note = f"searchlib's config is unreadable ({type(error).__name__}: {error})"
        return FALLBACK_TITLE_BOOST, f"{note}; assumed"


def write_corpus(composer: Composer, n: int, path: Path) -> tuple[list[str], float, int]:
    """Write ``n`` documents as JSONL; their titles, text MB and vocabulary size."""
    titles: list[str] = []
    text_bytes = 0
    vocabulary: set[str] = set()
    with path.open("w", encoding="utf-8") as out:
        for doc in composer.documents(n):
            out.write(json.dumps(doc, ensure_ascii=False) + "\n")
            titles.append(doc["title"])
            text_bytes += len(f"{doc['title']}{doc['body']}".encode())
            vocabulary.update(words(f"{doc['title']} {doc['body']}"))
    if len(titles) != n:
        raise CorpusError(f"composed {len(titles)} documents, asked for {n}")
    return titles, text_bytes / (1024 * 1024), len(vocabulary)


def run_worker(
    name: str, corpus: Path, queries: Path, workdir: Path, boost: float
) -> dict[str, Any]:
    command = [
        sys.executable,
        "-m",
        "benchmarks._worker",
        name,
        "--corpus",
        str(corpus),
        "--queries",
        str(queries),
        "--dir",
        str(workdir / name),
        "--title-boost",
        str(boost),
    ]
    proc = subprocess.run(command, capture_output=True, text=True, check=False, cwd=REPO)
    if proc.returncode != 0:
        return {"failed": f"exit {proc.returncode}: {proc.stderr.strip()[-2000:]}"}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
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
    parser.add_argument("--workdir", type=Path, help="keep the corpus and indexes here")
    args = parser.parse_args(argv)
    if args.docs < 1:
        parser.error("--docs must be at least 1")
    if args.queries < DEFAULT_COUNT:
        parser.error(f"--queries must be at least {DEFAULT_COUNT}")
    chosen = [s.strip() for s in args.systems.split(",") if s.strip()]
    unknown = sorted(set(chosen) - set(SYSTEM_ORDER))
    if unknown:
        parser.error(f"unknown systems: {', '.join(unknown)}")
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
        composer = Composer(source, seed=args.seed)
        corpus_file = workdir / "corpus.jsonl"
        titles, text_mb, vocabulary = write_corpus(composer, args.docs, corpus_file)
        corpus = f"{composer.describe(args.docs)}; {vocabulary:,} distinct words"
        stop = stopwords()
        queries = derive_queries(titles, stop, count=args.queries, seed=args.seed)
        queries_file = workdir / "queries.json"
        queries_file.write_text(json.dumps(queries, ensure_ascii=False), encoding="utf-8")
        composed_s = time.perf_counter() - started
        boost, boost_from = title_boost()
        print(f"corpus: {corpus}")
        print(f"text: {text_mb:.2f} MB in titles and bodies")
        mean = sum(len(q.split()) for q in queries) / len(queries)
        print(
            f"queries: {len(queries)} ({len(set(queries))} distinct; {mean:.2f} words on "
            f"average), 1-3 content words of the corpus's titles, seed {args.seed}"
        )
        print(f"title weight {boost:g} vs body 1.0 ({boost_from})")
        print(f"corpus and queries made in {composed_s:.1f} s\n")

        raws: dict[str, dict[str, Any] | None] = {}
        failures = []
        for name in SYSTEM_ORDER:
            if name not in chosen:
                raws[name] = None
                continue
            t0 = time.perf_counter()
            raw = run_worker(name, corpus_file, queries_file, workdir, boost)
            took = time.perf_counter() - t0
            if "failed" in raw:
                failures.append(name)
                print(f"{name}: FAILED {raw['failed']}", file=sys.stderr)
                raws[name] = None
            elif "skipped" in raw:
                print(f"{name}: skipped: {raw['skipped']}")
                raws[name] = None
            else:
                print(f"{name}: done in {took:.1f} s")
                raws[name] = raw
    except CorpusError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    finally:
        if args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)

    doc = document(args.docs, text_mb, corpus, raws)
    print()
    print(markdown(doc, raws, len(queries)))
    for warning in busy_warnings(raws):
        print(warning)
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
