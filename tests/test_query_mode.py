"""The one search box: keywords need every word first, prose is ranked by any word."""

from __future__ import annotations

import pytest

from searchlib import Index, QueryError
from searchlib.query import And, Not, Or, Phrase, Word
from searchlib.query.mode import PROSE_MIN_WORDS, read_query

FIELDS = frozenset({"title", "body", "category", "date"})


def read(text: str):
    return read_query(text, fields=FIELDS, max_chars=1000)


@pytest.mark.parametrize("text", ["korupsi", "korupsi KPK", "harga beras naik"])
def test_short_queries_are_keywords(text):
    reading = read(text)
    assert reading.shape == "keywords"
    assert not isinstance(reading.node, Or)


def test_sentence_is_prose_ranked_by_any_word():
    reading = read("Harga beras di pasar induk naik lagi pekan ini")
    assert reading.shape == "prose"
    assert isinstance(reading.node, Or)
    assert len(reading.node.children) == 9


def test_length_threshold():
    words = ["banjir", "jakarta", "hujan", "deras", "warga", "mengungsi"]
    assert read(" ".join(words[: PROSE_MIN_WORDS - 1])).shape == "keywords"
    assert read(" ".join(words[:PROSE_MIN_WORDS])).shape == "prose"


@pytest.mark.parametrize("text", ["siapa presiden Prancis", "ibu kota Kalimantan?"])
def test_short_question_is_prose(text):
    assert read(text).shape == "prose"


def test_question_drops_its_answer_noun():
    node = read("Apa nama perusahaan minyak di Riau?").node
    assert isinstance(node, Or)
    assert "nama" not in [c.text for c in node.children if isinstance(c, Word)]


def test_operators_in_prose_keep_their_meaning():
    node = read('kebakaran hutan "asap tebal" di Riau -Jambi category:nasional').node
    # Words and the phrase become alternatives; the exclusion and the field clause stay required.
    assert isinstance(node, And)
    alternatives, *required = node.children
    assert isinstance(alternatives, Or)
    assert Phrase("asap tebal") in alternatives.children
    assert {Word("asap"), Word("tebal")} <= set(alternatives.children)
    assert Not(Word("Jambi")) in required
    assert Word("nasional", "category") in required


def test_short_query_with_operators_is_the_query_language():
    node = read("Amazon OR Netflix").node
    assert node == Or((Word("Amazon"), Word("Netflix")))


def test_prose_that_does_not_parse_is_read_as_plain_text_with_a_warning():
    reading = read('Siapa penulis buku berjudul " 50 Alasan Mengapa Anwar Tak Bisa Menang?')
    assert reading.shape == "prose"
    assert reading.warnings and "unbalanced quote" in reading.warnings[0]


@pytest.mark.parametrize("text", ['"Amazon', "(banjir", "OR", "penulis:budi"])
def test_short_query_that_does_not_parse_is_an_error(text):
    with pytest.raises(QueryError):
        read(text)


@pytest.fixture
def news(tmp_path):
    docs = [
        {"id": "both", "body": "Amazon menghentikan layanan di Rusia."},
        {"id": "amazon", "body": "Amazon membuka gudang di Kazakhstan dan Rusia menutup toko."},
        {"id": "most", "body": "Amazon menyetop pengiriman barang ke Kazakhstan minggu ini."},
    ]
    docs += [{"id": f"d{i}", "body": f"berita olahraga nomor {i}"} for i in range(10)]
    with Index.create(tmp_path / "ix") as index:
        index.add(docs)
        yield index


def test_default_keywords_require_every_word(news):
    res = news.search("Amazon Rusia")
    assert {h.id for h in res.hits} == {"both", "amazon"}
    assert not res.fallback


def test_default_prose_finds_the_document_missing_one_word(news):
    sentence = "Amazon menyetop pengiriman barang ke Rusia"
    assert news.search(sentence).hits[0].id == "most"
    assert news.search(sentence, syntax="query").fallback  # all words: nothing has them all


def test_default_prose_warns_when_read_as_plain_text(news):
    res = news.search('Amazon menyetop "pengiriman barang ke Rusia minggu')
    assert res.hits[0].id == "most"
    assert any("unbalanced quote" in w for w in res.warnings)


def test_unknown_syntax_names_the_choices(news):
    with pytest.raises(QueryError, match="'auto', 'query' or 'plain'"):
        news.search("Amazon", syntax="bebas")
