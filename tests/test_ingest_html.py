"""html_to_text: visible text only, entities decoded, safe on deep and broken markup; article
pages without their furniture (built-in extractor and trafilatura)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from searchlib import Index
from searchlib.ingest import html_to_text
from searchlib.ingest.article import extract_article, trafilatura_available
from searchlib.ingest.html import strip_site_suffix

PAGE = """<!DOCTYPE html>
<html><head>
  <meta charset="utf-8">
  <title>  Amazon &amp; Rusia </title>
  <style>p { color: red }</style>
  <script>var x = "<p>bukan teks</p>";</script>
</head><body>
  <h1>Amazon Hentikan Layanan</h1>
  <p>Amazon menghentikan <b>Prime&nbsp;Video</b> di Rusia&hellip;</p>
  <noscript>Aktifkan JavaScript</noscript>
  <template><p>templat tersembunyi</p></template>
  <ul><li>satu</li><li>dua</li></ul>
  <table><tr><td>kota</td><td>Moskow</td></tr></table>
  <p>caf&eacute; &#233; &#x1F600; 5 &lt; 6 &amp;&amp; 7 &gt; 3 &tidakada;</p>
</body></html>"""


def test_title_and_visible_text():
    title, text = html_to_text(PAGE)
    assert title == "Amazon & Rusia"
    assert text.split("\n") == [
        "Amazon Hentikan Layanan",
        "Amazon menghentikan Prime Video di Rusia…",
        "satu",
        "dua",
        "kota Moskow",
        "café é 😀 5 < 6 && 7 > 3 &tidakada;",
    ]


def test_hidden_elements_are_dropped():
    _, text = html_to_text(PAGE)
    for hidden in ("bukan teks", "color", "JavaScript", "templat", "var x"):
        assert hidden not in text


def test_first_h1_is_the_title_when_there_is_no_title_element():
    title, text = html_to_text("<h1>Judul <small>kecil</small></h1><p>isi</p><h1>Kedua</h1>")
    assert title == "Judul kecil"
    assert text == "Judul kecil\nisi\nKedua"
    assert html_to_text("<p>tanpa judul</p>") == (None, "tanpa judul")
    assert html_to_text("<title>  </title><p>x</p>") == (None, "x")


def test_inline_elements_do_not_break_words_and_blocks_do():
    assert html_to_text("<p>ber<b>satu</b> padu</p><div>dua</div>baris<br>tiga")[1] == (
        "bersatu padu\ndua\nbaris\ntiga"
    )


def test_pre_keeps_its_line_breaks():
    assert html_to_text("<p>a</p><pre>  x = 1\n    y\n</pre>")[1] == "a\n  x = 1\n    y"


def test_svg_title_is_not_the_page_title():
    assert html_to_text("<svg><title>ikon</title></svg><p>isi</p>") == (None, "isi")


def test_deep_nesting_needs_no_recursion():
    depth = 100_000
    html = "<div>" * depth + "<p>di <i>dalam</i></p>" + "</div>" * depth
    assert html_to_text(html) == (None, "di dalam")
    unclosed = "<span><b>" * depth + "tanpa penutup"
    assert html_to_text(unclosed) == (None, "tanpa penutup")


def test_malformed_markup():
    assert html_to_text("<div <p>rusak</p>")[1] == "rusak"
    assert html_to_text("<b>tebal <i>miring</b> lagi</i>")[1] == "tebal miring lagi"
    assert html_to_text("</p></div>yatim</span>")[1] == "yatim"
    assert html_to_text("<p>a<![ x>b<![if !IE]>c<![endif]>d</p>")[1] == "abcd"
    assert html_to_text("<p>x</p><script>tidak ditutup <p>y")[1] == "x"
    assert html_to_text('<a href="x>teks')[1] in ("", '<a href="x>teks')
    assert html_to_text("") == (None, "")


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "<",
                ">",
                "</",
                "<!",
                "<![",
                "<!--",
                "-->",
                "]]>",
                "<p>",
                "</p>",
                "<div",
                "<title>",
                "</title>",
                "<h1>",
                "</h1>",
                "<script>",
                "</script>",
                "<pre>",
                "&",
                "&amp",
                ";",
                "&#",
                "x",
                "kata",
                " ",
                "\n",
                '"',
                "'",
                "=",
                "/>",
                "<br/>",
                "<style",
                "é",
            ]
        ),
        max_size=40,
    ).map("".join)
)
def test_never_raises_on_markup_soup(html):
    title, text = html_to_text(html)
    assert title is None or title.strip() == title != ""
    # no blank lines and no trailing spaces, whatever the input
    assert text == "" or all(line.strip() and line == line.rstrip() for line in text.split("\n"))


# -- article pages: the article without the page's furniture ----------------------------------

NEWS_PAGE = """<!DOCTYPE html>
<html lang="id"><head>
<meta charset="utf-8">
<title>Harga Beras di Pasar Induk Naik Lagi - wartaNews</title>
<meta property="og:site_name" content="wartaNews">
<meta name="author" content="Rina Hartati">
<meta property="article:published_time" content="2024-03-05T09:30:00+07:00">
<script>window.dataLayer = [{"halaman": "artikel"}];</script>
<style>.iklan { display: block }</style>
</head>
<body class="halaman-artikel with-sidebar">
<header class="site-header">
  <a class="logo" href="/"><h1>wartaNews</h1></a>
  <nav><ul><li><a href="/">Beranda</a></li><li><a href="/bola">Sepak Bola</a></li>
  <li><a href="/otomotif">Otomotif</a></li></ul></nav>
</header>
<div class="breadcrumb"><a href="/">Beranda</a> › <a href="/ekonomi">Ekonomi</a></div>
<main>
<article>
  <header><h1>Harga Beras di Pasar Induk Naik Lagi</h1>
  <p class="byline">Rina Hartati · Selasa, 05 Mar 2024 09:30 WIB</p></header>
  <p>Harga beras medium di pasar induk kembali naik pekan ini. Para pedagang menyebut
  pasokan dari sentra produksi berkurang karena panen mundur akibat cuaca.</p>
  <p><strong>Baca juga:</strong> <a href="/x">Stok Gula Aman Menjelang Lebaran</a></p>
  <div class="ads ads-inline"><p>ADVERTISEMENT</p><p>Promo kartu kredit bunga nol persen</p></div>
  <p>Seorang pedagang grosir mengatakan kenaikan terasa sejak awal bulan, dan pembeli
  mulai mengurangi jumlah belanjaan mereka.</p>
  <p>Pemerintah daerah berencana menggelar operasi pasar untuk menahan laju kenaikan
  harga beras hingga panen raya tiba.</p>
  <div class="tag-list tags"><a href="/t/pangan">pangan</a></div>
</article>
</main>
<aside class="sidebar">
  <section class="terpopuler"><h2>Terpopuler</h2><ol>
    <li><a href="/a">Jadwal timnas melawan tim tamu pekan depan</a></li>
    <li><a href="/b">Mobil listrik murah segera dijual</a></li></ol></section>
</aside>
<section id="comments" class="komentar"><h2>Komentar</h2>
  <div class="comment"><p>Wah jadwal timnas kok tidak diumumkan dari kemarin</p></div></section>
<footer class="site-footer"><p>Redaksi · Pedoman Media Siber · Kontak</p></footer>
<script>tampilkanIklan("jadwal timnas");</script>
</body></html>"""

NOISE = ("jadwal timnas", "Terpopuler", "Baca juga", "Stok Gula", "ADVERTISEMENT", "Promo kartu")
NOISE += ("Beranda", "Otomotif", "Komentar", "Redaksi", "dataLayer", "pangan")
BODY_WORDS = ("pasokan dari sentra produksi", "pembeli", "operasi pasar", "panen raya tiba")


def test_builtin_extractor_leaves_the_page_furniture_out():
    article = extract_article(NEWS_PAGE, extractor="builtin")
    assert article.title == "Harga Beras di Pasar Induk Naik Lagi"
    for noise in NOISE:
        assert noise not in article.text, noise
    for words in BODY_WORDS:
        assert words in " ".join(article.text.split()), words
    assert article.date == "2024-03-05T09:30:00+07:00"
    assert article.author == "Rina Hartati"


def test_builtin_title_prefers_og_title_without_the_site_suffix():
    """A page's og:title is its headline as the newsroom wrote it; <title> is often
    shortened or carries the section and the site name."""
    page = (
        "<html><head><title>Ekonomi - Beras Naik | wartaNews</title>"
        '<meta property="og:title" content="Harga Beras di Pasar Induk Naik Lagi - wartaNews">'
        '<meta property="og:site_name" content="wartaNews"></head>'
        "<body><h1>Beras naik</h1><p>Harga beras di pasar induk naik lagi pagi ini.</p>"
        "</body></html>"
    )
    article = extract_article(page, extractor="builtin")
    assert article.title == "Harga Beras di Pasar Induk Naik Lagi"


@pytest.mark.skipif(
    not trafilatura_available(), reason="needs the html extra: pip install 'searchlib[html]'"
)
def test_trafilatura_extractor_leaves_the_page_furniture_out():
    article = extract_article(NEWS_PAGE, extractor="trafilatura")
    assert article.title == "Harga Beras di Pasar Induk Naik Lagi"
    for noise in NOISE:
        assert noise not in article.text, noise
    for words in BODY_WORDS:
        assert words in " ".join(article.text.split()), words
    assert article.date is not None and article.date.startswith("2024-03-05")
    assert article.author == "Rina Hartati"


def test_a_missing_trafilatura_is_named_with_the_extra(monkeypatch):
    from searchlib import IngestError
    from searchlib.ingest import article as article_module

    monkeypatch.setattr(article_module, "trafilatura_available", lambda: False)
    with pytest.raises(IngestError, match=r"pip install 'searchlib\[html\]'"):
        article_module.extract_article(NEWS_PAGE, extractor="trafilatura")
    # auto falls back to the built-in extractor
    assert "jadwal timnas" not in article_module.extract_article(NEWS_PAGE).text
    monkeypatch.setenv("SEARCHLIB_HTML_EXTRACTOR", "cepat")
    with pytest.raises(IngestError, match="SEARCHLIB_HTML_EXTRACTOR"):
        article_module.extract_article(NEWS_PAGE)


@pytest.mark.parametrize("extractor", ["builtin", "trafilatura"])
def test_a_query_for_sidebar_words_does_not_find_the_article(tmp_path, monkeypatch, extractor):
    if extractor == "trafilatura" and not trafilatura_available():
        pytest.skip("needs the html extra: pip install 'searchlib[html]'")
    monkeypatch.setenv("SEARCHLIB_HTML_EXTRACTOR", extractor)
    folder = tmp_path / "halaman"
    folder.mkdir()
    (folder / "beras.html").write_text(NEWS_PAGE, encoding="utf-8")
    with Index.create(tmp_path / "ix") as ix:
        ix.add_files([folder])
        assert ix.search("jadwal timnas").total == 0
        assert ix.search("timnas").total == 0
        hit = ix.search("harga beras").hits[0]
        assert hit.title == "Harga Beras di Pasar Induk Naik Lagi"
        assert hit.date is not None and hit.date.date().isoformat() == "2024-03-05"
        assert ix.get("beras.html")["author"] == "Rina Hartati"


@pytest.mark.parametrize(
    ("title", "site", "expected"),
    [
        ("Harga Beras Naik - detikNews", None, "Harga Beras Naik"),
        ("Harga Beras Naik | Kompas.com", None, "Harga Beras Naik"),
        ("Harga Beras Naik - CNN Indonesia", None, "Harga Beras Naik"),
        ("Harga Beras Naik - Liputan6", None, "Harga Beras Naik"),
        ("Harga Beras Naik - Warta Kita", "Warta Kita", "Harga Beras Naik"),
        # Words of the headline after a dash stay.
        ("Harga Beras Naik - Pedagang Mengeluh", None, "Harga Beras Naik - Pedagang Mengeluh"),
        ("Ekonomi - Bisnis", None, "Ekonomi - Bisnis"),
    ],
)
def test_site_suffix(title, site, expected):
    assert strip_site_suffix(title, site) == expected


def test_index_help_names_the_html_extra():
    from click.testing import CliRunner

    from searchlib.cli import cli

    result = CliRunner().invoke(cli, ["index", "--help"])
    assert "pip install 'searchlib[html]'" in " ".join(result.stdout.split())


def test_furniture_names_on_void_or_unclosed_elements_hide_nothing_else():
    html = (
        '<img class="ads" src="x.png"><p>Isi pertama.</p>'
        '<ul><li class="menu">Beranda<li class="menu">Bola</ul><p>Isi kedua.</p>'
        '<form id="aspnetForm"><p>Isi ketiga.</p></form>'
        '<div class="sidebar"><div>Terpopuler</div></div><p>Isi keempat.</p>'
        '<p>Harga <a class="tags" href="/t/beras">beras</a> naik.</p>'
    )
    text = html_to_text(html)[1]
    for line in ("Isi pertama.", "Isi kedua.", "Isi ketiga.", "Isi keempat.", "Harga beras naik."):
        assert line in text
    assert "Terpopuler" not in text
