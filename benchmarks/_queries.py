"""Benchmark queries: 1-3 content words of real titles, in their surface (unstemmed) form.

Content words are letters-only words of 3+ characters that neither searchlib's default analyzer
nor Whoosh's StandardAnalyzer drops as a stopword, so every system sees the same words and no
query is all stopwords. Words are lowercased, as people type them into a search box (and so an
English title's "AND"/"OR"/"NOT" is never read as an operator by a query parser).
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from pathlib import Path

import yaml

from benchmarks._corpus import REPO

DEFAULT_COUNT = 300
DEFAULT_SEED = 20251129
#: How many content words a query takes, and how often.
WORDS_PER_QUERY = (1, 2, 3)
WORDS_WEIGHTS = (3, 4, 3)
# Words as searchlib's tokenizer sees them; only the letters-only ones become query words.
_TOKEN = re.compile(r"\w+(?:[-.,'’]\w+)*")
_LETTERS = re.compile(r"[^\W\d_]{3,}")


def stopwords(analyzers: Path = REPO / "analyzers", analyzer: str = "indonesian") -> frozenset[str]:
    """searchlib's default analyzer's stopwords plus Whoosh's English ones."""
    from whoosh.analysis import STOP_WORDS

    words = set(STOP_WORDS)
    spec = yaml.safe_load((analyzers / f"{analyzer}.yaml").read_text(encoding="utf-8")) or {}
    listed = (spec.get("stopwords") or {}).get("file")
    if listed:
        for line in (analyzers / listed).read_text(encoding="utf-8").splitlines():
            word = line.split("#", 1)[0].strip().lower()
            if word:
                words.add(word)
    return frozenset(words)


def content_words(title: str, stop: frozenset[str]) -> list[str]:
    words = []
    for token in _TOKEN.findall(title):
        word = token.lower()
        if _LETTERS.fullmatch(word) and word not in stop:
            words.append(word)
    return words


def derive_queries(
    titles: Sequence[str],
    stop: frozenset[str],
    count: int = DEFAULT_COUNT,
    seed: int = DEFAULT_SEED,
) -> list[str]:
    """``count`` queries, each 1-3 content words of one title in title order; distinct while
    the titles allow it (a tiny corpus may repeat some)."""
    rng = random.Random(seed)
    candidates = [words for words in (content_words(t, stop) for t in titles) if words]
    if not candidates:
        raise ValueError("no title has a content word to query")
    queries: list[str] = []
    seen: set[str] = set()
    attempts = 0
    while len(queries) < count:
        words = rng.choice(candidates)
        k = min(len(words), rng.choices(WORDS_PER_QUERY, WORDS_WEIGHTS)[0])
        picked = sorted(rng.sample(range(len(words)), k))
        query = " ".join(words[i] for i in picked)
        attempts += 1
        if query in seen and attempts < 50 * count:
            continue
        seen.add(query)
        queries.append(query)
    return queries
