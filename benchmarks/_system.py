"""What every benchmarked system provides, and the settings they share."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol


@dataclass(frozen=True)
class Settings:
    """Query semantics shared by all systems: top ``limit`` hits, title weighted against body,
    and the keyword fields a search page counts its matches by (searchlib's default facets)."""

    title_boost: float
    limit: int = 10
    facets: tuple[str, ...] = ("category", "source")


@dataclass(frozen=True)
class Outcome:
    """One query's top hits as (id, title, snippet), and whether they came from the
    any-word fallback (no document had all the words). Asked with facets, also how many
    documents match in all and their counts per value of each facet field."""

    hits: list[tuple[str, str, str]]
    fallback: bool
    total: int | None = None
    facets: dict[str, dict[str, int]] | None = None


class Searcher(Protocol):
    #: Whether ``search(query, facets=True)`` counts the total and the facets; a system
    #: without them is left out of the facets pass.
    counts_facets: bool

    def search(self, query: str, facets: bool = False) -> Outcome: ...

    def close(self) -> None: ...


class System(Protocol):
    """A module in benchmarks/ named ``_sys_<name>.py`` with these functions."""

    def unavailable(self) -> str | None:
        """Why this system cannot run here, or None."""

    def build(self, docs: Iterable[dict[str, Any]], path: Path, settings: Settings) -> None:
        """Index ``docs`` into the directory ``path`` (exists, empty), committed on return."""

    def open_searcher(self, path: Path, settings: Settings) -> Searcher | None:
        """A warm searcher over the built index; None for a build-only system."""
