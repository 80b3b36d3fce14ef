"""Stored fields in the dictionary-compressed, checksummed file (embedded stored.py)."""

from __future__ import annotations

import json
import zlib
from datetime import date, datetime

import pytest
from _threads import run_threads
from whoosh import fields
from whoosh.codec.whoosh3 import W3Codec
from whoosh.filedb.filestore import RamStorage

from searchlib import Index
from searchlib._resources import sample_dir
from searchlib.backends.embedded import stored
from searchlib.backends.embedded.codec import EmbeddedCodec as SearchlibCodec
from searchlib.backends.embedded.integrity import Place
from searchlib.backends.embedded.metadata import FORMAT_VERSION
from searchlib.errors import StorageError


def _articles() -> list[dict]:
    path = sample_dir() / "articles.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _whoosh_docs() -> list[dict]:
    """Stored values of every kind Whoosh accepts, including documents storing nothing."""
    docs: list[dict] = []
    for i, article in enumerate(_articles() * 4):
        docs.append(
            {
                "id": f"d{i}",
                "title": article["title"],
                "body": article["body"],
                "date": datetime(2020, 1, 1 + i % 28, 12, i % 60),
                "extra": [i, 1.5, None, {"k": "v"}] if i % 3 else None,
            }
        )
    docs[5]["body"] = "Ünïcödé — 日本語 😀 " * 40_000  # a big body (~1 MB)
    docs[7] = {"id": "d7", "title": "", "body": ""}
    docs[9] = {}  # stores nothing at all
    return docs


def _write(codec, docs: list[dict], *, commits: int = 1):
    schema = fields.Schema(
        id=fields.ID(stored=True, unique=True),
        title=fields.TEXT(stored=True),
        body=fields.TEXT(stored=True),
        date=fields.STORED(),
        extra=fields.STORED(),
    )
    ix = RamStorage().create_index(schema)
    per_commit = -(-len(docs) // commits)
    for start in range(0, len(docs), per_commit):
        writer = ix.writer(codec=codec)
        for doc in docs[start : start + per_commit]:
            writer.add_document(**{k: v for k, v in doc.items() if v is not None})
        writer.commit(merge=False)
    return ix


def _expected(doc: dict) -> dict:
    return {k: v for k, v in doc.items() if v is not None}


@pytest.mark.parametrize("commits", [1, 3])
def test_every_stored_value_round_trips(commits):
    docs = _whoosh_docs()
    ix = _write(SearchlibCodec(), docs, commits=commits)
    with ix.reader() as reader:
        assert [reader.stored_fields(n) for n in range(len(docs))] == [_expected(d) for d in docs]
        assert list(reader.all_stored_fields()) == [_expected(d) for d in docs]


def test_a_segment_smaller_than_the_dictionary_round_trips():
    docs = [{"id": "a", "title": "Banjir", "body": "air"}, {}, {"id": "c", "body": "é"}]
    ix = _write(SearchlibCodec(), docs)
    with ix.reader() as reader:
        assert [reader.stored_fields(n) for n in range(3)] == docs


def test_deleted_documents_are_dropped_by_a_merge():
    docs = _whoosh_docs()
    ix = _write(SearchlibCodec(), docs, commits=3)
    writer = ix.writer(codec=SearchlibCodec())
    for i in range(0, len(docs), 4):
        writer.delete_by_term("id", f"d{i}")
    writer.commit(optimize=True)
    kept = [_expected(d) for i, d in enumerate(docs) if i % 4]
    assert ix.doc_count_all() == len(kept)
    with ix.reader() as reader:
        got = [fields for _, fields in reader.iter_docs()]

    def by_id(d: dict) -> str:
        return d.get("id", "")

    assert sorted(got, key=by_id) == sorted(kept, key=by_id)


def _stored_file(ix) -> stored.StoredFile:
    """The stored-fields file of a one-segment index."""
    reader = ix.reader()
    perdoc = reader.codec().per_document_reader(reader.storage(), reader.segment())
    return perdoc.stored_file()


def _entries(ix) -> tuple[int, bytes]:
    """The bytes of a one-segment index's per-document records, and its dictionary."""
    column = _stored_file(ix)
    return column.offsets[-1] - column.offsets[0], column.zdict


def test_the_dictionary_makes_documents_smaller(monkeypatch):
    articles = [d for d in _whoosh_docs()[:46] if d.get("body")]
    articles[5]["body"] = articles[4]["body"][::-1]  # no huge body: ordinary articles
    plain, zdict = _entries(_write(SearchlibCodec(), articles))
    assert zdict == b""  # 46 articles are too few to pay for a dictionary
    monkeypatch.setattr(stored, "TRAIN_BYTES", stored.DICT_BYTES // 4)
    trained, zdict = _entries(_write(SearchlibCodec(), articles))
    assert stored.DICT_BYTES // 4 <= len(zdict) <= stored.DICT_BYTES
    assert trained < 0.9 * plain


def test_each_document_is_deflated_with_the_segment_dictionary():
    docs = _whoosh_docs()
    column = _stored_file(_write(SearchlibCodec(), docs))
    assert len(column.zdict) == stored.DICT_BYTES
    start, end = column.offsets[3], column.offsets[4]
    raw = column.dbfile.get(start + 4, end - start - 4)  # after the record's checksum
    with pytest.raises(zlib.error):  # not decodable without the dictionary
        zlib.decompressobj(-15).decompress(raw)
    assert column.fields(3) == _expected(docs[3])


@pytest.mark.parametrize(
    "value",
    [
        "Ünïcödé — 日本語",
        "",
        ["satu", "dua"],
        [],
        datetime(2024, 2, 29, 23, 59, 1, 5),
        date(2024, 2, 29),
        0,
        -(2**70),
        1.1,
        float("inf"),
        True,
        None,
        {"k": [1, 2.5, None]},
    ],
)
def test_a_stored_value_comes_back_with_its_type(value):
    fields = {"v": value, "n": "x"}
    back = stored.decode_fields(stored.encode_fields(fields))
    assert back == fields and type(back["v"]) is type(value)


def test_a_value_nothing_can_store_is_refused_clearly():
    with pytest.raises(StorageError, match="type object cannot be stored"):
        stored.encode_fields({"v": object()})


def _stored_bytes(docs: list[dict]) -> bytes:
    storage = RamStorage()
    writer = stored.StoredFileWriter(storage.create_file("x.sto"))
    for n, doc in enumerate(docs):
        writer.add(n, doc)
    writer.finish(len(docs))
    return bytes(storage.open_file("x.sto").read())


def _open(data: bytes) -> stored.StoredFile:
    storage = RamStorage()
    with storage.create_file("x.sto") as f:
        f.write(data)
    return stored.StoredFile(storage.open_file("x.sto"), len(data), Place("s.seg", "s.sto"))


def test_a_damaged_or_truncated_file_is_a_storage_error():
    docs = [_expected(d) for d in _whoosh_docs()[:60]]
    data = bytearray(_stored_bytes(docs))
    column = _open(bytes(data))
    assert [column.fields(n) for n in range(len(docs))] == docs
    data[column.offsets[10] + 30] ^= 0x01  # inside document 10's record
    damaged = _open(bytes(data))
    with pytest.raises(StorageError, match=r"s\.seg \(part s\.sto\).*document 10.*checksum"):
        damaged.fields(10)
    assert damaged.fields(11) == docs[11]  # the other documents still read
    with pytest.raises(StorageError, match=r"s\.sto.*(truncated|footer)"):
        _open(bytes(data[: len(data) // 2]))
    data[-20] ^= 0x01  # the record index
    with pytest.raises(StorageError, match="index: checksum mismatch"):
        _open(bytes(data))


# -- through the public API ------------------------------------------------------------------


def _api_docs() -> list[dict]:
    docs = []
    for i, article in enumerate(_articles()):
        doc = {k: article[k] for k in ("title", "body")}
        doc.update(id=f"a{i}", tags=["satu", "dua", f"t{i}"], category="Berita Ünïcode")
        docs.append(doc)
    docs[0]["body"] = "Kata panjang sekali. " * 30_000
    return docs


def test_index_get_round_trips_after_deletes_and_optimize(tmp_path):
    docs = _api_docs()
    ix = Index.create(tmp_path / "ix")
    ix.add(docs[:20])
    ix.add(docs[20:])
    ix.delete([f"a{i}" for i in range(0, len(docs), 5)])
    before = {d["id"]: ix.get(d["id"]) for d in docs}
    ix.optimize()
    ix.close()
    ix = Index.open(tmp_path / "ix")
    for i, doc in enumerate(docs):
        got = ix.get(doc["id"])
        assert got == before[doc["id"]]
        if i % 5 == 0:
            assert got is None
        else:
            assert got is not None
            assert (got["title"], got["body"], got["tags"]) == (
                doc["title"],
                doc["body"],
                doc["tags"],
            )
    ix.close()


def test_searching_from_several_threads_reads_the_same_fields(tmp_path):
    docs = _api_docs()
    ix = Index.create(tmp_path / "ix")
    ix.add(docs)
    queries = [d["title"].split()[0] for d in docs[:12]]
    expected = {
        q: [(h.id, h.title, h.snippet, h.fields) for h in ix.search(q).hits] for q in queries
    }
    results: list[bool] = []

    def worker(offset: int) -> None:
        for n in range(60):
            q = queries[(n + offset) % len(queries)]
            got = [(h.id, h.title, h.snippet, h.fields) for h in ix.search(q).hits]
            results.append(got == expected[q])

    errors = run_threads(worker, [(k,) for k in range(4)])
    ix.close()
    assert not errors
    assert len(results) == 240 and all(results)


def _format_1_index(path, docs, monkeypatch):
    """An index as searchlib wrote it first: Whoosh's own writer and W3 codec."""
    from whoosh.writing import SegmentWriter

    with monkeypatch.context() as patch:
        patch.setattr("searchlib.backends.embedded.store.EmbeddedCodec", W3Codec)
        patch.setattr("searchlib.backends.embedded.store.BulkWriter", SegmentWriter)
        Index.create(path).add(docs, processes=1)
    meta_path = path / "searchlib.json"
    meta = json.loads(meta_path.read_text())
    meta["format_version"] = 1
    meta_path.write_text(json.dumps(meta))


def _codecs(path) -> list[str]:
    """Per segment, the class of the codec that reads it."""
    from whoosh import index as windex

    with windex.open_dir(str(path)).reader() as reader:
        return [type(leaf.codec()).__name__ for leaf, _ in reader.leaf_readers()]


def test_a_format_1_index_opens_and_upgrades_on_its_next_commit(tmp_path, monkeypatch):
    docs = _api_docs()
    path = tmp_path / "ix"
    _format_1_index(path, docs[:30], monkeypatch)
    meta_path = path / "searchlib.json"
    assert _codecs(path) == ["W3Codec"]

    reference = Index.create(tmp_path / "reference")
    reference.add(docs)
    expected = [reference.get(d["id"]) for d in docs]
    reference.close()

    ix = Index.open(path)
    assert ix.get("a3") == expected[3]
    assert any(h.id == "a3" for h in ix.search(docs[3]["title"]).hits)
    assert json.loads(meta_path.read_text())["format_version"] == 1  # reading changes nothing

    ix.add(docs[30:])  # a new-format segment beside the old one
    assert json.loads(meta_path.read_text())["format_version"] == FORMAT_VERSION
    assert sorted(_codecs(path)) == ["EmbeddedCodec", "W3Codec"]
    assert [ix.get(d["id"]) for d in docs] == expected
    ix.optimize()  # the old segment's fields are rewritten in the new format
    assert _codecs(path) == ["EmbeddedCodec"]
    assert [ix.get(d["id"]) for d in docs] == expected
    ix.close()
    reopened = Index.open(path)
    assert reopened.get("a40") == expected[40]
    reopened.close()


def test_a_cancelled_document_leaves_no_length_or_fields():
    schema = fields.Schema(
        id=fields.ID(stored=True), body=fields.TEXT(stored=True), num=fields.NUMERIC(stored=True)
    )
    ix = RamStorage().create_index(schema)
    writer = ix.writer(codec=SearchlibCodec())
    writer.add_document(id="a", body="satu dua tiga")
    with pytest.raises(ValueError):  # "num" fails after "body" was added
        writer.add_document(id="b", body="empat lima enam tujuh", num="x")
    writer.add_document(id="c")
    writer.commit()
    with ix.reader() as reader:
        assert [reader.stored_fields(n) for n in range(2)] == [
            {"id": "a", "body": "satu dua tiga"},
            {"id": "c"},
        ]
        assert reader.doc_field_length(1, "body") == 0
        assert reader.field_length("body") == 3
