"""``html_to_text``: the readable text of an HTML page, and its title.

Built on :class:`html.parser.HTMLParser`, which scans with regular expressions and keeps no
element stack, so deeply nested or malformed markup costs no recursion and never raises;
this module keeps counters, not a tree, for the same reason.

A news page carries furniture around its article: navigation, a "Terpopuler" sidebar,
"Baca juga" links, comments, ads. What can be told cheaply is left out: ``nav``, ``aside``
and ``form`` elements, ``header``/``footer`` outside the article, elements whose class, id
or role names furniture (sidebar, comments, ads, related, ...), and lines that are a
"Baca juga" link or an ad label. The ``<title>`` loses its site suffix ("... - detikNews").
The optional trafilatura extractor (:mod:`searchlib.ingest.article`) does better.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser

__all__ = ["PageReading", "html_to_text", "read_page", "strip_site_suffix"]

#: Elements whose content is not text a reader sees.
_HIDDEN = frozenset({"script", "style", "noscript", "template", "svg", "math"})
#: Page furniture by element. (Not ``form``: some sites wrap the whole page in one.)
_FURNITURE_TAGS = frozenset({"nav", "aside", "dialog", "iframe"})
#: Elements judged by their class, id or role: blocks whose end tag HTML requires, so the
#: skip ends where the element does (a void ``<img class="ads">`` or an unclosed
#: ``<li class="menu">`` would otherwise hide the rest of the page), and never an inline
#: element (a keyword link in a sentence stays in the sentence).
_NAMED = frozenset({"div", "section", "ul", "ol", "table", "figure", "ins", "details", "nav"})
#: Furniture unless inside the article (where a header holds the headline).
_PAGE_PARTS = frozenset({"header", "footer"})
_ARTICLE = frozenset({"article", "main"})
#: Parts of class and id names ("box-sidebar", "comment_list") that name furniture.
_FURNITURE_NAMES = frozenset(
    {
        *("ad", "ads", "adv", "advert", "advertisement", "iklan", "banner", "sponsor", "promo"),
        *("sidebar", "widget", "related", "terkait", "populer", "terpopuler", "popular"),
        *("trending", "komentar", "comment", "comments", "disqus", "share", "social"),
        *("newsletter", "breadcrumb", "breadcrumbs", "menu", "navbar", "nav", "bacajuga"),
        *("recommendation", "rekomendasi", "tags", "topik"),
    }
)
_FURNITURE_ROLES = frozenset({"navigation", "complementary", "banner", "contentinfo", "search"})
_NAME_PARTS = re.compile(r"[^a-z0-9]+")
#: Lines that are furniture inside the article's own text.
_FURNITURE_LINE = re.compile(
    r"(?:baca|simak|lihat|tonton)\s+(?:juga|pula)\b|advertisement$|iklan$|"
    r"scroll to continue|\[gambas:",
    re.IGNORECASE,
)
#: " - detikNews", " | Kompas.com": a short last part after a separator.
_SUFFIX = re.compile(r"\s+[-|–—:·•]\s+([^-|–—:·•]{1,40})$")
#: <meta> names and properties kept for the article's metadata.
_META = frozenset(
    {
        *("og:title", "og:site_name", "author", "article:author", "og:article:author"),
        *("article:published_time", "og:article:published_time", "pubdate", "publishdate"),
        *("date", "dc.date", "dc.date.issued", "dcterms.created", "content_publishdate"),
    }
)


def strip_site_suffix(title: str, site: str | None = None) -> str:
    """``title`` without a trailing site name: ``site`` (the page's ``og:site_name``), or a
    short part that looks like one ("detikNews", "Kompas.com", "CNN Indonesia", "Liputan6")
    rather than words of the headline ("... - Pedagang Mengeluh" stays)."""
    m = _SUFFIX.search(title)
    if not m or len(title) - len(m.group(0)) < 10:
        return title
    suffix = m.group(1).strip()
    words = suffix.split()
    named = site is not None and suffix.lower() == " ".join(site.split()).lower()
    looks_like_a_site = len(words) <= 3 and (
        len(words) == 1 or any(_SITE_WORD.search(w) for w in words)
    )
    return title[: m.start()].rstrip() if named or looks_like_a_site else title


#: A word that marks a site name: a dot (Kompas.com), a capital inside (detikNews), a
#: digit (Liputan6) or all capitals (CNN).
_SITE_WORD = re.compile(r"\.\w|[a-z][A-Z]|\d|^[A-Z]{2,}$")


def _is_furniture(tag: str, attrs: list[tuple[str, str | None]], in_article: bool) -> bool:
    if tag in _FURNITURE_TAGS or (tag in _PAGE_PARTS and not in_article):
        return True
    if tag not in _NAMED:  # <body class="has-sidebar"> holds the article too
        return False
    for name, value in attrs:
        if not value:
            continue
        if name == "role" and value.strip().lower() in _FURNITURE_ROLES:
            return True
        if name in ("class", "id"):
            parts = _NAME_PARTS.split(value.lower())
            if _FURNITURE_NAMES.intersection(parts) or ("baca" in parts and "juga" in parts):
                return True
    return False


#: Elements that start a new line of text.
_BLOCKS = frozenset(
    {
        *("address", "article", "aside", "blockquote", "body", "br", "caption", "dd"),
        *("details", "dialog", "div", "dl", "dt", "fieldset", "figcaption", "figure"),
        *("footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hgroup", "hr"),
        *("legend", "li", "main", "nav", "ol", "option", "p", "pre", "section", "summary"),
        *("table", "tbody", "tfoot", "thead", "tr", "ul"),
    }
)
#: Table cells and similar: separated by a space, not a line break.
_CELLS = frozenset({"td", "th"})


class _TextParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self._line: list[str] = []
        self._hidden = 0
        self._pre = 0
        self._in_title = False
        self.title: list[str] = []
        self._h1 = 0
        self.h1: list[str] | None = None
        self.h1_done = False
        self.meta: dict[str, str] = {}
        self._article = 0
        #: The furniture element being skipped and how deep its own tag is nested in it.
        self._skip: str | None = None
        self._skip_depth = 0
        #: Text left out as furniture, one block a line (what another extractor may keep).
        self.furniture: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._skip is not None:
            self._skip_depth += tag == self._skip
            if tag in _BLOCKS or tag in _HIDDEN:
                self.furniture.append("\n")
            return
        if tag == "meta":
            self._keep_meta(attrs)
        elif tag == "time" and "date" not in self.meta:
            stamp = dict(attrs).get("datetime")
            if stamp:
                self.meta["time"] = stamp
        if tag not in _HIDDEN and _is_furniture(tag, attrs, self._article > 0):
            self._flush()
            self._skip, self._skip_depth = tag, 1
            return
        if tag in _ARTICLE:
            self._article += 1
        if tag in _HIDDEN:
            self._hidden += 1
        elif tag == "title":
            self._in_title = not self.title
        elif tag in _BLOCKS:
            self._flush()
            if tag == "pre":
                self._pre += 1
            elif tag == "h1" and not self.h1_done:
                self._h1 += 1
                if self.h1 is None:
                    self.h1 = []
        elif tag in _CELLS:
            self._line.append(" ")

    def _keep_meta(self, attrs: list[tuple[str, str | None]]) -> None:
        given = dict(attrs)
        key = (given.get("property") or given.get("name") or given.get("itemprop") or "").lower()
        content = " ".join((given.get("content") or "").split())
        if key in _META and content and key not in self.meta:
            self.meta[key] = content

    def handle_endtag(self, tag: str) -> None:
        if self._skip is not None:
            if tag in _BLOCKS or tag in _HIDDEN:
                self.furniture.append("\n")
            if tag == self._skip:
                self._skip_depth -= 1
                if self._skip_depth == 0:
                    self._skip = None
            return
        if tag in _ARTICLE:
            self._article = max(self._article - 1, 0)
        if tag in _HIDDEN:
            self._hidden = max(self._hidden - 1, 0)
        elif tag == "title":
            self._in_title = False
        elif tag in _BLOCKS:
            self._flush()
            if tag == "pre":
                self._pre = max(self._pre - 1, 0)
            elif tag == "h1" and self._h1:
                self._h1 -= 1
                self.h1_done = self._h1 == 0
        elif tag in _CELLS:
            self._line.append(" ")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        # <br/>, <p/>: a line break at most; <script/> and <title/> have no content.
        if self._skip is not None:
            return
        if tag == "meta":
            self._keep_meta(attrs)
        elif tag in _BLOCKS:
            self._flush()

    def parse_html_declaration(self, i: int) -> int:
        # HTMLParser asserts on a malformed "<![" section; a browser reads it as a bogus
        # comment up to the next ">", and so do we.
        try:
            return super().parse_html_declaration(i)
        except AssertionError:
            end = self.rawdata.find(">", i)
            return len(self.rawdata) if end < 0 else end + 1

    def handle_data(self, data: str) -> None:
        if self._skip is not None:
            self.furniture.append(data)
            return
        if self._hidden:
            return
        if self._in_title:
            self.title.append(data)
            return
        if self._h1 and self.h1 is not None:
            self.h1.append(data)
        self._line.append(data)

    def _flush(self) -> None:
        if not self._line:
            return
        text = "".join(self._line)
        self._line.clear()
        if self._pre:
            for line in text.split("\n"):
                line = line.rstrip()
                if line.strip():
                    self.lines.append(line)
        else:
            line = " ".join(text.split())
            if line and _FURNITURE_LINE.match(line):
                self.furniture += ("\n", line, "\n")
            elif line:
                self.lines.append(line)

    def finish(self) -> None:
        self.close()
        self._flush()


def _parse(html: str) -> _TextParser:
    parser = _TextParser()
    parser.feed(html)
    parser.finish()
    return parser


def html_to_text(html: str) -> tuple[str | None, str]:
    """``(title, text)`` of an HTML document.

    The title is ``og:title``, else the first ``<title>``, else the first ``<h1>``, else
    None, without a site suffix. The text drops script, style, noscript, template, svg and
    math content and page furniture (see the module's docstring), decodes entities,
    collapses white space (except in ``<pre>``) and puts each block element on its own line.
    """
    parser = _parse(html)
    return _title(parser), "\n".join(parser.lines)


@dataclass(frozen=True)
class PageReading:
    """What the built-in extractor reads from a page."""

    title: str | None
    text: str
    #: As the page writes them (None when absent).
    date: str | None
    author: str | None
    #: The blocks of text left out as furniture, white space collapsed.
    furniture: frozenset[str]

    def is_furniture(self, line: str) -> bool:
        """Whether ``line`` (from any extractor) is furniture this reading left out."""
        text = " ".join(line.split())
        return text in self.furniture or bool(_FURNITURE_LINE.match(text))


def read_page(html: str) -> PageReading:
    """:func:`html_to_text` plus the publication date (``article:published_time`` and kin,
    else the first ``<time datetime>``) and author from the page's ``<meta>`` tags, and
    the furniture left out."""
    parser = _parse(html)
    meta = parser.meta
    junk = "".join(parser.furniture).split("\n")
    return PageReading(
        title=_title(parser),
        text="\n".join(parser.lines),
        date=next((meta[k] for k in _DATE_KEYS if k in meta), None),
        author=next((meta[k] for k in _AUTHOR_KEYS if k in meta), None),
        furniture=frozenset(t for t in (" ".join(j.split()) for j in junk) if t),
    )


_DATE_KEYS = (
    *("article:published_time", "og:article:published_time", "pubdate", "publishdate"),
    *("content_publishdate", "dc.date.issued", "dc.date", "dcterms.created", "date", "time"),
)
_AUTHOR_KEYS = ("author", "article:author", "og:article:author")


def _title(parser: _TextParser) -> str | None:
    title = parser.meta.get("og:title") or " ".join("".join(parser.title).split())
    if not title and parser.h1:
        title = " ".join("".join(parser.h1).split())
    return strip_site_suffix(title, parser.meta.get("og:site_name")) if title else None
