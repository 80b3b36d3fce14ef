"""The benchmark harness: corpus composer, query derivation, JSON shape, threshold checks.

Runs on tiny invented corpora (and, when present, a few real documents) so it stays fast.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from benchmarks import _corpus, _queries, _report, _sys_fts5, check_thresholds
from benchmarks import run as bench_run

BENCH = Path(__file__).resolve().parents[1] / "benchmarks"

# Invented text, so the tests need nothing from ../shared.
NAMES = ["Sutomo", "Wulandari", "Hasibuan", "Pardede", "Lestari", "Nainggolan", "Siregar"]
PLACES = ["Medan", "Kupang", "Sorong", "Ambon", "Palu", "Bima"]


def _sentence(i: int) -> str:
    name, place = NAMES[i % len(NAMES)], PLACES[i % len(PLACES)]
    return (
        f"Kemarin warga bernama {name} membeli {1200 + 37 * i} karung beras di pasar {place} "
        f"dengan harga Rp {15000 + 250 * i} per karung."
    )


def _write(path: Path, docs: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(d) + "\n" for d in docs), encoding="utf-8")
    return path


@pytest.fixture
def source(tmp_path: Path) -> _corpus.CorpusSource:
    articles = [
        {
            "id": f"art-{i}",
            "title": f"Harga Beras di {PLACES[i % len(PLACES)]} Naik Lagi Menjelang Panen {i}",
            "body": " ".join(_sentence(i * 10 + k) for k in range(8)),
            "date": "2024-05-01",
            "category": "ekonomi",
            "source": "invented",
        }
        for i in range(6)
    ]
    short = [{"id": f"short-{i}", "body": _sentence(500 + i)} for i in range(40)]
    return _corpus.CorpusSource(
        "invented test corpus",
        (_write(tmp_path / "articles.jsonl", articles),),
        (tmp_path / "articles.jsonl", _write(tmp_path / "short.jsonl", short)),
    )


def test_composer_is_deterministic_and_prefix_stable(source: _corpus.CorpusSource) -> None:
    big = list(_corpus.Composer(source, seed=3).documents(40))
    assert list(_corpus.Composer(source, seed=3).documents(40)) == big
    assert list(_corpus.Composer(source, seed=3).documents(15)) == big[:15]
    assert list(_corpus.Composer(source, seed=4).documents(40)) != big


def test_composer_real_articles_first_then_unique_article_sized_documents(
    source: _corpus.CorpusSource,
) -> None:
    docs = list(_corpus.Composer(source).documents(60))
    assert len(docs) == 60
    assert [d["id"] for d in docs[:6]] == [f"art-{i}" for i in range(6)]
    assert len({d["id"] for d in docs}) == 60
    for doc in docs[6:]:
        assert doc["title"] and doc["source"] == "composed"
        assert len(doc["body"].split()) >= _corpus.MIN_COMPOSED_WORDS


def test_composed_vocabulary_keeps_growing(source: _corpus.CorpusSource) -> None:
    docs = list(_corpus.Composer(source).documents(206))[6:]
    sizes = [len(_corpus.vocabulary(docs[:n])) for n in (25, 50, 100, 200)]
    assert sizes == sorted(set(sizes)), sizes


def test_composer_describes_what_it_did(source: _corpus.CorpusSource) -> None:
    composer = _corpus.Composer(source, seed=9)
    assert "used as they are" in composer.describe(4)
    text = composer.describe(50)
    assert "44 composed (seed 9)" in text and "invented test corpus" in text


def test_find_source_falls_back_to_the_sample_and_says_so(tmp_path: Path) -> None:
    sample = _write(tmp_path / "articles.jsonl", [{"id": "a", "title": "t", "body": "b"}])
    found = _corpus.find_source(tmp_path / "no-shared", sample)
    assert found.article_files == (sample,) and "sample" in found.label
    with pytest.raises(_corpus.CorpusError):
        _corpus.find_source(tmp_path / "no-shared", tmp_path / "no-sample.jsonl")


def test_real_corpus_vocabulary_grows_past_the_real_articles() -> None:
    shared = _corpus.SHARED_CORPUS
    if not shared.is_dir():
        pytest.skip(f"{shared} is absent")
    composer = _corpus.Composer(_corpus.find_source())
    real = composer.real_count
    docs = list(composer.documents(real + 400))[real:]
    assert len(_corpus.vocabulary(docs[:200])) < len(_corpus.vocabulary(docs))


TITLES = [
    "Harga Beras di Medan Naik Menjelang Lebaran",
    "Banjir Rendam Ratusan Rumah Warga di Kupang",
    "Presiden Resmikan Bendungan Baru di Sorong",
    "Nelayan Ambon Keluhkan Solar yang Langka",
]


def test_queries_are_surface_title_words() -> None:
    stop = frozenset({"di", "yang"})
    queries = _queries.derive_queries(TITLES, stop, count=300, seed=1)
    assert len(queries) == 300
    surface = {w.lower() for t in TITLES for w in t.split()}
    for query in queries:
        words = query.split()
        assert 1 <= len(words) <= 3
        assert set(words) <= surface - stop
    assert queries == _queries.derive_queries(TITLES, stop, count=300, seed=1)
    assert len(set(queries)) > 60  # distinct while the titles allow it


def test_queries_skip_stopwords_numbers_and_short_words() -> None:
    words = _queries.content_words(
        "Rp 2,5 Triliun untuk Jalan di Aceh, Kata BI", frozenset({"untuk"})
    )
    assert words == ["triliun", "jalan", "aceh", "kata"]


def test_project_stopwords_include_whoosh_english_ones() -> None:
    assert {"the", "and"} <= _queries.stopwords()


def _raw(build_s: float, latencies: list[float]) -> dict[str, Any]:
    return {
        "build_s": build_s,
        "build_cpu_s": build_s * 0.99,
        "index_bytes": 3 * _report.MIB,
        "peak_rss_mb": 80.0,
        "latencies_ms": latencies,
        "hits": 10,
        "answered": 1,
        "fallbacks": 0,
    }


def test_json_shape_and_ratios() -> None:
    raws: dict[str, dict[str, Any] | None] = {
        "searchlib": None,
        "whoosh_stock": _raw(8.0, [float(i) for i in range(1, 101)]),
        "fts5": _raw(2.0, [1.0] * 100),
        "analysis_floor": {"build_s": 1.0, "index_bytes": 5, "peak_rss_mb": 20.0},
    }
    doc = _report.document(100, 1.5, "invented", raws)
    assert set(doc) == {"docs", "text_mb", "corpus", "systems", "ratios"}
    assert set(doc["systems"]) == {
        "searchlib",
        "whoosh_stock",
        "fts5",
        "analysis_floor",
        "sphinx_2node",
    }
    for name in ("searchlib", "whoosh_stock", "fts5"):
        assert tuple(doc["systems"][name]) == _report.FIGURES
    assert doc["systems"]["analysis_floor"] == {"build_s": 1.0}
    assert set(doc["systems"]["searchlib"].values()) == {None}
    whoosh = doc["systems"]["whoosh_stock"]
    assert whoosh["docs_per_s"] == 12.5 and whoosh["index_mb"] == 3.0
    assert (whoosh["query_p50_ms"], whoosh["query_p99_ms"]) == (50.5, 99.01)
    assert doc["ratios"]["whoosh_build_vs_fts5"] == 4.0
    assert doc["ratios"]["whoosh_index_vs_text"] == 2.0
    assert doc["ratios"]["fts5_build_vs_floor"] == 2.0
    assert doc["ratios"]["searchlib_build_vs_fts5"] is None
    json.dumps(doc)


def test_busy_machine_is_flagged() -> None:
    raws: dict[str, dict[str, Any] | None] = {
        "fts5": _raw(2.0, [1.0]),
        "whoosh_stock": {**_raw(8.0, [1.0]), "build_cpu_s": 4.0},
        "searchlib": None,
    }
    warnings = _report.busy_warnings(raws)
    assert len(warnings) == 1 and "whoosh_stock used 50% of a core" in warnings[0]


def test_fts5_keeps_each_analyzed_term_one_token() -> None:
    import sqlite3

    terms = ["#banjir", "1.234", "e-commerce", "jum'at", "kota"]
    assert [_sys_fts5.decode(_sys_fts5.encode(t)) for t in terms] == terms
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE t USING fts5(a, tokenize='unicode61 remove_diacritics 0')")
    db.execute("INSERT INTO t VALUES (?)", (" ".join(_sys_fts5.encode(t) for t in terms),))

    def hits(term: str) -> int:
        match = '"' + _sys_fts5.encode(term) + '"'
        return len(db.execute("SELECT 1 FROM t WHERE t MATCH ?", (match,)).fetchall())

    assert [hits(t) for t in terms] == [1] * len(terms)
    assert [hits(t) for t in ("banjir", "234", "commerce", "jum")] == [0] * 4


def test_threshold_checker_names_each_regressed_ratio() -> None:
    ratios = {"a_vs_b": 2.5, "c_vs_d": 1.0, "e_vs_f": None}
    maxima = {"a_vs_b": 2.0, "c_vs_d": 1.0, "e_vs_f": 3.0, "g_vs_h": 1.0}
    failed = check_thresholds.regressions(ratios, maxima)
    assert len(failed) == 3
    assert failed[0].startswith("a_vs_b: 2.5 > max 2")
    assert "not measured" in failed[1] and failed[1].startswith("e_vs_f")
    assert failed[2].startswith("g_vs_h: no such ratio")
    assert check_thresholds.regressions({"a_vs_b": 1.9}, {"a_vs_b": 2.0}) == []


def test_thresholds_file_is_valid_and_names_known_ratios() -> None:
    maxima = check_thresholds.load_thresholds(BENCH / "thresholds.yaml")
    assert set(maxima) <= set(_report.RATIOS)


@pytest.mark.parametrize(
    "text", ["", "max_ratios: {}\n", "max_ratios: {a: -1}\n", "max_ratios: {a: yes}\n", "[1]\n"]
)
def test_bad_thresholds_file_is_rejected(tmp_path: Path, text: str) -> None:
    path = tmp_path / "t.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(check_thresholds.ThresholdsError):
        check_thresholds.load_thresholds(path)


def test_harness_end_to_end_writes_the_json_and_fails_a_regressed_ratio(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    try:
        _corpus.find_source()
    except _corpus.CorpusError as error:
        pytest.skip(str(error))
    limits = tmp_path / "limits.yaml"
    limits.write_text("max_ratios:\n  whoosh_index_vs_text: 0.01\n", encoding="utf-8")
    out = tmp_path / "bench.json"
    status = bench_run.main(
        [
            "--docs",
            "12",
            "--systems",
            "whoosh_stock,analysis_floor",
            "--json",
            str(out),
            "--check",
            str(limits),
        ]
    )
    printed = capsys.readouterr()
    assert status == 1
    assert "REGRESSED whoosh_index_vs_text" in printed.err
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["docs"] == 12 and doc["text_mb"] > 0 and "12 documents" in doc["corpus"]
    whoosh = doc["systems"]["whoosh_stock"]
    assert tuple(whoosh) == _report.FIGURES
    facets = {f"facets_p{p}_ms" for p in (50, 95, 99)}
    assert all(v > 0 for k, v in whoosh.items() if k not in facets)
    assert {whoosh[k] for k in facets} == {None}  # stock Whoosh has no facets to count
    assert doc["systems"]["analysis_floor"]["build_s"] > 0
    assert "| whoosh_stock |" in printed.out and "wall time" in printed.out
