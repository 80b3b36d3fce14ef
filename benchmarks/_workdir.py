"""What a run keeps in its work directory: the composed corpus and queries, described by a
metadata file so a later run with the same arguments reuses them, and one index directory per
system.

Composing a million documents takes minutes, so ``run.py --workdir DIR`` composes once:
``corpus.jsonl`` and ``queries.json`` are reused when ``corpus-meta.json`` beside them was
written for the same documents, seed, query count, source files (names and sizes), stopwords
and composing code, and the files still have the sizes it recorded. The metadata is written
last and removed before composing anew, so an interrupted run is never mistaken for a
finished one.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks import _corpus, _queries
from benchmarks._corpus import Composer, CorpusError, CorpusSource, words

CORPUS = "corpus.jsonl"
QUERIES = "queries.json"
META = "corpus-meta.json"
#: An empty file in every index directory a worker makes: a directory left from an earlier
#: run is removed only when it holds this, so a run never deletes what it did not make.
MARKER = ".benchmarks-index"


class WorkdirError(Exception):
    """The work directory holds something a run must not overwrite."""


@dataclass(frozen=True)
class Prepared:
    """The corpus and queries files of a run, and what was measured when composing them."""

    corpus: Path
    queries: Path
    query_list: list[str]
    text_mb: float
    vocabulary: int
    description: str
    #: Seconds spent composing now (0 when reused) and when the files were composed.
    seconds: float
    composed_s: float
    reused: bool


def _digest(parts: list[bytes]) -> str:
    hashed = hashlib.sha256()
    for part in parts:
        hashed.update(len(part).to_bytes(8, "big") + part)
    return hashed.hexdigest()[:16]


def corpus_key(source: CorpusSource, docs: int, seed: int, queries: int) -> dict[str, Any]:
    """Everything the composed files depend on; equal keys compose equal files."""
    files = sorted(set(source.article_files) | set(source.sentence_files))
    code = [Path(module.__file__ or "").read_bytes() for module in (_corpus, _queries)]
    return {
        "docs": docs,
        "seed": seed,
        "queries": queries,
        "source": source.label,
        "files": [[f.name, f.stat().st_size] for f in files],
        "articles": [f.name for f in source.article_files],
        "stopwords": _digest([w.encode() for w in sorted(_queries.stopwords())]),
        "code": _digest(code),
    }


def _reusable(workdir: Path, key: dict[str, Any]) -> dict[str, Any] | None:
    """The metadata of files composed for ``key`` and left intact, else None."""
    try:
        meta = json.loads((workdir / META).read_text(encoding="utf-8"))
        intact = (
            meta["key"] == key
            and (workdir / CORPUS).stat().st_size == meta["corpus_bytes"]
            and (workdir / QUERIES).stat().st_size == meta["queries_bytes"]
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return meta if intact else None


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


def _compose(workdir: Path, source: CorpusSource, key: dict[str, Any]) -> dict[str, Any]:
    started = time.perf_counter()
    (workdir / META).unlink(missing_ok=True)
    composer = Composer(source, seed=key["seed"])
    titles, text_mb, vocabulary = write_corpus(composer, key["docs"], workdir / CORPUS)
    queries = _queries.derive_queries(
        titles, _queries.stopwords(), count=key["queries"], seed=key["seed"]
    )
    (workdir / QUERIES).write_text(json.dumps(queries, ensure_ascii=False), encoding="utf-8")
    meta = {
        "key": key,
        "text_mb": text_mb,
        "vocabulary": vocabulary,
        "corpus": f"{composer.describe(key['docs'])}; {vocabulary:,} distinct words",
        "corpus_bytes": (workdir / CORPUS).stat().st_size,
        "queries_bytes": (workdir / QUERIES).stat().st_size,
        "composed_s": round(time.perf_counter() - started, 1),
    }
    (workdir / META).write_text(json.dumps(meta, indent=2, ensure_ascii=False), encoding="utf-8")
    return meta


def prepare(workdir: Path, source: CorpusSource, docs: int, seed: int, queries: int) -> Prepared:
    """The corpus and queries in ``workdir``: those left there for the same key, else new."""
    started = time.perf_counter()
    key = corpus_key(source, docs, seed, queries)
    meta = _reusable(workdir, key)
    reused = meta is not None
    if meta is None:
        meta = _compose(workdir, source, key)
    query_list = json.loads((workdir / QUERIES).read_text(encoding="utf-8"))
    return Prepared(
        corpus=workdir / CORPUS,
        queries=workdir / QUERIES,
        query_list=query_list,
        text_mb=meta["text_mb"],
        vocabulary=meta["vocabulary"],
        description=meta["corpus"],
        seconds=time.perf_counter() - started,
        composed_s=meta["composed_s"],
        reused=reused,
    )


def clear_index(path: Path) -> None:
    """Remove a system's index directory left from an earlier run, so it builds anew."""
    if not path.exists() and not path.is_symlink():
        return
    if not path.is_dir() or path.is_symlink() or not (path / MARKER).is_file():
        raise WorkdirError(
            f"{path} exists but is no index directory of an earlier run (no {MARKER} in it): "
            "remove it or choose another --workdir"
        )
    shutil.rmtree(path)
