"""searchlib's posting blocks hold exactly what Whoosh's own blocks hold."""

from __future__ import annotations

import functools
import random

import pytest
from _threads import run_threads
from whoosh import fields
from whoosh.codec.whoosh3 import W3Codec
from whoosh.filedb.filestore import RamStorage

from searchlib.backends.embedded.arrays import narrowest
from searchlib.backends.embedded.codec import LeafMatcher, SearchlibCodec


@pytest.mark.parametrize(
    ("values", "code"),
    [([0, 255], "B"), ([256], "H"), ([65535], "H"), ([65536], "I"), ([2**32], "Q"), ([], "B")],
)
def test_ids_use_the_narrowest_array(values, code):
    assert narrowest(values).typecode == code


def _postings(codec):
    schema = fields.Schema(
        id=fields.ID(stored=True), body=fields.TEXT(phrase=True), tag=fields.KEYWORD
    )
    ix = RamStorage().create_index(schema)
    rng = random.Random(5)
    words = [f"w{i}" for i in range(60)]
    writer = ix.writer(codec=codec)
    for i in range(3000):
        body = " ".join(rng.choices(words, [1 / (j + 1) for j in range(60)], k=rng.randint(1, 40)))
        writer.add_document(id=str(i), body=body, tag=rng.choice(["a", "b"]))
    writer.commit()
    out = {}
    with ix.reader() as reader:
        for fieldname, term in reader.all_terms():
            m = reader.postings(fieldname, term)
            rows = []
            while m.is_active():
                rows.append((m.id(), m.weight(), m.value()))
                m.next()
            out[(fieldname, term)] = rows
        kinds = {type(reader.postings("body", b"w0"))}
    return out, kinds


def test_round_trip_equals_whoosh_codec():
    ours, kinds = _postings(SearchlibCodec())
    theirs, _ = _postings(W3Codec())
    assert LeafMatcher in kinds
    assert ours.keys() == theirs.keys()
    for key, rows in theirs.items():
        assert ours[key] == rows, key
    # Long lists (many blocks), positions of several lengths, fixed-size and no values.
    assert max(len(r) for r in ours.values()) > 1000


# -- the bulk segment writer ------------------------------------------------------------


def _searchlib_postings(path, monkeypatch, writer_class, run_postings=None):
    """Build the same documents with ``writer_class`` in two commits, optimize, and return
    every posting and every terminfo's statistics of the final index."""
    from whoosh import index as windex

    from searchlib import Index
    from searchlib.backends.embedded import posting_buffer

    if run_postings is not None:
        monkeypatch.setattr(posting_buffer, "RUN_POSTINGS", run_postings)
        monkeypatch.setattr(posting_buffer, "CHUNK", 3)
    monkeypatch.setattr("searchlib.backends.embedded.store.BulkWriter", writer_class)
    rng = random.Random(11)
    words = [
        "harga",
        "beras",
        "naik",
        "turun",
        "di",
        "pasar",
        "induk",
        "Jakarta",
        "petani",
        "mengeluh",
        "panen",
        "gagal",
    ]

    def docs(start, n):
        for i in range(start, start + n):
            yield {
                "id": f"d{i}",
                "title": " ".join(rng.choices(words, k=rng.randint(0, 6))),
                "body": " ".join(rng.choices(words, k=rng.randint(1, 300))) + f" unik{i}",
                "category": rng.choice(["ekonomi", "Politik", None]),
                "tags": rng.sample(["beras", "pangan", "harga"], k=rng.randint(0, 2)),
                "date": f"2024-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}",
            }

    with Index.create(path) as ix:
        ix.add(docs(0, 300))
        ix.add(docs(300, 200))
        ix.delete(["d5", "d310"])
        ix.optimize()
    out = {}
    with windex.open_dir(str(path)).reader() as reader:
        for fieldname, term in reader.all_terms():
            info = reader.term_info(fieldname, term)
            stats = (info.weight(), info.doc_frequency(), info.min_length(), info.max_length())
            m = reader.postings(fieldname, term)
            rows = []
            while m.is_active():
                rows.append((m.id(), m.weight(), m.value()))
                m.next()
            # where the postings live (one posting inlined in the term index) is compared too
            out[(fieldname, term)] = (stats, info.max_weight(), info.is_inlined(), rows)
    return out


class _WhooshWriter:
    """Whoosh's own SegmentWriter with searchlib's codec: the reference."""

    def __new__(cls, ix, **kwargs):
        from whoosh.writing import SegmentWriter

        return SegmentWriter(ix, **kwargs)


@pytest.mark.parametrize("run_postings", [None, 40])
def test_bulk_writer_writes_what_whoosh_writes(tmp_path, monkeypatch, run_postings):
    from searchlib.backends.embedded.bulk_writer import BulkWriter

    ours = _searchlib_postings(tmp_path / "ours", monkeypatch, BulkWriter, run_postings)
    theirs = _searchlib_postings(tmp_path / "theirs", monkeypatch, _WhooshWriter)
    assert ours.keys() == theirs.keys()
    assert {f for f, _ in ours} >= {"alltext", "title", "category", "tags", "date", "id"}
    assert any(inlined for _, _, inlined, _ in ours.values())
    for key, value in theirs.items():
        assert ours[key] == value, key


def test_kept_terms_are_the_analyzers_tokens():
    from searchlib.analysis import get_analyzer
    from searchlib.config import Config

    config = Config()
    analyzer = get_analyzer(config.analyzer_spec(config.field("body").analyzer))
    assert analyzer.fusable
    text = 'Presiden Jokowi (kemarin) meresmikan "anak-anak" dan 1.500 buku-buku, yaitu COVID-19!'
    tokens = [(t.text, t.pos) for t in analyzer(text, positions=True)]
    assert list(enumerate(analyzer.kept_terms(text))) == [(p, t) for t, p in tokens]


# -- segments read from the memory map ----------------------------------------------------


def test_segment_files_are_read_from_the_map_not_copied(tmp_path):
    from searchlib import Index
    from searchlib.backends.embedded.segment import _MappedFile

    with Index.create(tmp_path / "ix") as ix:
        ix.add(
            {"id": f"d{i}", "title": f"Berita {i}", "body": "harga beras naik " * (i % 7 + 1)}
            for i in range(400)
        )
        searcher = ix._backend._searcher()
        postfile = searcher.reader()._terms._postfile
        assert isinstance(postfile, _MappedFile)
        expected = [(h.id, h.snippet) for h in ix.search("harga beras", limit=20).hits]
        results = []

        def search():
            for _ in range(20):
                results.append([(h.id, h.snippet) for h in ix.search("harga beras", limit=20).hits])

        assert not run_threads(search, [()] * 4)
        assert all(r == expected for r in results) and len(results) == 80


def test_blocks_zipped_whole_by_earlier_versions_still_read(monkeypatch):
    """Indexes written before positions were zipped apart from ids and weights."""
    from whoosh.codec.whoosh3 import W3PostingsWriter

    from searchlib.backends.embedded.codec import PostingsWriter

    current, _ = _postings(SearchlibCodec())
    monkeypatch.setattr(PostingsWriter, "_write_block", W3PostingsWriter._write_block)
    earlier, _ = _postings(SearchlibCodec())
    assert earlier == current


def _format2_write_block(self, last=False, *, current, written):
    """How index format 2 wrote a block with positions: ids, weights and value lengths
    zipped together, the positions apart (kept here to test that such blocks still read)."""
    import zlib
    from pickle import dumps

    from searchlib.backends.embedded import codec

    values = self._mini_values()
    if self._byteids or not (isinstance(values, tuple) and len(values) == 3):
        return current(self, last)
    written.append(len(self._ids))
    if not self._blockcount:
        self._postfile.write(codec.WHOOSH3_HEADER_MAGIC)
    self._terminfo.add_block(self)
    code, lengths, joined = values
    small = dumps((self._mini_ids(), self._mini_weights(), (code, lengths)), 5)
    packed, positions = zlib.compress(small, 1), zlib.compress(joined, 1)
    databytes = dumps(("S", packed, positions, (True, True)), 5)
    infobytes = codec._HEADER_MARK + codec._HEADER.pack(
        len(self._ids),
        self._ids[-1],
        self._maxweight,
        0,
        codec.length_to_byte(self._minlength),
        codec.length_to_byte(self._maxlength),
    )
    length = len(infobytes) + len(databytes)
    self._postfile.write_int(-length if last else length)
    self._postfile.write(infobytes)
    self._postfile.write(databytes)
    self._blockcount += 1
    self._new_block()


def test_blocks_of_index_format_2_still_read(monkeypatch):
    from searchlib.backends.embedded.codec import PostingsWriter

    current, _ = _postings(SearchlibCodec())
    written: list[int] = []
    format2 = functools.partialmethod(
        _format2_write_block, current=PostingsWriter._write_block, written=written
    )
    monkeypatch.setattr(PostingsWriter, "_write_block", format2)
    earlier, _ = _postings(SearchlibCodec())
    assert len(written) > 50
    assert earlier == current


def test_blocks_are_smaller_than_whole_zipped_ones(tmp_path, monkeypatch):
    from whoosh.codec.whoosh3 import W3FieldWriter, W3PostingsWriter

    from searchlib import Index
    from searchlib.backends.embedded.codec import FieldWriter, PostingsWriter

    def build(path):
        with Index.create(path) as ix:
            ix.add(
                {"id": f"d{i}", "title": f"Judul {i % 17}", "body": f"harga beras naik {i} " * 9}
                for i in range(600)
            )
        return sum(p.stat().st_size for p in path.glob("*.seg"))

    # Most of these lists have one posting, which the field writer would inline in the term
    # index: compare the block layouts with every list in blocks.
    monkeypatch.setattr(FieldWriter, "start_field", W3FieldWriter.start_field)
    split = build(tmp_path / "split")
    monkeypatch.setattr(PostingsWriter, "_write_block", W3PostingsWriter._write_block)
    assert split < build(tmp_path / "whole")
