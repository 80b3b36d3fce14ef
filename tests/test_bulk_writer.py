"""The bulk writer is a Whoosh IndexWriter of its own: what it commits is what Whoosh's own
writer commits, with any codec, and importing it changes nothing of Whoosh."""

from __future__ import annotations

import json
import random
import subprocess
import sys
import textwrap

import pytest
from whoosh import fields
from whoosh import index as windex
from whoosh.codec.whoosh3 import W3Codec
from whoosh.writing import IndexWriter, SegmentWriter

from searchlib.backends.embedded.bulk_writer import BulkTermWriter, BulkWriter
from searchlib.backends.embedded.codec import EmbeddedCodec

WORDS = [
    "harga",
    "beras",
    "naik",
    "turun",
    "pasar",
    "induk",
    "petani",
    "panen",
    "gagal",
    "hujan",
    "banjir",
]


def _sample_schema() -> fields.Schema:
    return fields.Schema(
        id=fields.ID(stored=True, unique=True),
        body=fields.TEXT(phrase=True, stored=True),
        tag=fields.KEYWORD(stored=True, sortable=True),
        size=fields.NUMERIC(stored=True),
    )


def _docs(start: int, n: int) -> list[dict[str, object]]:
    rng = random.Random(start)
    return [
        {
            "id": f"d{i}",
            "body": " ".join(rng.choices(WORDS, k=rng.randint(1, 60))),
            "tag": rng.choice(["a", "b c", "d"]),
            "size": rng.randint(0, 10_000),
        }
        for i in range(start, start + n)
    ]


def _build(path, make_writer) -> dict:
    """Three commits (the third replaces and deletes), then an optimize; every posting,
    stored document and column value of the result."""
    path.mkdir()
    ix = windex.create_in(str(path), _sample_schema())
    for batch, deleted in ((_docs(0, 300), []), (_docs(300, 200), []), (_docs(50, 20), ["d7"])):
        writer = make_writer(ix)
        for doc_id in [d["id"] for d in batch] + deleted:
            writer.delete_by_term("id", doc_id)
        for doc in batch:
            writer.add_document(**doc)
        writer.commit(merge=False)
    writer = make_writer(ix)
    writer.commit(optimize=True)
    return _contents(ix)


def _contents(ix) -> dict:
    out: dict = {}
    with ix.reader() as reader:
        out["segments"] = [r.doc_count_all() for r, _ in reader.leaf_readers()]
        for fieldname, term in reader.all_terms():
            m = reader.postings(fieldname, term)
            rows = []
            while m.is_active():
                rows.append((m.id(), m.weight(), m.value()))
                m.next()
            info = reader.term_info(fieldname, term)
            stats = (info.weight(), info.doc_frequency(), info.min_length(), info.max_length())
            out[(fieldname, term)] = (stats, rows)
        out["stored"] = [reader.stored_fields(n) for n in reader.all_doc_ids()]
        out["tag column"] = list(reader.column_reader("tag"))
        out["lengths"] = [reader.doc_field_length(n, "body") for n in reader.all_doc_ids()]
    return out


@pytest.mark.parametrize("codec", [W3Codec, EmbeddedCodec])
def test_commits_what_whoosh_segment_writer_commits(tmp_path, codec):
    """With Whoosh's own codec (whose field writer takes one posting at a time) and with
    searchlib's (whole posting lists): same postings, statistics, stored fields, columns."""
    ours = _build(tmp_path / "ours", lambda ix: BulkWriter(ix, codec=codec()))
    theirs = _build(tmp_path / "theirs", lambda ix: SegmentWriter(ix, codec=codec()))
    assert ours["segments"] == theirs["segments"] == [499]
    assert ours == theirs


def test_is_an_index_writer_and_uses_the_bulk_path_only_where_the_codec_has_it(tmp_path):
    ix = windex.create_in(str(tmp_path), _sample_schema())
    writer = BulkWriter(ix, codec=EmbeddedCodec())
    try:
        assert isinstance(writer, IndexWriter)
        assert not isinstance(writer, SegmentWriter)
        assert isinstance(writer.fieldwriter, BulkTermWriter)
    finally:
        writer.cancel()
    writer = BulkWriter(ix, codec=W3Codec())
    try:
        assert not isinstance(writer.fieldwriter, BulkTermWriter)
    finally:
        writer.cancel()


def test_a_document_that_fails_leaves_no_trace_and_the_writer_usable(tmp_path):
    """As with Whoosh's writer: the fields analyzed before the failing one ("body", "id")
    gathered postings, which are taken back."""
    ix = windex.create_in(str(tmp_path), _sample_schema())
    writer = BulkWriter(ix, codec=EmbeddedCodec())
    writer.add_document(id="ok", body="harga beras", size=1)
    with pytest.raises(ValueError):
        writer.add_document(id="bad", body="harga gagal", size="not a number")
    writer.add_document(id="next", body="harga panen", size=2)
    writer.commit()
    with ix.searcher() as s:
        assert [d["id"] for d in s.all_stored_fields()] == ["ok", "next"]
        assert s.document_number(id="bad") is None
        assert ("body", b"gagal") not in s.reader()
        assert list(s.postings("body", "harga").all_ids()) == [0, 1]
        assert s.doc_field_length(1, "body") == 2
    assert [p.name for p in tmp_path.iterdir() if p.is_dir()] == []  # no run files left


def test_a_document_that_fails_at_a_new_term_leaves_no_empty_term(tmp_path):
    """A weight too large for the postings fails the document at its first term ("gagal",
    new to the segment); the term is not left behind with no postings, which the commit
    could not write."""
    ix = windex.create_in(str(tmp_path), _sample_schema())
    writer = BulkWriter(ix, codec=EmbeddedCodec())
    writer.add_document(id="ok", body="harga beras", size=1)
    with pytest.raises(OverflowError):
        writer.add_document(id="bad", body="gagal harga", size=1, _body_boost=1e39)
    writer.add_document(id="next", body="harga panen", size=2)
    writer.commit()
    with ix.searcher() as s:
        assert [d["id"] for d in s.all_stored_fields()] == ["ok", "next"]
        assert ("body", b"gagal") not in s.reader()
        assert list(s.postings("body", "harga").all_ids()) == [0, 1]


def test_a_failed_commit_releases_the_lock(tmp_path, monkeypatch):
    ix = windex.create_in(str(tmp_path), _sample_schema())
    writer = BulkWriter(ix, codec=EmbeddedCodec())
    writer.add_document(id="a", body="harga")

    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(windex.TOC, "write", disk_full)
    with pytest.raises(OSError):
        writer.commit()
    monkeypatch.undo()
    assert writer.is_closed
    with BulkWriter(ix, codec=EmbeddedCodec(), timeout=0) as again:
        again.add_document(id="b", body="beras")
    with ix.searcher() as s:
        assert [d["id"] for d in s.all_stored_fields()] == ["b"]


def test_a_second_writer_waits_for_the_lock(tmp_path):
    ix = windex.create_in(str(tmp_path), _sample_schema())
    first = BulkWriter(ix, codec=EmbeddedCodec())
    try:
        with pytest.raises(windex.LockError):
            BulkWriter(ix, codec=EmbeddedCodec(), timeout=0.1, delay=0.02)
    finally:
        first.cancel()
    BulkWriter(ix, codec=EmbeddedCodec(), timeout=0).cancel()


def test_importing_searchlib_changes_nothing_of_whoosh():
    """Snapshot every attribute of every Whoosh module and class, import the whole embedded
    backend and write an index, and compare: nothing was assigned onto Whoosh."""
    code = textwrap.dedent(
        """
        import inspect, json, pkgutil, sys, tempfile, importlib
        import whoosh

        def snapshot():
            seen = {}
            for info in pkgutil.walk_packages(whoosh.__path__, "whoosh."):
                try:
                    module = importlib.import_module(info.name)
                except Exception:
                    continue
                for name, value in vars(module).items():
                    seen[f"{info.name}.{name}"] = id(value)
                    if inspect.isclass(value) and value.__module__ == info.name:
                        for attr, inner in vars(value).items():
                            seen[f"{info.name}.{name}.{attr}"] = id(inner)
            return seen

        before = snapshot()
        from searchlib import Index
        with Index.create(tempfile.mkdtemp()) as ix:
            ix.add([{"id": "a", "body": "harga beras naik"}])
            ix.add([{"id": "b", "body": "harga beras turun"}])
            ix.optimize()
            assert ix.search("beras").total == 2
        after = snapshot()
        changed = sorted(k for k in before if after.get(k) != before[k])
        print(json.dumps(changed))
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert json.loads(out.stdout.strip().splitlines()[-1]) == []
