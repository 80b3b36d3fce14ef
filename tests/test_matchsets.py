"""The match-set counter and the filter sets agree with Whoosh's own matchers: the same
totals, facet counts and filtered top-k."""

from __future__ import annotations

import random
from datetime import datetime

import pytest
from _synthetic import same_top, whoosh_top, word_matches
from _threads import run_threads

from searchlib.backends.embedded import matchsets
from searchlib.backends.embedded.compile import whoosh_query
from searchlib.backends.embedded.matchsets import filter_sets
from searchlib.backends.embedded.plan import AllOf, AnyOf, Dates, Plan, Term, words_of
from searchlib.backends.embedded.topk import top_k

FILTERS = [
    Term("category", "ekonomi"),
    AnyOf((Term("category", "politik"), Term("category", "olah raga"))),
    AllOf((Term("category", "teknologi"), Term("source", "sumber 3"))),
    Term("source", "tidak ada"),
    Term("title", "kata2"),  # a text field: answered by Whoosh, then kept as a set
    Dates("date", datetime(2018, 1, 1), datetime(2020, 6, 1)),
    Dates("date", None, datetime(2016, 1, 1)),
    AllOf((Term("category", "ekonomi"), Dates("date", datetime(2021, 1, 1), None))),
]


@pytest.mark.slow
def test_filtered_top_k_equals_whoosh(synthetic_index):
    searcher = synthetic_index._backend._searcher()
    rng = random.Random(5)
    for match in word_matches(rng, 60):
        words = words_of(match)
        assert words is not None
        for f in FILTERS:
            allowed = filter_sets(f)
            assert allowed is not None
            top = top_k(searcher, words, 10, seconds=60, allowed=allowed)
            assert top is not None
            expected, total = whoosh_top(searcher, match, 10, whoosh_query(f))
            same_top(top.scored, expected)
            if top.matched is not None:
                assert top.matched == total
    assert filter_sets(None) is None


@pytest.mark.slow
def test_totals_and_facets_equal_whoosh(synthetic_index):
    backend = synthetic_index._backend
    rng = random.Random(11)
    matches = list(word_matches(rng, 60))
    found_facets = False
    for f in [None, *FILTERS[:1], *FILTERS[5:6]]:
        for match in matches:
            plan = Plan(match, f, "score", words_of(match))
            counted = backend._match_sets(plan)
            assert counted is not None
            ours = (backend._count(plan, counted), backend._facets(plan, counted))
            # Without the counter's sets, Whoosh's matchers count and group.
            theirs = (backend._count(plan, None), backend._facets(plan, None))
            assert ours == theirs, (match, f)
            found_facets |= bool(ours[1]["category"] and ours[1]["source"])
    assert found_facets


def test_the_counter_leaves_other_shapes_to_whoosh(synthetic_index):
    backend = synthetic_index._backend
    match = AllOf((Term("alltext", "kata1"), Dates("date", datetime(2020, 1, 1), None)))
    plan = Plan(match, None, "score", words_of(match))
    assert plan.words is None and backend._match_sets(plan) is None
    assert backend._count(plan, None) > 0


@pytest.mark.slow
def test_threads_share_the_filter_caches(synthetic_index):
    # searchlib serve searches from several threads; the per-segment caches are shared.
    ix = synthetic_index
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
