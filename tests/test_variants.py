"""Spelling variants (analyzers/variants-id.txt): searched as their standard forms."""

from __future__ import annotations

import pytest

import searchlib
from searchlib import Index
from searchlib.analysis import get_analyzer, load_spec
from searchlib.analysis import lexicon as lexicon_module
from searchlib.analysis.lexicon import load_variants
from searchlib.analysis.stemmer import IndonesianStemmer
from searchlib.errors import AnalyzerError

ROOTS = ["izin 4", "provinsi 6", "an 0"]


def test_a_variant_root_and_its_affixed_forms_stem_to_the_standard_form() -> None:
    stemmer = IndonesianStemmer(ROOTS, variants={"ijin": "izin", "propinsi": "provinsi"})
    assert [stemmer.stem(w) for w in ("ijin", "perijinan", "diijinkan", "perizinan")] == [
        "izin"
    ] * 4
    assert stemmer.stem("propinsi") == stemmer.stem("provinsi") == "provinsi"


def test_without_variants_the_variant_is_read_another_way() -> None:
    stemmer = IndonesianStemmer(ROOTS)
    assert stemmer.stem("ijin") == "ijin"
    assert stemmer.stem("perijinan") != "izin"


@pytest.mark.parametrize(
    ("variant", "standard"),
    [
        ("propinsi", "provinsi"),
        ("perijinan", "perizinan"),
        ("beresiko", "berisiko"),
        ("pebruari", "februari"),
        ("menganalisa", "menganalisis"),
        ("mempraktekkan", "mempraktikkan"),
        ("menghimbau", "mengimbau"),
    ],
)
def test_default_analyzer_joins_shipped_variants(variant: str, standard: str) -> None:
    assert searchlib.stem(variant) == searchlib.stem(standard)


def test_shipped_list_loads_and_the_simple_analyzer_ignores_it() -> None:
    variants = load_variants("variants-id.txt")
    assert variants and all(v != s for v, s in variants.items())
    simple = get_analyzer("simple")
    assert [t.text for t in simple("ijin propinsi")] == ["ijin", "propinsi"]


def test_sekedar_is_a_stopword_like_sekadar() -> None:
    analyzer = get_analyzer("indonesian")
    assert [t.text for t in analyzer("sekedar info, sekadar info")] == ["info", "info"]


def test_variants_decide_the_fingerprint() -> None:
    base = load_spec("indonesian")
    assert base.variants == "variants-id.txt"
    without = base.with_overrides({"stemmer": {"variants_file": None}})
    assert without.variants == "" and without.fingerprint != base.fingerprint


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("ijin\n", "expected 'variant standard'"),
        ("ijin izin extra\n", "expected 'variant standard'"),
        ("ijin ijin\n", "two different words"),
        ("ijin izin\nizin izzin\n", "itself listed as a variant"),
        ("ijin izin\nijin izinn\n", "listed twice"),
    ],
)
def test_malformed_variant_lists_are_analyzer_errors(tmp_path, monkeypatch, text, message):
    (tmp_path / "bad.txt").write_text(text, encoding="utf-8")
    monkeypatch.setattr(lexicon_module, "analyzers_dir", lambda: tmp_path)
    lexicon_module.load_wordlist.cache_clear()
    load_variants.cache_clear()
    try:
        with pytest.raises(AnalyzerError, match=message):
            load_variants("bad.txt")
    finally:
        lexicon_module.load_wordlist.cache_clear()
        load_variants.cache_clear()


def test_a_search_for_the_variant_finds_the_standard_spelling(tmp_path) -> None:
    with Index.create(tmp_path / "ix") as index:
        index.add(
            [
                {"id": "a", "body": "Perizinan tambang di provinsi itu dicabut."},
                {"id": "b", "body": "Harga beras naik lagi."},
            ]
        )
        assert [h.id for h in index.search("ijin tambang propinsi").hits] == ["a"]
