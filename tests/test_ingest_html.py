"""html_to_text: visible text only, entities decoded, safe on deep and broken markup."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from searchlib.ingest import html_to_text

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
