"""``normalize_document``: one raw input mapping to a canonical document dict.

Rules: the field mapping is applied first (``judul`` -> ``title``); a name that is not mapped
and not exactly a field (canonical or declared extra) is matched case-insensitively
(spreadsheet headers say ``Title``), and failing that ignored here: JSON exports routinely
carry metadata the index has no field for (the CSV reader reports unknown columns itself,
once per file).
``None`` and empty strings count as absent. ``id`` is required (a string or an integer);
``body`` is required and must not be blank: a document with a title but no body is
"missing body", one with neither is "empty document". Values of the wrong type are errors
that name the field. Numbers are accepted for text fields and written as text.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Collection, Mapping
from datetime import date, datetime, tzinfo
from typing import Any

from searchlib.errors import ConfigError
from searchlib.ingest.dates import parse_date
from searchlib.ingest.model import CANONICAL_FIELDS
from searchlib.zones import DEFAULT_TIMEZONE, load_zone

__all__ = ["DEFAULT_MAX_DOC_BYTES", "FieldSet", "normalize_document"]

DEFAULT_MAX_DOC_BYTES = 5_000_000
_CACHED_NAMES = 1024
#: Unknown input names an error lists before it says "and N more".
_LISTED_UNKNOWN = 8
_TEXT_FIELDS = ("title", "body", "url", "source", "category", "author")


class FieldSet:
    """The names one run accepts and where each input name goes; built once per run.

    ``extra_fields`` is a collection of names (string values), or a mapping of name to
    field type in which ``"date"`` fields are parsed like ``date``. Dates without a zone are
    taken as in ``timezone`` (an IANA name: the index's zone, :mod:`searchlib.zones`).
    """

    def __init__(
        self,
        mapping: Mapping[str, str] | None = None,
        extra_fields: Collection[str] | Mapping[str, str] = (),
        timezone: str = DEFAULT_TIMEZONE,
    ) -> None:
        try:
            self.tz: tzinfo = load_zone(timezone)
        except ConfigError as error:  # here an argument of the reader, not a config key
            raise ValueError(f"{error} ({error.hint})") from None
        if isinstance(extra_fields, str):
            extra_fields = (extra_fields,)
        self.extra = tuple(n for n in extra_fields if n not in CANONICAL_FIELDS)
        self.extra_dates = frozenset(
            n for n in self.extra if isinstance(extra_fields, Mapping) and extra_fields[n] == "date"
        )
        self.fields = (*CANONICAL_FIELDS, *self.extra)
        self._known = known = set(self.fields)
        self.targets: dict[str, str] = {}
        for source, target in (mapping or {}).items():
            if target not in known:
                raise ValueError(
                    f"mapping {source!r} -> {target!r}: {target!r} is not a field "
                    f"({', '.join(self.fields)})"
                )
            self.targets[source] = target
        self._lower = {name.lower(): name for name in self.fields}
        self._cache: dict[str, str | None] = {}

    def target(self, key: str) -> str | None:
        """The field an input name feeds, or None when it feeds none."""
        try:
            return self._cache[key]
        except KeyError:
            target = self.targets.get(key)
            if target is None:
                target = key if key in self._known else self._lower.get(key.strip().lower())
            if len(self._cache) < _CACHED_NAMES:  # bounded: keys may differ in every document
                self._cache[key] = target
            return target


def normalize_document(
    raw: Mapping[str, object],
    *,
    mapping: Mapping[str, str] | None = None,
    extra_fields: Collection[str] | Mapping[str, str] = (),
    max_doc_bytes: int = DEFAULT_MAX_DOC_BYTES,
    timezone: str = DEFAULT_TIMEZONE,
) -> dict[str, Any]:
    """``raw`` as a canonical document; ``ValueError`` says what is wrong with it.

    The result has every canonical key (``""``, ``[]`` or ``None`` for ``date`` when absent),
    ``date`` as a naive UTC datetime (a date without a zone is taken as in ``timezone``),
    ``tags`` as a list of strings, and each declared extra field. A document whose text is
    more than ``max_doc_bytes`` bytes of UTF-8 is refused.
    """
    return normalize(raw, _field_set(mapping, extra_fields, timezone), max_doc_bytes)


def _field_set(
    mapping: Mapping[str, str] | None,
    extra_fields: Collection[str] | Mapping[str, str],
    timezone: str,
) -> FieldSet:
    # Index.add calls normalize_document once per document with the same settings, and
    # building a field set costs about as much as normalizing a document: reuse it.
    if isinstance(extra_fields, str):
        extra_fields = (extra_fields,)
    pairs = tuple((mapping or {}).items())
    if isinstance(extra_fields, Mapping):
        return _cached_field_set(pairs, tuple(extra_fields.items()), True, timezone)
    return _cached_field_set(pairs, tuple(extra_fields), False, timezone)


@functools.lru_cache(maxsize=8)
def _cached_field_set(
    mapping: tuple[tuple[str, str], ...], extra: tuple[Any, ...], typed: bool, timezone: str
) -> FieldSet:
    return FieldSet(dict(mapping), dict(extra) if typed else extra, timezone)


def normalize(raw: Mapping[str, object], fields: FieldSet, max_doc_bytes: int) -> dict[str, Any]:
    """:func:`normalize_document` with the field set built once (the readers' fast path)."""
    if not isinstance(raw, Mapping):
        raise ValueError(f"expected an object with fields, got {_kind(raw)}")
    values: dict[str, object] = {}
    origin: dict[str, str] = {}
    given: set[str] = set()
    for key, value in raw.items():
        if not isinstance(key, str):
            continue
        target = fields.target(key)
        if target is None:
            continue
        given.add(target)
        if value is None or value == "":
            continue
        if target in values:
            raise ValueError(f"fields {origin[target]!r} and {key!r} both give {target!r}")
        values[target] = value
        origin[target] = key

    doc: dict[str, Any] = {"id": _identifier(values.get("id"), origin.get("id", "id"))}
    size = 0
    for name in _TEXT_FIELDS:
        value = values.get(name)
        if value is None:
            doc[name] = ""
            continue
        text = (value if type(value) is str else _text(value, origin[name])).strip()
        doc[name] = text
        size += len(text) if text.isascii() else _utf8_size(text, origin[name])
    if not doc["body"]:
        if "body" in given:
            raise ValueError("empty document" if not doc["title"] else "empty body")
        problem = "empty document" if not doc["title"] else "missing body"
        raise ValueError(problem + _unknown_fields(raw, fields))
    value = values.get("date")
    doc["date"] = None if value is None else _date(value, origin["date"], fields.tz)
    value = values.get("tags")
    tags = [] if value is None else _tags(value, origin["tags"])
    doc["tags"] = tags
    size += sum(_utf8_size(t, origin["tags"]) for t in tags)
    for name in fields.extra:
        value = values.get(name)
        if name in fields.extra_dates:
            doc[name] = None if value is None else _date(value, origin[name], fields.tz)
        else:
            text = "" if value is None else _text(value, origin[name]).strip()
            size += _utf8_size(text, origin.get(name, name))
            doc[name] = text
    if size > max_doc_bytes:
        raise ValueError(f"document is {size:,} bytes, over the limit of {max_doc_bytes:,}")
    return doc


def _unknown_fields(raw: Mapping[str, object], fields: FieldSet) -> str:
    """Why a document has no body when its text is under names no field takes (``judul``,
    ``isi``): those names, and how to map them. Empty when every name was known."""
    unknown = [k for k in raw if isinstance(k, str) and fields.target(k) is None]
    if not unknown:
        return ""
    # The longest text is most likely the body: use its name in the example.
    longest = max(unknown, key=lambda k: len(str(raw[k])) if isinstance(raw[k], str) else -1)
    names = ", ".join(repr(k) for k in unknown[:_LISTED_UNKNOWN])
    if len(unknown) > _LISTED_UNKNOWN:
        names += f" and {len(unknown) - _LISTED_UNKNOWN} more"
    return (
        f": unknown fields {names}; map them to searchlib's fields with mapping: in the "
        f"config (e.g. mapping: {{{longest}: body}})"
    )


def _kind(value: object) -> str:
    if value is None:
        return "null"
    names = {dict: "an object", list: "an array", str: "a string", bool: "true/false"}
    for kind, name in names.items():
        if isinstance(value, kind):
            return name
    if isinstance(value, (int, float)):
        return "a number"
    return type(value).__name__


def _identifier(value: object, name: str) -> str:
    if value is None:
        raise ValueError("missing id")
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise ValueError(f"field {name!r} (id) must be a string or an integer, got {_kind(value)}")
    text = str(value).strip()
    if not text:
        raise ValueError("empty id")
    _utf8_size(text, name)
    return text


def _text(value: object, name: str) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if isinstance(value, float) and not math.isfinite(value):  # JSON's NaN, Infinity
            raise ValueError(f"field {name!r} must be text or a finite number, got {value!r}")
        return str(value)
    raise ValueError(f"field {name!r} must be text, got {_kind(value)}")


def _utf8_size(text: str, name: str) -> int:
    try:
        return len(text.encode("utf-8"))
    except UnicodeEncodeError:  # a lone surrogate, e.g. from a "\ud800" JSON escape
        raise ValueError(f"field {name!r} contains invalid Unicode (a lone surrogate)") from None


def _date(value: object, name: str, tz: tzinfo) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, str) and not value.strip():
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int, float, datetime, date)):
        raise ValueError(f"field {name!r} must be a date, got {_kind(value)}")
    try:
        return parse_date(value, tz)
    except ValueError as error:
        raise ValueError(f"field {name!r}: {error}") from None


def _tags(value: object, name: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        items: list[object] = list(value.split(","))
    elif isinstance(value, (list, tuple)):
        items = list(value)
    else:
        raise ValueError(
            f"field {name!r} must be a list or a comma-separated string, got {_kind(value)}"
        )
    tags: dict[str, None] = {}
    for item in items:
        if item is None:
            continue
        if isinstance(item, bool) or not isinstance(item, (str, int, float)):
            raise ValueError(f"field {name!r}: every tag must be text, got {_kind(item)}")
        tag = " ".join(str(item).split())
        if tag:
            tags[tag] = None
    return list(tags)
