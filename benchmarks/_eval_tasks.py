"""Retrieval tasks for benchmarks/quality.py, read or built from ../shared at run time.

Nothing here is copied into the repository: the detik tasks are written to a temporary
directory on every run.

* facqa: IndoNLU's FacQA as shipped in shared/eval/facqa (questions written from one
  passage each; one relevant passage per question).
* detik-headline: each detik-1000 article's title is the query; the relevant document is
  that article indexed *without its title*, so the title's words must be found in the body,
  as a reader recalling a headline would type them. Exact duplicate articles (same title and
  body, 91 copies) are dropped first, so every query has exactly one right answer.
* detik-lead: each article's first sentence is the query; the relevant document is the
  article with that sentence removed and its title kept, so title and body both count (the
  task where the title boost matters). Articles whose rest is shorter than 300 characters
  are left out.

Both detik tasks are fair to every row: all rows index the same documents and run the same
queries, the query text never occurs verbatim in the indexed document, and the judgments
come from where the text was cut, not from any system's output.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from searchlib.evaluation.runner import Collection, load_qrels, load_queries

TASKS = ("facqa", "detik-headline", "detik-lead")

#: A sentence ends at . ! or ? (and a closing quote) before a space and a capital, digit or
#: opening quote; "Rp 1.000" and "5,12%" have no space after the point.
_SENTENCE_END = re.compile(r"[.!?][\"”’)]?\s+(?=[A-Z0-9\"“‘(])")
MIN_LEAD_WORDS = 8
MIN_REST_CHARS = 300


class TaskUnavailable(Exception):
    """The shared data a task needs is absent."""


def facqa(shared: Path) -> Collection:
    root = shared / "eval" / "facqa"
    if not (root / "docs.jsonl").is_file():
        raise TaskUnavailable(f"{root} is absent")
    return Collection(
        "facqa",
        root / "docs.jsonl",
        load_queries(root / "queries.tsv"),
        load_qrels(root / "qrels.tsv"),
        description=(
            "FacQA (IndoNLU): 1,369 news passages, 3,117 questions, one relevant passage each"
        ),
    )


def detik_articles(shared: Path) -> list[dict[str, str]]:
    """detik-1000 articles with exact duplicates (same title and body) dropped."""
    path = shared / "corpus" / "detik-1000.jsonl"
    if not path.is_file():
        raise TaskUnavailable(f"{path} is absent")
    seen: set[tuple[str, str]] = set()
    articles = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:  # split on "\n" only: bodies hold U+2028
            if not line.strip():
                continue
            doc = json.loads(line)
            key = (doc.get("title") or "", doc["body"])
            if key in seen or not key[0]:
                continue
            seen.add(key)
            articles.append(doc)
    return articles


def _write(path: Path, docs: list[dict[str, str]]) -> Path:
    with open(path, "w", encoding="utf-8") as fh:
        for doc in docs:
            fh.write(json.dumps(doc, ensure_ascii=False) + "\n")
    return path


def detik_headline(shared: Path, workdir: Path) -> Collection:
    articles = detik_articles(shared)
    docs = [{"id": a["id"], "body": a["body"]} for a in articles]
    return Collection(
        "detik-headline",
        _write(workdir / "detik-headline.jsonl", docs),
        {f"h-{a['id']}": a["title"] for a in articles},
        {f"h-{a['id']}": {a["id"]: 1} for a in articles},
        description=(
            f"detik-1000 headline -> article: {len(articles)} articles (duplicates dropped) "
            "indexed without their titles; each title is a query whose one relevant "
            "document is its own article"
        ),
    )


def split_lead(body: str) -> tuple[str, str] | None:
    """The first sentence of ``body`` (at least MIN_LEAD_WORDS words) and the rest."""
    for match in _SENTENCE_END.finditer(body):
        lead = body[: match.start() + 1].strip()
        if len(lead.split()) >= MIN_LEAD_WORDS:
            return lead, body[match.end() :].strip()
    return None


def detik_lead(shared: Path, workdir: Path) -> Collection:
    docs, queries, qrels = [], {}, {}
    articles = detik_articles(shared)
    for a in articles:
        parts = split_lead(a["body"])
        if parts is None or len(parts[1]) < MIN_REST_CHARS:
            continue
        lead, rest = parts
        docs.append({"id": a["id"], "title": a["title"], "body": rest})
        queries[f"l-{a['id']}"] = lead
        qrels[f"l-{a['id']}"] = {a["id"]: 1}
    return Collection(
        "detik-lead",
        _write(workdir / "detik-lead.jsonl", docs),
        queries,
        qrels,
        description=(
            f"detik-1000 lead sentence -> article: {len(docs)} of {len(articles)} articles "
            "indexed with title and body minus their first sentence; each first sentence is "
            "a query whose one relevant document is its own article"
        ),
    )


def build(name: str, shared: Path, workdir: Path) -> Collection:
    if name == "facqa":
        return facqa(shared)
    if name == "detik-headline":
        return detik_headline(shared, workdir)
    if name == "detik-lead":
        return detik_lead(shared, workdir)
    raise ValueError(f"unknown task {name!r}; known: {', '.join(TASKS)}")
