"""Searches that Whoosh's matchers answer (an exclusion, an OR inside an AND): what
matches, how many, and that an excluded word adds nothing to a score."""

from __future__ import annotations

import pytest

from searchlib import Index

FILLER = "kata lain yang panjang sekali untuk isi berita " * 6
DOCS = [
    {"id": "harga-only", "body": "harga naik lagi"},
    {"id": "both", "body": "beras dan harga"},
    {"id": "beras", "body": "beras beras beras murah"},
    *({"id": f"jagung-{i}", "body": f"jagung {FILLER} {i}"} for i in range(40)),
    *({"id": f"jagung-harga-{i}", "body": f"jagung harga {FILLER} {i}"} for i in range(5)),
]


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    # Every version is a hit of its own: what matches is the point here.
    config = {"analyzer": "simple", "duplicates": {"collapse": False}}
    with Index.create(tmp_path_factory.mktemp("exclusions") / "ix", config) as ix:
        ix.add(DOCS)
        yield ix


def test_an_excluded_word_excludes_every_document_holding_it(index):
    # "both" is the first document holding "beras", and "harga-only" precedes it in the
    # excluded word's list: a matcher that does not skip that list to it lets it through.
    assert {h.id for h in index.search("beras -harga", limit=100).hits} == {"beras"}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("(beras OR jagung) -harga", {"beras", *(f"jagung-{i}" for i in range(40))}),
        ("(beras OR jagung) -zzz", {d["id"] for d in DOCS if d["id"] != "harga-only"}),
    ],
)
def test_the_total_counts_every_match_whatever_the_page_size(index, query, expected):
    hits = index.search(query, limit=100, syntax="query").hits
    assert {h.id for h in hits} == expected
    # A top-k collector stops visiting the "jagung" list once none of it can enter its top
    # k; the total is counted apart.
    for limit in (1, 10):
        assert index.search(query, limit=limit, syntax="query").total == len(expected), limit


def test_an_excluded_word_adds_nothing_to_the_score(index):
    with_exclusion = {h.id: h.score for h in index.search("jagung -harga", limit=100).hits}
    without = {h.id: h.score for h in index.search("jagung", limit=100).hits}
    assert with_exclusion == pytest.approx({k: without[k] for k in with_exclusion})


@pytest.mark.parametrize("query", ["(presiden OR menteri) -zzz", "(harga OR beras) -zzz"])
def test_the_total_on_real_news_does_not_depend_on_the_page_size(detik_index, query):
    # On detik-1000 the top-k collector's own count stopped at 218 of 517 and 16 of 152.
    totals = [
        detik_index.search(query, limit=n, syntax="query", collapse=False).total
        for n in (1, 10, 1000)
    ]
    assert (
        totals[0]
        == totals[1]
        == totals[2]
        == len(detik_index.search(query, limit=1000, syntax="query", collapse=False).hits)
    )
