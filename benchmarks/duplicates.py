"""Duplicate stories on detik-1000: how well the story signatures find them, and how many
top-10s show one story twice with and without the collapse.

    python -m benchmarks.duplicates [--shared PATH] [--queries 300]

Truth: two articles are the same story when their bodies are identical (the corpus's
exact duplicates under other ids) or when detik_duplicates.tsv, beside this script, judges
the pair 1 (every pair that shares at least a fifth of its three-word shingles was judged
by reading it; any other pair counts as two stories).

Part 1, per threshold: precision and recall of "the signatures say one story"
(:func:`searchlib.signatures.near_duplicates`) over all pairs of the 1,000 articles against
every same-story pair, and the recall of the exact duplicates alone.

Part 2: the benchmark queries (benchmarks/_queries.py: 1-3 content words of real titles,
as benchmarks/run.py makes them, here from detik-1000's titles) are searched top 10 with
``collapse=False`` and with ``collapse=True``; a top-10 "holds a pair" when two of its
hits are one story by the truth above.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path

from benchmarks._queries import DEFAULT_COUNT, DEFAULT_SEED, derive_queries, stopwords
from searchlib import Config, Index
from searchlib.signatures import (
    Sketch,
    decode,
    document_signature,
    near_duplicates,
    packed,
    similarity,
)

HERE = Path(__file__).resolve().parent
JUDGED = HERE / "detik_duplicates.tsv"
CORPUS = "detik-1000.jsonl"
THRESHOLDS = (0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.7, 0.8, 0.9)

Pair = frozenset[str]


def load(shared: Path) -> list[dict]:
    path = shared / "corpus" / CORPUS
    if not path.is_file():
        sys.exit(f"duplicates: {path} not found (give the shared folder with --shared)")
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def truth(docs: list[dict]) -> tuple[set[Pair], set[Pair]]:
    """(pairs with identical bodies, every same-story pair)."""
    by_body: dict[str, list[str]] = {}
    for doc in docs:
        by_body.setdefault(doc["body"], []).append(doc["id"])
    exact = {frozenset(pair) for ids in by_body.values() for pair in itertools.combinations(ids, 2)}
    judged = set()
    for n, line in enumerate(JUDGED.read_text(encoding="utf-8").splitlines(), 1):
        if line.startswith("#") or not line.strip():
            continue
        a, b, verdict = line.split("\t")
        if verdict not in ("0", "1"):
            sys.exit(f"{JUDGED}:{n}: the verdict must be 0 or 1, got {verdict!r}")
        if verdict == "1":
            judged.add(frozenset((a, b)))
    return exact, exact | judged


def candidate_pairs(sketches: dict[str, Sketch]) -> list[tuple[Pair, Sketch, Sketch]]:
    """Every pair whose estimate could reach the lowest threshold."""
    lowest = min(THRESHOLDS)
    found = []
    for (a, x), (b, y) in itertools.combinations(sketches.items(), 2):
        if x.bits == y.bits or similarity(x, y) >= lowest:
            found.append((frozenset((a, b)), x, y))
    return found


def recall(predicted: set[Pair], relevant: set[Pair]) -> float:
    return len(predicted & relevant) / len(relevant) if relevant else 1.0


def precision(predicted: set[Pair], relevant: set[Pair]) -> float:
    return len(predicted & relevant) / len(predicted) if predicted else 1.0


def part_one(docs: list[dict], exact: set[Pair], same: set[Pair]) -> None:
    sketches = {d["id"]: decode(packed(document_signature(d))) for d in docs}
    known = {k: v for k, v in sketches.items() if v is not None}
    pairs = candidate_pairs(known)
    print(f"truth: {len(exact)} exact-duplicate pairs, {len(same)} same-story pairs in all\n")
    print("| threshold | pairs found | precision | recall | recall of exact duplicates |")
    print("| --- | --- | --- | --- | --- |")
    for threshold in THRESHOLDS:
        predicted = {pair for pair, x, y in pairs if near_duplicates(x, y, threshold)}
        print(
            f"| {threshold:g} | {len(predicted)} | {precision(predicted, same):.3f} "
            f"| {recall(predicted, same):.3f} | {recall(predicted, exact):.3f} |"
        )
    print()


def holds_pair(ids: Iterable[str], same: set[Pair]) -> bool:
    return any(frozenset(p) in same for p in itertools.combinations(ids, 2))


def part_two(docs: list[dict], truths: dict[str, set[Pair]], count: int) -> None:
    titles = [d["title"] for d in docs if d.get("title")]
    queries = derive_queries(titles, stopwords(), count=count, seed=DEFAULT_SEED)
    threshold = Config().duplicate_threshold
    before = dict.fromkeys(truths, 0)
    after = dict.fromkeys(truths, 0)
    short = 0
    with tempfile.TemporaryDirectory() as tmp, Index.create(Path(tmp) / "ix") as ix:
        ix.add(docs)
        for query in queries:
            every = [h.id for h in ix.search(query, limit=10, collapse=False).hits]
            stories = ix.search(query, limit=10, collapse=True)
            for name, pairs in truths.items():
                before[name] += holds_pair(every, pairs)
                after[name] += holds_pair([h.id for h in stories.hits], pairs)
            short += len(stories.hits) < 10 and stories.total >= 10
    print(f"{len(queries)} benchmark queries on {CORPUS}, top 10, threshold {threshold:g}:")
    for name in truths:
        print(f"- top-10s holding {name}: {before[name]} without collapse, {after[name]} with it")
    print(f"- top-10s short of 10 hits although 10 or more stories match: {short}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", type=Path, default=HERE.parent.parent / "shared")
    parser.add_argument("--queries", type=int, default=DEFAULT_COUNT)
    args = parser.parse_args()
    docs = load(args.shared)
    exact, same = truth(docs)
    part_one(docs, exact, same)
    truths = {"an exact-duplicate pair": exact, "a same-story pair": same}
    part_two(docs, truths, args.queries)


if __name__ == "__main__":
    main()
