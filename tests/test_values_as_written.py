"""Keyword values come back as written (hits, get, JSON, facets, page) while matching and
filtering stay case-insensitive; facet labels are the most frequent spelling; facet fields
are configurable."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from searchlib import ConfigError, Index
from searchlib.cli import cli
from searchlib.facet_labels import labelled

ARTICLES = [
    {"id": "a1", "title": "Harga beras naik", "body": "Harga beras naik di pasar.",
     "category": "Ekonomi & Keuangan", "source": "Detik News", "tags": ["Harga Pangan", "Beras"]},
    {"id": "a2", "title": "Harga cabai naik", "body": "Harga cabai naik lagi.",
     "category": "Ekonomi & Keuangan", "source": "Detik News", "tags": ["harga pangan"]},
    {"id": "a3", "title": "Harga BBM", "body": "Harga BBM tetap.",
     "category": "ekonomi & keuangan", "source": "KOMPAS", "tags": ["Harga Pangan", "BBM"]},
    {"id": "a4", "title": "Harga tiket pemilu", "body": "Harga kampanye pemilu.",
     "category": "Politik", "source": "Kompas", "desk": "Metro"},
]  # fmt: skip
CONFIG = {"facets": ["category", "source", "tags", "desk"], "fields": {"desk": {"type": "keyword"}}}


@pytest.fixture
def built(tmp_path: Path) -> Path:
    source = tmp_path / "a.jsonl"
    source.write_text("".join(json.dumps(d) + "\n" for d in ARTICLES), encoding="utf-8")
    (tmp_path / "c.yaml").write_text(json.dumps(CONFIG), encoding="utf-8")  # JSON is YAML
    args = ["index", str(source), "--index", str(tmp_path / "ix")]
    result = CliRunner().invoke(cli, [*args, "--config", str(tmp_path / "c.yaml")])
    assert result.exit_code == 0, result.output
    return tmp_path / "ix"


def test_values_come_back_as_written_and_filter_case_insensitively(
    built: Path, query_json: Callable[..., dict]
) -> None:
    """Through the CLI: --category in lowercase finds them, as written."""
    data = query_json(built, "harga", "--category", "ekonomi & keuangan")
    hits = {h["id"]: (h["category"], h["source"]) for h in data["hits"]}
    assert hits == {
        "a1": ("Ekonomi & Keuangan", "Detik News"),
        "a2": ("Ekonomi & Keuangan", "Detik News"),
        "a3": ("ekonomi & keuangan", "KOMPAS"),
    }
    upper = query_json(built, "harga", "--source", "DETIK NEWS")
    assert {h["id"] for h in upper["hits"]} == {"a1", "a2"}
    clause = query_json(built, 'harga category:"EKONOMI & KEUANGAN"')
    assert {h["id"] for h in clause["hits"]} == {"a1", "a2", "a3"}


def test_get_and_hits_keep_the_spelling_of_every_keyword_field(built: Path) -> None:
    with Index.open(built) as ix:
        doc = ix.get("a1")
        assert (doc["category"], doc["source"]) == ("Ekonomi & Keuangan", "Detik News")
        assert doc["tags"] == ["Harga Pangan", "Beras"]
        assert ix.get("a4")["desk"] == "Metro"
        assert ix.search("harga", filters={"desk": "metro"}).hits[0].fields["desk"] == "Metro"
        assert {h.id for h in ix.search("tags:beras").hits} == {"a1"}


@pytest.mark.parametrize("query", ["harga", '"harga beras" OR "harga cabai" OR bbm OR pemilu'])
def test_facets_are_labelled_with_the_most_frequent_spelling(built: Path, query: str) -> None:
    """Both counting paths: plain words (the match-set counter) and phrases (Whoosh)."""
    with Index.open(built) as ix:
        facets = ix.search(query).facets
    assert facets["category"] == {"Ekonomi & Keuangan": 3, "Politik": 1}
    # Kompas 1, KOMPAS 1: a tie goes to the spelling that sorts first.
    assert facets["source"] == {"Detik News": 2, "KOMPAS": 2}
    assert facets["tags"] == {"Harga Pangan": 3, "BBM": 1, "Beras": 1}
    assert facets["desk"] == {"Metro": 1}


def test_a_deleted_document_no_longer_decides_the_label(built: Path) -> None:
    with Index.open(built) as ix:
        ix.delete(["a1", "a2"])
        assert ix.search("harga").facets["category"] == {
            "Politik": 1,
            "ekonomi & keuangan": 1,
        }


def test_facet_fields_are_configurable_and_checked(tmp_path: Path) -> None:
    with Index.create(tmp_path / "ix") as ix:  # the default: category and source
        ix.add(ARTICLES[:1])
        assert set(ix.search("harga").facets) == {"category", "source"}
    with pytest.raises(ConfigError, match="facets: 'body' is not a keyword field"):
        Index.create(tmp_path / "bad", {"facets": ["category", "body"]})
    (tmp_path / "c.yaml").write_text("facets: [category, topik]\n", encoding="utf-8")
    args = ["query", "harga", "--index", str(tmp_path / "ix")]
    result = CliRunner().invoke(cli, [*args, "--config", str(tmp_path / "c.yaml")])
    assert result.exit_code != 0 and "Traceback" not in result.output
    assert "facets: 'topik' is not a keyword field" in result.stderr


def test_api_and_page_show_values_and_facets_as_written(built: Path, web_client) -> None:
    with Index.open(built) as ix, web_client(ix) as client:
        params = {"q": "harga", "category": "ekonomi & keuangan"}
        data = client.get("/api/search", params=params).json()
        assert {h["category"] for h in data["hits"]} == {"Ekonomi & Keuangan", "ekonomi & keuangan"}
        assert data["facets"]["category"] == {"Ekonomi & Keuangan": 3}
        assert data["facets"]["tags"]["Harga Pangan"] == 3
        assert client.get("/api/docs/a1").json()["source"] == "Detik News"
        page = client.get("/", params={"q": "harga"}).text
        assert "Ekonomi &amp; Keuangan" in page and "Detik News" in page
        assert "Harga Pangan" in page  # a configured facet beyond category and source
        chosen = client.get("/", params=params).text
        assert 'aria-current="true">Ekonomi &amp; Keuangan' in chosen


def test_labels_merge_spellings_and_prefer_the_majority() -> None:
    assert labelled({"ekonomi": 1, "Ekonomi": 2, "Politik": 1}) == {"Ekonomi": 3, "Politik": 1}
    assert labelled({"ekonomi": 3}, {"ekonomi": {"Ekonomi": 5, "ekonomi": 1}}) == {"Ekonomi": 3}
    assert labelled({"kompas": 1, "KOMPAS": 1}) == {"KOMPAS": 2}  # a tie: sorts first


def test_detik_categories_come_back_as_written(detik_index) -> None:
    written = {
        "Ekonomi & Keuangan",
        "Hukum & Kriminalitas",
        "Politik & Kebijakan Publik",
        "Pembangunan & Lingkungan",
        "Sosial & Kemasyarakatan",
    }
    results = detik_index.search("harga", filters={"category": "ekonomi & keuangan"})
    assert results.hits and {h.fields["category"] for h in results.hits} == {"Ekonomi & Keuangan"}
    facets = detik_index.search("pemerintah").facets
    assert set(facets["category"]) <= written and facets["source"] == {
        "detik.com": facets["source"]["detik.com"]
    }
