"""The plain-words fast path returns exactly what Whoosh's own matchers return.

The index is synthetic on purpose: a Zipf-like vocabulary over a few thousand documents
gives posting lists of many blocks (Whoosh writes 128 postings per block) next to rare
words, in several segments, with deleted and replaced documents -- every case the fast
path treats specially (block skipping, segment offsets, deletions).
"""

from __future__ import annotations

import random
from datetime import datetime

import pytest
from _threads import run_threads
from whoosh import query as wq

from searchlib import Index
from searchlib.backends.embedded.compile import date_range
from searchlib.backends.embedded.schema import COMBINED_FIELD
from searchlib.backends.embedded.topk import plain_terms, top_k

WORDS = [f"kata{i}" for i in range(400)]
WEIGHTS = [1.0 / (i + 1) for i in range(len(WORDS))]


CATEGORIES = ["Ekonomi", "politik", "Olah Raga", "teknologi", ""]
SOURCES = [f"Sumber {i}" for i in range(30)]


def _doc(rng: random.Random, i: int) -> dict[str, str]:
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


@pytest.fixture(scope="module")
def ix(tmp_path_factory):
    rng = random.Random(7)
    path = tmp_path_factory.mktemp("fast") / "ix"
    with Index.create(path, {"analyzer": "simple"}) as index:
        for batch in range(3):  # three commits: several segments
            index.add([_doc(rng, batch * 1500 + i) for i in range(1500)])
        index.delete([f"d{i}" for i in range(0, 4500, 7)])
        index.add([_doc(rng, i) for i in range(3, 600, 11)])  # replacements
        yield index


def _whoosh(searcher, q, k):
    # optimize=False: Whoosh scores every match. Its block-quality pruning (optimize=True)
    # was seen to drop the best document of an AND query here, which this path must not.
    results = searcher.search(q, limit=None, optimize=False)
    return [(hit.score, hit.docnum) for hit in results][:k], results.scored_length()


def _queries(rng: random.Random, count: int):
    for _ in range(count):
        n = rng.choice([1, 1, 2, 2, 3, 4])
        # Mix common and rare words: the rare ones decide AND, the common ones are long lists.
        words = [WORDS[min(int(rng.expovariate(1 / 40)), len(WORDS) - 1)] for _ in range(n)]
        if rng.random() < 0.3:
            words[0] = f"langka{4 * rng.randrange(1200)}"
        terms = [wq.Term(COMBINED_FIELD, w) for w in words]
        if n == 1:
            yield terms[0]
        else:
            yield rng.choice([wq.And, wq.Or])(terms)


def _same(fast, slow):
    """Same scores rank by rank; the same documents, except that among documents tied
    with the k-th score either may be the one kept."""
    assert len(fast) == len(slow)
    for (fs, _), (ss, _) in zip(fast, slow, strict=True):
        assert fs == pytest.approx(ss, rel=1e-9)
    if slow:
        cut = slow[-1][0] * (1 + 1e-9)
        assert {d for s, d in fast if s > cut} == {d for s, d in slow if s > cut}


@pytest.mark.parametrize("k", [1, 10, 100])
def test_fast_path_equals_whoosh(ix, k):
    store = ix._backend
    searcher = store._searcher()
    assert len(searcher.leaf_searchers()) > 1 and searcher.reader().has_deletions()
    rng = random.Random(k)
    answered = 0
    for q in _queries(rng, 150):
        fast = top_k(searcher, q, k, seconds=60)
        assert fast is not None, q  # plain word queries must take the fast path
        answered += 1
        scored, matched, segments = fast
        if segments is not None:
            assert sum(len(docs) for _, docs in segments) == matched
        slow, total = _whoosh(searcher, q, k)
        _same(scored, slow)
        if matched is not None:
            assert matched == total, q
    assert answered == 150


def test_keyword_filters_equal_whoosh(ix):
    from searchlib.backends.embedded.matchsets import filter_sets

    searcher = ix._backend._searcher()
    rng = random.Random(5)
    filters = [
        wq.Term("category", "ekonomi"),
        wq.Or([wq.Term("category", "politik"), wq.Term("category", "olah raga")]),
        wq.And([wq.Term("category", "teknologi"), wq.Term("source", "sumber 3")]),
        wq.Term("source", "tidak ada"),
        date_range("date", datetime(2018, 1, 1), datetime(2020, 6, 1)),
        date_range("date", None, datetime(2016, 1, 1)),
        wq.And([wq.Term("category", "ekonomi"), date_range("date", datetime(2021, 1, 1), None)]),
    ]
    for q in _queries(rng, 80):
        for f in filters:
            allowed = filter_sets(f)
            assert allowed is not None
            fast = top_k(searcher, q, 10, seconds=60, allowed=allowed)
            assert fast is not None
            results = searcher.search(q, filter=f, limit=None, optimize=False)
            slow = [(hit.score, hit.docnum) for hit in results][:10]
            _same(fast.scored, slow)
            if fast.matched is not None:
                assert fast.matched == results.scored_length()
    assert filter_sets(None) is None


def test_search_results_are_the_same_with_and_without_the_fast_path(ix, monkeypatch):
    queries = ["kata3 kata50", "kata1", "kata7 OR kata300", "kata0 kata1 kata2", "kata399"]
    filters = [None, {"category": "Ekonomi"}, {"category": ["politik", "teknologi"]}]
    runs = [(q, f, since) for q in queries for f in filters for since in (None, "2019-03-01")]
    fast = [ix.search(q, limit=20, filters=f, since=since) for q, f, since in runs]
    computed = [(r.total, r.facets) for r in fast]  # now, while the fast path is there
    monkeypatch.setattr("searchlib.backends.embedded.store.top_k", lambda *a, **kw: None)
    monkeypatch.setattr("searchlib.backends.embedded.store.match_sets", lambda *a, **kw: None)
    slow = [ix.search(q, limit=20, filters=f, since=since) for q, f, since in runs]
    for f, s, (total, facets) in zip(fast, slow, computed, strict=True):
        assert [h.score for h in f.hits] == pytest.approx([h.score for h in s.hits], rel=1e-9)
        assert (total, facets) == (s.total, s.facets)
        assert f.fallback == s.fallback


def test_words_found_in_one_document(tmp_path):
    # Words of one or two documents, in one segment and after Whoosh's own merge.
    rng = random.Random(3)
    docs = [_doc(rng, i) for i in range(300)]
    docs[17]["body"] += " satusatunya kata1"
    docs[40]["body"] += " satusatunya"
    docs[41]["body"] += " sekalisaja kata0"
    with Index.create(tmp_path / "ix", {"analyzer": "simple"}) as index:
        index.add(docs[:150])
        index.add(docs[150:])
        _check_rare_words(index)
        index.optimize()
        _check_rare_words(index)


def _check_rare_words(index):
    searcher = index._backend._searcher()
    for words, required in (
        (["sekalisaja"], True),
        (["sekalisaja", "kata0"], True),
        (["satusatunya", "kata1"], True),
        (["sekalisaja", "satusatunya"], False),
    ):
        terms = [wq.Term(COMBINED_FIELD, w) for w in words]
        q = terms[0] if len(terms) == 1 else (wq.And if required else wq.Or)(terms)
        fast = top_k(searcher, q, 10, seconds=60)
        assert fast is not None
        slow, total = _whoosh(searcher, q, 10)
        _same(fast[0], slow)
        assert fast[0], words
        assert fast[1] in (None, total)


def test_totals_and_facets_equal_whoosh(ix):
    backend = ix._backend
    rng = random.Random(11)
    queries = list(_queries(rng, 60))
    filters = [None, wq.Term("category", "ekonomi"), date_range("date", datetime(2019, 1, 1), None)]
    for f in filters:
        fast = []
        for q in queries:
            matches = backend._match_sets(q, f)
            assert matches is not None
            fast.append((backend._count(q, f, matches), backend._facets(q, f, matches)))
        slow = [(backend._count(q, f, None), backend._facets(q, f, None)) for q in queries]
        assert fast == slow
        assert any(counts[1]["category"] and counts[1]["source"] for counts in fast)


@pytest.mark.parametrize(
    "q",
    [
        wq.Phrase(COMBINED_FIELD, ["kata1", "kata2"]),
        wq.And([wq.Term(COMBINED_FIELD, "kata1"), wq.Not(wq.Term(COMBINED_FIELD, "kata2"))]),
        wq.Or([wq.Term(COMBINED_FIELD, "kata1"), wq.Term("category", "x")]),
        wq.And([wq.Term(COMBINED_FIELD, "kata1"), wq.Term(COMBINED_FIELD, "kata2")], boost=2.0),
        wq.Prefix(COMBINED_FIELD, "kata1"),
    ],
)
def test_other_shapes_go_through_whoosh(q):
    assert plain_terms(q) is None


def test_threads_share_the_filter_caches(ix):
    # searchlib serve searches from several threads; the per-segment caches are shared.
    from searchlib.backends.embedded import matchsets

    matchsets._FILTER_DOCS.clear()
    runs = [
        (f"kata{i % 7} kata{i % 11 + 20}", f"20{15 + i % 10}-01-01", f"20{16 + i % 10}-06-30")
        for i in range(60)
    ]
    expected = [ix.search(q, since=a, until=b, limit=10) for q, a, b in runs]
    expected_ids = [[h.id for h in r.hits] for r in expected]
    matchsets._FILTER_DOCS.clear()
    got: dict[int, list[str]] = {}

    def worker(offset: int) -> None:
        for n in range(offset, offset + len(runs)):
            i = n % len(runs)
            q, a, b = runs[i]
            ids = [h.id for h in ix.search(q, since=a, until=b, limit=10).hits]
            if ids != expected_ids[i]:
                got[i] = ids

    errors = run_threads(worker, [(k * 7,) for k in range(6)])
    assert not errors and not got
