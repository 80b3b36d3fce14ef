"""Articles as engine rows and back.

A row holds each searchable field as encoded, analyzed terms (full-text fields) and the
article as the embedded backend stores it (a JSON string attribute), so hits come back
with the same fields and snippets are made from the same text.
"""

from __future__ import annotations

import json
from contextlib import suppress
from datetime import datetime
from typing import Any

from searchlib.backends.sphinxql.compile import Analyze, epoch
from searchlib.backends.sphinxql.ids import encode_term
from searchlib.backends.sphinxql.schema import ALL_TOKEN, NO_DATE, EngineSchema
from searchlib.config import Config


class DocumentCodec:
    def __init__(self, config: Config, schema: EngineSchema, analyzers: dict[str, Analyze]) -> None:
        self.schema = schema
        self._analyzers = analyzers
        self._keywords = frozenset(schema.keyword_fields)
        self._dates = frozenset(schema.date_fields)
        self._stored = {f.name for f in config.fields if f.stored or f.name in ("id", "body")}

    def row(self, doc: dict[str, Any], key: int) -> tuple[Any, ...]:
        """One REPLACE row: id, full-text fields, then attributes (schema order)."""
        values: list[Any] = [key]
        for name in self.schema.text_fields:
            value = doc.get(name)
            text = value if isinstance(value, str) else ("" if value is None else str(value))
            values.append(" ".join(encode_term(t) for t in self._analyzers[name](text)))
        for name in self.schema.keyword_fields:
            values.append(" ".join(encode_term(v) for v in keyword_values(doc.get(name))))
        values.append(ALL_TOKEN)
        values.append(doc["id"])
        values.append(json.dumps(self.stored_fields(doc), ensure_ascii=False, default=_iso))
        for name in self.schema.date_fields:
            value = doc.get(name)
            values.append(epoch(value) if isinstance(value, datetime) else NO_DATE)
        for name in self.schema.facet_fields:
            # As written: a facet counts each spelling, searchlib.facet_labels merges them.
            value = doc.get(name)
            values.append("" if value is None else str(value).strip())
        return tuple(values)

    def stored_fields(self, doc: dict[str, Any]) -> dict[str, Any]:
        """What the embedded backend stores for ``doc`` (and so returns in ``Hit.fields``)."""
        out: dict[str, Any] = {}
        for name in sorted(doc):
            value = doc[name]
            if value is None or value == "" or value == [] or name not in self._stored:
                continue
            if isinstance(value, list) and name in self._keywords:
                value = [v for v in (str(v).strip() for v in value) if v]
            elif name in self._keywords:
                value = str(value).strip()
            out[name] = value
        return out

    def decode(self, text: str) -> dict[str, Any]:
        stored = json.loads(text)
        for name in self._dates:
            value = stored.get(name)
            if isinstance(value, str):
                with suppress(ValueError):
                    stored[name] = datetime.fromisoformat(value)
        return stored

    @property
    def columns(self) -> str:
        names = ["id", *self.schema.fulltext(), *(n for n, _ in self.schema.attributes())]
        return ", ".join(names)


def keyword_values(value: Any) -> list[str]:
    values = value if isinstance(value, list) else [value]
    out = []
    for v in values:
        if v is None:
            continue
        text = str(v).strip().lower()
        if text:
            out.append(text)
    return out


def _iso(value: Any) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"cannot store {type(value).__name__}")
