"""``html_to_text``: the readable text of an HTML page, and its title.

Built on :class:`html.parser.HTMLParser`, which scans with regular expressions and keeps no
element stack, so deeply nested or malformed markup costs no recursion and never raises;
this module keeps counters, not a tree, for the same reason.
"""

from __future__ import annotations

from html.parser import HTMLParser

__all__ = ["html_to_text"]

#: Elements whose content is not text a reader sees.
_HIDDEN = frozenset({"script", "style", "noscript", "template", "svg", "math"})
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

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
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

    def handle_endtag(self, tag: str) -> None:
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
        if tag in _BLOCKS:
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
            if line:
                self.lines.append(line)

    def finish(self) -> None:
        self.close()
        self._flush()


def html_to_text(html: str) -> tuple[str | None, str]:
    """``(title, text)`` of an HTML document.

    The title is the first ``<title>``, else the first ``<h1>``, else None. The text drops
    script, style, noscript, template, svg and math content, decodes entities, collapses
    white space (except in ``<pre>``) and puts each block element on its own line.
    """
    parser = _TextParser()
    parser.feed(html)
    parser.finish()
    title = " ".join("".join(parser.title).split())
    if not title and parser.h1:
        title = " ".join("".join(parser.h1).split())
    return title or None, "\n".join(parser.lines)
