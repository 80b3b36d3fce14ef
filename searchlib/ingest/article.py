"""An article page's own text, title, date and author, without the page's furniture.

With the optional extra (``pip install 'searchlib[html]'``) trafilatura extracts them: it
scores the page's blocks and keeps the article's body whole while leaving out navigation,
sidebars, "Baca juga" links, comments and ads. Without it, the built-in extractor
(:mod:`searchlib.ingest.html`) leaves out what it can tell cheaply from tags, class names
and lines. Either way the title is chosen the same way (``og:title``, else ``<title>``,
else the first ``<h1>``, without the site's name), so an index's titles do not depend on
whether the extra is installed.
"""

from __future__ import annotations

import importlib.util
import logging
import os
from dataclasses import dataclass
from functools import cache
from typing import Any

from searchlib.errors import IngestError
from searchlib.ingest.html import PageReading, read_page, strip_site_suffix

__all__ = ["EXTRACTOR_ENV", "HTML_EXTRA", "Article", "extract_article", "trafilatura_available"]

HTML_EXTRA = "pip install 'searchlib[html]'"
EXTRACTORS = ("auto", "builtin", "trafilatura")
#: Chooses the extractor when the caller does not (builtin: faster, same on every machine).
EXTRACTOR_ENV = "SEARCHLIB_HTML_EXTRACTOR"


@dataclass(frozen=True)
class Article:
    title: str | None
    text: str
    #: As the page writes it (ISO 8601 in ``article:published_time``); None when absent.
    date: str | None = None
    author: str | None = None


@cache
def trafilatura_available() -> bool:
    return importlib.util.find_spec("trafilatura") is not None


def extract_article(html: str, *, extractor: str | None = None) -> Article:
    """The article in ``html``. ``extractor``: ``auto`` (trafilatura when installed),
    ``builtin`` or ``trafilatura``; None reads ``$SEARCHLIB_HTML_EXTRACTOR`` (default auto).
    A page trafilatura finds no article in (a short page, an index page) gets the built-in
    extractor's reading."""
    if extractor is None:
        extractor = os.environ.get(EXTRACTOR_ENV) or "auto"
        if extractor not in EXTRACTORS:
            raise IngestError(
                f"{EXTRACTOR_ENV} must be one of {', '.join(EXTRACTORS)}, not {extractor!r}"
            )
    if extractor not in EXTRACTORS:
        raise ValueError(f"extractor must be one of {', '.join(EXTRACTORS)}, not {extractor!r}")
    if extractor == "trafilatura" and not trafilatura_available():
        raise IngestError(f"the trafilatura extractor is not installed: {HTML_EXTRA}")
    page = read_page(html)
    if extractor != "builtin" and trafilatura_available():
        found = _with_trafilatura(html, page)
        if found is not None:
            return Article(
                page.title or found.title,
                found.text,
                found.date or page.date,
                found.author or page.author,
            )
    return Article(page.title, page.text, page.date, page.author)


def _with_trafilatura(html: str, page: PageReading) -> Article | None:
    """trafilatura's reading, less the lines the built-in reading knows for furniture
    (trafilatura keeps a "Baca juga" link or an ad block inside the article's element)."""
    import trafilatura

    # Its fallbacks log a warning whenever one of them gives up on a page (a short page,
    # a page with no article); the result is still right, so the user need not see them.
    logging.getLogger("trafilatura").setLevel(logging.ERROR)
    doc: Any = trafilatura.bare_extraction(
        html,
        with_metadata=True,
        include_comments=False,
        include_tables=True,
        include_images=False,
        deduplicate=False,
    )
    if doc is None:
        return None
    lines = [line for line in (doc.text or "").split("\n") if not page.is_furniture(line)]
    text = "\n".join(line for line in lines if line.strip())
    if not text:
        return None
    site = getattr(doc, "sitename", None)
    title = strip_site_suffix(" ".join(doc.title.split()), site) if doc.title else None
    return Article(
        title=title or None,
        text=text,
        date=doc.date or None,
        author=doc.author or None,
    )
