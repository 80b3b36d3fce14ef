"""Same answers? The embedded index against a Sphinx cluster, on the same documents.

    python -m benchmarks.cluster_overlap [--nodes 2] [--queries 300] [--json FILE]

Builds ``../shared/corpus/detik-1000.jsonl`` (else the built-in sample) into an embedded
index and into throwaway local clusters of 1 and ``--nodes`` nodes (searchd on 127.0.0.1,
stopped at the end), then runs title-derived queries (benchmarks/_queries.py, as run.py)
on each and prints, per cluster: the mean top-10 overlap with the embedded results
(|A ∩ B| / max(|A|, |B|), 1.0 when both are empty), how often totals and the any-word
fallback agree, and whether the snippets of hits both return are byte-identical. The
1-node cluster separates the engine's ranking from what sharding adds (per-shard IDF).
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

import searchlib
from benchmarks._corpus import REPO, SAMPLE_FILE, SHARED_ARTICLES, SHARED_CORPUS, read_jsonl
from benchmarks._queries import derive_queries, stopwords
from searchlib.backends.sphinxql.nodes import find_searchd, temporary_cluster


def compare(embedded: Any, cluster: Any, queries: list[str], limit: int = 10) -> dict[str, Any]:
    overlaps, totals, fallbacks, same_snippets, snippets, first_same = [], 0, 0, 0, 0, 0
    worst: list[tuple[float, str]] = []
    for query in queries:
        a = embedded.search(query, limit=limit)
        b = cluster.search(query, limit=limit)
        ids_a = [h.id for h in a.hits]
        ids_b = [h.id for h in b.hits]
        size = max(len(ids_a), len(ids_b))
        overlap = 1.0 if size == 0 else len(set(ids_a) & set(ids_b)) / size
        overlaps.append(overlap)
        worst.append((overlap, query))
        totals += a.total == b.total
        fallbacks += a.fallback == b.fallback
        first_same += ids_a[:1] == ids_b[:1]
        by_id = {h.id: h for h in b.hits}
        for hit in a.hits:
            other = by_id.get(hit.id)
            if other is not None:
                snippets += 1
                same_snippets += hit.snippet == other.snippet and hit.fields == other.fields
    worst.sort()
    return {
        "queries": len(queries),
        "mean_overlap_at_10": statistics.fmean(overlaps),
        "queries_identical_top10_set": sum(o == 1.0 for o in overlaps),
        "same_first_hit": first_same,
        "same_total": totals,
        "same_fallback": fallbacks,
        "common_hits": snippets,
        "identical_snippets_and_fields": same_snippets,
        "lowest": [f"{o:.1f} {q}" for o, q in worst[:5]],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--nodes", type=int, default=2)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    try:
        find_searchd()
    except searchlib.SearchlibError as error:
        print(f"skipped: {error} ({error.hint})")
        return 0
    source = SHARED_CORPUS / SHARED_ARTICLES
    if not source.is_file():
        source = SAMPLE_FILE
    docs = list(read_jsonl(source))
    titles = [d["title"] for d in docs]
    queries = derive_queries(titles, stopwords(REPO / "analyzers"), count=args.queries)
    print(f"{len(docs)} documents from {source.name}; {len(queries)} title-derived queries")
    work = Path(tempfile.mkdtemp(prefix="searchlib-overlap-"))
    report: dict[str, Any] = {"documents": len(docs), "source": source.name}
    try:
        embedded = searchlib.Index.create(work / "embedded")
        embedded.add(docs)
        for nodes in sorted({1, args.nodes}):
            with temporary_cluster(work / f"cluster{nodes}", nodes) as config:
                cluster = searchlib.Index.create(work / f"cluster{nodes}", config)
                cluster.add(docs)
                result = compare(embedded, cluster, queries)
                cluster.close()
            report[f"{nodes}_node"] = result
            print(f"\n{nodes}-node cluster vs embedded:")
            for key, value in result.items():
                print(f"  {key}: {value}")
        embedded.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if args.json:
        args.json.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
