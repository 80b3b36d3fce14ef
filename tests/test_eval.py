"""The evaluation runner, reference rows and ``searchlib eval`` on a tiny invented collection."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from click.testing import CliRunner

from searchlib.cli import cli
from searchlib.errors import IngestError
from searchlib.evaluation.metrics import mean_scores, per_query
from searchlib.evaluation.runner import (
    Collection,
    System,
    any_word_query,
    format_table,
    load_qrels,
    load_queries,
    run_systems,
    split_of,
)
from searchlib.evaluation.systems import (
    REFERENCE_BM25,
    reference_systems,
    same_ranking_systems,
)

# Invented articles: each query is answered by exactly one of them.
DOCS = [
    {
        "id": "d1",
        "title": "Banjir di Bekasi",
        "body": "Banjir merendam ratusan rumah warga Bekasi.",
    },
    {"id": "d2", "title": "Harga beras naik", "body": "Pedagang pasar menaikkan harga beras lagi."},
    {"id": "d3", "title": "Kereta cepat", "body": "Penumpang kereta cepat bertambah pada libur."},
    {"id": "d4", "title": "Gempa di Palu", "body": "Gempa mengguncang Palu, warga mengungsi."},
    {"id": "d5", "title": "Pemilihan kepala desa", "body": "Warga memilih kepala desa baru."},
]
QUERIES = {
    "q1": "rumah terendam banjir Bekasi",
    "q2": "kenaikan harga beras",
    "q3": "penumpang kereta",
    "q4": "guncangan pengungsian",  # only affixed forms of the article's words
    "q5": "siapa yang",  # stopwords only: searched as written, finds nothing
}
QRELS = {"q1": {"d1": 1}, "q2": {"d2": 1}, "q3": {"d3": 1}, "q4": {"d4": 1}, "q5": {"d5": 1}}


@pytest.fixture
def collection(tmp_path: Path) -> Collection:
    path = tmp_path / "docs.jsonl"
    path.write_text("".join(json.dumps(d) + "\n" for d in DOCS), encoding="utf-8")
    return Collection("tiny", path, dict(QUERIES), {q: dict(r) for q, r in QRELS.items()})


@pytest.fixture
def files(tmp_path: Path, collection: Collection) -> dict[str, Path]:
    queries = tmp_path / "queries.tsv"
    queries.write_text("".join(f"{q}\t{t}\n" for q, t in QUERIES.items()), encoding="utf-8")
    qrels = tmp_path / "qrels.tsv"
    qrels.write_text(
        "".join(f"{q} 0 {d} {g}\n" for q, r in QRELS.items() for d, g in r.items()),
        encoding="utf-8",
    )
    return {"docs": collection.docs, "queries": queries, "qrels": qrels}


def test_per_query_and_means_over_subsets():
    run = {"q1": ["a", "b"], "q2": ["x", "c"]}
    qrels = {"q1": {"a": 1}, "q2": {"c": 1}, "q3": {"z": 1}, "q4": {"a": 0}}
    scores = per_query(run, qrels)
    assert set(scores) == {"q1", "q2", "q3"}  # q4 has nothing relevant: not judged
    assert scores["q2"]["mrr@10"] == 0.5
    assert scores["q2"]["ndcg@10"] == pytest.approx(1 / math.log2(3))
    assert scores["q3"] == {"ndcg@10": 0.0, "mrr@10": 0.0, "recall@10": 0.0, "recall@100": 0.0}
    assert mean_scores(scores, ["q1", "q2"])["mrr@10"] == pytest.approx(0.75)
    assert mean_scores(scores, ["q1", "q9"]) == mean_scores(scores, ["q1"])
    assert mean_scores(scores, [])["queries"] == 0
    assert mean_scores(scores)["mrr@10"] == pytest.approx(0.5)


def test_split_is_stable_and_about_half():
    qids = [f"train-{i}" for i in range(2000)]
    tuning = [q for q in qids if split_of(q) == "tuning"]
    assert 900 < len(tuning) < 1100
    assert {split_of(q) for q in qids} == {"tuning", "held-out"}
    assert split_of("train-0") == split_of("train-0")


def test_loaders_report_bad_lines(tmp_path: Path):
    bad = tmp_path / "q.tsv"
    bad.write_text("q1\tfine\nq2 no tab\n", encoding="utf-8")
    with pytest.raises(IngestError) as info:
        load_queries(bad)
    assert info.value.line == 2
    bad.write_text("q1 0 d1 yes\n", encoding="utf-8")
    with pytest.raises(IngestError, match="integer"):
        load_qrels(bad)


def test_any_word_query_quotes_each_word_literally():
    assert any_word_query("harga (beras) OR naik") == '"harga" OR "beras" OR "OR" OR "naik"'
    assert any_word_query("Bekasi") == '"Bekasi"'


def test_run_systems_scores_rows_and_shares_an_index(collection: Collection):
    rows = [
        System("plain", {}),
        System("any word", {}, query_mode="any"),
        System("simple", {"analyzer": "simple"}),
        System("all words", {}, query_mode="all"),
    ]
    assert rows[0].index_key() == rows[1].index_key() != rows[2].index_key()
    results = run_systems(collection, rows)
    assert [r.name for r in results] == ["plain", "any word", "simple", "all words"]
    # Plain syntax ranks prose as one any-word query: the same run as the explicit one.
    assert [d for d, _ in results[0].run["q1"]] == [d for d, _ in results[1].run["q1"]]
    for r in results:
        assert r.scores["queries"] == 5
        assert r.refused == 0 and r.run["q5"] == []
        assert r.per_query["q5"]["mrr@10"] == 0.0
    # The stemmer joins guncangan/mengguncang and pengungsian/mengungsi; exact words cannot.
    stemmed = results[0].per_query
    assert all(stemmed[q]["mrr@10"] == 1.0 for q in ("q1", "q2", "q3", "q4"))
    assert results[0].build_s == results[1].build_s  # one build for both
    assert results[2].scores["mrr@10"] < results[0].scores["mrr@10"]


def test_unknown_query_mode(collection: Collection):
    with pytest.raises(ValueError, match="query_mode"):
        run_systems(collection, [System("x", {}, query_mode="fuzzy")])


class Swap:
    """A rewriter that turns one invented word into another, in documents and queries."""

    def __init__(self, old: str, new: str) -> None:
        self.name = f"swap {old}"
        self.old, self.new = old, new

    def text(self, text: str) -> str:
        return text.replace(self.old, self.new)


def test_reference_rows_are_textbook_bm25_on_the_base_stopwords_and_boosts():
    base = {"fields": {"title": {"boost": 3.0}}, "stopwords": {"add": ["kemarin"]}}
    swap = Swap("a", "b")
    rows = reference_systems(base, [None, swap])
    assert [r.rewriter for r in rows] == [None, swap]
    assert [r.name for r in rows] == ["reference: BM25, no stemming", "reference: BM25, swap a"]
    for row in rows:
        config = row.resolved_config()
        assert config["bm25"] == REFERENCE_BM25 and row.query_mode == "any"
        assert config["analyzer"] == "simple" and config["ranking"]["title_rule"] is False
        assert config["fields"] == base["fields"] and config["stopwords"] == base["stopwords"]
    same = same_ranking_systems({"bm25": {"k1": 0.9}}, [None])
    assert same[0].query_mode == "search" and same[0].resolved_config()["bm25"] == {"k1": 0.9}
    assert reference_systems(base)[0].rewriter is None


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_rewriter_rewrites_documents_and_queries(collection: Collection, jobs: int):
    plain, swapped = reference_systems({}, [None, Swap("Bekasi", "Zqkota")])
    results = run_systems(collection, [plain, swapped], jobs=jobs)
    assert all(r.scores["queries"] == 5 for r in results)
    # Both sides are rewritten, so the row finds what the plain row finds.
    assert results[1].run == results[0].run
    table = format_table(results, splits={"tuning": ["q1", "q2"], "held-out": ["q3"]})
    assert "| reference: BM25, swap Bekasi |" in table
    assert "MRR@10 held-out" in table.splitlines()[0]


def test_cli_eval_table_json_and_run_files(files: dict[str, Path], tmp_path: Path):
    args = ["eval", "--docs", str(files["docs"]), "--queries", str(files["queries"])]
    args += ["--qrels", str(files["qrels"])]
    runner = CliRunner()
    result = runner.invoke(cli, [*args, "-a", "indonesian", "-a", "simple", "--splits"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("| system | nDCG@10 | MRR@10 | R@10 | R@100 | queries |")
    assert lines[2].startswith("| indonesian | ") and lines[3].startswith("| simple | ")

    out = tmp_path / "run"
    result = runner.invoke(
        cli, [*args, "-a", "indonesian", "--reference", "--json", "--run-out", str(out)]
    )
    assert result.exit_code == 0, result.output
    scores = json.loads(result.stdout)
    assert "indonesian" in scores and "reference: BM25, no stemming" in scores
    assert scores["indonesian"]["mrr@10"] == pytest.approx(0.8)
    run_file = tmp_path / "run.indonesian"
    first = run_file.read_text(encoding="utf-8").splitlines()[0].split()
    assert first[1] == "Q0" and first[3] == "1" and first[5] == "indonesian"
    assert (tmp_path / "run.reference_BM25_no_stemming").is_file()


def test_cli_eval_gain_flag_chooses_the_ndcg_gain(files: dict[str, Path], tmp_path: Path):
    """q1 finds its grade-1 article but never the grade-3 one: linear gain (trec_eval's
    ndcg_cut, the default) forgives that less harshly than 2^grade - 1."""
    graded = tmp_path / "graded.tsv"
    graded.write_text(files["qrels"].read_text(encoding="utf-8") + "q1 0 d5 3\n", "utf-8")
    args = ["eval", "--docs", str(files["docs"]), "--queries", str(files["queries"])]
    args += ["--qrels", str(graded), "-a", "indonesian", "--json"]
    ndcg = {}
    for gain in ("default", "linear", "exponential"):
        extra = [] if gain == "default" else ["--gain", gain]
        result = CliRunner().invoke(cli, [*args, *extra])
        assert result.exit_code == 0, result.output
        ndcg[gain] = json.loads(result.stdout)["indonesian"]["ndcg@10"]
    assert ndcg["default"] == ndcg["linear"] > ndcg["exponential"]


def test_cli_eval_unknown_analyzer_is_one_line(files: dict[str, Path]):
    args = ["eval", "--docs", str(files["docs"]), "--queries", str(files["queries"])]
    result = CliRunner().invoke(cli, [*args, "--qrels", str(files["qrels"]), "-a", "nope"])
    assert result.exit_code != 0
    assert "unknown analyzer 'nope'" in result.output


# -- agreement with trec_eval ------------------------------------------------------------------

# Graded judgments (0-3) and a run with tied scores, as searchlib's runs have them: where
# scores tie, trec_eval orders by document id unless the run file's scores say otherwise.
GRADED_QRELS = {
    "q1": {"d1": 3, "d2": 0, "d3": 1, "d4": 2, "d9": 3},
    "q2": {"a": 1, "b": 2, "c": 3},
    "q3": {"z": 2, "y": 1},
}
TIED_RUN = {
    "q1": [("d3", 4.0), ("d1", 2.5), ("d4", 2.5), ("d2", 2.5), ("d7", 1.25)],
    "q2": [("a", 1.0), ("c", 1.0), ("b", 1.0)],
    "q3": [("x", 3.0), ("y", 0.5), ("z", 0.5)],
}


def _pytrec_scores(run: dict[str, dict[str, float]]) -> dict[str, dict[str, float]]:
    pytrec_eval = pytest.importorskip("pytrec_eval", reason="needs the test extra")
    evaluator = pytrec_eval.RelevanceEvaluator(
        GRADED_QRELS, {"ndcg_cut.10", "recall.10", "recall.100"}
    )
    return evaluator.evaluate(run)


def test_eval_agrees_with_trec_eval_on_graded_qrels_and_ties(tmp_path: Path):
    from searchlib.evaluation.runner import EvalResult, write_trec_run

    result = EvalResult("indonesian", {}, TIED_RUN, 0.0, 0.0)
    path = tmp_path / "run.indonesian"
    write_trec_run(path, result)
    written: dict[str, dict[str, float]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        qid, _, doc, _, score, _ = line.split()
        written.setdefault(qid, {})[doc] = float(score)
    theirs = _pytrec_scores(written)
    ours = per_query({q: [d for d, _ in hits] for q, hits in TIED_RUN.items()}, GRADED_QRELS)
    for qid in GRADED_QRELS:
        assert ours[qid]["ndcg@10"] == pytest.approx(theirs[qid]["ndcg_cut_10"], abs=1e-4)
        assert ours[qid]["recall@10"] == pytest.approx(theirs[qid]["recall_10"], abs=1e-4)
        assert ours[qid]["recall@100"] == pytest.approx(theirs[qid]["recall_100"], abs=1e-4)
    # The scores as searchlib gave them (ties kept) are re-ranked by trec_eval: the run file
    # must not be written that way.
    raw = _pytrec_scores({q: dict(hits) for q, hits in TIED_RUN.items()})
    assert any(raw[q]["ndcg_cut_10"] != pytest.approx(ours[q]["ndcg@10"], abs=1e-4) for q in raw)
    # Exponential gain is the other convention, and differs on graded judgments.
    other = per_query(
        {q: [d for d, _ in h] for q, h in TIED_RUN.items()}, GRADED_QRELS, "exponential"
    )
    assert other["q1"]["ndcg@10"] != pytest.approx(theirs["q1"]["ndcg_cut_10"], abs=1e-4)


def test_run_file_scores_strictly_decrease():
    from searchlib.evaluation.runner import strictly_decreasing

    assert strictly_decreasing([2.5, 2.5, 2.5000001, 1.0, -0.5, -0.5]) == [
        "2.500000",
        "2.499999",
        "2.499998",
        "1.000000",
        "-0.500000",
        "-0.500001",
    ]
