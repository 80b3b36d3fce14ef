"""searchlib's posting blocks hold exactly what Whoosh's own blocks hold, checksummed and
without pickles."""

from __future__ import annotations

import ast
import json
import marshal
import pickle
import random
import shutil
import zlib
from array import array
from datetime import datetime
from itertools import pairwise
from pathlib import Path

import pytest
from _threads import run_threads
from whoosh import fields
from whoosh.codec.whoosh3 import W3Codec
from whoosh.filedb.filestore import FileStorage, RamStorage

import searchlib
from searchlib.backends.embedded import block_table, postings
from searchlib.backends.embedded.arrays import narrowest, pack_parts, unpack_parts
from searchlib.backends.embedded.block_table import (
    BlockTable,
    TableCache,
    encode_table,
    held,
    membership,
    ranks,
    read_table,
)
from searchlib.backends.embedded.codec import EmbeddedCodec, verify_segment
from searchlib.backends.embedded.metadata import FORMAT_VERSION
from searchlib.backends.embedded.postings import BLOCK_LIMIT, BlockMatcher
from searchlib.backends.embedded.schema import COMBINED_FIELD
from searchlib.backends.embedded.term_lists import term_postings
from searchlib.errors import StorageError

DATA = Path(__file__).parent / "data"


@pytest.mark.parametrize(
    ("values", "code"),
    [([0, 255], "B"), ([256], "H"), ([65535], "H"), ([65536], "I"), ([2**32], "Q"), ([], "B")],
)
def test_ids_use_the_narrowest_array(values, code):
    assert narrowest(values).typecode == code


def test_parts_round_trip_and_refuse_damage():
    parts = [b"", b"abc", bytes(range(256)) * 3]
    assert unpack_parts(pack_parts(parts)) == parts
    with pytest.raises(ValueError):
        unpack_parts(pack_parts(parts)[:-1])


def _postings(codec, storage=None):
    schema = fields.Schema(
        id=fields.ID(stored=True), body=fields.TEXT(phrase=True), tag=fields.KEYWORD
    )
    ix = (storage or RamStorage()).create_index(schema)
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


@pytest.mark.slow
def test_round_trip_equals_whoosh_codec():
    ours, kinds = _postings(EmbeddedCodec())
    theirs, _ = _postings(W3Codec())
    assert BlockMatcher in kinds
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


@pytest.mark.slow
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


@pytest.mark.parametrize(
    "value",
    [
        datetime(2022, 3, 10, 7, 30, 15, 123456),
        datetime(1, 1, 1),
        datetime(9999, 12, 31, 23, 59, 59, 999999),
        "2024-05-01",
        [datetime(2020, 1, 2), datetime(2021, 6, 7, 8)],
    ],
    ids=["microseconds", "min", "max", "text", "list"],
)
def test_the_date_indexer_gathers_what_the_fields_own_index_yields(value):
    from whoosh.fields import DATETIME

    from searchlib.backends.embedded.posting_buffer import add_posting, date_indexer

    field = DATETIME(stored=True, sortable=True)
    ours: dict = {}
    theirs: dict = {}
    assert date_indexer(field)(ours, 7, value, 2.0)[1] == len(list(field.index(value)))
    for term, _, weight, vbytes in field.index(value):
        add_posting(theirs, term, 7, weight * 2.0, vbytes or b"")
    assert ours == theirs and len(ours) >= 8


# -- segments read from the memory map ----------------------------------------------------


def test_segment_files_are_read_from_the_map_not_copied(tmp_path):
    from searchlib import Index
    from searchlib.backends.embedded.segment import MappedFile

    with Index.create(tmp_path / "ix") as ix:
        ix.add(
            {"id": f"d{i}", "title": f"Berita {i}", "body": "harga beras naik " * (i % 7 + 1)}
            for i in range(400)
        )
        reader = ix._backend._searcher().reader()
        terms = reader.codec().terms_reader(reader.storage(), reader.segment())
        assert isinstance(terms.postfile.postfile, MappedFile)
        terms.close()
        expected = [(h.id, h.snippet) for h in ix.search("harga beras", limit=20).hits]
        results = []

        def search():
            for _ in range(20):
                results.append([(h.id, h.snippet) for h in ix.search("harga beras", limit=20).hits])

        assert not run_threads(search, [()] * 4)
        assert all(r == expected for r in results) and len(results) == 80


# -- sizes, integrity, no pickles -----------------------------------------------------------


def _part_sizes(codec, path: Path) -> dict[str, int]:
    storage = FileStorage(str(path)).create()
    _postings(codec, storage)
    (name,) = [n for n in storage.list() if n.endswith(".seg")]
    from whoosh.filedb.compound import CompoundStorage

    compound = CompoundStorage(storage.open_file(name), use_mmap=False)
    sizes = {n.rsplit(".", 1)[1]: compound.file_length(n) for n in compound.list()}
    compound.close()
    return sizes


@pytest.mark.slow
def test_posting_blocks_are_smaller_than_whooshs(tmp_path):
    ours = _part_sizes(EmbeddedCodec(), tmp_path / "ours")
    whooshs = _part_sizes(W3Codec(), tmp_path / "whoosh")
    assert ours["pst"] < whooshs["pst"]
    assert ours["trm"] * 3 < whooshs["trm"]


def _one_segment(tmp_path: Path, docs: int = 300) -> tuple[Path, FileStorage, str]:
    path = tmp_path / "ix"
    with searchlib.Index.create(path) as ix:
        ix.add(
            {
                "id": f"d{i}",
                "title": f"Harga beras {i % 9}",
                "body": "harga beras naik " * (i % 40 + 1),
            }
            for i in range(docs)
        )
        ix.optimize()
    (seg,) = [p.name for p in path.glob("*.seg")]
    return path, FileStorage(str(path)), seg


def _segment_of(storage: FileStorage) -> tuple[object, object]:
    from whoosh import index as windex

    ix = windex.open_dir(storage.folder)
    reader = ix.reader()
    return reader, reader.segment()


def test_verify_reads_every_block_of_a_segment(tmp_path):
    _, storage, _ = _one_segment(tmp_path)
    reader, segment = _segment_of(storage)
    with reader:
        found = verify_segment(storage, segment)
    assert found["documents"] == 300
    assert found["terms"] > 300 and found["postings"] > found["terms"]


def _damage(path: Path, seg: str, where: int, size: int = 1) -> None:
    data = bytearray((path / seg).read_bytes())
    for i in range(where, where + size):
        data[i] ^= 0x5A
    (path / seg).write_bytes(bytes(data))


def _pst_range(storage: FileStorage, seg: str) -> tuple[int, int]:
    from whoosh.filedb.compound import CompoundStorage

    compound = CompoundStorage(storage.open_file(seg), use_mmap=False)
    name = seg.replace(".seg", ".pst")
    offset, length = compound.range(name)
    compound.close()
    return offset, length


@pytest.mark.parametrize("at", [0.3, 0.6, 0.9])
def test_a_damaged_posting_block_is_a_storage_error_naming_the_file(tmp_path, at):
    path, storage, seg = _one_segment(tmp_path)
    offset, length = _pst_range(storage, seg)
    _damage(path, seg, offset + int(length * at))
    reader, segment = _segment_of(storage)
    with reader, pytest.raises(StorageError) as caught:
        verify_segment(storage, segment)
    message = str(caught.value)
    assert seg in message and ".pst" in message and "reindex" in message
    # A query that reaches the block fails the same way, never with another error.
    with searchlib.Index.open(path) as ix:
        for q in ["harga", "beras naik", '"harga beras"', "naik*"]:
            try:
                ix.search(q, limit=300)
            except StorageError as error:
                assert seg in str(error)


@pytest.mark.parametrize("keep", [0.2, 0.5, 0.99])
def test_a_truncated_segment_is_a_storage_error(tmp_path, keep):
    path, storage, seg = _one_segment(tmp_path)
    reader, segment = _segment_of(storage)
    reader.close()
    data = (path / seg).read_bytes()
    (path / seg).write_bytes(data[: int(len(data) * keep)])
    with pytest.raises(StorageError, match=seg):
        verify_segment(storage, segment)


def _long_lists(tmp_path: Path) -> tuple[Path, FileStorage, str, tuple[int, int]]:
    """One segment whose common words have lists of many blocks; the extent of one such
    list's bytes in the segment file."""
    path, storage, seg = _one_segment(tmp_path, docs=3000)
    reader, _ = _segment_of(storage)
    with reader:
        (leaf,) = reader.leaf_readers()
        postings = term_postings(leaf[0], COMBINED_FIELD, b"harga")
        assert postings is not None
        m = postings[1]
        table = m.table()
        assert table is not None and len(table.lasts) == -(-3000 // BLOCK_LIMIT)
        start, length = m.terminfo.extent()
    offset, _ = _pst_range(storage, seg)
    return path, storage, seg, (offset + start, length)


def test_long_lists_carry_a_table_of_their_blocks_that_verify_checks(tmp_path):
    path, storage, _, _ = _long_lists(tmp_path)
    reader, segment = _segment_of(storage)
    with reader:
        assert verify_segment(storage, segment)["documents"] == 3000
    with searchlib.Index.open(path) as ix:
        hits = ix.search("harga beras", limit=5).hits
        assert [h.id for h in hits] == [h.id for h in ix.search("harga beras", limit=50).hits][:5]


def _wrong_pairs(rows, frontiers, members):
    return encode_table(rows, [[(250.0, 1)], *frontiers[1:]], members)


def _wrong_bitmap(rows, frontiers, members):
    assert members is not None  # each long list here holds every document
    return encode_table(rows, frontiers, bytes([members[0] ^ 1]) + members[1:])


@pytest.mark.parametrize("wrong", [_wrong_pairs, _wrong_bitmap], ids=["pairs", "bitmap"])
def test_a_table_whose_pairs_or_bitmap_disagree_with_the_blocks_fails_verify(
    tmp_path, monkeypatch, wrong
):
    monkeypatch.setattr(postings, "encode_table", wrong)
    _, storage, seg, _ = _long_lists(tmp_path)
    reader, segment = _segment_of(storage)
    with reader, pytest.raises(StorageError, match="disagrees") as caught:
        verify_segment(storage, segment)
    assert seg in str(caught.value)


def test_dense_lists_carry_a_bitmap_and_answer_as_lists_without_one(tmp_path, monkeypatch):
    # A list holding one in DENSE_LIST documents or more keeps a bitmap of them in its
    # table; a look-up drops the candidates it lacks before decoding a block. Searches
    # answer as on an index whose lists have none (the format before), bit for bit.
    docs = [
        {
            "id": f"d{i}",
            "title": f"Harga {i % 7}",
            "body": "harga beras naik " * (i % 9 + 1)
            + (" cabai merah" if i % 3 == 0 else "")
            + (" bawang" if i % 5 == 0 else "")
            + (" jahe" if i % 61 == 0 else ""),
        }
        for i in range(4000)
    ]
    config = {"build": {"processes": 1}}
    with searchlib.Index.create(tmp_path / "bitmaps", config) as ix:
        ix.add(docs)
    monkeypatch.setattr(postings, "membership", lambda ids: None)
    with searchlib.Index.create(tmp_path / "none", config) as ix:
        ix.add(docs)
    monkeypatch.undo()
    answers = []
    queries = ["bawang cabai", "jahe cabai", "jahe bawang harga", "cabai merah", "bawang OR jahe"]
    for name in ("bitmaps", "none"):
        with searchlib.Index.open(tmp_path / name) as ix:
            table = _table_of(ix, b"cabai")
            assert table is not None
            assert (table.members is not None) == (name == "bitmaps")
            if table.members is not None:
                assert held(table.members, list(range(4000))) == list(range(0, 4000, 3))
            answers.append([_answer(ix.search(q, limit=20)) for q in queries])
    assert answers[0] == answers[1] and all(hits for hits, _ in answers[0])


@pytest.mark.parametrize(
    "weights",
    [
        [1.0] * BLOCK_LIMIT,  # all 1.0: stored as nothing
        [2.5] * BLOCK_LIMIT,  # all equal: one float
        [float(1 + i % 9) for i in range(BLOCK_LIMIT)],  # small whole numbers: a byte each
        [0.25 + i / 3 for i in range(BLOCK_LIMIT)],  # floats
    ],
    ids=["ones", "one", "bytes", "floats"],
)
def test_a_weight_read_at_its_place_is_the_one_its_block_decodes(weights):
    # A list with a bitmap reads a held document's weight at its place in the block,
    # without decoding the block's ids: every kind of weights, zipped or not.
    rng = random.Random(len(set(weights)))
    ids = array("I", sorted(rng.sample(range(50_000), BLOCK_LIMIT)))
    reader = postings.PostingsFile.__new__(postings.PostingsFile)
    reader.first_ids = False
    reader.wbits = -zlib.MAX_WBITS
    for values in (0, None):  # without values the part is zipped; with them it is bare
        sizes = [1] * BLOCK_LIMIT if values is None else None
        joined = b"x" * BLOCK_LIMIT if values is None else b""
        flags, split, data = postings.encode_block(ids, array("f", weights), sizes, joined, values)
        assert flags & 3 == (1 if values == 0 else 2)  # which part is compressed
        _, decoded = reader._ids_weights(data, split, flags, BLOCK_LIMIT, ids[0], ids[-1])
        places = sorted({*rng.sample(range(BLOCK_LIMIT), 9), BLOCK_LIMIT - 1})
        read = postings._weights_at(data[:split], flags, BLOCK_LIMIT, False, places, reader.wbits)
        assert read == [decoded[p] for p in places]


@pytest.mark.parametrize("size", [postings.MIN_ZIP - 1, 300])
def test_a_part_deflate_cannot_shrink_is_stored_bare_and_reads_back(size):
    # Positions that do not compress (or are too short to try) are kept as they are, the
    # block's flag says so, and they read back the same.
    rng = random.Random(size)
    ids = array("I", sorted(rng.sample(range(50_000), 3)))
    values = [rng.randbytes(size // 3) for _ in ids]
    joined = b"".join(values)
    flags, split, data = postings.encode_block(
        ids, array("f", [1.0] * 3), [len(v) for v in values], joined, None
    )
    assert not flags & 2
    reader = postings.PostingsFile.__new__(postings.PostingsFile)
    reader.wbits = -zlib.MAX_WBITS
    head = postings.Head(3, ids[-1], 1.0, 0, 0, True, 0, 0, flags, split, 0, (), ids[0])
    assert list(reader.decode_values(head, data)) == values


def test_a_documents_rank_in_the_bitmap_is_its_place_in_its_block():
    rng = random.Random(7)
    ids = sorted(rng.sample(range(20_000), 4_000))
    members = membership(ids)
    assert members is not None
    for start in range(0, len(ids), BLOCK_LIMIT):
        block = ids[start : start + BLOCK_LIMIT]
        first = ids[start - 1] + 1 if start else 0  # the last block's end, as a table says
        asked = sorted(rng.sample(range(len(block)), min(5, len(block))))
        assert ranks(members, first, [block[i] for i in asked]) == asked


def test_tables_are_kept_while_the_file_is_open_least_recently_used_first_out():
    tables = [
        BlockTable(list(range(n)), list(range(n)), [], None, "table", bytes(100 * n))
        for n in (1, 2, 3)
    ]
    sizes = [table.size() for table in tables]
    cache = TableCache(budget=sizes[0] + sizes[2])
    cache.put(10, tables[0])
    cache.put(20, tables[1])
    assert cache.get(10) is tables[0]  # now the most recently used: 20 goes first
    cache.put(30, tables[2])
    assert (cache.get(10), cache.get(20), cache.get(30)) == (tables[0], None, tables[2])
    cache.put(40, BlockTable([], [], [], None, "table", bytes(sum(sizes))))  # too large
    assert cache.get(40) is None and cache.get(10) is tables[0]


def test_a_search_reads_a_lists_table_once_while_the_index_is_open(tmp_path, monkeypatch):
    path, *_ = _long_lists(tmp_path)
    read = []
    monkeypatch.setattr(postings, "read_table", lambda *a: read.append(a) or read_table(*a))
    with searchlib.Index.open(path) as ix:
        first = _answer(ix.search("harga 3", limit=10))
        once = len(read)
        assert once and _answer(ix.search("harga 3", limit=10)) == first
        assert len(read) == once


def _table_of(ix, word):
    """The table of the word's list in the index's one segment (None when it has none)."""
    reader = ix._backend._searcher().reader()
    (leaf,) = [r for r, _ in reader.leaf_readers()]
    found = term_postings(leaf, COMBINED_FIELD, word)
    assert found is not None
    return found[1].table()


def _answer(results):
    return [(h.id, h.score) for h in results.hits], results.total


def test_a_damaged_block_table_is_a_storage_error_naming_the_file(tmp_path):
    path, storage, seg, (start, length) = _long_lists(tmp_path)
    _damage(path, seg, start + length - 12)  # inside the table, before its tail
    reader, segment = _segment_of(storage)
    with reader, pytest.raises(StorageError, match="block table") as caught:
        verify_segment(storage, segment)
    assert seg in str(caught.value)
    # A search that looks documents up in the list reads its table.
    with searchlib.Index.open(path) as ix, pytest.raises(StorageError, match=seg):
        ix.search("harga 3", limit=10)


@pytest.mark.parametrize("at", [0.25, 0.5, 0.75])
def test_a_damaged_block_a_look_up_reads_through_the_table_is_a_storage_error(tmp_path, at):
    # "3" (in every ninth title) is the rarer word: its documents are looked up in every
    # block of "harga"'s list, each read straight from where the table says it starts.
    path, _, seg, (start, length) = _long_lists(tmp_path)
    with searchlib.Index.open(path) as ix:
        assert ix.search("harga 3", limit=10).hits
    _damage(path, seg, start + int(length * at))
    with searchlib.Index.open(path) as ix, pytest.raises(StorageError, match=seg):
        ix.search("harga 3", limit=10)


def _head_without_first_id(length, count, first, last, top, *rest):
    return postings.HEAD_FIRST_IDS.pack(length, count, last, top, *rest)


def _first_ids_stored(ids):
    """The gaps as files before ``MAGIC`` store them: the first document, then the gaps."""
    return narrowest([ids[0], *(b - a for a, b in pairwise(ids))])


OLDER_MAGICS = [postings.MAGIC_ZLIB, postings.MAGIC_FIRST_IDS, postings.MAGIC_NO_TABLES]


@pytest.mark.parametrize("magic", OLDER_MAGICS)
def test_files_of_older_posting_layouts_read_the_same(tmp_path, monkeypatch, magic):
    # Files whose parts are zlib streams and whose bitmaps are bare read the same; so do
    # those whose blocks also store their first document; those whose magic predates
    # block tables are walked header by header. The same answers, bit for bit.
    docs = [
        {"id": f"d{i}", "title": f"Harga {i % 7}", "body": "harga beras naik " * (i % 9 + 1)}
        for i in range(2000)
    ]
    config = {"build": {"processes": 1}}
    with searchlib.Index.create(tmp_path / "new", config) as ix:
        ix.add(docs)
    _write_older_layout(monkeypatch, magic)
    with searchlib.Index.create(tmp_path / "old", config) as ix:
        ix.add(docs)
    monkeypatch.undo()
    answers = []
    for name in ("new", "old"):
        with searchlib.Index.open(tmp_path / name) as ix:
            table = _table_of(ix, b"harga")
            assert (table is not None) == (name == "new" or magic != postings.MAGIC_NO_TABLES)
            pairs = name == "new" or magic == postings.MAGIC_ZLIB
            assert (table is not None and table.impacts is not None) == pairs
            assert (table is not None and table.members is not None) == pairs
            answers.append(
                [[(h.id, h.score) for h in ix.search(q, limit=20).hits] for q in QUERIES]
            )
    assert answers[0] == answers[1] and all(answers[0])


def _write_older_layout(monkeypatch, magic):
    monkeypatch.setattr(postings, "MAGIC", magic)
    monkeypatch.setattr(postings, "deflate", lambda data: zlib.compress(data, 1))
    monkeypatch.setattr(block_table, "pack_bitmap", lambda members: members)
    if magic == postings.MAGIC_ZLIB:
        return
    monkeypatch.setattr(postings, "id_gaps", _first_ids_stored)
    monkeypatch.setattr(postings, "pack_head", _head_without_first_id)
    # Their tables hold no impact pairs.
    monkeypatch.setattr(postings, "encode_table", lambda rows, *_: encode_table(rows))
    if magic == postings.MAGIC_NO_TABLES:
        monkeypatch.setattr(postings, "TABLE_BLOCKS", 10**9)


QUERIES = ["harga", "harga beras", "beras naik harga", "naik"]


FORMAT5_MODULES = [
    "arrays",
    "codec",
    "integrity",
    "perdoc",
    "postings",
    "segment",
    "stored",
    "terms",
]


@pytest.mark.parametrize("name", FORMAT5_MODULES)
def test_the_format_5_modules_import_no_pickle_or_marshal(name):
    source = (Path(searchlib.__file__).parent / "backends" / "embedded" / f"{name}.py").read_text()
    imported = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            imported |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            imported.add((node.module or "").split(".")[0])
    assert not imported & {"pickle", "marshal", "shelve", "dill"}


def test_a_format_5_segment_reads_with_unpickling_forbidden(tmp_path, monkeypatch):
    _, storage, _ = _one_segment(tmp_path)
    reader, segment = _segment_of(storage)  # (the table of contents is Whoosh's pickle)

    def forbidden(*args, **kwargs):
        raise AssertionError("unpickled")

    for module, name in [(pickle, "loads"), (pickle, "load"), (marshal, "loads")]:
        monkeypatch.setattr(module, name, forbidden)
    monkeypatch.setattr(pickle, "Unpickler", forbidden)
    with reader:
        assert verify_segment(storage, segment)["documents"] == 300
        assert reader.stored_fields(7)["id"] == "d7"
        assert [m for m in reader.postings("alltext", "harga").all_ids()][:3] == [0, 1, 2]


# -- index format 4 ---------------------------------------------------------------------------


def _all_postings(path: Path) -> dict[tuple[str, bytes], list[tuple[str, float, bytes]]]:
    """Every posting of an index, by the document's id (numbers change in a merge)."""
    from whoosh import index as windex

    out: dict[tuple[str, bytes], list[tuple[str, float, bytes]]] = {}
    with windex.open_dir(str(path)).reader() as reader:
        ids = {n: f["id"] for n, f in reader.iter_docs()}
        for fieldname, term in reader.all_terms():
            rows = []
            for leaf, base in reader.leaf_readers():
                if (fieldname, term) not in leaf:
                    continue
                m = leaf.postings(fieldname, term)
                while m.is_active():
                    if base + m.id() in ids:
                        rows.append((ids[base + m.id()], m.weight(), m.value()))
                    m.next()
            if rows:
                out[(fieldname, term)] = sorted(rows)
    return out


def test_format_4_postings_read_and_merge_into_the_current_format(tmp_path):
    path = tmp_path / "format4"
    shutil.copytree(DATA / "format4-index", path)
    before = _all_postings(path)
    assert len(before) > 500
    with searchlib.Index.open(path) as ix:
        ix.optimize()
    assert json.loads((path / "searchlib.json").read_text())["format_version"] == FORMAT_VERSION
    reader, _ = _segment_of(FileStorage(str(path)))
    with reader:
        assert type(reader.codec()) is EmbeddedCodec
    assert _all_postings(path) == before


def test_verify_reads_a_format_4_segment(tmp_path):
    from whoosh.index import TOC

    path = tmp_path / "format4"
    shutil.copytree(DATA / "format4-index", path)
    storage = FileStorage(str(path))
    toc = TOC.read(storage, "MAIN")
    found = [verify_segment(storage, segment) for segment in toc.segments]
    assert sum(f["documents"] for f in found) == 46
    assert all(f["terms"] > 100 and f["postings"] > f["terms"] for f in found)


# -- term vectors -------------------------------------------------------------------------------


def test_term_vectors_round_trip_and_survive_a_merge():
    schema = fields.Schema(id=fields.ID(stored=True), body=fields.TEXT(vector=True, stored=True))
    ix = RamStorage().create_index(schema)
    texts = ["harga beras naik naik", "", "beras impor tiba", "naik turun harga"]
    for start in (0, 2):  # two segments
        writer = ix.writer(codec=EmbeddedCodec())
        for i in range(start, start + 2):
            writer.add_document(id=str(i), body=texts[i])
        writer.commit(merge=False)

    def vectors():
        with ix.searcher() as s:
            out = {}
            for i in range(len(texts)):
                docnum = s.document_number(id=str(i))
                if s.reader().has_vector(docnum, "body"):
                    out[i] = list(s.vector_as("weight", docnum, "body"))
            return out

    before = vectors()
    assert before == {
        0: [("beras", 1.0), ("harga", 1.0), ("naik", 2.0)],
        2: [("beras", 1.0), ("impor", 1.0), ("tiba", 1.0)],
        3: [("harga", 1.0), ("naik", 1.0), ("turun", 1.0)],
    }
    writer = ix.writer(codec=EmbeddedCodec())
    writer.commit(optimize=True)
    assert vectors() == before


def test_every_path_a_format_4_table_of_contents_names_resolves():
    """Unpickling looks classes up by module and name: the release's paths
    (``searchlib._whoosh``) and those written after the engine moved."""
    import importlib

    from searchlib.backends.embedded import format4

    for module in ("searchlib._whoosh.codec", "searchlib.backends.embedded.codec"):
        assert importlib.import_module(module).SearchlibCodec is format4.SearchlibCodec
    for module in ("searchlib._whoosh.segment", "searchlib.backends.embedded.segment"):
        assert importlib.import_module(module).SearchlibSegment is format4.SearchlibSegment
    # Re-pickled (a commit rewrites the table of contents), they keep the release's path.
    assert b"searchlib._whoosh.segment" in pickle.dumps(format4.SearchlibSegment)


def test_a_block_deep_in_a_segment_stores_its_gaps_as_narrow_as_one_near_its_start():
    # Each block's first document comes from its last (in the header), so a dense list
    # stores a byte a posting at any depth.
    weights = array("f", [1.0] * BLOCK_LIMIT)
    sizes, joined = [1] * BLOCK_LIMIT, b"x" * BLOCK_LIMIT
    splits = [
        postings.encode_block(
            array("I", range(start, start + 2 * BLOCK_LIMIT, 2)), weights, sizes, joined, None
        )[1]
        for start in (0, 70_000, 5_000_000)
    ]
    assert splits == [1 + BLOCK_LIMIT - 1] * 3
