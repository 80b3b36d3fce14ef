"""Hit assembly: a backend's raw hits become :class:`searchlib.Hit`\\ s with snippets.

Snippets come from the stored text and the analyzed query terms, the same way for every
backend: the body's best fragments, or the title's when the body has no match.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any

from searchlib.backends.base import RawHit, RawResults
from searchlib.config import Config
from searchlib.results import Hit
from searchlib.signatures import without_signature
from searchlib.snippets import Fragment, make_fragments, render
from searchlib.zones import IndexZone

__all__ = ["SNIPPET_FIELDS", "HitAssembler"]

#: The fields a snippet is taken from, in order of preference.
SNIPPET_FIELDS = ("body", "title")


class HitAssembler:
    def __init__(self, config: Config, analyzers: Mapping[str, Any]) -> None:
        self._config = config
        self._tokens = {name: _token_source(analyzer) for name, analyzer in analyzers.items()}
        self._zone = IndexZone.of(config)

    def hits(self, raw: RawResults, *, offset: int, fmt: str) -> list[Hit]:
        """``raw``'s hits ranked from ``offset + 1``, with snippets in format ``fmt``."""
        return [self._hit(rh, raw.terms, offset + i + 1, fmt) for i, rh in enumerate(raw.hits)]

    def _hit(self, rh: RawHit, terms: Mapping[str, set[str]], rank: int, fmt: str) -> Hit:
        stored = rh.stored
        fragments = self._fragments(stored, terms)
        body = stored.get("body")
        length = len(body) if isinstance(body, str) else None
        snippet = render(fragments, "plain" if fmt == "json" else fmt, text_length=length)
        return Hit(
            id=str(stored.get("id")),
            rank=rank,
            score=float(rh.score),
            title=str(stored.get("title") or ""),
            snippet=snippet,
            fields=self._zone.shown_fields(without_signature(stored)),
            fragments=tuple(fragments),
        )

    def _fragments(
        self, stored: Mapping[str, Any], terms: Mapping[str, set[str]]
    ) -> list[Fragment]:
        fragments: list[Fragment] = []
        for name in SNIPPET_FIELDS:
            text = stored.get(name)
            tokens = self._tokens.get(name)
            if not isinstance(text, str) or tokens is None:
                continue
            fragments = make_fragments(
                text,
                frozenset(terms.get(name, ())),
                tokens,
                field=name,
                fragments=self._config.snippet_fragments,
                chars=self._config.snippet_chars,
            )
            if any(f.matches for f in fragments) or name == "title":
                break
        return fragments


#: Chunks of text whose tokens each field's token source keeps: the words around a query
#: term recur from hit to hit and query to query, and analyzing one (stemming it) costs
#: far more than looking it up.
TOKEN_CACHE = 1 << 14


def _token_source(analyzer: Any) -> Callable[[str], tuple[tuple[int, int, str], ...]]:
    @lru_cache(maxsize=TOKEN_CACHE)
    def tokens(text: str) -> tuple[tuple[int, int, str], ...]:
        return tuple((t.startchar, t.endchar, t.text) for t in analyzer(text, chars=True))

    return tokens
