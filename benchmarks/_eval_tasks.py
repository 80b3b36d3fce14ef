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
* detik-keywords: 2 or 3 content words of each title (drawn by a hash of the id, in title
  order, lowercased as typed into a search box) are the query; the relevant document is its
  own article, indexed whole (title and body). The task of short keyword queries.
* mixed-untitled: the detik titles as queries against their articles indexed *without*
  titles, in an archive where everything else keeps its title: half of the detik articles
  (chosen by a hash of the id) are the queries' articles, untitled; the other half keep their
  titles and are never relevant, and every other shared corpus is added as it is (hoax-news
  with titles; Wikipedia passages, IndoNLI premises and SmSA reviews have none). A headline
  typed to find an untitled item must not lose to titled documents sharing one of its words.
* detik-middle: like detik-lead, but the query is the middle sentence of the body (of those
  with at least 8 words), which a headline summarizes less often than the lead: a check
  that a title weight tuned on detik-lead does not just reward headline-like queries. Not
  in the default run (``--tasks`` names it).
* detik-acronym: the articles indexed without titles, as in detik-headline; the queries are
  the titles that name a form of a group of ``analyzers/acronyms-id.txt`` (KPK, Komisi
  Pemberantasan Korupsi) which the article's body never uses while it uses another form of
  the group. A title written so is the query as is (Menkeu in the title, Menteri Keuangan
  in the body); otherwise a title whose form the body uses, with none of the others, is the
  query with that form swapped for the group's next form (the KPK story looked for as
  Komisi Pemberantasan Korupsi). Only the swap is constructed; the judgment is still the
  title's own article.

The detik tasks are fair to every row: all rows index the same documents and run the same
queries, and the judgments come from where the text was cut, not from any system's output.
Except in detik-keywords (whose words come from the indexed title, as a reader's remembered
keywords do), the query text never occurs verbatim in the indexed document.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
import zlib
from functools import cache
from pathlib import Path

from benchmarks._queries import content_words, stopwords
from searchlib.evaluation.runner import Collection, load_qrels, load_queries
from searchlib.query.synonyms import builtin_groups, parse_form

TASKS = (
    "facqa",
    "detik-headline",
    "detik-lead",
    "detik-keywords",
    "mixed-untitled",
    "detik-acronym",
)
EXTRA_TASKS = ("detik-middle",)

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


def split_middle(body: str) -> tuple[str, str] | None:
    """The middle sentence of ``body`` (of those with at least MIN_LEAD_WORDS words) and the
    body without it."""
    starts = [0] + [m.end() for m in _SENTENCE_END.finditer(body)]
    spans = [(a, b) for a, b in zip(starts, [*starts[1:], len(body)], strict=True)]
    long = [(a, b) for a, b in spans if len(body[a:b].split()) >= MIN_LEAD_WORDS]
    if len(long) < 3:
        return None
    a, b = long[len(long) // 2]
    return body[a:b].strip(), (body[:a] + body[b:]).strip()


def _cut_task(name: str, shared: Path, workdir: Path, cut, what: str) -> Collection:
    docs, queries, qrels = [], {}, {}
    articles = detik_articles(shared)
    for a in articles:
        parts = cut(a["body"])
        if parts is None or len(parts[1]) < MIN_REST_CHARS:
            continue
        sentence, rest = parts
        docs.append({"id": a["id"], "title": a["title"], "body": rest})
        queries[f"{name[6]}-{a['id']}"] = sentence
        qrels[f"{name[6]}-{a['id']}"] = {a["id"]: 1}
    return Collection(
        name,
        _write(workdir / f"{name}.jsonl", docs),
        queries,
        qrels,
        description=(
            f"detik-1000 {what} sentence -> article: {len(docs)} of {len(articles)} articles "
            f"indexed with title and body minus their {what} sentence; each such sentence is "
            "a query whose one relevant document is its own article"
        ),
    )


def detik_lead(shared: Path, workdir: Path) -> Collection:
    return _cut_task("detik-lead", shared, workdir, split_lead, "first")


def detik_middle(shared: Path, workdir: Path) -> Collection:
    return _cut_task("detik-middle", shared, workdir, split_middle, "middle")


@cache
def _pattern(form: str, exact: bool) -> re.Pattern[str]:
    """``form`` as whole words; in any case unless the list says it is typed exactly."""
    flags = 0 if exact else re.IGNORECASE
    return re.compile(r"(?<![\w-])" + re.escape(form) + r"(?![\w-])", flags)


def _named_forms(title: str) -> list[tuple[re.Match[str], list[str]]]:
    """The listed forms ``title`` names, longest first where two overlap (Satpol PP, not
    PP), each with the other forms of its group, in title order."""
    found = []
    for group in builtin_groups():
        forms = [parse_form(f) for f in group]
        for i, (form, exact) in enumerate(forms):
            for typed in _pattern(form, exact).finditer(title):
                others = [other for j, (other, _) in enumerate(forms) if j != i]
                found.append((typed, others))
    found.sort(key=lambda f: (f[0].start() - f[0].end(), f[0].start()))
    kept: list[tuple[re.Match[str], list[str]]] = []
    for typed, others in found:
        if all(typed.end() <= k.start() or typed.start() >= k.end() for k, _ in kept):
            kept.append((typed, others))
    return sorted(kept, key=lambda f: f[0].start())


def acronym_query(title: str, body: str) -> str | None:
    """A query in one form of a listed group whose answer, ``body``, uses only other forms.

    The title itself when it names a form the body never uses while the body uses another
    form of that group (Menkeu in the title, Menteri Keuangan in the body); else the title
    with a form the body uses swapped for the group's other form when the body uses none of
    the others (a reader recalling "Komisi Pemberantasan Korupsi" for a KPK story); else None.
    """
    swapped = None
    for typed, others in _named_forms(title):
        in_body = _pattern(typed.group(), False).search(body) is not None
        other_in_body = any(_pattern(o, False).search(body) for o in others)
        if other_in_body and not in_body:
            return title
        if in_body and not other_in_body and swapped is None:
            swapped = title[: typed.start()] + others[0] + title[typed.end() :]
    return swapped


def detik_acronym(shared: Path, workdir: Path) -> Collection:
    articles = detik_articles(shared)
    docs = [{"id": a["id"], "body": a["body"]} for a in articles]
    queries = {}
    for a in articles:
        query = acronym_query(a["title"], a["body"])
        if query is not None:
            queries[f"a-{a['id']}"] = query
    return Collection(
        "detik-acronym",
        _write(workdir / "detik-acronym.jsonl", docs),
        queries,
        {qid: {qid[2:]: 1} for qid in queries},
        description=(
            f"detik-1000 acronyms: {len(queries)} titles naming a form of a group in "
            f"analyzers/acronyms-id.txt, as queries against the {len(articles)} articles "
            "indexed without titles; each query's form is absent from its one relevant "
            "article, which uses another form of the group (the title as written when the "
            "body uses only another form, else the title with its form swapped)"
        ),
    )


def title_keywords(doc_id: str, title: str, stop: frozenset[str]) -> str | None:
    """2 or 3 of the title's content words, in title order (None if it has fewer than 2)."""
    words = list(dict.fromkeys(content_words(title, stop)))
    if len(words) < 2:
        return None
    rng = random.Random(zlib.crc32(doc_id.encode("utf-8")))
    picked = sorted(rng.sample(range(len(words)), min(len(words), rng.choice((2, 3)))))
    return " ".join(words[i] for i in picked)


def detik_keywords(shared: Path, workdir: Path) -> Collection:
    articles = detik_articles(shared)
    stop = stopwords()
    queries, qrels = {}, {}
    for a in articles:
        text = title_keywords(a["id"], a["title"], stop)
        if text is not None:
            queries[f"k-{a['id']}"] = text
            qrels[f"k-{a['id']}"] = {a["id"]: 1}
    docs = [{"id": a["id"], "title": a["title"], "body": a["body"]} for a in articles]
    return Collection(
        "detik-keywords",
        _write(workdir / "detik-keywords.jsonl", docs),
        queries,
        qrels,
        description=(
            f"detik-1000 title keywords -> article: {len(queries)} queries of 2-3 content "
            f"words of a title; {len(articles)} articles indexed whole (duplicates dropped); "
            "each query's one relevant document is its own article"
        ),
    )


#: Shared corpora added whole to mixed-untitled, with the titles they have.
MIXED_CORPORA = ("hoax-news", "idwiki-tydiqa-passages", "indonli-premises", "smsa-reviews")


def _corpus(path: Path) -> list[dict[str, str]]:
    if not path.is_file():
        raise TaskUnavailable(f"{path} is absent")
    with open(path, encoding="utf-8") as fh:  # split on "\n" only: bodies hold U+2028
        return [json.loads(line) for line in fh if line.strip()]


def mixed_untitled(shared: Path, workdir: Path) -> Collection:
    docs, queries, qrels = [], {}, {}
    for a in detik_articles(shared):
        # Not CRC32, which is affine: its parity would fix every query's tuning/held-out half.
        if hashlib.sha1(a["id"].encode("utf-8")).digest()[0] % 2:
            docs.append({"id": a["id"], "title": a["title"], "body": a["body"]})
            continue
        docs.append({"id": a["id"], "body": a["body"]})
        queries[f"u-{a['id']}"] = a["title"]
        qrels[f"u-{a['id']}"] = {a["id"]: 1}
    for name in MIXED_CORPORA:
        for doc in _corpus(shared / "corpus" / f"{name}.jsonl"):
            docs.append({k: doc[k] for k in ("id", "title", "body") if doc.get(k)})
    titled = sum(1 for d in docs if "title" in d)
    return Collection(
        "mixed-untitled",
        _write(workdir / "mixed-untitled.jsonl", docs),
        queries,
        qrels,
        description=(
            f"detik titles -> untitled article in a mixed archive: {len(docs)} documents "
            f"({titled} with titles); {len(queries)} detik articles indexed without their "
            "titles, each title a query whose one relevant document is its own article"
        ),
    )


def build(name: str, shared: Path, workdir: Path) -> Collection:
    if name == "facqa":
        return facqa(shared)
    if name == "detik-headline":
        return detik_headline(shared, workdir)
    if name == "detik-lead":
        return detik_lead(shared, workdir)
    if name == "detik-middle":
        return detik_middle(shared, workdir)
    if name == "detik-acronym":
        return detik_acronym(shared, workdir)
    if name == "detik-keywords":
        return detik_keywords(shared, workdir)
    if name == "mixed-untitled":
        return mixed_untitled(shared, workdir)
    raise ValueError(f"unknown task {name!r}; known: {', '.join(TASKS + EXTRA_TASKS)}")
