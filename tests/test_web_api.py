"""searchlib serve's app: every JSON endpoint, parameter and error; the search page; the
headers on every response; hostile documents; the write token; one shared Index under
concurrent requests and commits from another process; the serve command's own checks."""

from __future__ import annotations

import asyncio
import html as html_lib
import json
import re
import socket
import subprocess
import sys
import textwrap
import warnings
from html.parser import HTMLParser
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from searchlib import Index, IndexLockedError, StorageError
from searchlib._sample import sample_articles
from searchlib.cli import cli
from searchlib.web import create_app
from searchlib.web.security import CONTENT_SECURITY_POLICY

with warnings.catch_warnings():
    # Starlette 1.x prefers the httpx2 fork for its TestClient and warns when it finds httpx
    # (which the test extra installs); the client works the same with either.
    warnings.filterwarnings("ignore", message=".*httpx2")
    from starlette.testclient import TestClient

TOKEN = "t0ken-for-tests-0123456789"
HOSTILE = {
    "id": "hostile-1",
    "title": '<img src=x onerror="alert(1)">Pawai <script>alert("judul")</script> budaya',
    "body": 'Pawai budaya <script>alert("xss")</script> meriah <b onmouseover=alert(2)>kota</b> '
    "<svg onload=alert(3)> &lt;i&gt; &amp; \"kutip\" 'tunggal' onerror=alert(4) pawai malam",
    "date": "2024-05-01",
    "category": "<i>budaya</i>",
    "source": 'Warta <script>alert("sumber")</script>',
    "url": "javascript:alert(5)",
}
SLASHED = {"id": "arsip/2024/a b.txt", "title": "Dokumen bergaris miring", "body": "isi zqmiring"}


def _sample_docs() -> list[dict]:
    lines = sample_articles().read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


@pytest.fixture(scope="module")
def ix(tmp_path_factory):
    with Index.create(tmp_path_factory.mktemp("web") / "ix") as index:
        index.add([*_sample_docs(), HOSTILE, SLASHED])
        yield index


@pytest.fixture(scope="module")
def client(ix):
    with TestClient(create_app(ix)) as c:
        yield c


@pytest.fixture
def writable(tmp_path):
    index = Index.create(tmp_path / "ix")
    index.add([{"id": "w1", "title": "Dokumen awal", "body": "isi zqawal"}])
    with TestClient(create_app(index, allow_writes=True, token=TOKEN)) as c:
        yield c, index
    index.close()


AUTH = {"Authorization": f"Bearer {TOKEN}"}


def _error(response: httpx.Response, status: int, type_: str) -> str:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"type", "message"}, body
    assert body["error"]["type"] == type_, body
    assert "Traceback" not in response.text
    return body["error"]["message"]


# -- search ---------------------------------------------------------------------------------


def test_search_is_the_query_json_shape_plus_facets(client, ix):
    """Same keys and values as ``searchlib query --json`` on the same index (took_ms aside)."""
    response = client.get("/api/search", params={"q": "Amazon Rusia"})
    assert response.status_code == 200
    data = response.json()
    cli_out = CliRunner().invoke(
        cli, ["query", "Amazon Rusia", "--index", str(ix.path), "--json", "--format", "plain"]
    )
    assert cli_out.exit_code == 0, cli_out.output
    expected = json.loads(cli_out.stdout)
    facets = data.pop("facets")
    data.pop("took_ms"), expected.pop("took_ms")
    assert data == expected
    assert data["hits"][0]["id"] == "tek-2022-amazon-rusia"
    assert "[Amazon]" in data["hits"][0]["snippet"]
    assert facets == ix.search("Amazon Rusia").facets
    assert facets["category"] == {"teknologi": 1}


def test_search_limit_page_and_total(client):
    first = client.get("/api/search", params={"q": "anak", "limit": 3}).json()
    second = client.get("/api/search", params={"q": "anak", "limit": 3, "page": 2}).json()
    assert first["total"] == second["total"] > 6
    assert [h["rank"] for h in first["hits"]] == [1, 2, 3]
    assert [h["rank"] for h in second["hits"]] == [4, 5, 6]
    assert not {h["id"] for h in first["hits"]} & {h["id"] for h in second["hits"]}
    assert second["page"] == 2
    assert sum(first["facets"]["category"].values()) == first["total"]


def test_search_filters_fields_dates_and_sort(client):
    def ids(**params) -> list[str]:
        response = client.get("/api/search", params={"limit": 50, **params})
        assert response.status_code == 200, response.text
        return [h["id"] for h in response.json()["hits"]]

    everything = ids(q="anak")
    health = ids(q="anak", category="kesehatan")
    assert health and set(health) < set(everything)
    assert all(i.startswith("kes-") for i in health)
    both = ids(q="anak", category=["kesehatan", "pendidikan"])
    assert set(health) < set(both) and all(i[:4] in ("kes-", "pen-") for i in both)
    warta = client.get("/api/search", params={"q": "anak", "source": "Warta Contoh"}).json()
    # Matched case-insensitively, returned as written.
    assert warta["hits"] and all(h["source"] == "Warta Contoh" for h in warta["hits"])
    in_2022 = ids(q="anak", since="2022-01-01", until="2022-12-31")
    assert in_2022 and all("-2022-" in i for i in in_2022)
    assert set(ids(q="anak", since="2023-01-01")).isdisjoint(in_2022)
    titles = client.get("/api/search", params={"q": "anak", "field": "title"}).json()
    assert titles["hits"] and all("anak" in h["title"].lower() for h in titles["hits"])
    assert titles["total"] < len(everything)
    newest = client.get("/api/search", params={"q": "anak", "sort": "date", "limit": 50}).json()
    dates = [h["date"] for h in newest["hits"]]
    assert dates == sorted(dates, reverse=True)
    html_hits = client.get("/api/search", params={"q": "Amazon", "format": "html"}).json()
    assert "<mark>Amazon</mark>" in html_hits["hits"][0]["snippet"]


def test_fallback_and_suggestion(client):
    fallback = client.get("/api/search", params={"q": "Amazon zqtidakada"}).json()
    assert fallback["fallback"] is True and fallback["total"] > 0
    typo = client.get("/api/search", params={"q": "Amazn"}).json()
    assert typo["total"] == 0 and typo["suggestion"] == "amazon"


@pytest.mark.parametrize(
    ("params", "type_", "needle"),
    [
        ({}, "bad_parameter", "q"),
        ({"q": "  "}, "bad_parameter", "q"),
        ({"q": "anak", "limit": "0"}, "bad_parameter", "limit"),
        ({"q": "anak", "limit": "1001"}, "bad_parameter", "limit"),
        ({"q": "anak", "limit": "sepuluh"}, "bad_parameter", "limit"),
        ({"q": "anak", "page": "0"}, "bad_parameter", "page"),
        ({"q": "anak", "page": "10001"}, "bad_parameter", "page"),
        ({"q": "anak", "page": "1.5"}, "bad_parameter", "page"),
        ({"q": "anak", "sort": "relevance"}, "bad_parameter", "sort"),
        ({"q": "anak", "format": "xml"}, "bad_parameter", "format"),
        ({"q": "anak", "categroy": "x"}, "bad_parameter", "categroy"),
        ({"q": ["anak", "harga"]}, "bad_parameter", "more than once"),
        ({"q": "anak", "since": "2022-13-45"}, "bad_query", "since"),
        ({"q": "anak", "until": "kemarin"}, "bad_query", "until"),
        ({"q": "anak", "since": "2023-01-01", "until": "2022-01-01"}, "bad_query", "before"),
        ({"q": "anak", "field": "judul"}, "bad_query", "judul"),
        ({"q": "a" * 1001}, "bad_query", "1000"),
        ({"q": "layan* OR x" + "(" * 50}, "bad_query", ""),
    ],
)
def test_bad_search_parameters_are_400_json(client, params, type_, needle):
    message = _error(client.get("/api/search", params=params), 400, type_)
    assert needle in message


# -- documents, similar, stats, health ----------------------------------------------------


def test_get_document(client):
    response = client.get("/api/docs/tek-2022-amazon-rusia")
    assert response.status_code == 200
    doc = response.json()
    assert doc["id"] == "tek-2022-amazon-rusia" and "Amazon" in doc["title"]
    assert doc["date"].startswith("2022-03-10T") and isinstance(doc["tags"], list)
    slashed = client.get("/api/docs/arsip/2024/a%20b.txt")
    assert slashed.status_code == 200 and slashed.json()["id"] == SLASHED["id"]
    assert "zqtidakada" in _error(client.get("/api/docs/zqtidakada"), 404, "not_found")
    _error(client.get("/api/docs/tek-2022-amazon-rusia?x=1"), 400, "bad_parameter")


def test_similar(client):
    response = client.get("/api/similar/tek-2022-amazon-rusia", params={"limit": 3})
    assert response.status_code == 200
    data = response.json()
    assert data["query"] == "similar:tek-2022-amazon-rusia" and len(data["hits"]) == 3
    assert "tek-2022-amazon-rusia" not in {h["id"] for h in data["hits"]}
    assert data["hits"][0]["id"] == "tek-2021-aws-jakarta"
    _error(client.get("/api/similar/zqtidakada"), 404, "not_found")
    _error(client.get("/api/similar/tek-2022-amazon-rusia?limit=0"), 400, "bad_parameter")
    _error(client.get("/api/similar/tek-2022-amazon-rusia?q=x"), 400, "bad_parameter")


def test_stats_and_health(client, ix):
    stats = client.get("/api/stats").json()
    assert stats["documents"] == len(ix) == len(_sample_docs()) + 2
    assert stats["analyzer"] == "indonesian"
    assert client.get("/healthz").json() == {"status": "ok", "documents": len(ix)}


# -- HTTP behaviour -------------------------------------------------------------------------


def test_unknown_routes_and_methods_are_json(client):
    assert "/zqtidakada" in _error(client.get("/zqtidakada"), 404, "not_found")
    _error(client.get("/api/zqtidakada"), 404, "not_found")
    _error(client.get("/static/zqtidakada.css"), 404, "not_found")
    response = client.put("/api/stats")
    _error(response, 405, "method_not_allowed")
    assert set(response.headers["allow"].replace(" ", "").split(",")) == {"GET", "HEAD"}
    _error(client.post("/api/search?q=anak"), 405, "method_not_allowed")
    _error(client.get("/api/docs"), 405, "method_not_allowed")


def test_head_answers_like_get_without_a_body(client):
    for path in ("/", "/healthz", "/api/search?q=anak", "/static/style.css"):
        head = client.head(path)
        assert head.status_code == 200 and head.content == b"", path
        assert head.headers["content-type"] == client.get(path).headers["content-type"]


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/"),
        ("GET", "/?q=anak"),
        ("GET", "/?q=anak&page=0"),
        ("GET", "/static/style.css"),
        ("GET", "/healthz"),
        ("GET", "/api/search?q=anak"),
        ("GET", "/api/search"),
        ("GET", "/api/docs/zqtidakada"),
        ("GET", "/zqtidakada"),
        ("PUT", "/api/stats"),
        ("POST", "/api/docs"),
        ("HEAD", "/"),
    ],
)
def test_every_response_carries_the_security_headers(client, method, path):
    response = client.request(method, path)
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "'unsafe-inline'" not in CONTENT_SECURITY_POLICY
    assert "script-src" not in CONTENT_SECURITY_POLICY  # default-src 'none': no script at all


def test_an_unexpected_error_is_a_json_500_without_details(tmp_path, monkeypatch, caplog):
    with Index.create(tmp_path / "ix") as index:
        index.add([{"id": "a", "title": "judul", "body": "isi"}])

        def broken(*args, **kwargs):
            raise RuntimeError("rahasia internal /etc/passwd")

        monkeypatch.setattr(index, "search", broken)
        with TestClient(create_app(index)) as c:
            for path in ("/api/search?q=isi", "/?q=isi"):
                response = c.get(path)
                message = _error(response, 500, "internal_error")
                assert "rahasia" not in response.text and "RuntimeError" not in response.text
                assert "server log" in message
                assert response.headers["x-content-type-options"] == "nosniff"
    assert "rahasia internal" in caplog.text  # the operator still sees it


# -- hostile documents ----------------------------------------------------------------------


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))

    def handle_data(self, data):
        self.text.append(data)


def _parse(html: str) -> _Tags:
    parser = _Tags()
    parser.feed(html)
    return parser


def test_hostile_document_is_data_in_the_api(client):
    data = client.get("/api/search", params={"q": "pawai", "format": "html"}).json()
    hit = data["hits"][0]
    assert hit["id"] == "hostile-1"
    assert hit["title"] == HOSTILE["title"]  # JSON carries data as given
    bare = re.sub(r"</?mark>", "", hit["snippet"])
    assert "<" not in bare and ">" not in bare
    assert "&lt;script&gt;" in hit["snippet"]
    assert client.get("/api/docs/hostile-1").json()["body"] == HOSTILE["body"]


def test_hostile_document_is_text_on_the_page(client):
    response = client.get("/", params={"q": "pawai"})
    assert response.status_code == 200
    page = _parse(response.text)
    tags = {tag for tag, _ in page.tags}
    assert not tags & {"script", "img", "svg", "iframe", "object", "embed", "b", "i", "style"}
    for tag, attrs in page.tags:
        for name, value in attrs:
            assert not name.startswith("on"), (tag, name)
            assert "javascript:" not in (value or "").lower(), (tag, name, value)
        if tag == "mark":
            continue
    text = "".join(page.text)
    assert '<img src=x onerror="alert(1)">Pawai' in text  # shown, as text
    assert '<script>alert("xss")</script>' in text
    assert "javascript:alert(5)" in text  # the URL is shown, not linked
    assert response.text.count("<mark>") >= 1


def test_page_has_no_inline_script_or_style(client):
    html = client.get("/", params={"q": "anak"}).text
    page = _parse(html)
    for tag, attrs in page.tags:
        assert tag not in ("script", "style"), tag
        assert "style" not in dict(attrs), tag
    sheets = [dict(a) for t, a in page.tags if t == "link" and ("rel", "stylesheet") in a]
    assert [s["href"] for s in sheets] == ["/static/style.css"]
    assert not re.search(r"(?:src|href)=\"(?:https?:)?//", html.split("<main", 1)[0])


# -- the page -------------------------------------------------------------------------------


def test_page_without_a_query_shows_the_form(client, ix):
    response = client.get("/")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    html = response.text
    assert '<html lang="id">' in html
    assert '<form class="search" role="search" method="get"' in html
    assert '<label for="q">Kata kunci</label>' in html
    assert f"Indeks berisi {len(ix)} artikel" in html
    assert 'name="viewport"' in html


def test_page_results_facets_and_pagination(client):
    html = client.get("/", params={"q": "anak", "limit": 2}).text
    assert "Menampilkan 1–2 dari" in html
    page = _parse(html)
    links = [dict(a) for t, a in page.tags if t == "a"]
    facet_links = [a["href"] for a in links if a.get("data-facet") == "category"]
    assert "?q=anak&category=kesehatan&limit=2" in [h.replace("&amp;", "&") for h in facet_links]
    nexts = [a["href"] for a in links if a.get("rel") == "next"]
    assert nexts == ["?q=anak&limit=2&page=2"]
    filtered = client.get("/?q=anak&category=kesehatan&limit=2&page=2").text
    assert "Menampilkan 3–4 dari 5" in filtered and "Halaman 2 dari 3" in filtered
    assert 'rel="prev" href="?q=anak&amp;category=kesehatan&amp;limit=2"' in filtered
    assert "Kategori: <strong>kesehatan</strong>" in filtered
    assert 'name="category" value="kesehatan"' in filtered  # a new search keeps the filter
    assert "<mark>" in filtered


def test_page_dates_sort_fallback_and_suggestion(client):
    dated = client.get("/?q=anak&since=2023-01-01&until=2023-12-31&sort=date").text
    assert "2023-01-01 s.d. 2023-12-31" in dated
    assert re.findall(r'<time datetime="(\d{4})', dated) and all(
        y == "2023" for y in re.findall(r'<time datetime="(\d{4})', dated)
    )
    assert '<option value="date" selected>' in dated
    fallback = client.get("/?q=Amazon+zqtidakada").text
    assert 'id="catatan-fallback"' in fallback
    typo = client.get("/?q=Amazn").text
    assert '<a class="suggestion" href="?q=amazon">amazon</a>' in typo


@pytest.mark.parametrize("query", ["q=anak&page=0", "q=anak&limit=500", "q=anak&since=2022-13-45"])
def test_page_errors_are_400_pages(client, query):
    response = client.get("/?" + query)
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("text/html")
    assert 'role="alert"' in response.text and "Pencarian tidak dapat diproses" in response.text
    assert '<form class="search"' in response.text  # the user can correct the search


@pytest.mark.parametrize(
    ("query", "indonesian", "english"),
    [
        ('q="anak', "Tanda kutip di kolom 1 tidak ditutup", "unbalanced quote"),
        ("q=anak+OR", "OR di kolom 6 harus diikuti kata", "needs a term"),
        ("q=anak&limit=500", "Hasil per halaman harus bilangan bulat 1 sampai 100", "must be"),
        ("q=anak&since=2022-13-45", "Tanggal '2022-13-45' tidak sah", "invalid date"),
        ("q=zz:anak", "Kolom pencarian 'zz' tidak dikenal", "unknown field"),
    ],
)
def test_page_errors_are_in_indonesian(client, query, indonesian, english):
    response = client.get("/?" + query)
    assert response.status_code == 400
    text = html_lib.unescape(response.text)
    assert indonesian in text and english not in text
    # The JSON API keeps the library's English.
    api = client.get("/api/search?" + query.replace("limit=500", "limit=5000"))
    assert english in api.json()["error"]["message"]


def test_page_past_the_end_says_which_page_of_how_many(client):
    html = client.get("/", params={"q": "anak", "limit": 2, "page": 100}).text
    total = client.get("/api/search", params={"q": "anak"}).json()["total"]
    pages = -(-total // 2)
    assert f"Halaman 100 dari {pages}" in html
    assert f'<a href="?q=anak&amp;limit=2&amp;page={pages}">{pages}</a>' in html
    assert "Coba kata lain" not in html


def test_page_offers_the_nearest_filter_value(client):
    html = client.get("/", params={"q": "anak", "category": "sehat"}).text
    assert 'id="saringan-terdekat"' in html
    assert '<a href="?q=anak&amp;category=kesehatan">Kategori: kesehatan</a>' in html


def test_analyze_uses_the_index_s_own_analysis(client, ix):
    response = client.get("/api/analyze", params={"text": "Anak-anak menghentikan"})
    assert response.status_code == 200
    data = response.json()
    assert data["field"] == "body"
    assert data["tokens"] == [t._asdict() for t in ix.analyze("Anak-anak menghentikan")]
    assert data["tokens"][0]["term"] == "anak"
    assert "not a text field" in _error(
        client.get("/api/analyze", params={"text": "x", "field": "url"}), 400, "bad_query"
    )
    assert "required" in _error(client.get("/api/analyze"), 400, "bad_parameter")


# -- writes ---------------------------------------------------------------------------------


def test_writes_are_refused_unless_enabled(client):
    doc = [{"id": "x", "title": "t", "body": "b"}]
    _error(client.post("/api/docs", json=doc, headers=AUTH), 403, "writes_disabled")
    _error(client.delete("/api/docs/tek-2022-amazon-rusia", headers=AUTH), 403, "writes_disabled")
    assert client.get("/api/docs/tek-2022-amazon-rusia").status_code == 200


def test_create_app_refuses_writes_without_a_token(ix):
    with pytest.raises(ValueError, match="token"):
        create_app(ix, allow_writes=True)
    with pytest.raises(ValueError, match="token"):
        create_app(ix, allow_writes=True, token="pendek")


@pytest.mark.parametrize(
    ("headers", "status", "type_"),
    [
        ({}, 401, "unauthorized"),
        ({"Authorization": "Bearer salah-token-0123456789"}, 403, "forbidden"),
        ({"Authorization": f"Bearer {TOKEN}x"}, 403, "forbidden"),
        # Another scheme, or Bearer without a token, carries nothing to check: 401.
        ({"Authorization": f"Basic {TOKEN}"}, 401, "unauthorized"),
        ({"Authorization": f"Token {TOKEN}"}, 401, "unauthorized"),
        ({"Authorization": "Bearer"}, 401, "unauthorized"),
    ],
)
def test_writes_need_the_token(writable, headers, status, type_):
    c, index = writable
    response = c.post("/api/docs", json=[{"id": "w2", "title": "t", "body": "b"}], headers=headers)
    _error(response, status, type_)
    if status == 401:
        assert response.headers["www-authenticate"] == "Bearer"
    _error(c.delete("/api/docs/w1", headers=headers), status, type_)
    assert index.get("w2") is None and index.get("w1") is not None


def test_post_upserts_json_array_and_jsonl(writable):
    c, index = writable
    docs = [
        {"id": "w2", "title": "Banjir di Bekasi", "body": "zqbaru banjir", "category": "warga"},
        {"id": "w1", "title": "Dokumen diganti", "body": "isi zqganti"},
    ]
    response = c.post("/api/docs", json=docs, headers=AUTH)
    assert response.status_code == 200, response.text
    summary = response.json()
    assert (summary["added"], summary["replaced"], summary["documents"]) == (1, 1, 2)
    hits = c.get("/api/search", params={"q": "zqganti"}).json()["hits"]
    assert [h["id"] for h in hits] == ["w1"]
    assert c.get("/api/search", params={"q": "zqawal"}).json()["total"] == 0
    jsonl = "\n".join(
        json.dumps({"id": f"j{i}", "title": f"Baris {i}", "body": "zqbaris"}) for i in range(3)
    )
    response = c.post(
        "/api/docs",
        content=jsonl + "\n\n",
        headers={**AUTH, "Content-Type": "application/x-ndjson"},
    )
    assert response.status_code == 200 and response.json()["added"] == 3
    single = c.post("/api/docs", content=json.dumps(docs[0]), headers=AUTH)
    assert single.status_code == 200 and single.json()["replaced"] == 1
    assert c.get("/api/search", params={"q": "zqbaris"}).json()["total"] == 3
    assert len(index) == 5


def test_delete(writable):
    c, index = writable
    response = c.delete("/api/docs/w1", headers=AUTH)
    assert response.status_code == 200 and response.json() == {"deleted": "w1", "documents": 0}
    assert len(index) == 0
    _error(c.get("/api/docs/w1"), 404, "not_found")
    _error(c.delete("/api/docs/w1", headers=AUTH), 404, "not_found")


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        (b"", "empty"),
        (b"[]", "no documents"),
        (b"[{]", "invalid JSON"),
        (b'{"id": "a", "body": "x"}\n{oops\n', "line 2"),
        (b"[1, 2]", "item 1 is not"),
        (b'{"id": "a", "body": "x"}\n\n{"body": "y"}', "line 3: missing id"),
        (b'"teks"', "line 1"),
        (b'[{"id": "a", "body": "x"}, {"body": "tanpa id"}]', "item 2: missing id"),
        (b'[{"id": "a", "body": "x"}, {"id": "a", "body": "y"}]', "duplicate id"),
        (b"\xff\xfe[", "UTF-8"),
        (b"[" * 50_000 + b"]" * 50_000, "nested too deeply"),
        (b'{"id": "a", "body": "x"}\n' + b"[" * 50_000, "line 2: invalid JSON: nested"),
    ],
)
def test_bad_bodies_are_400_and_commit_nothing(writable, body, needle):
    c, index = writable
    message = _error(c.post("/api/docs", content=body, headers=AUTH), 400, "bad_document")
    assert needle in message
    assert len(index) == 1 and index.get("a") is None


@pytest.mark.parametrize(
    ("error", "status", "type_"),
    [
        (IndexLockedError("another writer is updating the index"), 503, "index_locked"),
        (StorageError("could not commit: disk full"), 500, "storage_error"),
    ],
)
def test_storage_errors_on_write(writable, monkeypatch, error, status, type_):
    c, index = writable

    def failing(*args, **kwargs):
        raise error

    monkeypatch.setattr(index, "add", failing)
    response = c.post("/api/docs", json=[{"id": "x", "body": "y"}], headers=AUTH)
    assert str(error) in _error(response, status, type_)
    if status == 503:
        assert response.headers["retry-after"].isdigit()


def test_oversized_bodies_are_413(tmp_path):
    with Index.create(tmp_path / "ix") as index:
        app = create_app(index, allow_writes=True, token=TOKEN, max_body_bytes=1000)
        with TestClient(app) as c:
            doc = [{"id": "big", "title": "besar", "body": "kata " * 400}]
            declared = c.post("/api/docs", json=doc, headers=AUTH)
            assert "1,000 bytes" in _error(declared, 413, "body_too_large")

            def chunks():  # no Content-Length: refused while it streams in
                yield b'[{"id": "big", "body": "'
                for _ in range(100):
                    yield b"kata " * 20
                yield b'"}]'

            _error(c.post("/api/docs", content=chunks(), headers=AUTH), 413, "body_too_large")
            small = c.post("/api/docs", json=[{"id": "s", "body": "kecil"}], headers=AUTH)
            assert small.status_code == 200
        assert len(index) == 1


# -- one shared Index -----------------------------------------------------------------------


def test_concurrent_requests_share_one_index(ix):
    """Many requests at once through the thread pool give the same answers as one at a time."""
    app = create_app(ix)
    queries = ["anak", "Amazon Rusia", "harga", "warga", "jakarta", "banjir", "pawai"]

    async def run() -> list[tuple[str, dict]]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:

            async def one(q: str) -> tuple[str, dict]:
                response = await c.get("/api/search", params={"q": q, "limit": 5})
                assert response.status_code == 200, response.text
                return q, response.json()

            return await asyncio.gather(*(one(q) for q in queries * 8))

    expected = {}
    for q in queries:
        results = ix.search(q, limit=5)
        expected[q] = ([h.id for h in results.hits], results.total, results.facets)
    for q, data in asyncio.run(run()):
        assert ([h["id"] for h in data["hits"]], data["total"], data["facets"]) == expected[q]


def test_commits_by_another_process_show_up_without_a_restart(tmp_path):
    with Index.create(tmp_path / "ix") as index:
        index.add([{"id": "a", "title": "awal", "body": "isi pertama"}])
        with TestClient(create_app(index)) as c:
            assert c.get("/api/search", params={"q": "zqlain"}).json()["total"] == 0
            assert c.get("/healthz").json()["documents"] == 1
            script = textwrap.dedent(
                f"""
                from searchlib import Index, IndexLockedError, StorageError
                with Index.open({str(tmp_path / "ix")!r}) as ix:
                    ix.add([{{"id": "b", "title": "proses lain", "body": "zqlain"}}])
                """
            )
            subprocess.run([sys.executable, "-c", script], check=True, timeout=120)
            hits = c.get("/api/search", params={"q": "zqlain"}).json()["hits"]
            assert [h["id"] for h in hits] == ["b"]
            assert c.get("/healthz").json()["documents"] == 2
            assert c.get("/api/docs/b").status_code == 200


# -- the serve command ----------------------------------------------------------------------


@pytest.fixture
def runner(tmp_path, monkeypatch, sample_cache):
    monkeypatch.chdir(tmp_path)
    # serve without an index serves the built-in sample, read-only: the run's shared one.
    monkeypatch.setenv("SEARCHLIB_CACHE", str(sample_cache))
    monkeypatch.delenv("SEARCHLIB_TOKEN", raising=False)
    return CliRunner()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_defaults_to_a_worker_per_core(runner, monkeypatch):
    from searchlib.cli import serve as serve_cli
    from searchlib.web import workers

    seen = {}

    def fake_run(target, count, **options):
        seen["workers"] = count

    monkeypatch.setattr(workers, "run_workers", fake_run)
    monkeypatch.setattr(serve_cli, "cores", lambda: 3)
    result = runner.invoke(cli, ["serve", "--port", str(_free_port())])
    assert result.exit_code == 0, result.output
    assert seen["workers"] == 3 and "3 workers" in result.stderr
    from searchlib.web import app as web_app

    assert web_app.os.environ[web_app.ENV_THREADS] == "1"
    for name in (web_app.ENV_INDEX, web_app.ENV_CONFIG, web_app.ENV_WRITES):
        monkeypatch.delenv(name, raising=False)


def test_serve_on_a_busy_port_or_bad_host_fails_before_the_banner(runner):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = runner.invoke(cli, ["serve", "--port", str(port), "--workers", "1"])
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        f"Error: cannot listen on 127.0.0.1:{port}: Address already in use"
    ]
    result = runner.invoke(cli, ["serve", "--host", "no-such-host.invalid", "--workers", "1"])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "cannot listen on no-such-host.invalid:8080" in lines[0]
    assert "http://" not in result.stderr


def test_serve_without_the_web_extra_says_what_to_install(runner, monkeypatch):
    monkeypatch.setitem(sys.modules, "uvicorn", None)  # import uvicorn -> ImportError
    result = runner.invoke(cli, ["serve"])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "pip install 'searchlib[web]'" in lines[0], result.stderr


def test_serve_refuses_writes_without_a_token_or_on_the_sample(runner, monkeypatch, tmp_path):
    result = runner.invoke(cli, ["serve", "--allow-writes"])
    assert result.exit_code == 2 and "SEARCHLIB_TOKEN" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    monkeypatch.setenv("SEARCHLIB_TOKEN", "kurang")
    Index.create(tmp_path / "own").close()
    short = runner.invoke(cli, ["serve", "--allow-writes", "--index", str(tmp_path / "own")])
    assert short.exit_code == 2 and "16 characters" in short.stderr
    monkeypatch.setenv("SEARCHLIB_TOKEN", TOKEN)
    sample = runner.invoke(cli, ["serve", "--allow-writes"])
    assert sample.exit_code == 2 and "read-only" in sample.stderr


def test_serve_runs_uvicorn_on_loopback_with_the_sample(runner, monkeypatch):
    import uvicorn

    seen = {}

    def fake_run(app, **options):
        seen.update(options)
        with TestClient(app) as c:
            seen["first"] = c.get("/api/search", params={"q": "Amazon Rusia"}).json()["hits"][0]

    monkeypatch.setattr(uvicorn, "run", fake_run)
    port = _free_port()
    result = runner.invoke(cli, ["serve", "--port", str(port), "--workers", "1"])
    assert result.exit_code == 0, result.output
    assert seen["host"] == "127.0.0.1" and seen["port"] == port
    assert seen["first"]["id"] == "tek-2022-amazon-rusia"
    assert "read-only" in result.stderr


def test_serve_with_workers_hands_the_index_to_each_worker(runner, monkeypatch, tmp_path):
    from searchlib.web import app as web_app
    from searchlib.web import workers

    names = (web_app.ENV_INDEX, web_app.ENV_CONFIG, web_app.ENV_WRITES, web_app.ENV_MAX_BODY)
    for name in (*names, web_app.ENV_THREADS):
        monkeypatch.delenv(name, raising=False)  # restored after the test
    with Index.create(tmp_path / "own") as index:
        index.add([{"id": "a", "title": "judul", "body": "isi zqpekerja"}])
    seen = {}

    def fake_run(target, count, **options):
        seen["target"], seen["options"] = target, {**options, "workers": count}
        worker_app = web_app.app_from_environment()  # what each worker process does
        with TestClient(worker_app) as c:
            seen["hits"] = c.get("/api/search", params={"q": "zqpekerja"}).json()["total"]
            seen["writes"] = c.post("/api/docs", json=[{"id": "b", "body": "x"}]).status_code

    monkeypatch.setattr(workers, "run_workers", fake_run)
    monkeypatch.setenv("SEARCHLIB_TOKEN", TOKEN)
    args = ["serve", "--index", str(tmp_path / "own"), "--workers", "2", "--allow-writes"]
    args += ["--port", str(_free_port())]
    result = runner.invoke(cli, [*args, "--max-body-mb", "2"])
    assert result.exit_code == 0, result.output
    assert seen["target"] == "searchlib.web.app:app_from_environment"
    assert seen["options"]["workers"] == 2
    assert seen["options"]["host"] == "127.0.0.1"
    assert seen["hits"] == 1 and seen["writes"] == 401  # writes on, token still required
    assert web_app.os.environ[web_app.ENV_MAX_BODY] == str(2 * 1024 * 1024)
    assert "warning" not in result.stderr
    exposed = runner.invoke(cli, [*args, "--host", "0.0.0.0"])
    assert exposed.exit_code == 0 and seen["options"]["host"] == "0.0.0.0"
    assert "warning: the write token crosses the network in clear text" in exposed.stderr


def test_worker_connections_send_without_waiting_for_acks():
    """The listener handed to uvicorn's worker processes says it is TCP, so asyncio turns
    Nagle's algorithm off on every connection (without it, each keep-alive response
    waited ~40 ms for the client's delayed ACK)."""
    import asyncio
    import socket

    import uvicorn

    from searchlib.web.workers import tcp_listener

    config = uvicorn.Config("searchlib.web.app:app_from_environment", host="127.0.0.1", port=0)
    listener = tcp_listener(config.bind_socket())
    assert listener.proto == socket.IPPROTO_TCP and listener.get_inheritable()
    seen = []

    async def main():
        def accepted(reader, writer):
            sock = writer.get_extra_info("socket")
            seen.append(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            writer.close()

        server = await asyncio.start_server(accepted, sock=listener)
        port = listener.getsockname()[1]
        _, writer = await asyncio.open_connection("127.0.0.1", port)
        for _ in range(100):
            if seen:
                break
            await asyncio.sleep(0.01)
        writer.close()
        server.close()
        await server.wait_closed()

    asyncio.run(main())
    assert seen and seen[0] != 0


def test_web_dependencies_load_only_for_serve():
    code = (
        "import sys, searchlib, searchlib.cli\n"
        "from click.testing import CliRunner\n"
        "CliRunner().invoke(searchlib.cli.cli, ['analyze', 'menulis'])\n"
        "heavy = {'starlette', 'uvicorn', 'jinja2', 'searchlib.web'} & set(sys.modules)\n"
        "print(sorted(heavy))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert out.stdout.strip() == "[]", out.stdout + out.stderr


def test_templates_and_stylesheet_live_in_the_package():
    import searchlib.web

    root = Path(searchlib.web.__file__).parent
    assert (root / "templates" / "search.html").is_file()
    assert (root / "templates" / "base.html").is_file()
    assert (root / "static" / "style.css").is_file()


def test_a_category_in_the_query_stays_a_filter_in_the_fallback(detik_index):
    query = 'harga category:"ekonomi & keuangan" zzzqqq'
    with TestClient(create_app(detik_index)) as c:
        data = c.get("/api/search", params={"q": query, "limit": 100}).json()
        page = c.get("/", params={"q": query, "limit": 100}).text
    assert data["fallback"] and data["hits"]
    assert {h["category"] for h in data["hits"]} == {"Ekonomi & Keuangan"}
    shown = re.findall(r"politik &amp; kebijakan publik|hukum &amp; kriminalitas", page)
    assert "ekonomi &amp; keuangan" in page and not shown


def test_a_stopword_only_query_is_searched_not_refused(client, detik_index):
    assert client.get("/api/search", params={"q": "yang dan di"}).json()["total"] == 0
    assert client.get("/", params={"q": "yang dan"}).status_code == 200
    with TestClient(create_app(detik_index)) as c:
        found = c.get("/api/search", params={"q": "ingin sekali"})
    assert found.status_code == 200 and found.json()["hits"]
