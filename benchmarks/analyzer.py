"""Analyzer throughput against the bare floor, in one process.

    python -m benchmarks.analyzer [--analyzer indonesian] [--rounds 5] [--check 2.0] [--profile]

Analyzes every title and body of ../shared/corpus/*.jsonl (each field separately, as the
index does) with searchlib's analyzer, called exactly as Whoosh's index calls it
(``positions=True, mode="index"``), and with the floor: ``re.findall(r"\\w+")`` on the
lowercased text and PyStemmer's ``stemWords``, the least any Python indexer must do.

Each round times both systems cold (a fresh analyzer with empty memos and a fresh stemmer
memo, a fresh PyStemmer object), then again warm (caches filled by the cold pass); the order
of the two alternates between rounds and the median round is reported. A last diagnostic
pass uses a fresh analyzer with the stemmer's memo still warm: the gap between it and the
cold pass is the stemmer's first analysis of each distinct word. Loading the lexicon
happens before the clock starts (a one-time start-up cost, not per-token work). Tokens are
counted per system: the floor counts every \\w+ run, searchlib the terms it indexes
(stopwords removed), so tokens/s differ from time ratios; the ratio compares times for the
same text. ``--check R`` exits 1 when the cold ratio exceeds R.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import json
import pstats
import re
import statistics
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED_CORPUS = REPO.parent / "shared" / "corpus"

_WORD = re.compile(r"\w+")


def load_texts(corpus: Path) -> list[str]:
    """Every non-empty title and body; JSONL split on "\\n" only (bodies hold U+2028)."""
    texts = []
    for path in sorted(corpus.glob("*.jsonl")):
        with path.open(encoding="utf-8") as lines:  # file iteration splits on \n, not U+2028
            for line in lines:
                if not line.strip():
                    continue
                doc = json.loads(line)
                for field in ("title", "body"):
                    value = doc.get(field)
                    if isinstance(value, str) and value:
                        texts.append(value)
    return texts


def floor_pass(texts: list[str]) -> Callable[[], int]:
    import Stemmer

    stem_words = Stemmer.Stemmer("indonesian").stemWords
    findall = _WORD.findall

    def run() -> int:
        n = 0
        for text in texts:
            n += len(stem_words(findall(text.lower())))
        return n

    return run


def searchlib_pass(texts: list[str], name: str, fresh_stemmer: bool = True) -> Callable[[], int]:
    """A fresh analyzer (empty memos) timed as Whoosh's index calls it."""
    from searchlib.analysis import load_spec
    from searchlib.analysis.filters import IndonesianStemFilter
    from searchlib.analysis.lexicon import shared_stemmer

    if fresh_stemmer:
        shared_stemmer.cache_clear()  # a fresh stemmer, so its memo starts empty
    analyzer = load_spec(name).build()
    for item in analyzer.items:
        if isinstance(item, IndonesianStemFilter):
            item.stemmer  # noqa: B018 -- load the lexicon before the clock starts

    def run() -> int:
        n = 0
        for text in texts:
            n += len([t.text for t in analyzer(text, positions=True, mode="index")])
        return n

    return run


def timed(run: Callable[[], int]) -> tuple[float, int]:
    gc.collect()
    start = time.perf_counter()
    count = run()
    return time.perf_counter() - start, count


def one_round(texts: list[str], name: str, floor_first: bool) -> dict[str, tuple[float, int]]:
    passes = {"floor": floor_pass(texts), "searchlib": searchlib_pass(texts, name)}
    order = ["floor", "searchlib"] if floor_first else ["searchlib", "floor"]
    out = {}
    for phase in ("cold", "warm"):
        for system in order:
            out[f"{system} {phase}"] = timed(passes[system])
    # Diagnostic: empty analyzer memos but the stemmer's memo kept from the passes above, so
    # cold minus this is the stemmer's first analysis of each distinct word.
    out["searchlib cold, stemmer warm"] = timed(searchlib_pass(texts, name, fresh_stemmer=False))
    return out


def profile(texts: list[str], name: str, top: int) -> None:
    run = searchlib_pass(texts, name)
    profiler = cProfile.Profile()
    profiler.runcall(run)
    print(f"\ncProfile of one cold pass of {name!r} (top {top} by own time):")
    pstats.Stats(profiler).sort_stats("tottime").print_stats(top)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--analyzer", default="indonesian")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--corpus", type=Path, default=SHARED_CORPUS)
    parser.add_argument(
        "--check",
        type=float,
        metavar="RATIO",
        help="exit 1 when searchlib's cold time exceeds RATIO x the floor's",
    )
    parser.add_argument("--profile", action="store_true", help="also cProfile a cold pass")
    args = parser.parse_args(argv)
    if not args.corpus.is_dir():
        print(f"no corpus at {args.corpus} (../shared is absent): nothing to measure")
        return 0
    texts = load_texts(args.corpus)
    chars = sum(map(len, texts))
    print(
        f"corpus: {len(texts)} titles and bodies, {chars / 1e6:.1f}M characters, from {args.corpus}"
    )
    rounds = [one_round(texts, args.analyzer, floor_first=i % 2 == 0) for i in range(args.rounds)]
    print(f"{args.rounds} rounds, median time per pass:\n")
    labels = {key: key.replace("searchlib", f"searchlib {args.analyzer}") for key in rounds[0]}
    width = max(map(len, labels.values())) + 2
    print(f"{'pass':<{width}}{'tokens':>10}{'seconds':>10}{'tokens/s':>12}")
    medians: dict[str, float] = {}
    for key, label in labels.items():
        seconds = statistics.median(r[key][0] for r in rounds)
        count = rounds[0][key][1]
        medians[key] = seconds
        print(f"{label:<{width}}{count:>10,}{seconds:>10.3f}{count / seconds:>12,.0f}")
    cold = medians["searchlib cold"] / medians["floor cold"]
    warm = medians["searchlib warm"] / medians["floor warm"]
    stemmer_warm = medians["searchlib cold, stemmer warm"] / medians["floor cold"]
    print(
        f"\nratio searchlib/floor time: cold {cold:.2f}x, warm {warm:.2f}x "
        f"(cold with the stemmer's memo already warm: {stemmer_warm:.2f}x)"
    )
    if args.profile:
        profile(texts, args.analyzer, 15)
    if args.check is not None and cold > args.check:
        print(f"FAIL: cold ratio {cold:.2f} exceeds {args.check}")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
