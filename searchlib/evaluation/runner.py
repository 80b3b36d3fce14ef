"""Running a retrieval test collection through the public search API.

A :class:`System` is one row of a results table: a searchlib config, how queries are put to
the index (``default``: :meth:`Index.search` as a search box calls it, no syntax named,
duplicate stories collapsed as the config says;
``search``: with plain syntax, which ranks prose as one any-word query; ``any``: the same
reading written in the query language, as BM25 peers rank; ``all``: every word required,
any word only when no document has them all), and optionally a :class:`TextRewriter`
applied to documents and queries (a reference stemmer, as the quality benchmark's
``benchmarks/peers.py`` supplies). Systems whose indexes would hold the same terms share
one temporary index, opened with each system's own ranking settings.
"""

from __future__ import annotations

import csv
import json
import tempfile
import time
import zlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from searchlib.config import load_config
from searchlib.errors import IngestError, QueryError
from searchlib.evaluation.metrics import mean_scores, per_query
from searchlib.index import Index
from searchlib.query import Word, parse_plain
from searchlib.results import Hit

__all__ = [
    "QUERY_MODES",
    "REWRITTEN_ANALYZER",
    "Collection",
    "EvalResult",
    "System",
    "TextRewriter",
    "filled",
    "format_table",
    "load_qrels",
    "load_queries",
    "run_collection",
    "run_systems",
    "split_of",
    "write_trec_run",
]

QUERY_MODES = ("default", "search", "any", "all")
DEPTH = 100
#: The analyzer a row with a rewriter indexes with: the same tokenizer and stopwords as
#: searchlib's, no stemming of its own, so the rewriter alone decides how words are reduced.
REWRITTEN_ANALYZER = "simple"


class TextRewriter(Protocol):
    """Rewrites the text of documents and queries before a row indexes and searches it.

    ``name`` tells rows apart (rows with the same rewriter and config share one index); a
    rewriter must pickle, since rows may run in worker processes."""

    name: str

    def text(self, text: str) -> str: ...


@dataclass(frozen=True)
class System:
    """One evaluated configuration (a row of the results table)."""

    name: str
    config: Mapping[str, Any] = field(default_factory=dict)
    query_mode: str = "search"
    #: Applied to documents and queries; its rows index with :data:`REWRITTEN_ANALYZER`, so
    #: the config's own analyzer is replaced.
    rewriter: TextRewriter | None = None

    def resolved_config(self) -> dict[str, Any]:
        config = dict(self.config)
        config.pop("index_path", None)
        if self.rewriter is not None:
            config["analyzer"] = REWRITTEN_ANALYZER
        return config

    def index_key(self) -> tuple[str | None, str]:
        """Systems with equal keys can share one index (same terms, same stored text)."""
        name = None if self.rewriter is None else self.rewriter.name
        return name, load_config(self.resolved_config()).index_fingerprint()


@dataclass
class Collection:
    """Documents (a JSONL file), queries and relevance judgments."""

    name: str
    docs: Path
    queries: dict[str, str]
    qrels: dict[str, dict[str, int]]
    description: str = ""


@dataclass
class EvalResult:
    name: str
    scores: dict[str, float]
    run: dict[str, list[tuple[str, float]]]
    build_s: float
    query_s: float
    per_query: dict[str, dict[str, float]] = field(default_factory=dict)
    #: Queries the index refused (a QueryError, e.g. over the length limit): scored as no
    #: answer.
    refused: int = 0
    #: Queries answered by the any-word fallback (``search`` mode only).
    fell_back: frozenset[str] = frozenset()

    def scores_for(self, qids: Iterable[str]) -> dict[str, float]:
        return mean_scores(self.per_query, qids)


def split_of(qid: str) -> str:
    """``tuning`` or ``held-out``: a fixed split by a hash of the query id (even: tuning)."""
    return "tuning" if zlib.crc32(qid.encode("utf-8")) % 2 == 0 else "held-out"


# -- loading --------------------------------------------------------------------------------


def load_queries(path: str | Path) -> dict[str, str]:
    """``id<TAB>text`` per line."""
    queries: dict[str, str] = {}
    with open(path, encoding="utf-8", newline="") as fh:
        for n, row in enumerate(csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE), 1):
            if not row or not row[0].strip():
                continue
            if len(row) < 2:
                raise IngestError("expected id<TAB>query text", source=str(path), line=n)
            queries[row[0].strip()] = row[1]
    return queries


def load_qrels(path: str | Path) -> dict[str, dict[str, int]]:
    """TREC qrels: ``qid iteration docid relevance`` per line (whitespace-separated)."""
    qrels: dict[str, dict[str, int]] = {}
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            parts = line.split()
            if not parts:
                continue
            if len(parts) != 4:
                raise IngestError("expected: qid 0 docid relevance", source=str(path), line=n)
            try:
                grade = int(parts[3])
            except ValueError:
                raise IngestError(
                    f"relevance must be an integer, got {parts[3]!r}", source=str(path), line=n
                ) from None
            qrels.setdefault(parts[0], {})[parts[2]] = grade
    return qrels


# -- running ---------------------------------------------------------------------------------


def run_collection(
    name: str,
    docs: Path,
    queries: Mapping[str, str],
    qrels: Mapping[str, Mapping[str, int]],
    config: Mapping[str, Any],
    *,
    depth: int = DEPTH,
    workdir: Path | None = None,
) -> EvalResult:
    """Index ``docs`` with ``config`` in a temporary index and score every query."""
    collection = Collection(name, docs, dict(queries), {q: dict(r) for q, r in qrels.items()})
    return run_systems(collection, [System(name, config)], depth=depth, workdir=workdir)[0]


def run_systems(
    collection: Collection,
    systems: Sequence[System],
    *,
    depth: int = DEPTH,
    jobs: int = 1,
    workdir: Path | None = None,
    gain: str = "linear",
) -> list[EvalResult]:
    """Every system on ``collection``, in the order given; ``jobs`` worker processes;
    ``gain`` is nDCG's (:mod:`searchlib.evaluation.metrics`)."""
    for system in systems:
        if system.query_mode not in QUERY_MODES:
            raise ValueError(f"query_mode must be one of {QUERY_MODES}, not {system.query_mode!r}")
    groups: dict[tuple[str | None, str], list[int]] = {}
    for i, system in enumerate(systems):
        groups.setdefault(system.index_key(), []).append(i)
    batches = [[systems[i] for i in members] for members in groups.values()]
    # Idle workers take half of the largest batch: a second copy of an index is cheap next
    # to answering every query again.
    while jobs > 1 and len(batches) < jobs:
        largest = max(batches, key=len)
        if len(largest) < 2:
            break
        batches.remove(largest)
        half = len(largest) // 2
        batches += [largest[:half], largest[half:]]
    results: dict[str, EvalResult] = {}
    if jobs > 1 and len(batches) > 1:
        with ProcessPoolExecutor(max_workers=min(jobs, len(batches))) as pool:
            futures = [
                pool.submit(_run_group, collection, batch, depth, workdir, gain)
                for batch in batches
            ]
            for future in futures:
                for result in future.result():
                    results[result.name] = result
    else:
        for batch in batches:
            for result in _run_group(collection, batch, depth, workdir, gain):
                results[result.name] = result
    return [results[s.name] for s in systems]


def _run_group(
    collection: Collection,
    systems: Sequence[System],
    depth: int,
    workdir: Path | None,
    gain: str = "linear",
) -> list[EvalResult]:
    """Build one index for systems that share it, then run each system's queries."""
    mapper = systems[0].rewriter
    out = []
    with tempfile.TemporaryDirectory(dir=workdir) as tmp:
        started = time.perf_counter()
        docs = collection.docs
        if mapper is not None:
            docs = Path(tmp) / "docs.jsonl"
            _write_mapped(collection.docs, docs, mapper.text)
        path = Path(tmp) / "ix"
        with Index.create(path, systems[0].resolved_config()) as ix:
            ix.add_files([docs])
        build_s = time.perf_counter() - started
        for system in systems:
            with Index.open(path, system.resolved_config()) as ix:
                started = time.perf_counter()
                run: dict[str, list[tuple[str, float]]] = {}
                refused = 0
                fell_back = set()
                for qid, text in collection.queries.items():
                    if mapper is not None:
                        text = mapper.text(text)
                    try:
                        judged = collection.qrels.get(qid, {})
                        run[qid], fallback = _ranked(ix, text, system.query_mode, depth, judged)
                    except QueryError:  # e.g. a question over the length limit
                        run[qid] = []
                        refused += 1
                        continue
                    if fallback:
                        fell_back.add(qid)
                query_s = time.perf_counter() - started
            ranked = {qid: [doc for doc, _ in hits] for qid, hits in run.items()}
            scores = per_query(ranked, collection.qrels, gain)
            out.append(
                EvalResult(
                    system.name,
                    mean_scores(scores),
                    run,
                    build_s,
                    query_s,
                    per_query=scores,
                    refused=refused,
                    fell_back=frozenset(fell_back),
                )
            )
    return out


def any_word_query(text: str) -> str:
    """The words of ``text`` as one ranked any-word query (each word quoted literally)."""
    return " OR ".join(f'"{w.text}"' for w in _words(text))


def all_words_query(text: str) -> str:
    """The words of ``text`` as one all-words query (each word quoted literally)."""
    return " ".join(f'"{w.text}"' for w in _words(text))


def _words(text: str) -> list[Word]:
    node = parse_plain(text, max_chars=len(text))
    words = [node] if isinstance(node, Word) else list(getattr(node, "children", ()))
    return [w for w in words if isinstance(w, Word)]


def _ranked(
    ix: Index, text: str, mode: str, depth: int, judged: Mapping[str, int]
) -> tuple[list[tuple[str, float]], bool]:
    """The ranked documents. The default mode is the call a search box makes, duplicate
    stories collapsed as configured; a story is judged by its best-judged version (its hit
    shows one version and lists the others). The other modes rank every version on its
    own (``collapse=False``), as the reference rows do."""
    if mode == "default":
        results = ix.search(text, limit=depth)
    elif mode == "any":
        results = ix.search(any_word_query(text), limit=depth, syntax="query", collapse=False)
    elif mode == "all":
        results = ix.search(all_words_query(text), limit=depth, syntax="query", collapse=False)
    else:
        results = ix.search(text, limit=depth, syntax="plain", collapse=False)
    ranked = [(_judged_version(hit, judged), hit.score) for hit in results.hits]
    return ranked, results.fallback


def _judged_version(hit: Hit, judged: Mapping[str, int]) -> str:
    """The id of the hit's best-judged version (the hit's own id when none is better)."""
    return max((hit.id, *hit.duplicates), key=lambda doc: judged.get(doc, 0))


def filled(
    name: str,
    all_words: EvalResult,
    any_word: EvalResult,
    qrels: Mapping[str, Mapping[str, int]],
    depth: int = DEPTH,
    gain: str = "linear",
) -> EvalResult:
    """What an all-words search would score if any-word matches filled the rest of the
    ranking (instead of being used only when nothing matches all words): the all-words
    hits in their order, then the any-word hits not among them, in theirs. Built from two
    runs of the same config, so it costs no further queries."""
    run: dict[str, list[tuple[str, float]]] = {}
    for qid, hits in all_words.run.items():
        if qid in all_words.fell_back or not hits:
            run[qid] = list(any_word.run.get(qid, hits))
            continue
        seen = {doc for doc, _ in hits}
        rest = [(doc, score) for doc, score in any_word.run.get(qid, []) if doc not in seen]
        run[qid] = (list(hits) + rest)[:depth]
    ranked = {qid: [doc for doc, _ in hits] for qid, hits in run.items()}
    scores = per_query(ranked, qrels, gain)
    return EvalResult(
        name,
        mean_scores(scores),
        run,
        all_words.build_s,
        all_words.query_s + any_word.query_s,
        per_query=scores,
        refused=all_words.refused,
    )


def _write_mapped(source: Path, target: Path, rewrite: Any) -> None:
    """A copy of a JSONL document file with title and body rewritten by a reference stemmer."""
    with open(source, encoding="utf-8") as src, open(target, "w", encoding="utf-8") as dst:
        for line in _lines(src):
            doc = json.loads(line)
            for key in ("title", "body"):
                if isinstance(doc.get(key), str):
                    doc[key] = rewrite(doc[key])
            dst.write(json.dumps(doc, ensure_ascii=False) + "\n")


def _lines(fh: Iterable[str]) -> Iterator[str]:
    for line in fh:  # iterating splits on "\n" only: bodies may hold U+2028
        if line.strip():
            yield line


# -- output ------------------------------------------------------------------------------------


#: Run-file scores are written in millionths.
_SCORE_UNIT = 1_000_000


def write_trec_run(path: Path, result: EvalResult, tag: str | None = None) -> None:
    """A TREC run file whose scores keep searchlib's order.

    trec_eval ranks by score and breaks ties by document id, not by the rank column; so
    where searchlib's scores tie (or round to the same printed value) each later hit's
    score is written one millionth below the one before it.
    """
    with open(path, "w", encoding="utf-8") as fh:
        for qid, hits in result.run.items():
            printed = strictly_decreasing(score for _, score in hits)
            for rank, ((doc, _), score) in enumerate(zip(hits, printed, strict=True), 1):
                fh.write(f"{qid} Q0 {doc} {rank} {score} {tag or result.name}\n")


def strictly_decreasing(scores: Iterable[float]) -> list[str]:
    """``scores`` (best first) as printed scores that strictly decrease: each is the score
    to six decimals, or one millionth below the previous one where that is not lower."""
    out: list[str] = []
    previous: int | None = None
    for score in scores:
        units = round(score * _SCORE_UNIT)
        if previous is not None and units >= previous:
            units = previous - 1
        previous = units
        sign = "-" if units < 0 else ""
        whole, frac = divmod(abs(units), _SCORE_UNIT)
        out.append(f"{sign}{whole}.{frac:06d}")
    return out


def format_table(
    results: Iterable[EvalResult], *, splits: Mapping[str, Sequence[str]] | None = None
) -> str:
    """A Markdown table: one row per result; ``splits`` (name -> query ids) adds nDCG@10 and
    MRR@10 columns for each named subset of the queries."""
    splits = splits or {}
    head = ["system", "nDCG@10", "MRR@10", "R@10", "R@100", "queries"]
    for split in splits:
        head += [f"nDCG@10 {split}", f"MRR@10 {split}"]
    head += ["build s", "query ms"]
    rows = ["| " + " | ".join(head) + " |", "| --- |" + " ---: |" * (len(head) - 1)]
    for r in results:
        s = r.scores
        n = int(s["queries"])
        cells = [
            r.name,
            f"{s['ndcg@10']:.4f}",
            f"{s['mrr@10']:.4f}",
            f"{s['recall@10']:.4f}",
            f"{s['recall@100']:.4f}",
            str(n),
        ]
        for qids in splits.values():
            part = r.scores_for(qids)
            cells += [f"{part['ndcg@10']:.4f}", f"{part['mrr@10']:.4f}"]
        per_query_ms = 1000 * r.query_s / max(len(r.run), 1)
        cells += [f"{r.build_s:.1f}", f"{per_query_ms:.1f}"]
        rows.append("| " + " | ".join(cells) + " |")
    return "\n".join(rows)
