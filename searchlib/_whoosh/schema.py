"""The Whoosh schema for a searchlib config."""

from __future__ import annotations

from whoosh import fields
from whoosh.analysis import IDTokenizer, LowercaseFilter

from searchlib._whoosh.formats import CompactPositions
from searchlib.analysis import get_analyzer
from searchlib.config import Config

#: Keyword values (category, source, tags, keyword extras) are matched and faceted
#: case-insensitively; they are lowercased once at index time.
_KEYWORD_ANALYZER = IDTokenizer() | LowercaseFilter()


def build_schema(config: Config) -> fields.Schema:
    schema = fields.Schema()
    for f in config.fields:
        if f.name == "id":
            ftype: fields.FieldType = fields.ID(stored=True, unique=True)
        elif f.name == "tags":
            ftype = fields.KEYWORD(stored=f.stored, commas=True, lowercase=True, scorable=True)
        elif f.type == "text":
            analyzer = get_analyzer(config.analyzer_spec(f.analyzer))
            ftype = fields.TEXT(analyzer=analyzer, stored=f.stored)
            ftype.format = CompactPositions(field_boost=ftype.format.field_boost)
        elif f.type == "keyword":
            ftype = fields.ID(stored=f.stored, sortable=True, analyzer=_KEYWORD_ANALYZER)
        elif f.type == "date":
            ftype = fields.DATETIME(stored=f.stored, sortable=True)
        else:
            ftype = fields.STORED()
        schema.add(f.name, ftype)
    return schema
