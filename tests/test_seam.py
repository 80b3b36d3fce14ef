"""The seam: backends found by name, and the policy above it that every backend shares
(more-like-this term choice, the recency rerank, the combined fields)."""

from __future__ import annotations

import math
import time
from datetime import datetime, timedelta

import pytest

from searchlib import ConfigError, Index, load_config
from searchlib.backends import BACKENDS, backend_type
from searchlib.backends.base import RawHit, TermStatistics
from searchlib.backends.embedded.lifecycle import EmbeddedBackend
from searchlib.backends.embedded.metadata import FORMAT_VERSION, META_FILE
from searchlib.ranking import RECENCY_CANDIDATES, combined_fields, recency_rerank
from searchlib.similar import SIMILAR_TERMS, distinctive_terms, more_like_this

DAY = 86400.0


def test_backends_are_found_by_the_configs_name():
    assert backend_type("whoosh") is EmbeddedBackend
    assert backend_type("sphinxql").__name__ == "ClusterBackend"
    with pytest.raises(KeyError, match="no backend named 'lucene'"):
        backend_type("lucene")
    with pytest.raises(ConfigError, match="backend must be one of whoosh, sphinxql"):
        load_config({"backend": "lucene"})
    assert set(BACKENDS) == {"whoosh", "sphinxql"}


def test_the_embedded_backend_owns_its_metadata(tmp_path):
    path = tmp_path / "ix"
    assert not Index.exists(path)
    with Index.create(path) as ix:
        ix.add([{"id": "a", "title": "Banjir", "body": "Banjir di Jakarta."}])
    assert Index.exists(path) and Index.exists(path, {"backend": "whoosh"})
    assert (path / META_FILE).is_file()
    with Index.open(path) as ix:
        assert len(ix) == 1 and ix.stats()["backend"] == "whoosh"
    assert f'"format_version": {FORMAT_VERSION}' in (path / META_FILE).read_text()


def test_a_cluster_index_is_opened_with_its_config(tmp_path):
    with pytest.raises(ConfigError, match="opened with its config"):
        backend_type("sphinxql").open(tmp_path, None)


def test_combined_fields_need_two_text_fields_with_one_analyzer():
    assert combined_fields(load_config(None)) == ("title", "body")
    assert combined_fields(load_config({"default_fields": ["body"]})) == ()
    other = {"fields": {"title": {"analyzer": "simple"}}}
    assert combined_fields(load_config(other)) == ()


def hit(docnum, score, age_days=None, now=None):
    date = None if age_days is None else (now or time.time()) - age_days * DAY
    return RawHit(docnum, score, {"id": str(docnum)}, date=date)


def test_the_recency_rerank_boosts_new_documents_up_to_twice():
    half_life = 30.0
    hits = [hit(0, 10.0, age_days=3650), hit(1, 6.0, age_days=0), hit(2, 5.5), hit(3, 5.0, 30)]
    ranked = recency_rerank(hits, half_life)
    assert [h.docnum for h in ranked] == [1, 0, 3, 2]
    scores = {h.docnum: h.score for h in ranked}
    assert scores[1] == pytest.approx(12.0, rel=1e-6)  # today: twice
    assert scores[3] == pytest.approx(7.5, rel=1e-4)  # one half-life: 1.5 times
    assert scores[0] == pytest.approx(10.0, rel=1e-6)  # old news keeps its score
    assert scores[2] == 5.5  # undated: unchanged


def test_the_recency_rerank_keeps_the_backends_order_on_ties():
    hits = [hit(n, 1.0) for n in (5, 3, 9)]
    assert [h.docnum for h in recency_rerank(hits, 10.0)] == [5, 3, 9]


def test_recency_pages_are_cut_from_the_reranked_candidates(tmp_path):
    today = datetime.now()
    docs = [
        {
            "id": f"d{i}",
            "title": "Harga beras",
            "body": "harga beras " * (1 + i % 7) + f"pasar {i}",
            "date": (today - timedelta(days=i * 11)).strftime("%Y-%m-%d"),
        }
        for i in range(40)
    ]
    config = {"ranking": {"recency_half_life_days": 30}}
    with Index.create(tmp_path / "ix", config) as ix:
        ix.add(docs)
        whole = ix.search("beras", limit=30)
        pages = [ix.search("beras", limit=10, page=p) for p in (1, 2, 3)]
        assert [h.id for p in pages for h in p.hits] == [h.id for h in whole.hits]
        assert [h.rank for h in pages[1].hits] == list(range(11, 21))
    with Index.open(tmp_path / "ix", {}) as plain:  # the same index, no recency boost
        bm25 = {h.id: h.score for h in plain.search("beras", limit=40).hits}
    assert len(bm25) == 40 < RECENCY_CANDIDATES
    for h in whole.hits:
        age = (today - datetime.strptime(str(h.fields["date"])[:10], "%Y-%m-%d")).days
        assert h.score == pytest.approx(bm25[h.id] * (1 + 0.5 ** (age / 30)), rel=2e-2)
    scores = [h.score for h in whole.hits]
    assert scores == sorted(scores, reverse=True)


def test_distinctive_terms_are_rare_but_shared():
    counts = {"banjir": 3, "jakarta": 1, "yang": 9, "unik": 5, "hujan": 2}
    stats = TermStatistics(
        documents=100, frequencies={"banjir": 4, "jakarta": 30, "yang": 100, "unik": 1, "hujan": 4}
    )
    assert distinctive_terms(counts, stats) == [
        (3 * math.log(25), "banjir"),
        (2 * math.log(25), "hujan"),
        (math.log(100 / 30), "jakarta"),
    ]
    many = {f"t{i:02d}": i + 1 for i in range(40)}
    top = distinctive_terms(many, TermStatistics(50, dict.fromkeys(many, 2)))
    assert len(top) == SIMILAR_TERMS and top[0][1] == "t39"


class Recorder:
    """A backend with just the primitives more-like-this needs, recording the calls."""

    def __init__(self, stored):
        self.stored = stored
        self.calls = []

    def get(self, doc_id):
        return self.stored.get(doc_id)

    def term_statistics(self, fieldname, terms):
        self.calls.append(("stats", fieldname, sorted(terms)))
        return TermStatistics(10, {t: (2 if t != "sekali" else 1) for t in terms})

    def search_terms(self, fieldname, weighted, *, exclude, limit):
        from searchlib.backends.base import RawResults

        self.calls.append(("search", fieldname, [t for _, t in weighted], exclude, limit))
        return RawResults(collected=0, hits=[])


def test_more_like_this_asks_the_backend_only_for_primitives():
    backend = Recorder({"a": {"id": "a", "title": "Banjir besar", "body": "banjir sekali"}})
    raw = more_like_this(backend, str.split, "a", 5)
    assert backend.calls == [
        ("stats", "body", ["Banjir", "banjir", "besar", "sekali"]),
        ("search", "body", ["besar", "banjir", "Banjir"], "a", 5),
    ]
    assert raw is not None and raw.terms["body"] == raw.terms["title"] == {
        "banjir",
        "besar",
        "Banjir",
    }
    assert more_like_this(backend, str.split, "nope", 5) is None
