"""searchlib analyzers inside Whoosh fields: the adapter (FieldAnalyzer), what the table of
contents pickles, and format-4 indexes opened with the schema built from their config."""

from __future__ import annotations

import io
import json
import pickle
import shutil
import struct
from pathlib import Path

import pytest
from whoosh import fields
from whoosh.analysis import Token as WhooshToken
from whoosh.filedb.filestore import FileStorage, RamStorage
from whoosh.highlight import Highlighter, WholeFragmenter
from whoosh.qparser import QueryParser

import searchlib
from searchlib.analysis import load_spec
from searchlib.analysis.chain import IndonesianAnalyzer
from searchlib.backends.embedded import pickled
from searchlib.backends.embedded.analyzers import FieldAnalyzer
from searchlib.backends.embedded.schema import build_schema
from searchlib.backends.embedded.signature_column import SignatureColumn
from searchlib.config import INTERNAL_FIELDS, load_config

DATA = Path(__file__).parent / "data"
FORMAT4 = DATA / "format4-index"
NAMES = ["indonesian", "indonesian-light", "simple", "indonesian-snowball"]


# --- the adapter ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_field_analyzer_gives_the_searchlib_analyzers_tokens(name: str) -> None:
    spec = load_spec(name)
    adapter = FieldAnalyzer(spec)
    text = "Presiden (menulis) yang DPR-nya, anak-anak 1.000 https://x.id/a. Rp1.000"
    for kwargs in ({}, {"positions": True, "chars": True}, {"removestops": False, "mode": "q"}):
        ours = [(t.text, t.__dict__.copy()) for t in searchlib.get_analyzer(spec)(text, **kwargs)]
        got = [(t.text, t.__dict__.copy()) for t in adapter(text, **kwargs)]
        assert got == ours
    assert all(isinstance(t, WhooshToken) for t in adapter(text))
    assert adapter.kept_terms(text) == searchlib.analyze(text, spec) and adapter.fusable
    assert adapter.has_morph() is (spec.stemmer_mode != "none")


def test_whoosh_indexes_searches_and_highlights_with_the_adapter() -> None:
    analyzer = FieldAnalyzer(load_spec("indonesian"))
    schema = fields.Schema(body=fields.TEXT(analyzer=analyzer, stored=True))
    ix = RamStorage().create_index(schema)
    body = "Amazon menghentikan layanan Prime di Rusia. Anak-anak kecewa."
    with ix.writer() as writer:
        writer.add_document(body=body)
        writer.add_document(body="Harga beras naik di pasar.")
    with ix.searcher() as searcher:
        parser = QueryParser("body", ix.schema)
        hits = searcher.search(parser.parse("penghentian layanan"))
        assert len(hits) == 1
        assert len(searcher.search(parser.parse('"layanan prime"'))) == 1  # phrase
        assert len(searcher.search(parser.parse("anak"))) == 1
        highlighter = Highlighter(fragmenter=WholeFragmenter())
        marked = highlighter.highlight_hit(hits[0], "body")
        assert "<b" in marked and "menghentikan</b>" in marked and "layanan</b>" in marked


@pytest.mark.parametrize("name", NAMES)
def test_field_analyzer_pickles_as_its_path_and_plain_values(name: str) -> None:
    spec = load_spec(name).with_overrides({"stopwords": {"add": ["amazon"]}})
    adapter = FieldAnalyzer(spec)
    data = pickle.dumps(adapter, 2)  # the protocol Whoosh writes the schema with
    assert _globals(data) == {
        "searchlib.backends.embedded.analyzers.FieldAnalyzer",
        "__builtin__.frozenset",
    }
    clone = pickle.loads(data)
    assert clone == adapter and clone.spec == spec
    assert clone.analyzer is searchlib.get_analyzer(spec)  # the shared analyzer and memos
    assert searchlib.analyze("Amazon menulis", spec) == clone.kept_terms("Amazon menulis")


# --- what the table of contents pickles -------------------------------------------------------


def _globals(data: bytes) -> set[str]:
    """The class paths unpickling ``data`` looks up."""
    found: set[str] = set()

    class Recorder(pickle.Unpickler):
        def find_class(self, module: str, name: str) -> object:
            found.add(f"{module}.{name}")
            return super().find_class(module, name)

    Recorder(io.BytesIO(data)).load()
    return found


def _toc_pickles(path: Path) -> tuple[bytes, bytes]:
    """The pickled schema and segment list of the index's latest table of contents (the
    layout ``whoosh.index.TOC.write`` gives it)."""
    storage = FileStorage(str(path))
    name = max((n for n in storage.list() if n.endswith(".toc")), key=lambda n: int(n[6:-4]))
    stream = storage.open_file(name)
    for _ in range(3):  # int, long, float sizes
        stream.read_varint()
    stream.read_int()  # -12345: the byte order check
    stream.read_int()  # TOC version
    for _ in range(3):  # Whoosh release
        stream.read_varint()
    schema = stream.read_string()
    stream.read_int()  # generation
    stream.read_int()  # unused
    segments = stream.read()
    stream.close()
    return schema, segments


def _paths_resolve(paths: frozenset[str]) -> None:
    """Every path names a class unpickling finds (protocol 2's Python 2 names included)."""
    finder = pickle.Unpickler(io.BytesIO(b""))
    for path in paths:
        module, _, name = path.rpartition(".")
        assert finder.find_class(module, name) is not None, path


def test_a_new_index_pickles_only_the_listed_paths(tmp_path: Path) -> None:
    docs = [{"id": "a", "title": "Banjir", "body": "Banjir merendam Jakarta.", "tags": ["x"]}]
    with searchlib.Index.create(tmp_path / "ix") as ix:
        ix.add(docs)
    schema, segments = _toc_pickles(tmp_path / "ix")
    assert _globals(schema) == pickled.WRITTEN_SCHEMA
    assert _globals(segments) == pickled.WRITTEN_SEGMENTS
    _paths_resolve(pickled.WRITTEN)


def test_format4_paths_are_listed_and_still_importable() -> None:
    schema, segments = _toc_pickles(FORMAT4)
    assert _globals(schema) | _globals(segments) == pickled.FORMAT4
    _paths_resolve(pickled.FORMAT4)


# --- format-4 indexes: the schema built from their config ---------------------------------------


def _stored_config(path: Path):  # type: ignore[no-untyped-def]
    meta = json.loads((path / "searchlib.json").read_text(encoding="utf-8"))
    return load_config(meta["config"])


def _comparable(value: object) -> object:
    """``value``, or what decides it for objects that only compare by identity (columns,
    struct formats)."""
    if isinstance(value, struct.Struct):
        return ("struct", value.format)
    if hasattr(value, "__dict__") and type(value).__eq__ is object.__eq__:
        return (type(value), {k: _comparable(v) for k, v in vars(value).items()})
    return value


def _settings(field: fields.FieldType) -> dict[str, object]:
    """A field's attributes but its analyzer."""
    return {k: _comparable(v) for k, v in vars(field).items() if k != "analyzer"}


def test_format4_schema_built_from_its_config_equals_the_stored_one() -> None:
    schema_bytes, _ = _toc_pickles(FORMAT4)
    stored = pickle.loads(schema_bytes)  # searchlib's analysis classes at their old paths
    built = build_schema(_stored_config(FORMAT4))
    # searchlib's own fields (the story signature's column) are new: the old segments hold
    # no value for them, and every field the old index has is built as it was.
    added = [n for n in built.names() if n in INTERNAL_FIELDS]
    assert added == list(INTERNAL_FIELDS)
    assert all(isinstance(built[n], SignatureColumn) for n in added)
    assert stored.names() == [n for n in built.names() if n not in added]
    for name in stored.names():
        old, new = stored[name], built[name]
        assert type(old) is type(new), name
        assert _settings(old) == _settings(new), name
        if isinstance(new.analyzer, FieldAnalyzer):
            assert type(old.analyzer) is IndonesianAnalyzer
            assert old.analyzer == new.analyzer.analyzer, name  # same items, same state
        else:
            assert old.analyzer == new.analyzer, name


def test_format4_index_opens_without_unpickling_its_schema(tmp_path: Path) -> None:
    path = tmp_path / "format4"
    shutil.copytree(FORMAT4, path)
    toc = max(path.glob("*.toc"), key=lambda p: int(p.name[6:-4]))
    data = toc.read_bytes()
    # A class no one can import, in place of the analyzer's path (same length).
    broken = data.replace(b"searchlib.analysis.chain", b"searchlib.analysis.xhain")
    assert broken != data
    toc.write_bytes(broken)
    with pytest.raises(ModuleNotFoundError):
        pickle.loads(_toc_pickles(path)[0])
    with searchlib.Index.open(path) as ix:
        assert ix.search("banjir jakarta").hits
        ix.add([{"id": "baru-1", "title": "Kapal selam baru", "body": "Kapal selam buatan PAL."}])
    with searchlib.Index.open(path) as ix:
        assert [h.id for h in ix.search("kapal selam").hits][:1] == ["baru-1"]
    # The write replaced the table of contents: it names the adapter now.
    assert "searchlib.backends.embedded.analyzers.FieldAnalyzer" in _globals(_toc_pickles(path)[0])
