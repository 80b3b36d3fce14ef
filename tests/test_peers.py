"""The quality benchmark's reference stemmers (benchmarks/peers.py) as rows of the runner."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import pytest

from benchmarks.peers import PeerUnavailable, available_peers, peer_mapper
from searchlib.errors import SearchlibError
from searchlib.evaluation.runner import Collection, run_systems
from searchlib.evaluation.systems import reference_systems


def test_snowball_mapper_rewrites_words_but_not_stopwords_numbers_or_acronyms():
    mapper = peer_mapper("snowball")
    text = "Presiden AS di Jakarta meresmikan 1.234 jembatan, katanya."
    out = mapper.text(text)
    assert out.startswith("Presiden AS di Jakarta resmi 1.234 jembat,")
    assert mapper.text("") == ""
    # A stem that is a stopword leaves the word alone: the row must not lose words.
    assert mapper.word("dirinya") in ("dirinya", "diri")


@pytest.mark.slow  # loading nlp-id's lemmatizer dominates
def test_nlp_id_mapper_or_a_clear_note():
    try:
        mapper = peer_mapper("nlp-id")
    except PeerUnavailable as error:
        assert "nlp-id" in str(error) and error.hint
        return
    assert mapper.text("menyatakan bertanggung jawab") == "nyata tanggung jawab"


def test_unknown_peer_names_the_known_ones():
    with pytest.raises(SearchlibError, match="unknown reference stemmer 'porter'"):
        peer_mapper("porter")


def test_available_peers_lists_each_or_says_why_not():
    peers, notes = available_peers()
    assert peers[0] is None and peer_mapper("snowball") in peers
    assert len(peers) + len(notes) == 3


def test_a_mapper_pickles_as_its_name():
    mapper = peer_mapper("snowball")
    assert pickle.loads(pickle.dumps(mapper)) is mapper


def test_reference_rows_with_a_peer_run(tmp_path: Path):
    docs = tmp_path / "docs.jsonl"
    articles = [
        {"id": "d1", "title": "Peresmian jembatan", "body": "Presiden meresmikan jembatan."},
        {"id": "d2", "title": "Harga beras", "body": "Pedagang menaikkan harga beras."},
    ]
    docs.write_text("".join(json.dumps(a) + "\n" for a in articles), encoding="utf-8")
    collection = Collection("tiny", docs, {"q1": "jembatan diresmikan"}, {"q1": {"d1": 1}})
    rows = reference_systems({}, [None, peer_mapper("snowball")])
    results = run_systems(collection, rows, jobs=2)
    assert [r.name for r in results] == [
        "reference: BM25, no stemming",
        "reference: BM25, raw Snowball (PyStemmer)",
    ]
    # Snowball reduces "diresmikan" and "meresmikan" alike; without stemming they differ.
    assert [doc for doc, _ in results[1].run["q1"]] == ["d1"]
    assert results[1].scores["mrr@10"] == 1.0
