"""Near-duplicate stories: signatures at index time, one hit per story at search time, in
the library, the CLI, the JSON API and the page; kept right through updates and deletes."""

from __future__ import annotations

import json
import random
import subprocess
import sys
import warnings
import zlib
from collections.abc import Callable

import pytest
from click.testing import CliRunner

from searchlib import ConfigError, Index
from searchlib.backends.base import RawHit, RawResults
from searchlib.backends.embedded.metadata import FORMAT_VERSION
from searchlib.cli import cli
from searchlib.collapse import page_of_stories, stories, story_count
from searchlib.query import Word
from searchlib.signatures import (
    SIGNATURE_FIELD,
    decode,
    document_signature,
    near_duplicates,
    packed,
    similarity,
    text_signature,
)
from searchlib.web import create_app

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message=".*httpx2")
    from starlette.testclient import TestClient

VOCABULARY = [
    "pemerintah",
    "presiden",
    "menteri",
    "rakyat",
    "harga",
    "beras",
    "pasar",
    "kota",
    "desa",
    "jalan",
    "sekolah",
    "guru",
    "petani",
    "nelayan",
    "pajak",
    "anggaran",
    "proyek",
    "gedung",
    "banjir",
    "hujan",
    "sungai",
    "polisi",
    "hakim",
    "sidang",
    "kasus",
    "korupsi",
    "komisi",
    "rapat",
    "partai",
    "pemilu",
    "suara",
    "warga",
    "pabrik",
    "buruh",
    "upah",
    "listrik",
    "air",
    "minyak",
    "gas",
    "tambang",
    "hutan",
    "laut",
    "pulau",
    "pelabuhan",
    "kapal",
    "kereta",
    "bandara",
    "pesawat",
    "rumah",
    "sakit",
]


def article(seed: int, words: int = 150) -> str:
    rng = random.Random(seed)
    return " ".join(rng.choice(VOCABULARY) for _ in range(words)) + f" kode{seed}"


def rewrite(text: str, seed: int, share: float = 0.04) -> str:
    """``text`` with about ``share`` of its words replaced, as an editor's second version."""
    rng = random.Random(seed)
    words = text.split()
    for i in rng.sample(range(len(words)), int(len(words) * share)):
        words[i] = f"ubah{rng.randint(0, 999)}"
    return " ".join(words)


def story_docs() -> list[dict[str, str]]:
    """Story 1 three times (twice word for word, once rewritten), story 2 twice, and four
    stories of their own; every document mentions "banjir"."""
    one, two = article(1), article(2)
    docs = [
        {"id": "s1-a", "title": "Banjir kota", "body": one + " banjir"},
        {"id": "s1-b", "title": "Banjir kota", "body": one + " banjir"},
        {"id": "s1-c", "title": "Banjir melanda kota", "body": rewrite(one, 7) + " banjir"},
        {"id": "s2-a", "title": "Banjir desa", "body": two + " banjir"},
        {"id": "s2-b", "title": "Banjir desa", "body": rewrite(two, 8) + " banjir"},
    ]
    docs += [{"id": f"u{i}", "title": "Banjir", "body": article(10 + i)} for i in range(4)]
    for doc in docs[5:]:
        doc["body"] += " banjir"
    return docs


#: An index's own config that collapses its searches (off by default).
COLLAPSING = {"duplicates": {"collapse": True}}


@pytest.fixture
def ix(tmp_path):
    with Index.create(tmp_path / "ix", COLLAPSING) as index:
        index.add(story_docs())
        yield index


def ids(results) -> list[str]:
    return [h.id for h in results.hits]


# -- signatures -----------------------------------------------------------------------


def sketch(text: str):
    return decode(packed(text_signature(text)))


def test_a_rewrite_is_near_and_another_story_is_not():
    text = article(1)
    same = sketch(text)
    assert same is not None
    near = sketch(rewrite(text, 3))
    other = sketch(article(2))
    assert near is not None and other is not None
    assert similarity(same, same) == 1.0
    assert similarity(same, near) > 0.6
    assert similarity(same, other) < 0.2
    assert near_duplicates(same, near, 0.5)
    assert not near_duplicates(same, other, 0.5)


def test_a_story_republished_with_a_new_ending_is_one_story():
    """Versions of a story share their opening; what follows may be an update."""
    text = article(1, 400)
    updated = sketch(" ".join(text.split()[:200]) + " " + article(9, 400))
    assert updated is not None and near_duplicates(sketch(text), updated, 0.45)


def test_short_texts_are_one_story_only_when_identical():
    a = sketch("Banjir besar melanda kota Bekasi hari ini")
    b = sketch("Banjir besar melanda kota Depok hari ini")
    assert a is not None and b is not None
    assert not near_duplicates(a, b, 0.3)
    assert near_duplicates(a, a, 0.9)


def test_a_signature_is_the_same_in_every_process():
    """Signatures are stored: they must not depend on Python's per-process hash seed."""
    text = article(5)
    code = "import sys; from searchlib.signatures import text_signature as s; print(s(sys.argv[1]))"
    seen = {
        subprocess.run(
            [sys.executable, "-c", code, text],
            env={"PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        for seed in ("1", "2")
    }
    assert seen == {text_signature(text)}


def reference_signature(text: str) -> str:
    """The signature as signatures.py's docstring defines it, one bin at a time: signatures
    are stored, so a faster implementation must give exactly these."""
    words = text.lower().encode().split()[:150]  # the first WORDS words
    words += [b""] * (3 - len(words))
    minima: dict[int, int] = {}
    for shingle in zip(words, words[1:], words[2:], strict=False):
        h = zlib.crc32(b" ".join(shingle))
        minima[h % 64] = min(h, minima.get(h % 64, h))
    values = [min(minima[b] >> 6 & 0xFFFF, 0xFFFE) if b in minima else 0xFFFF for b in range(64)]
    return "".join(f"{v:04x}" for v in values)


@pytest.mark.parametrize("words", [0, 1, 2, 3, 20, 45, 400])
def test_a_signature_is_the_one_its_definition_gives(words):
    texts = [article(seed, words) for seed in range(20)] + ["Kata " * words]
    for text in texts:
        assert text_signature(text) == reference_signature(text)


def test_a_missing_or_malformed_signature_decodes_to_none():
    assert decode(None) is None
    assert decode(b"\x00\xff") is None
    assert packed(None) is None
    assert packed("zz" * 128) is None
    assert packed("00ff") is None


# -- the collapse ---------------------------------------------------------------------


def test_search_shows_one_hit_per_story_with_the_others_ids(ix):
    res = ix.search("banjir")
    assert res.total == 6
    assert len(res.hits) == 6
    by_id = {h.id: h for h in res.hits}
    leads = [i for i in ids(res) if i.startswith("s1")]
    assert len(leads) == 1
    assert set(by_id[leads[0]].duplicates) | {leads[0]} == {"s1-a", "s1-b", "s1-c"}
    second = [h for h in res.hits if h.id.startswith("s2")]
    assert len(second) == 1 and len(second[0].duplicates) == 1
    assert all(not h.duplicates for h in res.hits if h.id.startswith("u"))
    assert [h.rank for h in res.hits] == list(range(1, 7))


def test_collapse_false_returns_every_document(ix):
    res = ix.search("banjir", collapse=False)
    assert res.total == 9
    assert sorted(ids(res)) == sorted(d["id"] for d in story_docs())
    assert all(not h.duplicates for h in res.hits)


def test_the_config_can_turn_collapsing_off_by_default(ix, tmp_path):
    path = ix.path
    with Index.open(path, {"duplicates": {"collapse": False}}) as plain:
        assert plain.search("banjir").total == 9
        assert plain.search("banjir", collapse=True).total == 6
    with Index.open(path, {"duplicates": {"collapse": True, "threshold": 1.0}}) as strict:
        # only the word-for-word copies are one story
        assert strict.search("banjir").total == 8


def test_pages_hold_full_pages_of_distinct_stories(tmp_path):
    docs = []
    for s in range(12):  # twelve stories, three versions each
        text = article(100 + s)
        docs += [{"id": f"s{s}-{v}", "body": rewrite(text, v) + " pemilu"} for v in range(3)]
    docs += [{"id": f"u{i}", "body": article(200 + i) + " pemilu"} for i in range(5)]
    with Index.create(tmp_path / "ix", COLLAPSING) as index:
        index.add(docs)
        first = index.search("pemilu", limit=10)
        second = index.search("pemilu", limit=10, page=2)
        whole = index.search("pemilu", limit=20)
    assert len(first.hits) == 10 and len(second.hits) == 7
    assert first.total == second.total == 17
    stories_seen = [h.id.split("-")[0] for h in first.hits + second.hits]
    assert len(stories_seen) == len(set(stories_seen)) == 17
    assert ids(whole) == ids(first) + ids(second)
    assert all(len(h.duplicates) == 2 for h in whole.hits if "-" in h.id)


def test_hits_and_get_do_not_show_the_signature(ix):
    hit = ix.search("banjir").hits[0]
    assert SIGNATURE_FIELD not in hit.fields
    assert "duplicates" in hit.to_dict()
    doc = ix.get("s1-a")
    assert doc is not None and SIGNATURE_FIELD not in doc


# -- where the signature is kept --------------------------------------------------------


def test_candidates_read_their_signatures_without_their_stored_fields(ix, monkeypatch):
    """The embedded backend keeps signatures in a column: the collapse reads the stored
    fields only of the hits it shows."""
    from searchlib.backends.embedded import store

    loaded = []
    read = store._stored
    monkeypatch.setattr(
        store, "_stored", lambda s, docnum: loaded.append(docnum) or read(s, docnum)
    )
    raw = ix._backend.search(
        Word("banjir"), filters=[], limit=20, page=1, sort="score", signatures=True
    )
    assert len(raw.hits) == 9
    signatures = {h.docnum: h.signature for h in raw.hits}
    assert loaded == []
    docs = {d["id"]: d for d in story_docs()}
    for hit in raw.hits:
        assert signatures[hit.docnum] == packed(document_signature(docs[hit.stored["id"]]))
    res = ix.search("banjir", limit=2)
    assert len(res.hits) == 2
    loaded.clear()
    ix.search("banjir", limit=2)
    leads_and_versions = 2 + sum(len(h.duplicates) for h in res.hits)
    assert len(loaded) == leads_and_versions < 9


def test_the_stored_documents_hold_no_signature(ix):
    """The column replaces the stored copy: it would cost index size twice."""
    stored = list(ix._backend.documents())
    assert len(stored) == 9 and all(SIGNATURE_FIELD not in doc for doc in stored)
    assert all(SIGNATURE_FIELD not in doc for doc in ix.documents())


def test_an_index_with_signatures_in_its_stored_fields_still_collapses(tmp_path, monkeypatch):
    """Indexes written before the column (format 5) kept the signature as a stored
    field; their documents, and those a merge copies into a segment with the column,
    are read from there."""
    from whoosh import fields

    from searchlib.backends.embedded import schema

    path = tmp_path / "ix"
    with monkeypatch.context() as patch:
        patch.setattr(schema, "SignatureColumn", fields.STORED)
        with Index.create(path, COLLAPSING) as index:
            index.add(story_docs())
    meta = json.loads((path / "searchlib.json").read_text())
    (path / "searchlib.json").write_text(json.dumps({**meta, "format_version": 5}))
    with Index.open(path) as index:
        old = next(index._backend.documents())
        assert SIGNATURE_FIELD in old
        assert index.search("banjir").total == 6
        index.add([{"id": "s2-c", "title": "Banjir desa", "body": rewrite(article(2), 9)}])
        (two,) = [h for h in index.search("banjir").hits if h.id.startswith("s2")]
        assert {two.id, *two.duplicates} == {"s2-a", "s2-b", "s2-c"}
        index.optimize()  # one segment: the old documents' column values are empty
        assert index.search("banjir").total == 6
        assert sum(len(h.duplicates) for h in index.search("banjir").hits) == 4
    assert json.loads((path / "searchlib.json").read_text())["format_version"] == FORMAT_VERSION
    Index.reindex(path)  # every signature moves into the column
    with Index.open(path) as index:
        assert all(SIGNATURE_FIELD not in doc for doc in index._backend.documents())
        assert index.search("banjir").total == 6


# -- updates and deletes --------------------------------------------------------------


def test_a_later_add_finds_the_story_already_indexed(tmp_path):
    text = article(1)
    with Index.create(tmp_path / "ix", COLLAPSING) as index:
        index.add([{"id": "first", "body": text}])
        index.add([{"id": "later", "body": rewrite(text, 5)}])
        (hit,) = index.search("kode1").hits
        assert hit.duplicates in (("later",), ("first",))


def test_a_reindexed_or_deleted_document_leaves_no_stale_group(ix):
    ix.add([{"id": "s1-c", "title": "Kabar lain", "body": article(99) + " banjir"}])
    res = ix.search("banjir")
    assert res.total == 7  # s1-c is a story of its own now
    groups = {h.id: set(h.duplicates) for h in res.hits}
    assert "s1-c" in groups and groups["s1-c"] == set()
    assert {"s1-a", "s1-b"} in [{k, *v} for k, v in groups.items()]
    ix.delete(["s2-a"])
    (two,) = [h for h in ix.search("banjir").hits if h.id.startswith("s2")]
    assert two.id == "s2-b" and two.duplicates == ()


def test_a_document_without_a_signature_is_a_story_of_its_own():
    """Documents indexed before signatures were stored are never collapsed."""
    hits = [RawHit(i, 1.0, {"id": f"d{i}", "body": "sama"}) for i in range(3)]
    assert len(stories(hits, 0.5)) == 3
    # Nor is a signature with every bin empty, which no text has (a column's default).
    empty = [RawHit(i, 1.0, {"id": f"e{i}"}, signature=b"\xff" * 128) for i in range(3)]
    assert len(stories(empty, 0.5)) == 3 and story_count([b"\xff" * 128] * 3, 0.5) == 3


def test_copies_and_near_versions_group_into_one_story():
    text = article(3, 200)
    copy = packed(text_signature(text))
    near = packed(text_signature(rewrite(text, 1)))
    other = packed(text_signature(article(4, 200)))
    assert story_count([copy, other, copy, near, None, copy], 0.45) == 3
    hits = [
        RawHit(i, 1.0, {"id": f"d{i}"}, signature=s)
        for i, s in enumerate([other, copy, near, copy])
    ]
    grouped = stories(hits, 0.45)
    assert [[h.stored["id"] for h in story] for story in grouped] == [
        ["d0"],
        ["d1", "d2", "d3"],
    ]


@pytest.mark.parametrize("threshold", [0.3, 0.45, 0.6])
def test_every_pair_near_enough_is_grouped_at_any_threshold(threshold):
    """Candidates are paired by a few key bins before the similarity check; enough are
    read at each threshold that no pair the check accepts is missed."""
    near = 0
    for seed in range(150):
        text = article(seed, 200)
        a = packed(text_signature(text))
        b = packed(text_signature(rewrite(text, seed, share=0.02 + seed % 13 * 0.015)))
        if near_duplicates(decode(a), decode(b), threshold):
            near += 1
            assert story_count([a, b], threshold) == 1, seed
        else:
            assert story_count([a, b], threshold) == 2, seed
    assert 20 < near < 150  # the rewrites straddle the threshold


def ranking(
    hits: list[RawHit], signatures: list[bytes | None] | None = None
) -> Callable[[int], RawResults]:
    """``fetch(n)`` for :func:`page_of_stories`: the best ``n`` of ``hits`` (every one a
    match, best first), with the signatures of the matches in index order when given."""

    def fetch(n: int) -> RawResults:
        return RawResults(
            collected=min(n, len(hits)),
            hits=hits[:n],
            count=lambda: len(hits),
            signatures=None if signatures is None else lambda k: signatures[:k],
        )

    return fetch


def test_the_total_is_exact_beyond_the_first_window():
    """Forty matches, every four one story: the first page reads only part of them, and
    the total (asked for later) still counts stories, not documents."""
    hits = []
    for s in range(10):
        signature = document_signature({"body": article(300 + s)})
        hits += [
            RawHit(len(hits), 1.0, {"id": f"s{s}-{v}", SIGNATURE_FIELD: signature})
            for v in range(4)
        ]
    hits.sort(key=lambda h: h.stored["id"].split("-")[1])  # versions far apart in the ranking

    page = page_of_stories(ranking(hits), offset=0, limit=3, threshold=0.5)
    assert len(page.hits) == 3
    assert page.count is not None and page.count() == 10


def test_a_total_beyond_the_exact_reach_takes_off_the_versions_the_page_grouped():
    """A hundred and fifty matches, the best five rewrites of one story: beyond the exact
    reach the total still leaves out the versions the page's window grouped."""
    text = article(700, 200)
    versions = [packed(text_signature(rewrite(text, v))) for v in range(5)]
    others = [packed(text_signature(article(800 + i))) for i in range(145)]
    signatures = versions + others
    hits = [RawHit(i, 1.0, {"id": f"d{i}"}, signature=s) for i, s in enumerate(signatures)]

    page = page_of_stories(ranking(hits, signatures), offset=0, limit=10, threshold=0.45)
    assert len(page.duplicates[0]) == 4
    assert page.count is not None and page.count() == 146


def test_a_total_beyond_the_exact_reach_takes_off_the_share_of_versions():
    """Four hundred matches, every four one story: the first hundred hold 25 stories, so
    the total estimates a quarter of the matches."""
    signatures = [document_signature({"body": article(500 + s)}) for s in range(100)]
    hits = [
        RawHit(i, 1.0, {"id": f"d{i}", SIGNATURE_FIELD: signatures[i // 4]}) for i in range(400)
    ]
    packed_ = [packed(signatures[i // 4]) for i in range(400)]

    page = page_of_stories(ranking(hits, packed_), offset=0, limit=10, threshold=0.5)
    assert page.count is not None and page.count() == 100


# -- configuration and faces ----------------------------------------------------------


@pytest.mark.parametrize("threshold", [0, -0.5, 1.5])
def test_a_threshold_outside_0_to_1_is_an_error_naming_the_key(threshold):
    with pytest.raises(ConfigError, match=r"duplicates\.threshold"):
        Index.create("unused", {"duplicates": {"threshold": threshold}})


def test_the_cli_collapses_unless_told_not_to(ix, tmp_path):
    runner = CliRunner()
    args = ["query", "banjir", "--index", str(ix.path), "--json"]
    collapsed = json.loads(runner.invoke(cli, [*args, "--collapse"]).output)
    every = json.loads(runner.invoke(cli, [*args, "--no-collapse"]).output)
    default = json.loads(runner.invoke(cli, args).output)
    assert collapsed["total"] == 6 and every["total"] == 9 and default["total"] == 6
    assert sum(len(h["duplicates"]) for h in collapsed["hits"]) == 3
    text = runner.invoke(cli, ["query", "banjir", "--index", str(ix.path), "--color", "never"])
    assert "2 other versions: " in text.output


def test_collapse_is_on_unless_the_config_turns_it_off(tmp_path):
    with Index.create(tmp_path / "default") as index:
        index.add(story_docs())
        assert index.search("banjir").total == 6
        assert index.search("banjir", collapse=False).total == 9
    with Index.create(tmp_path / "plain", {"duplicates": {"collapse": False}}) as index:
        index.add(story_docs())
        assert index.search("banjir").total == 9
        assert index.search("banjir", collapse=True).total == 6
    with Index.open(tmp_path / "plain") as index:  # the index's own config decides
        assert index.search("banjir").total == 9
    with Index.open(tmp_path / "plain", COLLAPSING) as index:
        assert index.search("banjir").total == 6
        assert index.search("banjir", collapse=False).total == 9


def test_the_api_and_the_page_collapse_as_configured_unless_told_not_to(ix):
    with TestClient(create_app(ix)) as client:
        collapsed = client.get("/api/search", params={"q": "banjir"}).json()
        every = client.get("/api/search", params={"q": "banjir", "collapse": "false"}).json()
        bad = client.get("/api/search", params={"q": "banjir", "collapse": "nope"})
        page = client.get("/", params={"q": "banjir"}).text
        every_page = client.get("/", params={"q": "banjir", "collapse": "false"}).text
    assert collapsed["total"] == 6 and every["total"] == 9
    assert bad.status_code == 400 and "collapse" in bad.json()["error"]["message"]
    assert "2 versi lain" in page and "1 versi lain" in page
    assert "versi lain" not in every_page
    # a new search from the page, and its links, keep showing every version
    assert 'name="collapse" value="false"' in every_page
    assert 'name="collapse"' not in page
    lead = next(h for h in collapsed["hits"] if len(h["duplicates"]) == 2)
    for other in lead["duplicates"]:
        assert f'data-id="{other}"' in page


def test_the_default_evaluation_row_judges_a_story_by_its_best_version(tmp_path):
    """``Index.search(text)`` on an index that collapses: a relevant version listed under
    another hit counts at that hit's rank; the other query modes rank every version on
    their own."""
    from searchlib.evaluation.runner import Collection, System, run_systems

    docs = tmp_path / "docs.jsonl"
    docs.write_text("".join(json.dumps(d) + "\n" for d in story_docs()), encoding="utf-8")
    queries = {"q1": "banjir kota"}
    collection = Collection("stories", docs, queries, {"q1": {"s1-b": 1}})
    default, plain = run_systems(
        collection,
        [
            System("default", COLLAPSING, query_mode="default"),
            System("plain", COLLAPSING, query_mode="all"),
        ],
    )
    assert "s1-b" in [doc for doc, _ in default.run["q1"]]
    assert len(default.run["q1"]) == 6 and len(plain.run["q1"]) == 9
    assert default.scores["mrr@10"] >= plain.scores["mrr@10"]
