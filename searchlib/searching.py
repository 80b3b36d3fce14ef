"""Search orchestration above the seam: parse, filters, the any-word fallback, the recency
rerank, the did-you-mean suggestion, and the results page.

The rules here are the same for every backend; a backend runs one compiled search at a time
(:meth:`searchlib.backends.base.Backend.search`).
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from searchlib.backends.base import Backend, RawHit, RawResults
from searchlib.collapse import CollapsedResults, attach_duplicates, page_of_stories
from searchlib.config import Config
from searchlib.errors import QueryError
from searchlib.hits import HitAssembler
from searchlib.query import (
    DateRange,
    Node,
    Or,
    Word,
    any_word,
    date_bound,
    drop_answer_nouns,
    parse_plain,
    parse_query,
    with_stopwords,
)
from searchlib.query.mode import read_query
from searchlib.query.parser import And
from searchlib.query.synonyms import synonyms_for
from searchlib.ranking import (
    RECENCY_CANDIDATES,
    heading_field,
    prefer_typed_forms,
    recency_rerank,
    typed_forms,
)
from searchlib.results import SearchResults
from searchlib.similar import more_like_this
from searchlib.snippets import FORMATS
from searchlib.zones import IndexZone

__all__ = ["MAX_LIMIT", "MAX_PAGE", "SUGGEST_BELOW", "QueryRunner"]

MAX_LIMIT = 1000
MAX_PAGE = 10_000
#: A search with fewer hits than this offers a did-you-mean suggestion.
SUGGEST_BELOW = 3
#: The fields whose postings decide whether a query word is known (else it gets a suggestion).
SPELLED_FIELDS = ("body", "title")

DateLike = str | date | datetime | None


class QueryRunner:
    """Runs searches of one index on its backend."""

    def __init__(self, config: Config, backend: Backend, analyzers: Mapping[str, Any]) -> None:
        self.config = config
        self._backend = backend
        self._analyzers = analyzers
        self._hits = HitAssembler(config, analyzers)
        self._zone = IndexZone.of(config)
        self.searchable = frozenset(
            f.name for f in config.fields if f.type in ("text", "keyword", "date")
        )
        self._synonyms = synonyms_for(config.synonyms, analyzers)
        heading = heading_field(config)
        #: The title and its analyzer, for the preference of titles holding typed words.
        self._heading = None if heading is None else (heading[0], analyzers[heading[0]])

    def search(
        self,
        query: str,
        *,
        limit: int,
        page: int,
        fields: Sequence[str] | None,
        filters: Mapping[str, str | Sequence[str]] | None,
        since: DateLike,
        until: DateLike,
        sort: str,
        snippet_format: str,
        syntax: str,
        collapse: bool | None = None,
    ) -> SearchResults:
        started = time.perf_counter()
        check_paging(limit, page)
        if sort not in ("score", "date"):
            raise QueryError(f"sort must be 'score' or 'date', not {sort!r}")
        if snippet_format not in FORMATS:
            raise QueryError(f"snippet_format must be one of {', '.join(FORMATS)}")
        default_fields = self._check_fields(fields)
        node, notes = self._parse(query, syntax)
        typed = node
        node = self._zone.in_utc(self._synonyms.expand(node))
        filter_nodes = self._filters(filters, since, until)

        def run(node: Node) -> RawResults:
            if not (self.config.collapse_duplicates if collapse is None else collapse):
                return self._run(node, filter_nodes, limit, page, sort, default_fields)
            return self._collapsed(node, filter_nodes, limit, page, sort, default_fields)

        raw = run(node)
        if raw.collected == 0 and raw.dropped and not raw.terms:
            node = with_stopwords(node)  # only stopwords: search them as written
            raw = run(node)
        raw, fallback = self._fallback(raw, node, run)
        if self._heading is not None and sort == "score" and fields is None:
            _prefer_typed(raw, typed_forms(typed, self._heading[1]), self._heading[0])
        few = raw.collected < SUGGEST_BELOW and (raw.count is None or raw.count() < SUGGEST_BELOW)
        hits = self._hits.hits(raw, offset=(page - 1) * limit, fmt=snippet_format)
        return SearchResults(
            query=query,
            page=page,
            limit=limit,
            took_ms=(time.perf_counter() - started) * 1000.0,
            hits=attach_duplicates(hits, raw),
            _total=raw.exact_total,
            _count=raw.count,
            _facets=raw.facets,
            suggestion=self._suggest(query, node) if few else None,
            fallback=fallback,
            warnings=notes + tuple(raw.warnings),
        )

    def similar(self, doc_id: str, limit: int, *, snippet_format: str) -> SearchResults:
        started = time.perf_counter()
        check_paging(limit, 1)
        analyzer = self._analyzers.get("body") or next(iter(self._analyzers.values()))
        raw = more_like_this(self._backend, _terms(analyzer), doc_id, limit)
        if raw is None:
            raise QueryError(f"no document with id {doc_id!r}")
        return SearchResults(
            query=f"similar:{doc_id}",
            _total=raw.collected,
            page=1,
            limit=limit,
            took_ms=(time.perf_counter() - started) * 1000.0,
            hits=self._hits.hits(raw, offset=0, fmt=snippet_format),
            warnings=tuple(raw.warnings),
        )

    # -- steps ----------------------------------------------------------------------------

    def _parse(self, query: str, syntax: str) -> tuple[Node, tuple[str, ...]]:
        limit = self.config.max_query_chars
        if syntax == "auto":
            reading = read_query(query, fields=self.searchable, max_chars=limit)
            return reading.node, reading.warnings
        if syntax == "query":
            return parse_query(query, fields=self.searchable, max_chars=limit), ()
        if syntax == "plain":
            node = drop_answer_nouns(parse_plain(query, max_chars=limit))
            return any_word(node) or node, ()
        raise QueryError(f"syntax must be 'auto', 'query' or 'plain', not {syntax!r}")

    def _run(
        self,
        node: Node,
        filters: list[Node],
        limit: int,
        page: int,
        sort: str,
        fields: tuple[str, ...],
        *,
        candidates: bool = False,
    ) -> RawResults:
        """One backend search; with a recency boost, the best ``RECENCY_CANDIDATES`` by BM25
        are re-ranked by age and the page is cut from them. ``candidates``: the hits are
        candidates for the collapse, which reads their signatures and shows only a few."""
        half_life = self.config.recency_half_life_days if sort == "score" else None
        if half_life is None:
            return self._backend.search(
                node,
                filters=filters,
                limit=limit,
                page=page,
                sort=sort,
                fields=fields,
                signatures=candidates,
            )
        offset = (page - 1) * limit
        top = max(offset + limit, RECENCY_CANDIDATES)
        raw = self._backend.search(
            node,
            filters=filters,
            limit=top,
            page=1,
            sort=sort,
            fields=fields,
            dates=True,
            signatures=candidates,
        )
        raw.hits = recency_rerank(raw.hits, half_life)[offset : offset + limit]
        if not candidates:
            _read_stored(raw.hits)
        return raw

    def _collapsed(
        self,
        node: Node,
        filters: list[Node],
        limit: int,
        page: int,
        sort: str,
        fields: tuple[str, ...],
    ) -> RawResults:
        """One page of stories (:mod:`searchlib.collapse`), from the best candidates."""

        def fetch(n: int) -> RawResults:
            return self._run(node, filters, n, 1, sort, fields, candidates=True)

        threshold = self.config.duplicate_threshold
        offset = (page - 1) * limit
        raw = page_of_stories(fetch, offset=offset, limit=limit, threshold=threshold)
        _read_stored(raw.hits)
        return raw

    def _fallback(self, raw: RawResults, node: Node, run: Any) -> tuple[RawResults, bool]:
        """No document has every word: the any-word reading (``fallback`` in the results)."""
        if raw.collected or not self.config.fallback:
            return raw, False
        wider = any_word(node)
        if wider is None:
            return raw, False
        warnings = list(raw.warnings)
        raw = run(wider)
        raw.warnings = warnings + [w for w in raw.warnings if w not in warnings]
        return raw, raw.collected > 0

    def _check_fields(self, fields: Sequence[str] | None) -> tuple[str, ...]:
        if fields is None:
            return self.config.default_fields
        if isinstance(fields, str):
            fields = [fields]
        names = tuple(f.lower() for f in fields)
        for name in names:
            if name not in self.searchable or name == "date":
                raise QueryError(
                    f"unknown field {name!r}",
                    hint="searchable fields: " + ", ".join(sorted(self.searchable - {"date"})),
                )
        if not names:
            raise QueryError("fields must name at least one field")
        return names

    def _filters(
        self,
        filters: Mapping[str, str | Sequence[str]] | None,
        since: DateLike,
        until: DateLike,
    ) -> list[Node]:
        nodes: list[Node] = []
        for name, value in (filters or {}).items():
            key = name.lower()
            if key not in self.searchable or key == "date":
                raise QueryError(f"cannot filter on unknown field {name!r}")
            values = [value] if isinstance(value, str) else list(value)
            if not values or not all(isinstance(v, str) and v.strip() for v in values):
                raise QueryError(f"filter {name!r} needs one or more non-empty strings")
            words = [Word(v, key) for v in values]
            nodes.append(words[0] if len(words) == 1 else Or(tuple(words)))
        # Bounds name the index zone's days; the backend compares stored UTC instants.
        start = self._zone.to_utc(date_bound(since, end=False, name="since"))
        end = self._zone.to_utc(date_bound(until, end=True, name="until"))
        if start is not None and end is not None and start >= end:
            raise QueryError("until is before since")
        if start is not None or end is not None:
            nodes.append(DateRange(start, end))
        return nodes

    def _suggest(self, query: str, node: Node) -> str | None:
        """Replace each query word that matches nothing with the closest indexed term."""
        words = [w.text for w in _plain_words(node)]
        analyzer = self._analyzers.get("body")
        if not words or analyzer is None:
            return None
        suggestion, changed = query, False
        for word in words:
            terms = [t.text for t in analyzer(word)]
            if len(terms) != 1 or self._known(terms[0]):
                continue
            better = self._backend.suggest(terms[0], "body")
            if better and better != terms[0]:
                suggestion, changed = suggestion.replace(word, better, 1), True
        return suggestion if changed else None

    def _known(self, term: str) -> bool:
        return any(
            self._backend.doc_frequency(f, term) for f in SPELLED_FIELDS if f in self._analyzers
        )


def check_paging(limit: int, page: int) -> None:
    if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= MAX_LIMIT:
        raise QueryError(f"limit must be an integer from 1 to {MAX_LIMIT}, got {limit!r}")
    if not isinstance(page, int) or isinstance(page, bool) or not 1 <= page <= MAX_PAGE:
        raise QueryError(f"page must be an integer from 1 to {MAX_PAGE}, got {page!r}")


def _terms(analyzer: Any) -> Any:
    def analyze(text: str) -> list[str]:
        return [t.text for t in analyzer(text)]

    return analyze


def _plain_words(node: Node) -> list[Word]:
    """The query's words that name no field (the ones a suggestion may replace)."""
    if isinstance(node, Word):
        return [node] if node.field is None else []
    if isinstance(node, (And, Or)):
        return [w for child in node.children for w in _plain_words(child)]
    return []


def _prefer_typed(raw: RawResults, forms: tuple[str, ...], heading: str) -> None:
    """The page reordered by the typed forms its titles hold (``ranking.prefer_typed_forms``),
    each story's other versions staying with its hit."""
    ranked = prefer_typed_forms(raw.hits, forms, heading)
    if isinstance(raw, CollapsedResults):
        versions = {id(hit): ids for hit, ids in zip(raw.hits, raw.duplicates, strict=True)}
        raw.duplicates = [versions[id(hit)] for hit in ranked]
    raw.hits = ranked


def _read_stored(hits: Sequence[RawHit]) -> None:
    """Read the stored fields of the hits to be shown now, from the searcher that found
    them (a later commit may replace it)."""
    for hit in hits:
        hit.stored  # noqa: B018
