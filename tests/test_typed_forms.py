"""Short queries: a title holding the words as typed ranks above one holding only their stems."""

from __future__ import annotations

import pytest

from searchlib import Index
from searchlib.analysis import get_analyzer
from searchlib.query import parse_query
from searchlib.ranking import typed_forms


def _filler(i: int) -> dict[str, str]:
    return {"id": f"f{i}", "title": f"kabar ringan {i}", "body": f"cuaca cerah hari ke {i} " * 3}


DOCS = [
    {
        "id": "stems",
        "title": "Pemerintah percepat pengendalian harga di pasar",
        "body": "harga di pasar naik. pasar tradisional ramai. pengendalian harga di pasar.",
    },
    {
        "id": "typed",
        "title": "Gubernur kendalikan harga di pasar",
        "body": "operasi murah digelar di kota, warga antre sejak pagi. " * 4,
    },
    *(_filler(i) for i in range(30)),
]


@pytest.fixture(scope="module")
def forms_index(tmp_path_factory):
    with Index.create(tmp_path_factory.mktemp("forms") / "ix") as index:
        index.add(DOCS)
        yield index


def test_the_title_with_the_typed_forms_ranks_first(forms_index):
    # Both titles hold the stems of both words; the body of "stems" holds them more often.
    assert [h.id for h in forms_index.search("pengendalian pasar").hits][:2] == ["stems", "typed"]
    assert [h.id for h in forms_index.search("kendalikan pasar").hits][:2] == ["typed", "stems"]


def test_a_query_with_equivalent_forms_keeps_its_typed_forms(forms_index):
    # The forms are those the user typed, before a synonym group adds others.
    config = {"synonyms": {"expand": True, "add": {"pasar": "pekan raya"}}}
    with Index.open(forms_index.path, config) as index:
        assert [h.id for h in index.search("kendalikan pasar").hits][:2] == ["typed", "stems"]


def test_without_the_forms_the_stems_decide(forms_index):
    # A prefix is no typed word: "kendali*" expands to the stem, and BM25 alone ranks the
    # body that holds the words more often first.
    hits = forms_index.search("kendali* pasar", syntax="query").hits
    assert [h.id for h in hits][:2] == ["stems", "typed"]


def test_a_title_holding_one_of_two_typed_words_gets_nothing(forms_index):
    # "typed" holds "kendalikan" as typed but not "pasaran": the heading rule asks for two.
    with_form = {h.id: h.score for h in forms_index.search("kendalikan pasaran").hits}
    stemmed = {h.id: h.score for h in forms_index.search("kendali pasaran").hits}
    assert with_form["typed"] == pytest.approx(stemmed["typed"])


@pytest.mark.parametrize(
    ("query", "forms"),
    [
        ("kendalikan", ("kendalikan",)),
        ("Kendalikan harga di pasar", ("kendalikan", "harga", "pasar")),  # "di": a stopword
        ("kendalikan pasar kendalikan", ("kendalikan", "pasar")),  # a repeat counts once
        ("kendalikan harga beras pasar", ()),  # four words: prose
        ("kendali* pasar", ()),  # a prefix is no typed word
        ('"kendalikan harga" pasar', ()),  # nor is a phrase
        ("title:kendalikan pasar", ()),  # nor a word of one field
        ("kendalikan -pasar", ()),
    ],
)
def test_only_a_few_typed_words_have_forms(query, forms):
    assert typed_forms(parse_query(query), get_analyzer()) == forms


def test_other_fields_and_date_order_keep_their_ranking(forms_index):
    hits = forms_index.search("kendalikan pasar", fields=["title", "body"]).hits
    assert [h.id for h in hits][:2] == ["stems", "typed"]


def test_a_collapsed_story_keeps_its_versions_when_the_page_is_reordered(tmp_path):
    copy = {**DOCS[1], "id": "typed-copy"}  # the same article under another id
    with Index.create(tmp_path / "ix") as index:
        index.add([*DOCS, copy])
        hits = index.search("kendalikan pasar", collapse=True).hits
    assert [(h.id in ("typed", "typed-copy"), len(h.duplicates)) for h in hits[:2]] == [
        (True, 1),
        (False, 0),
    ]
    assert {hits[0].id, *hits[0].duplicates} == {"typed", "typed-copy"}


def test_a_real_headline_typed_in_part(detik_index):
    # Two detik-1000 articles: "Gubernur Abdul Wahid Kendalikan Inflasi Lewat Operasi Pasar
    # Murah di Riau" and "Pemprov Percepat Pengendalian Inflasi di Riau, 5 Pasar Tradisional
    # Jadi Target". Each two-word query finds the headline that uses its words.
    hits = detik_index.search("kendalikan pasar").hits
    assert hits[0].title.startswith("Gubernur Abdul Wahid Kendalikan Inflasi Lewat Operasi")
    hits = detik_index.search("pengendalian pasar").hits
    assert hits[0].title.startswith("Pemprov Percepat Pengendalian Inflasi di Riau")
