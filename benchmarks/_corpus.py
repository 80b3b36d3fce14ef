"""The benchmark corpus: real articles first, then article-sized documents composed from real
sentences, deterministic for a seed.

Real news at benchmark scale is not available, so past the real articles we compose: each
composed document takes a real title and the lead of that title's own document (so title
queries find it), then real sentences drawn from every source file in proportion to its words,
up to a length drawn from the real articles' lengths. A fixed pool of sentences alone would stop
adding new words once every sentence has been used, which real news never does (Heaps' law);
so numbers are re-drawn with the same shape (years stay plausible) and capitalized names are
swapped for other real names drawn by their frequency. Text is only read at run time: nothing
from the source files is copied into the repository.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
SHARED_CORPUS = REPO.parent / "shared" / "corpus"
SAMPLE_FILE = REPO / "searchlib" / "sample" / "articles.jsonl"
#: The one shared file with full news articles (titles and bodies of several hundred words).
SHARED_ARTICLES = "detik-1000.jsonl"

DEFAULT_SEED = 20251129
#: Real documents keep these fields; composed ones get the same minus url.
FIELDS = ("id", "title", "body", "date", "url", "category", "source")
#: Sentences outside this word range are headings, fragments or run-ons, not prose.
MIN_SENTENCE_WORDS, MAX_SENTENCE_WORDS = 4, 80
#: A composed body opens with up to this many sentences of its title's own document.
LEAD_SENTENCES = 2
#: Chance that a capitalized mid-sentence word is swapped for another real name.
NAME_SWAP = 0.5
#: A composed document's body is at least this many words, whatever length was drawn.
MIN_COMPOSED_WORDS = 120

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=\S)")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
# A capitalized word after whitespace: mid-sentence, so most likely a name, not a sentence start.
_NAME = re.compile(r"(?<=\s)[A-Z][a-z]{2,}\b")
# Words as searchlib's tokenizer splits them: "1.234", "e-commerce" and "45,82" stay whole.
_WORD = re.compile(r"\w+(?:[-.,]\w+)*")


class CorpusError(Exception):
    """No usable source text."""


@dataclass(frozen=True)
class CorpusSource:
    """Where the text comes from: real articles used verbatim, and every file for sentences."""

    label: str
    article_files: tuple[Path, ...]
    sentence_files: tuple[Path, ...]


def find_source(shared_corpus: Path = SHARED_CORPUS, sample: Path = SAMPLE_FILE) -> CorpusSource:
    """The shared corpus when present, else the built-in sample."""
    files = tuple(sorted(shared_corpus.glob("*.jsonl"))) if shared_corpus.is_dir() else ()
    articles = tuple(f for f in files if f.name == SHARED_ARTICLES)
    if files and articles:
        return CorpusSource(f"../shared/corpus ({len(files)} files)", articles, files)
    if sample.is_file():
        return CorpusSource(
            "the built-in sample searchlib/sample/articles.jsonl (../shared is absent)",
            (sample,),
            (sample,),
        )
    raise CorpusError(
        f"no corpus: neither {shared_corpus} nor {sample} exists",
    )


def read_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    # Iterating a file splits on "\n" only; bodies may hold U+2028, which splitlines() splits.
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                yield json.loads(line)


def sentences(text: str) -> list[str]:
    out = []
    for paragraph in text.split("\n"):
        for sentence in _SENTENCE_END.split(paragraph.strip()):
            if MIN_SENTENCE_WORDS <= len(sentence.split()) <= MAX_SENTENCE_WORDS:
                out.append(sentence)
    return out


def words(text: str) -> list[str]:
    """The lowercased words of ``text``, for counting a vocabulary."""
    return _WORD.findall(text.lower())


def vocabulary(docs: list[dict[str, Any]]) -> set[str]:
    """Distinct lowercased words of titles and bodies."""
    out: set[str] = set()
    for doc in docs:
        out.update(words(f"{doc['title']} {doc['body']}"))
    return out


@dataclass
class _Pools:
    articles: list[dict[str, Any]]
    lengths: list[int]  # body word counts of the real articles
    titled: list[dict[str, Any]]  # every document with a title, from any file
    by_file: dict[str, list[str]]  # sentences per source file
    file_words: dict[str, int]
    names: list[str]  # every name occurrence, so a draw follows real frequencies


def _load(source: CorpusSource) -> _Pools:
    articles: list[dict[str, Any]] = []
    for path in source.article_files:
        articles.extend(d for d in read_jsonl(path) if d.get("title") and d.get("body"))
    if not articles:
        raise CorpusError(f"{source.label}: no documents with a title and a body")
    titled: list[dict[str, Any]] = []
    by_file: dict[str, list[str]] = {}
    names: list[str] = []
    for path in source.sentence_files:
        pool: list[str] = []
        for doc in read_jsonl(path):
            if doc.get("title") and doc.get("body"):
                titled.append(doc)
            pool.extend(sentences(str(doc.get("body") or "")))
        by_file[path.name] = pool
        for sentence in pool:
            names.extend(_NAME.findall(sentence))
    by_file = {name: pool for name, pool in by_file.items() if pool}
    if not by_file:
        raise CorpusError(f"{source.label}: no sentences")
    return _Pools(
        articles=articles,
        lengths=[len(str(d["body"]).split()) for d in articles],
        titled=titled,
        by_file=by_file,
        file_words={name: sum(len(s.split()) for s in pool) for name, pool in by_file.items()},
        names=names or ["Jakarta"],
    )


class Composer:
    """``documents(n)``: the first ``n`` documents; the same seed always gives the same ones,
    and a smaller ``n`` gives a prefix of a larger one."""

    def __init__(self, source: CorpusSource, seed: int = DEFAULT_SEED) -> None:
        self.source = source
        self.seed = seed
        self._pools = _load(source)

    @property
    def real_count(self) -> int:
        return len(self._pools.articles)

    def documents(self, n: int) -> Iterator[dict[str, Any]]:
        pools = self._pools
        for doc in pools.articles[:n]:
            yield {k: doc[k] for k in FIELDS if doc.get(k) is not None}
        rng = random.Random(self.seed)
        files = list(pools.by_file)
        weights = [pools.file_words[f] for f in files]
        for i in range(1, n - len(pools.articles) + 1):
            yield self._compose(i, rng, files, weights)

    def _compose(
        self, i: int, rng: random.Random, files: list[str], weights: list[int]
    ) -> dict[str, Any]:
        pools = self._pools
        origin = rng.choice(pools.titled)
        target = max(MIN_COMPOSED_WORDS, rng.choice(pools.lengths))
        body = [self._vary(s, rng) for s in sentences(str(origin["body"]))[:LEAD_SENTENCES]]
        words = sum(len(s.split()) for s in body)
        while words < target:
            pool = pools.by_file[rng.choices(files, weights)[0]]
            sentence = self._vary(rng.choice(pool), rng)
            body.append(sentence)
            words += len(sentence.split())
        paragraphs = []
        while body:
            size = rng.randint(2, 5)
            paragraphs.append(" ".join(body[:size]))
            body = body[size:]
        doc: dict[str, Any] = {
            "id": f"composed-{i:07d}",
            "title": self._vary(str(origin["title"]), rng),
            "body": "\n".join(paragraphs),
            "date": f"{rng.randint(2015, 2025)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
            "source": "composed",
        }
        if origin.get("category"):
            doc["category"] = origin["category"]
        return doc

    def _vary(self, text: str, rng: random.Random) -> str:
        names = self._pools.names

        def number(match: re.Match[str]) -> str:
            digits = match.group()
            if len(digits) <= 2:  # small counts, days, months: a closed set anyway
                return digits
            if len(digits) == 4 and digits[:2] in ("19", "20"):
                return str(rng.randint(1945, 2025))
            first = str(rng.randint(1, 9))
            return first + "".join(str(rng.randint(0, 9)) if c.isdigit() else c for c in digits[1:])

        def name(match: re.Match[str]) -> str:
            return rng.choice(names) if rng.random() < NAME_SWAP else match.group()

        return _NAME.sub(name, _NUMBER.sub(number, text))

    def describe(self, n: int) -> str:
        pools = self._pools
        real = min(n, len(pools.articles))
        article_files = ", ".join(p.name for p in self.source.article_files)
        text = f"{n:,} documents from {self.source.label}: {real:,} real articles ({article_files})"
        composed = n - real
        if composed <= 0:
            return text + ", used as they are"
        total = sum(pools.file_words.values())
        mix = ", ".join(
            f"{name} {100 * words / total:.0f}%" for name, words in pools.file_words.items()
        )
        return (
            f"{text} + {composed:,} composed (seed {self.seed}): each takes a real title "
            f"({len(pools.titled):,} titled documents) and up to {LEAD_SENTENCES} lead sentences "
            f"of its document, then real sentences drawn from all files by word share ({mix}) "
            f"up to a length drawn from the real articles' lengths (at least "
            f"{MIN_COMPOSED_WORDS} words); numbers of 3+ digits re-drawn with the same shape "
            f"(years 1945-2025), capitalized mid-sentence words swapped with probability "
            f"{NAME_SWAP} for real names drawn by frequency ({len(pools.names):,} occurrences); "
            f"random dates 2015-2025; source 'composed'"
        )
