"""The benchmark harness: corpus composer, query derivation, JSON shape, threshold checks.

Runs on tiny invented corpora (and, when present, a few real documents) so it stays fast.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from benchmarks import _corpus, _queries, _report, _sys_fts5, _workdir, check_thresholds, scale
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


def _raw(
    build_s: float, latencies: list[float], faceted: list[float] | None = None
) -> dict[str, Any]:
    raw = {
        "build_s": build_s,
        "build_cpu_s": build_s * 0.99,
        "index_bytes": 3 * _report.MIB,
        "peak_rss_mb": 80.0,
        "build_rss_mb": 70.0,
        "helper_rss_mb": 0.0,
        "latencies_ms": latencies,
        "hits": 10,
        "answered": 1,
        "fallbacks": 0,
    }
    if faceted is not None:
        raw["facets_latencies_ms"] = faceted
    return raw


def test_json_shape_and_ratios() -> None:
    raws: dict[str, dict[str, Any] | None] = {
        "searchlib": None,
        "whoosh_stock": _raw(8.0, [float(i) for i in range(1, 101)]),
        "fts5": _raw(2.0, [1.0] * 100, [float(i) for i in range(1, 101)]),
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
    fts5 = doc["systems"]["fts5"]
    assert (fts5["facets_p50_ms"], fts5["facets_p95_ms"]) == (50.5, 95.05)
    assert whoosh["facets_p50_ms"] is None  # no facets pass: not measured, not zero
    assert doc["ratios"]["searchlib_facets_p50_vs_fts5"] is None
    json.dumps(doc)


def test_facet_ratios_and_columns() -> None:
    searchlib = {**_raw(4.0, [2.0] * 10, [3.0] * 10), "helper_rss_mb": 61.04}
    raws: dict[str, dict[str, Any] | None] = {
        "searchlib": searchlib,
        "fts5": _raw(2.0, [1.0] * 10, [6.0] * 10),
    }
    doc = _report.document(100, 1.5, "invented", raws)
    assert doc["systems"]["searchlib"]["helper_rss_mb"] == 61.0
    assert doc["systems"]["fts5"]["helper_rss_mb"] is None  # no helper: not a zero
    assert doc["ratios"]["searchlib_facets_p50_vs_fts5"] == 0.5
    assert doc["ratios"]["searchlib_facets_p99_vs_fts5"] == 0.5
    table = _report.markdown(doc, raws, 10)
    head = table.splitlines()[0].split(" | ")
    row = next(line for line in table.splitlines() if line.startswith("| fts5 |")).split(" | ")
    assert row[head.index("facets p95 ms")] == "6"


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


@pytest.mark.slow  # whole benchmark runs: a worker process per system
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
    unmeasured = {f"facets_p{p}_ms" for p in (50, 95, 99)} | {"helper_rss_mb"}
    assert all(v > 0 for k, v in whoosh.items() if k not in unmeasured)
    # Stock Whoosh has no facets to count and builds in one process.
    assert {whoosh[k] for k in unmeasured} == {None}
    assert doc["systems"]["analysis_floor"]["build_s"] > 0
    assert "| whoosh_stock |" in printed.out and "wall time" in printed.out


def test_fts5_counts_the_total_and_facets_of_the_match_it_ranked(tmp_path: Path) -> None:
    from benchmarks._system import Settings

    docs = [
        {"id": "1", "title": "Banjir di Kupang", "body": "Banjir besar.", "category": "bencana"},
        {"id": "2", "title": "Banjir di Ambon", "body": "Air naik.", "category": "bencana"},
        {"id": "3", "title": "Harga beras", "body": "Beras mahal.", "category": "ekonomi"},
        {"id": "4", "title": "Pasar Kupang", "body": "Beras murah.", "source": "detik"},
    ]
    settings = Settings(title_boost=2.0)
    _sys_fts5.build(docs, tmp_path, settings)
    searcher = _sys_fts5.open_searcher(tmp_path, settings)
    assert searcher is not None and searcher.counts_facets
    plain = searcher.search("banjir")
    assert plain.total is None and plain.facets is None  # counted only when asked
    every = searcher.search("banjir kupang", facets=True)
    assert (every.total, every.fallback) == (1, False)
    assert every.facets == {"category": {"bencana": 1}, "source": {}}
    # No document has both words: the counts are those of the any-word match.
    either = searcher.search("banjir beras", facets=True)
    assert (either.total, either.fallback) == (4, True)
    assert either.facets == {"category": {"bencana": 2, "ekonomi": 1}, "source": {"detik": 1}}
    searcher.close()


def test_workdir_reuses_a_corpus_composed_with_the_same_arguments(
    tmp_path: Path, source: _corpus.CorpusSource
) -> None:
    work = tmp_path / "work"
    work.mkdir()
    first = _workdir.prepare(work, source, docs=30, seed=5, queries=300)
    assert not first.reused and first.text_mb > 0 and "30 documents" in first.description
    stamp = first.corpus.stat().st_mtime_ns
    again = _workdir.prepare(work, source, docs=30, seed=5, queries=300)
    assert again.reused and again.corpus.stat().st_mtime_ns == stamp
    assert (again.query_list, again.text_mb, again.description) == (
        first.query_list,
        first.text_mb,
        first.description,
    )
    for changed in ({"docs": 31}, {"seed": 6}, {"queries": 301}):
        args = {"docs": 30, "seed": 5, "queries": 300, **changed}
        anew = _workdir.prepare(work, source, **args)
        assert not anew.reused, changed
        lines = anew.corpus.read_text(encoding="utf-8").splitlines()
        assert len(lines) == args["docs"] and len(anew.query_list) == args["queries"]


def test_workdir_composes_anew_after_a_truncated_corpus(
    tmp_path: Path, source: _corpus.CorpusSource
) -> None:
    first = _workdir.prepare(tmp_path, source, docs=20, seed=5, queries=300)
    lines = first.corpus.read_text(encoding="utf-8").splitlines(keepends=True)
    first.corpus.write_text("".join(lines[:-1]), encoding="utf-8")
    again = _workdir.prepare(tmp_path, source, docs=20, seed=5, queries=300)
    assert not again.reused
    assert len(again.corpus.read_text(encoding="utf-8").splitlines()) == 20


def test_workdir_removes_only_index_directories_it_made(tmp_path: Path) -> None:
    made = tmp_path / "fts5"
    made.mkdir()
    (made / _workdir.MARKER).touch()
    (made / "fts5.db").write_bytes(b"old")
    _workdir.clear_index(made)
    assert not made.exists()
    _workdir.clear_index(made)  # nothing there: nothing to do
    foreign = tmp_path / "searchlib"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(_workdir.WorkdirError, match="searchlib exists but is no index"):
        _workdir.clear_index(foreign)
    assert (foreign / "notes.txt").exists()


def _shared_or_skip() -> None:
    try:
        _corpus.find_source()
    except _corpus.CorpusError as error:
        pytest.skip(str(error))


@pytest.mark.slow  # whole benchmark runs: a worker process per system
def test_second_run_in_a_workdir_reuses_the_corpus_and_rebuilds(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _shared_or_skip()
    work = tmp_path / "work"
    args = ["--systems", "analysis_floor", "--workdir", str(work)]
    assert bench_run.main(["--docs", "12", *args]) == 0
    assert "corpus and queries made in" in capsys.readouterr().out
    built = work / "analysis_floor" / "terms.txt"
    built.write_text("left from the first run", encoding="utf-8")
    assert bench_run.main(["--docs", "12", *args]) == 0
    printed = capsys.readouterr().out
    assert f"corpus and queries reused from {work.resolve()}" in printed
    assert "analysis_floor: done" in printed
    assert built.read_text(encoding="utf-8") != "left from the first run"  # built anew
    assert bench_run.main(["--docs", "13", *args]) == 0
    printed = capsys.readouterr().out
    assert "corpus and queries made in" in printed and "13 documents" in printed
    assert len((work / "corpus.jsonl").read_text(encoding="utf-8").splitlines()) == 13


def test_run_refuses_to_delete_a_directory_it_did_not_make(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _shared_or_skip()
    (tmp_path / "analysis_floor").mkdir()
    status = bench_run.main(
        ["--docs", "12", "--systems", "analysis_floor", "--workdir", str(tmp_path)]
    )
    assert status == 2
    assert "analysis_floor exists but is no index directory" in capsys.readouterr().err
    assert (tmp_path / "analysis_floor").is_dir()


@pytest.mark.slow  # whole benchmark runs: a worker process per system
def test_small_run_times_searchlib_and_fts5_with_facets(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _shared_or_skip()
    out = tmp_path / "bench.json"
    status = bench_run.main(["--docs", "40", "--systems", "searchlib,fts5", "--json", str(out)])
    printed = capsys.readouterr().out
    assert status == 0
    doc = json.loads(out.read_text(encoding="utf-8"))
    for name in ("searchlib", "fts5"):
        figures = doc["systems"][name]
        assert all(figures[f"facets_p{p}_ms"] > 0 for p in (50, 95, 99)), figures
    for p in (50, 95, 99):
        assert doc["ratios"][f"searchlib_facets_p{p}_vs_fts5"] > 0
    # Both counted the same matches by facet; the totals too unless searchlib collapses
    # near-duplicate stories (then its totals count stories), which the run says.
    assert "queries and its facet counts on 300/300" in printed
    if bench_run.searchlib_defaults().collapse:
        assert "searchlib collapses near-duplicate stories" in printed
    else:
        assert "fts5 has searchlib's total on 300/300 queries" in printed


def test_query_rounds_keep_each_querys_least_latency(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rounds = {
        "searchlib": {"latencies_ms": [4.0, 2.0, 3.0], "facets_latencies_ms": [1.0, 3.0, 2.0]},
        "fts5": {"latencies_ms": [0.5, 2.0, 1.0]},
    }
    asked = []

    def again(name: str, *args: Any, queries_only: bool = False) -> dict[str, Any]:
        asked.append((name, queries_only))
        return rounds[name]

    monkeypatch.setattr(bench_run, "run_worker", again)
    raws: dict[str, dict[str, Any] | None] = {
        "searchlib": {"latencies_ms": [5.0, 1.0, 3.0], "facets_latencies_ms": [2.0, 2.0, 2.0]},
        "whoosh_stock": None,
        "fts5": {"latencies_ms": [1.0, 1.0, 1.0]},
        "sphinx_2node": {"latencies_ms": [9.0, 9.0, 9.0]},
    }
    failures: list[str] = []
    bench_run._query_round(raws, failures, None, Path("."), 8.0, ())  # type: ignore[arg-type]
    # The cluster is not queried again (its nodes stopped); a skipped system neither.
    assert asked == [("searchlib", True), ("fts5", True)]
    assert raws["searchlib"] == {
        "latencies_ms": [4.0, 1.0, 3.0],
        "facets_latencies_ms": [1.0, 2.0, 2.0],
    }
    assert raws["fts5"] == {"latencies_ms": [0.5, 1.0, 1.0]}
    assert raws["sphinx_2node"] == {"latencies_ms": [9.0, 9.0, 9.0]}
    assert failures == []


def _run_json(path: Path, docs: int, p50: tuple[float, float], build: tuple[float, float]) -> Path:
    raws: dict[str, dict[str, Any] | None] = {
        "searchlib": _raw(build[0], [p50[0]] * 10, [2 * p50[0]] * 10),
        "fts5": _raw(build[1], [p50[1]] * 10),
    }
    doc = _report.document(docs, docs / 100, "invented", raws)
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def _table_rows(printed: str) -> dict[str, list[str]]:
    rows = {}
    for line in printed.splitlines():
        cells = [c.strip() for c in line.strip("|").split("|")]
        rows[cells[0]] = cells[1:]
    return rows


def test_scale_table_shows_each_figure_and_its_growth(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    big = _run_json(tmp_path / "b.json", 400, p50=(3.0, 1.5), build=(20.0, 8.0))
    small = _run_json(tmp_path / "a.json", 100, p50=(2.0, 1.0), build=(4.0, 2.0))
    assert scale.main([str(big), str(small)]) == 0  # sorted by size, whatever the order
    rows = _table_rows(capsys.readouterr().out)
    assert rows["system: figure"] == ["100", "400", "x 100->400"]
    assert rows["documents"] == ["100", "400", "4.00x"]
    assert rows["searchlib: build s"] == ["4", "20", "5.00x"]
    assert rows["searchlib: p50 ms"] == ["2", "3", "1.50x"]
    assert rows["searchlib: facets p50 ms"] == ["4", "6", "1.50x"]
    assert rows["fts5: facets p50 ms"] == ["-", "-", "-"]  # not measured
    assert rows["searchlib: index / text"] == ["3", "0.75", "0.25x"]  # 3 MB over 1 and 4 MB
    assert rows["searchlib / fts5: build s"] == ["2", "2.5", "1.25x"]
    assert rows["searchlib / fts5: p50 ms"] == ["2", "2", "1.00x"]
    assert "searchlib / fts5: helper peak RSS MB" not in rows  # FTS5 has no helper


def test_scale_table_of_three_sizes_adds_first_to_last(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = [
        _run_json(tmp_path / f"{n}.json", n, p50=(n / 100, 1.0), build=(1.0, 1.0))
        for n in (100, 200, 1000)
    ]
    assert scale.main([str(f) for f in files]) == 0
    rows = _table_rows(capsys.readouterr().out)
    assert rows["system: figure"][-3:] == ["x 100->200", "x 200->1k", "x 100->1k"]
    assert rows["searchlib: p50 ms"] == ["1", "2", "10", "2.00x", "5.00x", "10.00x"]


def test_scale_rejects_what_makes_no_scale(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    one = _run_json(tmp_path / "one.json", 100, p50=(2.0, 1.0), build=(4.0, 2.0))
    same = _run_json(tmp_path / "same.json", 100, p50=(2.0, 1.0), build=(4.0, 2.0))
    broken = tmp_path / "broken.json"
    broken.write_text('{"docs": 100', encoding="utf-8")
    other = tmp_path / "other.json"
    other.write_text('{"docs": 100, "systems": {}}', encoding="utf-8")
    for files, message in (
        ([one], "two sizes at least"),
        ([one, same], "are both 100 docs"),
        ([one, broken], "broken.json: not a readable JSON file"),
        ([one, other], "other.json: not the JSON of benchmarks.run (no valid 'text_mb')"),
    ):
        assert scale.main([str(f) for f in files]) == 2
        assert message in capsys.readouterr().err
