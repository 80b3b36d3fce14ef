"""Title weighting on real news: one title word must not outrank a body with every word."""

from __future__ import annotations

import random

import pytest
from _synthetic import word_matches

from searchlib import Index
from searchlib.backends.embedded.plan import words_of
from searchlib.backends.embedded.store import WhooshStore
from searchlib.backends.embedded.topk import top_k


def test_one_title_word_does_not_win_over_bodies_with_every_word(detik_index):
    # The Mentrans article matches only "pilih" (the stem of "pemilihan") in its title, and
    # "presiden" in its body; the articles about the presidential election say both.
    hits = detik_index.search("pemilihan presiden").hits
    assert hits, "detik-1000 has articles about the presidential election"
    assert not hits[0].title.startswith("Mentrans Tak Mau Minta Tambahan Anggaran")


def test_a_title_with_every_word_still_leads(detik_index):
    # Lowering the title's weight must not bury the article whose headline is the query.
    hits = detik_index.search("Mentrans tambahan anggaran investor").hits
    assert hits[0].title.startswith("Mentrans Tak Mau Minta Tambahan Anggaran")


def _filler(i: int) -> dict[str, str]:
    return {"id": f"f{i}", "title": f"kabar ringan {i}", "body": f"cuaca cerah hari ke {i} " * 3}


DOCS = [
    {"id": "one-title-word", "title": "Banjir di Bekasi", "body": "warga jakarta mengungsi"},
    {"id": "body-only", "body": "banjir jakarta merendam rumah, banjir di jakarta utara"},
    {"id": "every-word", "title": "Banjir Jakarta meluas", "body": "hujan deras sejak pagi"},
    *(_filler(i) for i in range(30)),
]


def test_a_title_holding_every_word_leads_and_one_title_word_does_not(tmp_path):
    with Index.create(tmp_path / "ix", {"analyzer": "simple"}) as index:
        index.add(DOCS)
        for syntax in ("auto", "plain"):  # all words required, then any word
            ids = [hit.id for hit in index.search("banjir jakarta", syntax=syntax).hits]
            assert ids[:3] == ["every-word", "body-only", "one-title-word"], syntax
        # Words of the title field alone are scored on the title's own postings.
        hits = index.search("title:bekasi OR title:meluas", syntax="query").hits
        alone = index.search("title:bekasi", syntax="query").hits
        assert alone[0].id == "one-title-word"
        assert {h.id: h.score for h in hits}["one-title-word"] == pytest.approx(alone[0].score)
        # One word: a title holding it keeps its full weight.
        assert index.search("bekasi").hits[0].id == "one-title-word"


def test_the_heading_rule_only_lowers_scores(synthetic_index):
    # Pruning bounds a term by its plain BM25 score: the rule may lower a score, never raise it.
    searcher = synthetic_index._backend._searcher()
    heading = synthetic_index._backend.heading
    assert heading is not None and heading.field == "title"
    rng = random.Random(5)
    lowered = 0
    for match in word_matches(rng, 60, boosts=True):
        words = words_of(match)
        assert words is not None
        plain = top_k(searcher, words, 5000, seconds=60)
        ruled = top_k(searcher, words, 5000, seconds=60, heading=heading)
        assert plain is not None and ruled is not None
        before = {doc: score for score, doc in plain.scored}
        assert {doc for _, doc in ruled.scored} == before.keys(), match
        for score, doc in ruled.scored:
            assert score <= before[doc], (match, doc)
            lowered += score < before[doc]
    assert lowered, "some documents hold one of several words in their title"


def test_without_the_rule_a_title_counts_fully_as_plain_bm25f_does(tmp_path):
    # The reference rows of benchmarks/quality.py rank as a peer would: no title rule.
    with Index.create(tmp_path / "ix", {"analyzer": "simple"}) as index:
        index.add(DOCS)
    config = {"analyzer": "simple", "ranking": {"title_rule": False}}
    with Index.open(tmp_path / "ix", config) as plain:
        ids = [hit.id for hit in plain.search("banjir jakarta", syntax="plain").hits]
        assert ids.index("one-title-word") < ids.index("body-only")


def test_the_rule_holds_whichever_engine_ranks_the_search(tmp_path, monkeypatch):
    """Searches the top-k scorer does not take (a phrase, an exclusion, a group of
    equivalent forms) are ranked by Whoosh's matchers under the same rule."""
    queries = ["banjir jakarta", "banjir bekasi", "jakarta meluas hujan", "banjir", "cuaca 3"]
    with Index.create(tmp_path / "ix", {"analyzer": "simple"}) as index:
        index.add(DOCS)
        hits = index.search("banjir jakarta -gempa").hits
        assert [hit.id for hit in hits][:3] == ["every-word", "body-only", "one-title-word"]
        # An excluded word adds nothing to the score (an untitled document's score is the
        # same as without the exclusion).
        plain = {h.id: h.score for h in index.search("banjir jakarta").hits}
        assert hits[1].score == pytest.approx(plain["body-only"])

        def ranked() -> dict[str, list[tuple[str, float]]]:
            return {q: [(h.id, h.score) for h in index.search(q).hits] for q in queries}

        by_top_k = ranked()
        monkeypatch.setattr(WhooshStore, "_top_k", lambda self, searcher, plan, limit: None)
        by_whoosh = ranked()
    for query in queries:
        assert [i for i, _ in by_whoosh[query]] == [i for i, _ in by_top_k[query]], query
        for (_, a), (_, b) in zip(by_whoosh[query], by_top_k[query], strict=True):
            assert a == pytest.approx(b), query
