"""Hostile documents: markup, scripts, event attributes, control characters and terminal
escape sequences, huge tokens, 10 MB bodies, deeply nested HTML.

What is promised: they are indexed and found like any text; a snippet in HTML format holds
no markup but our own ``<mark>``; ANSI and plain output (snippets and the CLI's lines) hold
no escape sequence or control character from a document. Stored fields (``Hit.title``,
``Hit.fields``) are the document's data as given: escaping them is the caller's job, as the
CLI does.
"""

from __future__ import annotations

import html
import random
import re

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from searchlib import Index, IngestError, get_analyzer
from searchlib.cli import cli
from searchlib.snippets import make_fragments, render

ESCAPES = "\x1b[2J\x1b]0;judul palsu\x07\x9b31m\x1bP+q\x1b\\\x07\x08\x00\x7f\x85"
HOSTILE = [
    {
        "id": "xss",
        "title": '<img src=x onerror="alert(1)">Harga <b>pasar</b>',
        "body": 'Teks <script>alert("xss")</script> tentang pasar <a href="javascript:alert(1)" '
        "onerror='alert(2)' onmouseover=alert(3)>klik</a> &lt;b&gt; &amp; \"kutip\" 'tunggal' "
        "<!-- komentar --> <![CDATA[ x ]]> <svg onload=alert(4)> pasar malam",
        "category": "<i>ekonomi</i>",
        "source": "Warta <script>",
    },
    {
        "id": "escapes",
        "title": f"Judul{ESCAPES}pasar",
        "body": f"Awal{ESCAPES} pasar {ESCAPES}malam\r\n\f\v\u202e\u200b pasar akhir",
        "source": f"Sumber{ESCAPES}",
        "url": f"https://contoh.id/{ESCAPES}",
    },
    {
        "id": "token",
        "title": "Token raksasa",
        "body": "pasar " + "x" * 1_000_000 + " pasar " + "<b>" * 50_000 + " zqakhir",
    },
]
QUERIES = ["pasar", "pasar malam", "alert", "script", "klik", "onerror", "javascript", "judul"]
_FILLER = "harga beras pasar pedagang kota warga jalan banjir hujan sekolah guru"
OURS_ANSI = re.compile(r"\x1b\[(?:1;33|1|2|0)m")
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def assert_safe_html(snippet: str) -> None:
    bare = re.sub(r"</?mark>", "", snippet)
    assert "<" not in bare and ">" not in bare, snippet
    # Every "&" starts an entity html.escape writes, so nothing can be decoded into markup.
    assert re.fullmatch(r"(?:[^&]|&(?:amp|lt|gt|quot|#x27);)*", bare), snippet
    assert not _CONTROLS.search(bare), repr(snippet)
    assert snippet.count("<mark>") == snippet.count("</mark>")


def assert_safe_terminal(text: str) -> None:
    bare = OURS_ANSI.sub("", text)
    assert not _CONTROLS.search(bare.replace("\n", "")), repr(text)


@pytest.fixture(scope="module")
def ix(tmp_path_factory):
    with Index.create(tmp_path_factory.mktemp("hostile") / "ix") as index:
        index.add(HOSTILE)
        yield index


@pytest.mark.parametrize("query", QUERIES)
def test_html_snippets_hold_no_markup_from_documents(ix, query):
    res = ix.search(query, snippet_format="html", limit=10)
    for hit in res.hits:
        assert_safe_html(hit.snippet)


@pytest.mark.parametrize("fmt", ["ansi", "plain"])
@pytest.mark.parametrize("query", QUERIES)
def test_terminal_snippets_hold_no_escape_sequences_from_documents(ix, query, fmt):
    for hit in ix.search(query, snippet_format=fmt, limit=10).hits:
        assert_safe_terminal(hit.snippet)


def test_hostile_documents_are_found_and_marked_like_any_text(ix):
    res = ix.search("pasar", snippet_format="html")
    assert {h.id for h in res.hits} == {"xss", "escapes", "token"}
    snippets = {h.id: h.snippet for h in res.hits}
    assert "<mark>pasar</mark>" in snippets["xss"]
    assert "&lt;script&gt;" in snippets["xss"] or "&lt;a href" in snippets["xss"]
    assert "<mark>pasar</mark>" in snippets["escapes"]
    # Stored fields are the data as given (escaping them is the caller's job).
    assert ix.get("xss")["title"].startswith("<img src=x onerror=")
    assert ESCAPES in ix.get("escapes")["title"]


def test_a_huge_token_is_indexed_and_the_snippet_stays_small(ix):
    res = ix.search("zqakhir", snippet_format="html")
    assert [h.id for h in res.hits] == ["token"]
    res = ix.search("pasar", snippet_format="html", fields=["body"])
    snippet = next(h.snippet for h in res.hits if h.id == "token")
    assert len(snippet) < 2_000
    assert_safe_html(snippet)


@pytest.mark.parametrize("fmt", ["ansi", "plain", "html"])
def test_cli_output_holds_no_escape_sequences_or_markup_from_documents(ix, fmt):
    for query in ("pasar", "alert"):
        result = CliRunner().invoke(
            cli, ["query", query, "--index", str(ix.path), "--format", fmt], color=True
        )
        assert result.exit_code == 0, result.output
        assert "pasar" in result.output.lower() or "alert" in result.output
        assert_safe_terminal(result.output)
        if fmt == "html":
            assert "<img" not in result.output and "<script" not in result.output


# -- size ------------------------------------------------------------------------------------


def _ten_megabytes() -> str:
    rng = random.Random(10)
    words = _FILLER.split()
    body = " ".join(rng.choice(words) for _ in range(1_700_000)) + " zqujung"
    assert len(body.encode()) > 10_000_000
    return body


def test_a_10_mb_body_is_refused_by_default_with_a_clear_error(tmp_path):
    body = _ten_megabytes()
    with Index.create(tmp_path / "ix") as ix:
        with pytest.raises(IngestError, match=r"over the limit of 5,000,000") as info:
            ix.add([{"id": "besar", "body": body}])
        assert info.value.line == 1
        assert len(ix) == 0


@pytest.mark.slow
def test_a_10_mb_body_is_indexed_and_searched_when_the_limit_allows(tmp_path):
    body = _ten_megabytes()
    with Index.create(tmp_path / "ix", {"limits": {"max_doc_bytes": 20_000_000}}) as ix:
        ix.add([{"id": "besar", "title": "Arsip besar", "body": body}])
        for query in ("zqujung", "pasar"):  # the last word, and words all through it
            res = ix.search(query, snippet_format="html")
            assert [h.id for h in res.hits] == ["besar"]
            assert len(res.hits[0].snippet) < 2_000
            assert_safe_html(res.hits[0].snippet)


@pytest.mark.slow
def test_deeply_nested_and_unclosed_html_files_are_indexed(tmp_path):
    pages = tmp_path / "halaman"
    pages.mkdir()
    depth = 200_000
    (pages / "dalam.html").write_text(
        "<html><body>" + "<div><span><b>" * depth + "zqdalam pasar" + "</b></span></div>" * depth
    )
    (pages / "terbuka.html").write_text(
        "<p>zqterbuka <b>tebal <i>miring <table><tr><td>sel" + "<ul><li>" * 50_000 + "<!-- <p"
    )
    (pages / "skrip.html").write_text(
        "<title>Skrip</title><p>zqskrip</p><script>" + "document.write('<p>');" * 10_000
    )
    with Index.create(tmp_path / "ix") as ix:
        summary = ix.add_files([pages])
        assert (summary.added, summary.skipped) == (3, [])
        assert [h.id for h in ix.search("zqdalam").hits] == ["dalam.html"]
        assert [h.id for h in ix.search("zqterbuka").hits] == ["terbuka.html"]
        assert [h.id for h in ix.search("zqskrip").hits] == ["skrip.html"]
        assert ix.search("document").total == 0  # script text is not article text


# -- snippets of any text ---------------------------------------------------------------------

_NASTY = st.sampled_from(
    [
        *("<", ">", "&", '"', "'", "<script>", "</mark>", "<mark>", "&lt;", "&#60;", "\x1b[31m"),
        *("\x1b]8;;http://x\x07", "\x9b", "\x00", "\r", "\n", "\u202e", " ", "pasar", "Pasar"),
    ]
)
_ANALYZER = get_analyzer("indonesian")


def _tokens(text: str):
    for t in _ANALYZER(text, chars=True):
        yield t.startchar, t.endchar, t.text


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    parts=st.lists(st.one_of(_NASTY, st.text(max_size=6)), max_size=60),
    chars=st.integers(10, 200),
)
def test_rendered_snippets_of_any_text_are_safe(parts, chars):
    text = "".join(parts)
    fragments = make_fragments(text, frozenset({"pasar"}), _tokens, chars=chars)
    assert_safe_html(render(fragments, "html", text_length=len(text)))
    assert_safe_terminal(render(fragments, "ansi", text_length=len(text)))
    assert_safe_terminal(render(fragments, "plain", text_length=len(text)))
    # Unescaped, the HTML shows the document's own text (controls dropped, spaces collapsed).
    shown = html.unescape(re.sub(r"</?mark>", "", render(fragments, "html")))
    assert all(_visible(piece) in _visible(text) for piece in shown.split("…"))


def _visible(text: str) -> str:
    # As render shows text: runs of white space (\x1c-\x1f count) as one space, control
    # characters dropped (then the spaces around a dropped one collapsed too).
    return " ".join(_CONTROLS.sub("", " ".join(text.split())).split())
