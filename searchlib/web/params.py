"""Query-string parameters of a search, checked before the index sees them.

The JSON API is strict (an unknown or repeated parameter is a 400, so a typo such as
``categroy=`` is not silently ignored); the page is lenient with what a browser adds.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from starlette.datastructures import QueryParams

from searchlib.web.errors import ApiError

SEARCH_PARAMS = frozenset(
    {
        "q",
        "limit",
        "page",
        "field",
        "category",
        "source",
        "since",
        "until",
        "sort",
        "format",
        "collapse",
    }
)
REPEATABLE = frozenset({"field", "category", "source"})
SORTS = ("score", "date")
#: Snippet formats the API offers: plain is what ``searchlib query --json`` prints when
#: piped; html is escaped document text with only our ``<mark>`` tags.
API_FORMATS = ("plain", "html")
MAX_LIMIT = 1000
MAX_PAGE = 10_000


@dataclass(frozen=True)
class SearchParams:
    q: str
    limit: int
    page: int
    fields: tuple[str, ...] = ()
    category: tuple[str, ...] = ()
    source: tuple[str, ...] = ()
    since: str | None = None
    until: str | None = None
    sort: str = "score"
    format: str = "plain"
    #: One hit per story (true) or every version (false); None: the config decides.
    collapse: bool | None = None

    def search_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for :meth:`searchlib.Index.search`."""
        filters: dict[str, list[str]] = {}
        if self.category:
            filters["category"] = list(self.category)
        if self.source:
            filters["source"] = list(self.source)
        return {
            "limit": self.limit,
            "page": self.page,
            "fields": list(self.fields) or None,
            "filters": filters,
            "since": self.since,
            "until": self.until,
            "sort": self.sort,
            "collapse": self.collapse,
        }


def bad(message: str) -> ApiError:
    return ApiError(400, "bad_parameter", message)


def check_known(params: QueryParams, allowed: Iterable[str], repeatable: Iterable[str]) -> None:
    allowed, repeatable = frozenset(allowed), frozenset(repeatable)
    for name in params:
        if name not in allowed:
            raise bad(f"unknown parameter {name!r} (allowed: {', '.join(sorted(allowed))})")
        if name not in repeatable and len(params.getlist(name)) > 1:
            raise bad(f"parameter {name!r} given more than once")


def integer(params: QueryParams, name: str, default: int, low: int, high: int) -> int:
    raw = params.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw.strip(), 10)
    except ValueError:
        raise bad(f"{name} must be an integer from {low} to {high}, got {raw!r}") from None
    if not low <= value <= high:
        raise bad(f"{name} must be an integer from {low} to {high}, got {value}")
    return value


def _flag(raw: str) -> bool | None:
    return None if not raw else raw == "true"


def choice(params: QueryParams, name: str, options: tuple[str, ...], default: str) -> str:
    raw = (params.get(name) or "").strip()
    if not raw:
        return default
    if raw not in options:
        raise bad(f"{name} must be one of {', '.join(options)}, got {raw!r}")
    return raw


def values(params: QueryParams, name: str) -> tuple[str, ...]:
    """A repeatable parameter's non-empty values, in order, without repeats."""
    seen: dict[str, None] = {}
    for raw in params.getlist(name):
        value = raw.strip()
        if value:
            seen.setdefault(value, None)
    return tuple(seen)


def optional(params: QueryParams, name: str) -> str | None:
    raw = (params.get(name) or "").strip()
    return raw or None


def parse_search(
    params: QueryParams,
    *,
    default_limit: int = 10,
    max_limit: int = MAX_LIMIT,
    require_query: bool = True,
) -> SearchParams:
    q = (params.get("q") or "").strip()
    if require_query and not q:
        raise bad("q (the query) is required")
    return SearchParams(
        q=q,
        limit=integer(params, "limit", default_limit, 1, max_limit),
        page=integer(params, "page", 1, 1, MAX_PAGE),
        fields=values(params, "field"),
        category=values(params, "category"),
        source=values(params, "source"),
        since=optional(params, "since"),
        until=optional(params, "until"),
        sort=choice(params, "sort", SORTS, "score"),
        format=choice(params, "format", API_FORMATS, "plain"),
        collapse=_flag(choice(params, "collapse", ("true", "false"), "")),
    )
