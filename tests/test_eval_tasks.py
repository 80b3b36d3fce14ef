"""The quality benchmark's tasks (benchmarks/_eval_tasks.py) and the derived "fills" row,
on invented articles laid out like ../shared."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks import _eval_tasks
from searchlib.evaluation.runner import EvalResult, System, filled, run_systems

LEAD = "Warga Desa Sukamaju memanen padi lebih awal karena banjir mengancam sawah mereka."
REST = " ".join(
    f"Kepala desa menyebut {n} hektare sawah sudah dipanen dan sisanya menunggu air surut."
    for n in range(10, 16)
)


@pytest.fixture
def shared(tmp_path: Path) -> Path:
    articles = [
        {"id": "a1", "title": "Panen Dini di Sukamaju", "body": f"{LEAD} {REST}"},
        {"id": "a2", "title": "Panen Dini di Sukamaju", "body": f"{LEAD} {REST}"},  # a copy
        {"id": "a3", "title": "Harga Cabai Turun", "body": "Pendek. Terlalu pendek."},
        {"id": "a4", "title": "", "body": f"{LEAD} {REST}"},  # no title: no headline query
    ]
    corpus = tmp_path / "shared" / "corpus"
    corpus.mkdir(parents=True)
    lines = "".join(json.dumps(a) + "\n" for a in articles)
    (corpus / "detik-1000.jsonl").write_text(lines, encoding="utf-8")
    return tmp_path / "shared"


def test_split_lead_needs_a_real_first_sentence():
    assert _eval_tasks.split_lead(f"{LEAD} {REST}") == (LEAD, REST)
    # "Rp 1.500" and short openings are not sentence ends.
    first = "Jakarta - Harga naik. Harga cabai di pasar induk naik menjadi Rp 1.500 per ons."
    lead, rest = _eval_tasks.split_lead(f"{first} Sisa.")
    assert lead == first
    assert rest == "Sisa."
    assert _eval_tasks.split_lead("tanpa titik sama sekali") is None


def test_detik_tasks_drop_duplicates_and_keep_queries_out_of_documents(shared, tmp_path):
    headline = _eval_tasks.detik_headline(shared, tmp_path)
    assert list(headline.queries) == ["h-a1", "h-a3"]  # a2 duplicates a1; a4 has no title
    assert headline.qrels == {"h-a1": {"a1": 1}, "h-a3": {"a3": 1}}
    docs = [json.loads(line) for line in headline.docs.read_text("utf-8").splitlines()]
    assert all("title" not in d for d in docs)

    lead = _eval_tasks.detik_lead(shared, tmp_path)
    assert lead.queries == {"l-a1": LEAD}  # a3's rest is too short
    (doc,) = [json.loads(line) for line in lead.docs.read_text("utf-8").splitlines()]
    assert doc == {"id": "a1", "title": "Panen Dini di Sukamaju", "body": REST}
    assert LEAD not in doc["body"]


def test_acronym_queries_name_a_form_their_article_does_not_use():
    query = _eval_tasks.acronym_query
    # As written: the title's form is absent from the body, another form of it is there.
    assert query("Menkeu Bahas Pajak", "Menteri Keuangan membahas pajak.") == "Menkeu Bahas Pajak"
    # Swapped: the body uses only the title's form.
    assert (
        query("KPK Periksa Bupati", "Penyidik KPK memeriksa bupati.")
        == "Komisi Pemberantasan Korupsi Periksa Bupati"
    )
    # The body uses both forms, or the title names no listed form: no query.
    assert query("KPK Periksa Bupati", "Komisi Pemberantasan Korupsi (KPK) memeriksa.") is None
    assert query("Harga Cabai Turun", "Harga cabai turun di pasar.") is None
    # The longest listed form is the one the title names (Satpol PP, not PP).
    assert (
        query("Satpol PP Tertibkan Pedagang", "Petugas Satpol PP menertibkan pedagang.")
        == "Satuan Polisi Pamong Praja Tertibkan Pedagang"
    )
    # A two-letter form counts only in capitals: "as" in a title is no AS.
    assert query("Ganti as Roda", "Amerika Serikat mengganti roda.") is None


def test_the_acronym_task_judges_each_query_by_its_own_article(tmp_path):
    articles = [
        {"id": "k1", "title": "KPK Periksa Bupati", "body": "Penyidik KPK memeriksa bupati."},
        {"id": "k2", "title": "Harga Cabai Turun", "body": "Harga cabai turun di pasar."},
    ]
    corpus = tmp_path / "shared" / "corpus"
    corpus.mkdir(parents=True)
    lines = "".join(json.dumps(a) + "\n" for a in articles)
    (corpus / "detik-1000.jsonl").write_text(lines, encoding="utf-8")
    task = _eval_tasks.detik_acronym(tmp_path / "shared", tmp_path)
    assert task.queries == {"a-k1": "Komisi Pemberantasan Korupsi Periksa Bupati"}
    assert task.qrels == {"a-k1": {"k1": 1}}
    docs = [json.loads(line) for line in task.docs.read_text("utf-8").splitlines()]
    assert [d["id"] for d in docs] == ["k1", "k2"]
    assert all("title" not in d for d in docs)


def test_title_keywords_are_two_or_three_title_words_in_order():
    stop = frozenset({"di", "ke"})
    title = "Harga Cabai Merah di Pasar Induk Turun ke Rp 40 Ribu"
    words = ["harga", "cabai", "merah", "pasar", "induk", "turun", "ribu"]
    for doc_id in ("a", "b", "c", "d"):
        query = _eval_tasks.title_keywords(doc_id, title, stop)
        assert query is not None and 2 <= len(query.split()) <= 3
        positions = [words.index(w) for w in query.split()]
        assert positions == sorted(positions)
    # Drawn by a hash of the id: the same article always gives the same query.
    assert _eval_tasks.title_keywords("a", title, stop) == _eval_tasks.title_keywords(
        "a", title, stop
    )
    assert _eval_tasks.title_keywords("x", "Banjir di 2025", stop) is None  # one word


def test_keyword_task_indexes_whole_articles(shared, tmp_path):
    task = _eval_tasks.detik_keywords(shared, tmp_path)
    assert set(task.queries) == {"k-a1", "k-a3"}
    assert task.qrels["k-a1"] == {"a1": 1}
    docs = [json.loads(line) for line in task.docs.read_text("utf-8").splitlines()]
    assert all(d.get("title") for d in docs)


def test_mixed_untitled_strips_only_the_relevant_titles(shared, tmp_path):
    corpus = shared / "corpus"
    hoax = {"id": "h1", "title": "Klaim Palsu", "body": "Klaim tentang banjir di Sukamaju."}
    (corpus / "hoax-news.jsonl").write_text(json.dumps(hoax) + "\n", encoding="utf-8")
    for name in _eval_tasks.MIXED_CORPORA[1:]:
        line = json.dumps({"id": f"{name}-1", "body": "Ulasan singkat."}) + "\n"
        (corpus / f"{name}.jsonl").write_text(line, encoding="utf-8")
    task = _eval_tasks.mixed_untitled(shared, tmp_path)
    docs = {d["id"]: d for d in map(json.loads, task.docs.read_text("utf-8").splitlines())}
    assert docs["h1"]["title"] == "Klaim Palsu"
    for qid, judged in task.qrels.items():
        (doc_id,) = judged
        assert "title" not in docs[doc_id]
        assert (
            task.queries[qid] == {"a1": "Panen Dini di Sukamaju", "a3": "Harga Cabai Turun"}[doc_id]
        )
    relevant = {d for judged in task.qrels.values() for d in judged}
    assert all(docs[d].get("title") for d in {"a1", "a3"} - relevant)


def test_missing_data_is_reported(tmp_path):
    with pytest.raises(_eval_tasks.TaskUnavailable):
        _eval_tasks.facqa(tmp_path)
    with pytest.raises(_eval_tasks.TaskUnavailable):
        _eval_tasks.detik_headline(tmp_path, tmp_path)
    with pytest.raises(ValueError, match="unknown task"):
        _eval_tasks.build("nope", tmp_path, tmp_path)


def _result(name: str, run: dict[str, list[str]], fell_back: set[str] = frozenset()):
    return EvalResult(
        name,
        {},
        {q: [(d, 1.0) for d in docs] for q, docs in run.items()},
        0.0,
        0.0,
        fell_back=frozenset(fell_back),
    )


def test_filled_appends_any_word_hits_after_all_word_hits():
    qrels = {"q1": {"c": 1}, "q2": {"z": 1}, "q3": {"y": 1}}
    all_words = _result("all", {"q1": ["a"], "q2": ["x", "z"], "q3": ["y"]}, fell_back={"q3"})
    any_word = _result("any", {"q1": ["b", "a", "c"], "q2": ["z", "x"], "q3": ["w", "y"]})
    result = filled("fill", all_words, any_word, qrels)
    assert [d for d, _ in result.run["q1"]] == ["a", "b", "c"]
    assert [d for d, _ in result.run["q2"]] == ["x", "z"]
    assert [d for d, _ in result.run["q3"]] == ["w", "y"]  # a fallback answer is any-word
    assert result.per_query["q1"]["mrr@10"] == pytest.approx(1 / 3)


def test_jobs_split_a_single_index_group(tmp_path):
    path = tmp_path / "docs.jsonl"
    path.write_text(
        json.dumps({"id": "d1", "title": "Banjir", "body": "Banjir di Bekasi."}) + "\n",
        encoding="utf-8",
    )
    from searchlib.evaluation.runner import Collection

    collection = Collection("one", path, {"q": "banjir Bekasi"}, {"q": {"d1": 1}})
    rows = [System(f"k1 {k}", {"bm25": {"k1": k}}) for k in (0.9, 1.2, 1.5)]
    serial = run_systems(collection, rows)
    parallel = run_systems(collection, rows, jobs=2)
    assert [r.name for r in parallel] == [r.name for r in rows]
    assert [r.scores for r in parallel] == [r.scores for r in serial]
    assert all(r.scores["mrr@10"] == 1.0 and not r.fell_back for r in serial)
