"""A synthetic index for comparing the top-k scorer and the match-set counter with
Whoosh's own matchers, and the random queries they are compared on.

The index is synthetic on purpose: a Zipf-like vocabulary over a few thousand documents
gives posting lists of many blocks (Whoosh writes 128 postings per block) next to rare
words, in several segments, with deleted and replaced documents -- every case the scorer
treats specially (block skipping, segment offsets, deletions). Categories, sources and
dates are random, some missing, for the filters and the facets.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

import pytest

from searchlib import Index
from searchlib.backends.embedded.compile import whoosh_query
from searchlib.backends.embedded.plan import AllOf, AnyOf, BestOf, Match, Phrase, Term
from searchlib.backends.embedded.schema import COMBINED_FIELD

WORDS = [f"kata{i}" for i in range(400)]
WEIGHTS = [1.0 / (i + 1) for i in range(len(WORDS))]
CATEGORIES = ["Ekonomi", "politik", "Olah Raga", "teknologi", ""]
SOURCES = [f"Sumber {i}" for i in range(30)]


def document(rng: random.Random, i: int) -> dict[str, str]:
    n = rng.randint(5, 120)
    body = " ".join(rng.choices(WORDS, WEIGHTS, k=n))
    if i % 4 == 0:  # a word of its own: a posting list of one, inlined in the term index
        body += f" langka{i}"
    title = " ".join(rng.choices(WORDS, WEIGHTS, k=rng.randint(1, 8)))
    doc = {"id": f"d{i}", "title": title, "body": body, "source": rng.choice(SOURCES)}
    if rng.random() < 0.9:  # some documents have no date
        doc["date"] = f"{rng.randint(2015, 2025)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    category = rng.choice(CATEGORIES)
    if category:  # some documents have none
        doc["category"] = category
    return doc


def build(path: Path) -> Index:
    """Three commits (several segments), deletions, and replaced documents."""
    rng = random.Random(7)
    index = Index.create(path, {"analyzer": "simple"})
    for batch in range(3):
        index.add([document(rng, batch * 1500 + i) for i in range(1500)])
    index.delete([f"d{i}" for i in range(0, 4500, 7)])
    index.add([document(rng, i) for i in range(3, 600, 11)])
    return index


def random_words(rng: random.Random) -> list[str]:
    """One to four words, common and rare mixed: the rare ones decide an AND, the common
    ones are long posting lists."""
    n = rng.choice([1, 1, 2, 2, 3, 4])
    words = [WORDS[min(int(rng.expovariate(1 / 40)), len(WORDS) - 1)] for _ in range(n)]
    if rng.random() < 0.3:
        words[0] = f"langka{4 * rng.randrange(1200)}"
    return words


def word_matches(rng: random.Random, count: int, *, boosts: bool = False) -> Iterator[Match]:
    """Random plain word queries in the combined field: a term, or terms joined by AND or
    OR; with ``boosts``, some terms weigh more (as a boosted field's terms do)."""
    for _ in range(count):
        terms = [
            Term(COMBINED_FIELD, w, rng.choice([1.0, 1.0, 2.5]) if boosts else 1.0)
            for w in random_words(rng)
        ]
        yield terms[0] if len(terms) == 1 else rng.choice([AllOf, AnyOf])(tuple(terms))


def form_matches(rng: random.Random, count: int) -> Iterator[Match]:
    """Random searches with groups of equivalent forms (as acronyms and their long forms
    make them): one or two groups of terms, phrases of common words (which stand next to
    each other in some documents and apart in others) and words all or any of which must
    match, with or without plain words beside them, joined by AND or OR."""
    for _ in range(count):
        parts: list[Match] = [
            Term(COMBINED_FIELD, w) for w in random_words(rng)[: rng.randint(0, 2)]
        ]
        for _ in range(rng.choice([1, 1, 2])):
            parts.append(BestOf(tuple(_form(rng) for _ in range(rng.choice([2, 2, 3])))))
        rng.shuffle(parts)
        yield parts[0] if len(parts) == 1 else rng.choice([AllOf, AnyOf])(tuple(parts))


def _form(rng: random.Random) -> Match:
    def common() -> str:
        return WORDS[min(int(rng.expovariate(1 / 6)), len(WORDS) - 1)]

    roll = rng.random()
    if roll < 0.35:
        return Term(COMBINED_FIELD, random_words(rng)[0], rng.choice([1.0, 0.2]))
    if roll < 0.8:
        texts = tuple(common() for _ in range(rng.choice([2, 2, 3])))
        return Phrase(COMBINED_FIELD, texts, rng.choice([1.0, 0.2, 0.1]))
    terms = tuple(Term(COMBINED_FIELD, common()) for _ in range(2))
    return rng.choice([AllOf, AnyOf])(terms)


def whoosh_top(searcher, match, k, filter_q=None):
    """Whoosh's best ``k`` (score, docnum) for ``match``, and how many match.

    optimize=False: Whoosh scores every match. Its block-quality pruning (optimize=True)
    can drop the best document of an AND query on this index, which the scorer must not.
    """
    results = searcher.search(whoosh_query(match), filter=filter_q, limit=None, optimize=False)
    return [(hit.score, hit.docnum) for hit in results][:k], results.scored_length()


def same_top(ours, theirs):
    """Same scores rank by rank; the same documents, except that among documents tied
    with the k-th score either may be the one kept."""
    assert len(ours) == len(theirs)
    for (score, _), (expected, _) in zip(ours, theirs, strict=True):
        assert score == pytest.approx(expected, rel=1e-9)
    if theirs:
        cut = theirs[-1][0] * (1 + 1e-9)
        assert {d for s, d in ours if s > cut} == {d for s, d in theirs if s > cut}
