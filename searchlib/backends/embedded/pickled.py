"""Every class path an index's table of contents pickles, in one place.

Whoosh pickles the schema (field types, their posting formats and analyzers) and the list
of segments (each with its codec) into the table of contents of every generation, and
unpickling looks each class up by its import path. These paths are therefore part of the
index format: a class listed here keeps its path, or leaves a re-export behind, for as long
as indexes holding it are read. A test checks both lists against real tables of contents.

searchlib opens an index with the schema built from the config it was written with
(:func:`searchlib.backends.embedded.schema.build_schema`), so Whoosh unpickles only the
segments; the schema's paths still matter to whoever opens an index with Whoosh alone.
"""

from __future__ import annotations

__all__ = ["FORMAT4", "MOVED_FORMAT4", "WRITTEN", "WRITTEN_SCHEMA", "WRITTEN_SEGMENTS"]

#: Whoosh's own classes in every schema: field types, formats, columns, keyword analyzers.
_WHOOSH_SCHEMA = frozenset(
    {
        "whoosh.analysis.analyzers.CompositeAnalyzer",
        "whoosh.analysis.filters.LowercaseFilter",
        "whoosh.analysis.filters.StripFilter",
        "whoosh.analysis.tokenizers.IDTokenizer",
        "whoosh.analysis.tokenizers.RegexTokenizer",
        "whoosh.columns.NumericColumn",
        "whoosh.columns.VarBytesColumn",
        "whoosh.fields.DATETIME",
        "whoosh.fields.ID",
        "whoosh.fields.KEYWORD",
        "whoosh.fields.STORED",
        "whoosh.fields.Schema",
        "whoosh.fields.TEXT",
        "whoosh.formats.Existence",
        "whoosh.formats.Frequency",
        # Built-ins as pickle protocol 2 names them, and the compiled keyword regex.
        "__builtin__.frozenset",
        "__builtin__.long",
        "re._compile",
    }
)

#: The schema of an index written by this release.
WRITTEN_SCHEMA = _WHOOSH_SCHEMA | {
    "searchlib.backends.embedded.analyzers.FieldAnalyzer",
    "searchlib.backends.embedded.formats.CombinedPositions",
    "searchlib.backends.embedded.formats.CompactPositions",
    "searchlib.backends.embedded.signature_column.SignatureColumn",
}

#: The segment list of an index written by this release (a segment names no codec object:
#: ``EmbeddedSegment.codec()`` makes one).
WRITTEN_SEGMENTS = frozenset({"searchlib.backends.embedded.segment.EmbeddedSegment"})

#: Indexes written after the engine moved under ``searchlib.backends.embedded`` and before
#: format 5 name the format-4 classes by these paths (the modules resolve them lazily).
MOVED_FORMAT4 = frozenset(
    {
        "searchlib.backends.embedded.codec.SearchlibCodec",
        "searchlib.backends.embedded.segment.SearchlibSegment",
    }
)

WRITTEN = WRITTEN_SCHEMA | WRITTEN_SEGMENTS

#: What an index written in format 4 holds: the format and codec classes under
#: ``searchlib._whoosh`` (re-exports), and searchlib's analysis classes inside its text
#: fields, which keep their paths and pickled state (searchlib's own classes, no longer
#: Whoosh's; Whoosh calls them through the same options).
FORMAT4 = _WHOOSH_SCHEMA | {
    "builtins.int",
    "collections.defaultdict",
    "searchlib._whoosh.codec.SearchlibCodec",
    "searchlib._whoosh.formats.CombinedPositions",
    "searchlib._whoosh.formats.CompactPositions",
    "searchlib._whoosh.segment.SearchlibSegment",
    "searchlib.analysis.chain.IndonesianAnalyzer",
    "searchlib.analysis.filters.IndonesianStemFilter",
    "searchlib.analysis.filters.StopwordFilter",
    "searchlib.analysis.tokenizer.IndonesianTokenizer",
}
