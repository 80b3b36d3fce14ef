"""The Whoosh schema for a searchlib config."""

from __future__ import annotations

from whoosh import fields
from whoosh.analysis import IDTokenizer, LowercaseFilter

from searchlib.backends.embedded.analyzers import FieldAnalyzer
from searchlib.backends.embedded.formats import CombinedPositions, CompactPositions
from searchlib.backends.embedded.signature_column import SignatureColumn
from searchlib.config import Config
from searchlib.ranking import combined_fields
from searchlib.signatures import SIGNATURE_FIELD

#: Keyword values (category, source, tags, keyword extras) are matched and faceted
#: case-insensitively; they are lowercased once at index time.
_KEYWORD_ANALYZER = IDTokenizer() | LowercaseFilter()


#: The hidden BM25F field: the default text fields (title, body) as one weighted field
#: (which fields: :func:`searchlib.ranking.combined_fields`).
COMBINED_FIELD = "alltext"
#: A combined field indexed only inside the combined field: postings cost build time and
#: disk per posting, and the body is most of them. ``body:`` queries use the combined field.
COMBINED_ONLY = "body"


def build_schema(config: Config) -> fields.Schema:
    """The schema an index of ``config`` is written with. An existing index is opened with
    the schema built from the config it was written with (its fingerprint decides every
    choice made here), so Whoosh never unpickles the schema stored in its table of
    contents."""
    schema = fields.Schema()
    combined = combined_fields(config)
    if combined:
        spec = config.analyzer_spec(config.field(combined[0]).analyzer)
        alltext = fields.TEXT(analyzer=FieldAnalyzer(spec), stored=False)
        alltext.format = CombinedPositions(field_boost=1.0)
        schema.add(COMBINED_FIELD, alltext)
    for f in config.fields:
        if f.name == "id":
            ftype: fields.FieldType = fields.ID(stored=True, unique=True)
        elif f.name == "tags":
            ftype = fields.KEYWORD(stored=f.stored, commas=True, lowercase=True, scorable=True)
        elif f.name == SIGNATURE_FIELD:
            ftype = SignatureColumn()
        elif f.name == COMBINED_ONLY and f.name in combined:
            ftype = fields.STORED()
        elif f.type == "text":
            analyzer = FieldAnalyzer(config.analyzer_spec(f.analyzer))
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
