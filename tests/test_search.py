"""Search: operators with Indonesian morphology, snippets, paging, facets, filters, fallback,
suggestions, similar, concurrency and bad input."""

from __future__ import annotations

import re
import threading
from datetime import datetime, timedelta

import pytest

from searchlib import Index
from searchlib.errors import QueryError

DOCS = [
    {
        "id": "amazon",
        "title": "Amazon menyetop layanan streaming di Rusia",
        "body": "Amazon menghentikan layanan streaming Prime Video dan pengiriman barang ke "
        "Rusia dan Belarus. Perusahaan itu juga menutup akses pelanggan baru.",
        "date": "2022-03-10",
        "category": "teknologi",
        "source": "Warta Contoh",
    },
    {
        "id": "netflix",
        "title": "Netflix berhenti beroperasi di Rusia",
        "body": "Layanan Netflix disetop untuk pelanggan di Rusia setelah invasi ke Ukraina.",
        "date": "2022-03-07",
        "category": "teknologi",
        "source": "Kabar Contoh",
    },
    {
        "id": "beras",
        "title": "Harga beras naik di pasar Bekasi",
        "body": "Pedagang menulis daftar harga baru. Penyetopan pasokan dari Karawang membuat "
        "harga beras naik 15% pekan ini.",
        "date": "2023-07-01",
        "category": "ekonomi",
        "source": "Warta Contoh",
    },
    {
        "id": "penulis",
        "title": "Penulis muda meluncurkan buku",
        "body": "Seorang penulis muda dari Kediri meluncurkan tulisan pertamanya. Buku-buku itu "
        "ditulis selama dua tahun dan dikirim ke perpustakaan.",
        "date": "2024-01-15",
        "category": "hiburan",
        "source": "Kabar Contoh",
    },
    {
        "id": "hutan",
        "title": "Hutan Amazon terus menyusut",
        "body": "Kebakaran di hutan Amazon, Brasil, meluas. Para peneliti mengirim data satelit.",
        "date": "2021-09-01",
        "category": "lingkungan",
        "source": "Kabar Contoh",
    },
    {
        "id": "hostile",
        "title": "Artikel dengan markup",
        "body": 'Teks <script>alert("xss")</script> dan <b>tebal</b> tentang pasar malam.',
        "date": "2023-01-01",
        "category": "ekonomi",
        "source": "Warta Contoh",
    },
]


@pytest.fixture(scope="module")
def ix(tmp_path_factory):
    path = tmp_path_factory.mktemp("search") / "ix"
    with Index.create(path) as index:
        index.add(DOCS)
        yield index


def ids(results):
    return [h.id for h in results.hits]


# -- the main job ---------------------------------------------------------------------------


def test_amazon_rusia_ranks_the_article_first_with_both_words_marked(ix):
    res = ix.search("Amazon Rusia")
    assert ids(res)[0] == "amazon"
    assert not res.fallback
    assert "[Amazon]" in res.hits[0].snippet and "[Rusia]" in res.hits[0].snippet
    assert set(ids(res)) == {"amazon"}  # all words must match: hutan has no Rusia


# -- morphology: the query in one form, documents in another --------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("menyetop", {"amazon", "netflix", "beras"}),  # menyetop, disetop, penyetopan
        ("setop", {"amazon", "netflix", "beras"}),
        ("tulis", {"beras", "penulis"}),  # menulis, penulis, tulisan, ditulis
        ("kirim", {"amazon", "penulis", "hutan"}),  # pengiriman, dikirim, mengirim
        ("layanan", {"amazon", "netflix"}),
        ("buku", {"penulis"}),  # buku-buku
    ],
)
def test_query_matches_other_inflections(ix, query, expected):
    assert set(ids(ix.search(query, limit=20))) == expected


def test_snippet_marks_the_surface_form(ix):
    res = ix.search("setop", fields=["body"])
    snippets = {h.id: h.snippet for h in res.hits}
    assert "[disetop]" in snippets["netflix"]
    assert "[Penyetopan]" in snippets["beras"]


# -- operators ------------------------------------------------------------------------------


def test_phrase(ix):
    assert ids(ix.search('"layanan streaming"')) == ["amazon"]
    assert ix.search('"streaming layanan"').total == 0 or not ix.search('"streaming layanan"').hits


def test_or_and_not(ix):
    assert set(ids(ix.search("Netflix OR beras"))) == {"netflix", "beras"}
    assert set(ids(ix.search("Rusia -Netflix"))) == {"amazon"}
    assert set(ids(ix.search("Rusia NOT Amazon"))) == {"netflix"}
    assert set(ids(ix.search("(Netflix OR Amazon) Rusia"))) == {"amazon", "netflix"}


def test_field_queries(ix):
    assert set(ids(ix.search("title:Amazon"))) == {"amazon", "hutan"}
    assert set(ids(ix.search("category:teknologi"))) == {"amazon", "netflix"}
    assert set(ids(ix.search("source:warta contoh OR source:x", limit=20))) <= {
        d["id"] for d in DOCS
    }
    assert set(ids(ix.search("Amazon", fields=["body"]))) == {"amazon", "hutan"}


def test_date_range(ix):
    res = ix.search("Rusia date:2022-03-08..2022-03-31")
    assert ids(res) == ["amazon"]
    assert set(ids(ix.search("Rusia", since="2022-03-01", until="2022-03-07"))) == {"netflix"}
    assert ids(ix.search("Rusia", until="2022-03-06")) == []


def test_prefix_and_fuzzy(ix):
    assert {"amazon", "netflix"} <= set(ids(ix.search("layan*")))
    assert "amazon" in ids(ix.search("Rusa~ Amazon"))


def test_fallback_to_any_word(ix):
    res = ix.search("Amazon Karawang")
    assert res.fallback
    assert {"amazon", "beras", "hutan"} <= set(ids(res))


def test_plain_syntax_ranks_prose_by_any_word(ix):
    # A sentence rarely has every word in the right article: no word may hide it, but the
    # article with more of the words (and the rarer ones) still comes first.
    res = ix.search("Mengapa Amazon menyetop pengiriman barang ke Kazakhstan?", syntax="plain")
    assert not res.fallback
    assert ids(res)[0] == "amazon"
    assert "hutan" in ids(res)  # only "Amazon" and a form of "kirim" in common
    assert res.hits[0].score > res.hits[1].score
    # The query language still requires every word.
    assert ix.search("Amazon Kazakhstan").fallback


def test_rare_words_decide_the_ranking(tmp_path):
    # Robertson's idf: a word in most documents is worth almost nothing next to a rare one
    # (Whoosh's own idf gives every word at least 1).
    docs = [{"id": f"d{i}", "body": f"harga beras minyak naik di kota {i}"} for i in range(20)]
    docs += [
        {"id": "rare", "body": "kedelai langka"},
        {"id": "common", "body": "harga beras minyak naik, harga beras minyak naik lagi"},
    ]
    with Index.create(tmp_path / "ix") as index:
        index.add(docs)
        res = index.search("harga beras minyak naik kedelai", syntax="plain")
        assert ids(res)[0] == "rare"


def test_suggestion_for_a_misspelling(ix):
    res = ix.search("Amazom")
    assert res.total == 0 or res.fallback or res.suggestion
    assert res.suggestion == "amazon"


def test_a_stopword_only_query_is_searched_as_written(ix):
    # Stopwords are not indexed as such: nothing has "yang dan di", and that is no error.
    res = ix.search("yang dan di")
    assert res.total == 0 and not res.hits


def test_a_stopword_only_title_finds_the_words_other_forms(detik_index):
    # "ingin sekali" (a song title) is two stopwords; "ingin" is indexed where it is the
    # stem of another form ("keinginan", "menginginkan").
    res = detik_index.search("ingin sekali", limit=100)
    assert res.hits and res.fallback
    assert all("ingin" in (h.title + h.fields["body"]).lower() for h in res.hits)


# -- results: paging, facets, filters, sort -------------------------------------------------


def test_paging(ix):
    everything = ix.search("Rusia OR beras OR Amazon OR buku", limit=50)
    assert everything.total == 5
    page1 = ix.search("Rusia OR beras OR Amazon OR buku", limit=2, page=1)
    page3 = ix.search("Rusia OR beras OR Amazon OR buku", limit=2, page=3)
    assert page1.total == page3.total == 5
    assert ids(page1) == ids(everything)[:2]
    assert ids(page3) == ids(everything)[4:]
    assert [h.rank for h in page3.hits] == [5]
    assert page1.pages == 3


def test_facets_count_every_match(ix):
    res = ix.search("Rusia OR Amazon OR beras", limit=1)
    assert res.facets["category"] == {"teknologi": 2, "ekonomi": 1, "lingkungan": 1}
    assert res.facets["source"] == {"Kabar Contoh": 2, "Warta Contoh": 2}  # as written


def test_filters(ix):
    res = ix.search("Amazon", filters={"category": "lingkungan"})
    assert ids(res) == ["hutan"]
    res = ix.search("Amazon OR beras", filters={"category": ["Ekonomi", "Lingkungan"]})
    assert set(ids(res)) == {"hutan", "beras"}
    with pytest.raises(QueryError, match="unknown field"):
        ix.search("Amazon", filters={"warna": "merah"})


def test_sort_by_date(ix):
    res = ix.search("Rusia OR Amazon", sort="date")
    dates = [h.date for h in res.hits]
    assert dates == sorted(dates, reverse=True)


def test_recency_boost_prefers_recent_news(tmp_path):
    now = datetime.now()
    docs = [
        {
            "id": "lama",
            "title": "Banjir di Jakarta",
            "body": "Banjir besar melanda kota.",
            "date": (now - timedelta(days=2000)).isoformat(),
        },
        {
            "id": "baru",
            "title": "Banjir di Jakarta",
            "body": "Banjir besar melanda kota.",
            "date": (now - timedelta(days=1)).isoformat(),
        },
    ]
    with Index.create(tmp_path / "a", {"ranking": {"recency_half_life_days": 30}}) as ix:
        ix.add(docs)
        res = ix.search("banjir", collapse=False)  # one story: both versions asked for
        assert ids(res) == ["baru", "lama"]
        assert res.hits[0].score > res.hits[1].score


# -- snippets -------------------------------------------------------------------------------


def test_html_snippets_escape_hostile_documents(ix):
    res = ix.search("pasar malam", snippet_format="html")
    snippet = res.hits[0].snippet
    assert "<script>" not in snippet and "<b>" not in snippet
    assert "&lt;script&gt;" in snippet
    assert re.sub(r"</?mark>", "", snippet).count("<") == 0


def test_json_fragments_carry_offsets(ix):
    res = ix.search("Amazon Rusia", snippet_format="json")
    hit = res.hits[0]
    body = hit.fields["body"]
    spans = [body[s:e] for f in hit.fragments for s, e in f.matches]
    assert "Amazon" in spans and "Rusia" in spans
    assert hit.to_dict()["fragments"][0]["matches"]


def test_ansi_snippets(ix):
    res = ix.search("Amazon Rusia", snippet_format="ansi")
    assert "\x1b[1;33mAmazon\x1b[0m" in res.hits[0].snippet


# -- similar --------------------------------------------------------------------------------


def test_similar(ix):
    res = ix.similar("amazon", limit=3)
    assert "amazon" not in ids(res)
    assert ids(res)[0] == "netflix"
    with pytest.raises(QueryError, match="no document with id"):
        ix.similar("tidak-ada")


# -- bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        '"Amazon',
        "(Amazon",
        "Amazon)",
        "OR",
        "",
        "   ",
        "*",
        "x" * 100_000,
        "penulis:budi",
        "date:2022-13-01",
        "a*",
    ],
)
def test_bad_queries(ix, query):
    with pytest.raises(QueryError):
        ix.search(query)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"limit": 0},
        {"limit": 10_000},
        {"page": 0},
        {"sort": "acak"},
        {"snippet_format": "pdf"},
        {"fields": ["url"]},
        {"since": "kemarin"},
        {"since": "2022-03-10", "until": "2022-03-01"},
    ],
)
def test_bad_arguments(ix, kwargs):
    with pytest.raises(QueryError):
        ix.search("Amazon", **kwargs)


def test_prefix_expansion_is_capped(tmp_path):
    docs = [{"id": str(i), "body": f"kata{i:04d} umum"} for i in range(300)]
    with Index.create(tmp_path / "p", {"limits": {"max_expansions": 50}}) as ix:
        ix.add(docs)
        with pytest.raises(QueryError, match="more than 50 terms"):
            ix.search("kata*")
        assert ix.search("kata001*").total == 10


# -- concurrency ----------------------------------------------------------------------------


def test_concurrent_searches_while_a_writer_commits(tmp_path):
    path = tmp_path / "c"
    writer = Index.create(path)
    writer.add(DOCS)
    reader = Index.open(path)
    errors: list[BaseException] = []
    stop = threading.Event()

    def search_loop():
        try:
            while not stop.is_set():
                res = reader.search("Amazon Rusia")
                assert res.hits and res.hits[0].id == "amazon"
                assert len(res.hits) <= res.total
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=search_loop) for _ in range(4)]
    for t in threads:
        t.start()
    for batch in range(5):
        writer.add(
            {"id": f"n{batch}-{i}", "title": "Kabar baru", "body": f"berita tambahan {i}"}
            for i in range(50)
        )
    stop.set()
    for t in threads:
        t.join()
    assert not errors, errors
    # A search after a commit by another Index object sees it.
    assert reader.search("tambahan", collapse=False).total == 250
    writer.close()
    reader.close()


def test_search_time_limit(tmp_path):
    with Index.create(tmp_path / "t", {"limits": {"search_timeout_s": 1e-9}}) as ix:
        ix.add(DOCS)
        with pytest.raises(QueryError, match="took longer than"):
            ix.search("Rusia")


# -- filters in the query stay filters in the any-word fallback (real articles) -------------

ECONOMY = "ekonomi & keuangan"


def test_a_category_in_the_query_that_matches_nothing_finds_nothing(detik_index):
    # detik-1000's categories are "Ekonomi & Keuangan" etc.: no article is in "ekonomi".
    results = detik_index.search("harga category:ekonomi")
    assert results.total == 0 and not results.fallback


def test_fallback_keeps_the_category_clause(detik_index):
    results = detik_index.search(f'harga category:"{ECONOMY}" zzzqqq', limit=100)
    assert results.fallback
    narrow = detik_index.search(f'harga category:"{ECONOMY}"', limit=100)
    assert results.total == narrow.total > 0
    assert {h.fields["category"] for h in results.hits} == {"Ekonomi & Keuangan"}  # as written
    assert all("harga" in (h.title + h.fields["body"]).lower() for h in results.hits)


def test_fallback_keeps_dates_exclusions_and_text_field_clauses(detik_index):
    dated = detik_index.search("harga zzzqqq date:2025-10", limit=100)
    assert dated.fallback and dated.hits
    assert {(h.date.year, h.date.month) for h in dated.hits} == {(2025, 10)}
    excluded = detik_index.search(f'harga zzzqqq -category:"{ECONOMY}"', limit=100)
    assert excluded.fallback and excluded.hits
    assert "Ekonomi & Keuangan" not in {h.fields["category"] for h in excluded.hits}
    titled = detik_index.search("title:harga pupuk zzzqqq", limit=100)
    assert titled.fallback and titled.hits
    assert all("harga" in h.title.lower() for h in titled.hits)
