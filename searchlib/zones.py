"""An index's time zone: the calendar its dates are read, filtered and shown in.

Every backend stores a date as a naive UTC datetime (an instant), whatever zone the input
named. The zone is policy above the seam: input dates without a zone are taken as in it
(:func:`searchlib.ingest.parse_date`), ``since``/``until`` and ``date:`` ranges name its
calendar days (so an article of 05:00 WIB on 1 July is on 1 July, not 30 June), and hits and
``get`` show dates as aware datetimes in it (ISO 8601 with the offset).
"""

from __future__ import annotations

import functools
from collections.abc import Collection, Mapping
from dataclasses import replace
from datetime import datetime, timezone, tzinfo
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from searchlib.errors import ConfigError
from searchlib.query import And, DateRange, Node, Not, Or

if TYPE_CHECKING:
    from searchlib.config import Config

__all__ = ["DEFAULT_TIMEZONE", "IndexZone", "load_zone"]

#: Indonesian news is dated in Western Indonesia Time (WIB) far more often than in any other.
DEFAULT_TIMEZONE = "Asia/Jakarta"


@functools.cache
def load_zone(name: str) -> tzinfo:
    """The IANA zone ``name`` (``Asia/Jakarta``, ``Asia/Makassar``, ``UTC``); a
    :class:`ConfigError` naming the ``timezone`` key when there is no such zone."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            f"timezone: unknown time zone {name!r}",
            hint="use an IANA name such as Asia/Jakarta (WIB), Asia/Makassar (WITA), "
            "Asia/Jayapura (WIT) or UTC; without the system's zone data, pip install tzdata",
        ) from None


class IndexZone:
    """Conversions between an index's zone and the naive UTC its backend stores."""

    def __init__(self, name: str, date_fields: Collection[str] = ("date",)) -> None:
        self.name = name
        self.tz = load_zone(name)
        self._dates = tuple(date_fields)

    @classmethod
    def of(cls, config: Config) -> IndexZone:
        """The zone of an index with ``config`` (its ``timezone``, its date fields)."""
        return cls(config.timezone, [f.name for f in config.fields if f.type == "date"])

    def to_utc(self, value: datetime | None) -> datetime | None:
        """A bound or date as stored: naive values are wall-clock times of this zone."""
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=self.tz)
        try:
            return value.astimezone(timezone.utc).replace(tzinfo=None)
        except OverflowError:  # within hours of year 1 or 9999: no instant lies beyond
            return datetime.min if value.year == 1 else datetime.max

    def in_utc(self, node: Node) -> Node:
        """``node`` with every date range's bounds (this zone's days) as stored."""
        if isinstance(node, DateRange):
            return replace(node, start=self.to_utc(node.start), end=self.to_utc(node.end))
        if isinstance(node, (And, Or)):
            return replace(node, children=tuple(self.in_utc(c) for c in node.children))
        if isinstance(node, Not):
            return replace(node, child=self.in_utc(node.child))
        return node

    def shown(self, value: datetime) -> datetime:
        """A stored date (naive UTC, or aware) as an aware datetime in this zone."""
        if value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        try:
            return value.astimezone(self.tz)
        except OverflowError:  # hours from the end of year 9999: shown in UTC
            return value

    def shown_fields(self, stored: Mapping[str, Any]) -> dict[str, Any]:
        """A document's stored fields with its dates in this zone."""
        out = dict(stored)
        for name in self._dates:
            value = out.get(name)
            if isinstance(value, datetime):
                out[name] = self.shown(value)
        return out
