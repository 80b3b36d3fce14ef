"""The search page at ``/``: server-rendered HTML that works with JavaScript off.

Everything from a document is escaped by Jinja2's autoescaping; the one exception is the
snippet, which the library renders in its html format (document text escaped, only our own
``<mark>`` tags), and which is therefore marked safe.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup
from starlette.datastructures import QueryParams
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from searchlib import Hit, Index, SearchlibError, SearchResults, nearest_filter_values
from searchlib.web.errors import ApiError, from_library
from searchlib.web.params import SearchParams, parse_search
from searchlib.web.pesan import indonesian
from searchlib.web.state import state_of
from searchlib.web.versions import versions

TEMPLATES = Path(__file__).resolve().parent / "templates"
PAGE_SIZES = (5, 10, 20, 50)
DEFAULT_LIMIT = 10
MAX_PAGE_LIMIT = 100
FACET_NAMES = {"category": "Kategori", "source": "Sumber"}
MONTHS = [
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
]


@cache
def environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def tanggal(value: Any) -> str | None:
    """A stored date in Indonesian (10 Maret 2022)."""
    if not isinstance(value, datetime):
        return None
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def number(value: int) -> str:
    """Thousands separated with dots, as Indonesian writes them."""
    return f"{value:,}".replace(",", ".")


def safe_url(value: Any) -> str | None:
    """Only http(s) links are links: a document's ``javascript:`` URL is shown as text."""
    if not isinstance(value, str):
        return None
    url = value.strip()
    try:
        scheme = urlsplit(url).scheme.lower()
    except ValueError:
        return None
    return url if scheme in ("http", "https") else None


def href(p: SearchParams, **changes: Any) -> str:
    """A link to this search with some parameters changed (filters reset the page)."""
    values: dict[str, Any] = {
        "q": p.q,
        "field": list(p.fields),
        "category": list(p.category),
        "source": list(p.source),
        "since": p.since,
        "until": p.until,
        "sort": p.sort if p.sort != "score" else None,
        "limit": p.limit if p.limit != DEFAULT_LIMIT else None,
        "collapse": None if p.collapse is None else ("true" if p.collapse else "false"),
        "page": None,
    }
    values.update(changes)
    pairs: list[tuple[str, str]] = []
    for name, value in values.items():
        if value is None or value == [] or (value == 1 and name == "page"):
            continue
        for item in value if isinstance(value, list) else [value]:
            pairs.append((name, str(item)))
    return "?" + urlencode(pairs)  # relative: works wherever the app is mounted


@dataclass
class View:
    """What the template shows."""

    form: dict[str, Any]
    status: int = 200
    error: str | None = None
    params: SearchParams | None = None
    results: SearchResults | None = None
    hits: list[dict[str, Any]] = field(default_factory=list)
    facets: list[dict[str, Any]] = field(default_factory=list)
    active: list[dict[str, str]] = field(default_factory=list)
    documents: int | None = None
    links: dict[str, str | None] = field(default_factory=dict)
    #: Values offered for a filter that matched nothing: label, value, link.
    nearest: list[dict[str, str]] = field(default_factory=list)


def _form(params: QueryParams) -> dict[str, Any]:
    """The form as submitted, for redisplay (even when it did not validate)."""
    limit = (params.get("limit") or "").strip()
    sizes = [str(s) for s in PAGE_SIZES]
    if limit and limit.isdigit() and limit not in sizes:
        sizes.append(limit)
    return {
        "q": params.get("q") or "",
        "since": params.get("since") or "",
        "until": params.get("until") or "",
        "sort": params.get("sort") or "score",
        "limit": limit or str(DEFAULT_LIMIT),
        "sizes": sorted(sizes, key=int),
        "category": [v for v in params.getlist("category") if v.strip()],
        "source": [v for v in params.getlist("source") if v.strip()],
        "field": [v for v in params.getlist("field") if v.strip()],
        "collapse": (params.get("collapse") or "").strip(),
    }


def _hit(hit: Hit) -> dict[str, Any]:
    f = hit.fields
    return {
        "id": hit.id,
        "title": hit.title or hit.id,
        "url": safe_url(hit.url),
        "url_text": hit.url if isinstance(hit.url, str) else None,
        "date": tanggal(hit.date),
        "iso_date": hit.date.date().isoformat() if isinstance(hit.date, datetime) else None,
        "source": f.get("source"),
        "category": f.get("category"),
        "snippet": Markup(hit.snippet),  # the library's html format: escaped, only <mark>
    }


def _versions(index: Index, hit: Hit) -> list[dict[str, Any]]:
    return [v | {"url": safe_url(v["url"])} for v in versions(index, hit)]


def build_view(index: Index, params: QueryParams) -> View:
    view = View(form=_form(params))
    try:
        p = parse_search(
            params, default_limit=DEFAULT_LIMIT, max_limit=MAX_PAGE_LIMIT, require_query=False
        )
    except ApiError as error:
        view.status, view.error = error.status, indonesian(error.message)
        return view
    view.params = p
    if not p.q:
        view.documents = len(index)
        return view
    try:
        results = index.search(p.q, snippet_format="html", **p.search_kwargs())
        total = results.total
        facets = results.facets
    except SearchlibError as error:
        mapped = from_library(error)
        view.status, view.error = mapped.status, indonesian(mapped.message)
        return view
    view.results = results
    if total == 0:
        view.nearest = _nearest(index, p)
    view.hits = [_hit(h) | {"versions": _versions(index, h)} for h in results.hits]
    for name, counts in facets.items():
        _add_facet(view, p, name, counts)
    pages = results.pages
    view.links = {
        "prev": href(p, page=min(p.page - 1, pages)) if p.page > 1 else None,
        "next": href(p, page=p.page + 1) if p.page < pages else None,
        "last": href(p, page=pages),
        "suggestion": href(p, q=results.suggestion) if results.suggestion else None,
        "clear_dates": href(p, since=None, until=None) if p.since or p.until else None,
    }
    view.form["total"] = number(total)
    view.form["pages"] = number(pages)
    first = (p.page - 1) * p.limit + 1
    view.form["first"] = number(first)
    view.form["last"] = number(first + len(results.hits) - 1)
    view.form["took"] = f"{results.took_ms:.1f}".replace(".", ",")
    return view


def _add_facet(view: View, p: SearchParams, name: str, counts: dict[str, int]) -> None:
    """One facet's entries (labels as written) and its active filters. Category and source
    are filters of the page; other facet fields (the config's ``facets``) are shown as
    counts only."""
    label = FACET_NAMES.get(name, name.replace("_", " ").capitalize())
    chosen: tuple[str, ...] = getattr(p, name) if name in FACET_NAMES else ()
    asked = {c.strip().lower() for c in chosen}  # filters match case-insensitively
    entries = []
    for value, count in counts.items():
        picked = value.strip().lower() in asked
        link = None
        if name in FACET_NAMES and not picked:
            link = href(p, **{name: [*chosen, value]})
        entries.append({"value": value, "count": number(count), "chosen": picked, "href": link})
    if entries:
        view.facets.append({"name": name, "label": label, "entries": entries})
    for value in chosen:
        rest = [v for v in chosen if v != value]
        view.active.append({"label": label, "value": value, "href": href(p, **{name: rest})})


def _nearest(index: Index, p: SearchParams) -> list[dict[str, str]]:
    """For each filter that leaves no hits, the values the search has without it."""
    offers = []
    filters = p.search_kwargs()["filters"]
    for name, label in FACET_NAMES.items():
        chosen = list(getattr(p, name))
        if not chosen:
            continue
        others = {k: v for k, v in filters.items() if k != name}
        search: dict[str, Any] = {
            "fields": list(p.fields) or None,
            "since": p.since,
            "until": p.until,
        }
        for value in nearest_filter_values(index, p.q, name, chosen, filters=others, **search):
            offers.append({"label": label, "value": value, "href": href(p, **{name: [value]})})
    return offers


def render(view: View, root: str = "") -> str:
    return environment().get_template("search.html").render(view=view, root=root)


async def search_page(request: Request) -> Response:
    st = state_of(request)
    index = st.index
    root = request.scope.get("root_path", "")

    def run() -> tuple[str, int]:
        view = build_view(index, request.query_params)
        return render(view, root), view.status

    body, status = await st.read(run)
    return HTMLResponse(body, status_code=status)
