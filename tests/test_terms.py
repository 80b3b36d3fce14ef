"""The embedded backend's block term dictionary (terms.py) and inlined one-posting lists."""

from __future__ import annotations

import random
import string
from array import array

import pytest
from _threads import run_threads
from whoosh import fields
from whoosh.filedb.filestore import RamStorage
from whoosh.reading import TermNotFound
from whoosh.system import pack_ushort
from whoosh.util.numeric import byte_to_length, length_to_byte

from searchlib import Index
from searchlib.backends.embedded import codec as codec_module
from searchlib.backends.embedded import terms
from searchlib.backends.embedded.codec import EmbeddedCodec, SegmentFieldWriter
from searchlib.backends.embedded.integrity import Place
from searchlib.backends.embedded.postings import (
    BlockMatcher,
    InlineMatcher,
    PostingsFile,
    PostingsWriter,
)
from searchlib.backends.embedded.segment import EmbeddedSegment
from searchlib.errors import StorageError

FIELDS = ["body", "id", "title"]


def _info(rng: random.Random, offset: int) -> tuple[terms.TermInfo, int]:
    df = rng.choice([1, 1, 2, 3, 50, 4000])
    weight = float(df * rng.randint(1, 3)) if rng.random() < 0.8 else df * 1.37
    maxweight = float(rng.randint(1, 3)) if rng.random() < 0.8 else 2.5
    minlength = rng.choice([None, 1, 7, 300])
    maxlength = rng.choice([0, 7, 9000, 200000])
    minid = rng.randint(0, 100_000)
    maxid = minid + (0 if df == 1 else rng.randint(1, 10**6))
    stats = (df, minlength, maxlength, maxweight, minid, maxid)
    if df == 1 and rng.random() < 0.9:
        value = rng.choice([None, b"", bytes(rng.randrange(256) for _ in range(rng.randint(1, 9)))])
        return terms.TermInfo(maxweight, *stats, inline=(value,)), offset
    length = rng.randint(20, 5000)
    offset += rng.choice([0, 0, 0, 4])  # postings are usually back to back
    return terms.TermInfo(weight, *stats, postings=(offset, length)), offset + length


def _float32(value: float) -> float:
    return array("f", [value])[0]


def _rounded(info: terms.TermInfo) -> terms.TermInfo:
    """What the dictionary keeps of a term info: weights as 32-bit floats, lengths as
    length bytes (no shortest length reads as 0)."""
    shortest = info.min_length()
    return terms.TermInfo(
        _float32(info.weight()),
        info.doc_frequency(),
        0 if shortest is None else byte_to_length(length_to_byte(shortest)),
        byte_to_length(length_to_byte(info.max_length())),
        _float32(info.max_weight()),
        info.min_id(),
        info.max_id(),
        postings=info.extent(),
        inline=info.inline,
    )


def _facts(info: terms.TermInfo) -> tuple:
    where = info.inlined_postings() if info.is_inlined() else info.extent()
    return (
        info.weight(),
        info.doc_frequency(),
        info.min_length(),
        info.max_length(),
        info.max_weight(),
        info.min_id(),
        info.max_id(),
        info.is_inlined(),
        where,
    )


def _dictionary(rng: random.Random, count: int):
    words: set[bytes] = set()
    stem = "".join(rng.choices(string.ascii_lowercase, k=300))
    while len(words) < count:
        word = "".join(rng.choices("abcde", k=rng.randint(1, 8)))
        if rng.random() < 0.02:
            word = stem + word  # a shared prefix longer than a byte counts
        words.add(word.encode())
    keys = sorted(pack_ushort(rng.randrange(len(FIELDS))) + w for w in words)
    infos = []
    offset = 1000
    for _ in keys:
        info, offset = _info(rng, offset)
        infos.append(info)
    storage = RamStorage()
    writer = terms.TermsWriter(storage.create_file("t.trm"))
    writer.fieldmap.update({name: n for n, name in enumerate(FIELDS)})
    for key, info in zip(keys, infos, strict=True):
        writer.add(key, info)
    writer.close()
    postfile = storage.create_file("p")
    postfile.write(bytes(offset))  # as long as the postings the infos point to
    reader = terms.TermDictReader(
        None,
        storage.open_file("t.trm"),
        storage.file_length("t.trm"),
        PostingsFile(postfile, Place("p", "p")),
        Place("t.trm", "t.trm"),
    )
    return keys, infos, reader


def _decoded(key: bytes) -> tuple[str, bytes]:
    return FIELDS[int.from_bytes(key[:2], "big")], key[2:]


@pytest.mark.parametrize(("block_terms", "count", "seed"), [(4, 300, 1), (32, 1500, 2), (32, 0, 3)])
def test_dictionary_round_trip(monkeypatch, block_terms, count, seed):
    monkeypatch.setattr(terms, "BLOCK_TERMS", block_terms)
    monkeypatch.setattr(terms, "CACHED_BLOCKS", 3)  # blocks are dropped and read again
    rng = random.Random(seed)
    keys, infos, reader = _dictionary(rng, count)
    assert terms.is_terms_file(reader.data[:4])
    assert set(reader.indexed_field_names()) == set(FIELDS)
    expected = {_decoded(k): _rounded(i) for k, i in zip(keys, infos, strict=True)}
    assert list(reader.terms()) == [_decoded(k) for k in keys]
    assert [(t, _facts(i)) for t, i in reader.items()] == [
        (t, _facts(i)) for t, i in expected.items()
    ]
    for term in rng.sample(list(expected), min(200, len(expected))):
        assert term in reader
        info = expected[term]
        assert _facts(reader.term_info(*term)) == _facts(info)
        assert reader.frequency(*term) == info.weight()
        assert reader.doc_frequency(*term) == info.doc_frequency()
    missing = [("body", b"zzz"), ("body", b""), ("nofield", b"a"), ("title", b"ab\x00")]
    for term in missing:
        if term in expected:
            continue
        assert term not in reader
        with pytest.raises(TermNotFound):
            reader.term_info(*term)
        with pytest.raises(KeyError):
            reader.doc_frequency(*term)
    # Starting points before the first key, after the last, at and between block starts.
    starts = [("body", b""), ("title", b"\xff"), ("id", b"c"), ("body", b"abc")]
    starts += [_decoded(k) for k in reader.firsts]
    starts += [_decoded(k[:-1]) for k in reader.firsts if len(k) > 3]
    starts += [_decoded(k + b"\x00") for k in rng.sample(keys, min(30, len(keys)))]
    for fieldname, prefix in starts:
        key = pack_ushort(FIELDS.index(fieldname)) + prefix
        after = [k for k in keys if k >= key]
        assert list(reader.terms_from(fieldname, prefix)) == [_decoded(k) for k in after]
        items = list(reader.items_from(fieldname, prefix))
        assert [(t, _facts(i)) for t, i in items] == [
            (_decoded(k), _facts(expected[_decoded(k)])) for k in after
        ]


def test_cursor_walks_and_finds_a_fields_terms(monkeypatch):
    monkeypatch.setattr(terms, "BLOCK_TERMS", 5)
    rng = random.Random(9)
    keys, _, reader = _dictionary(rng, 400)
    field = fields.ID()
    for number, name in enumerate(FIELDS):
        words = [k[2:].decode() for k in keys if k[:2] == pack_ushort(number)]
        cursor = reader.cursor(name, field)
        walked = []
        text = cursor.text()
        while text is not None:
            walked.append(text)
            assert cursor.is_valid()
            assert cursor.term_info().doc_frequency() == reader.doc_frequency(name, text.encode())
            text = cursor.next()
        assert walked == words
        assert not cursor.is_valid() and cursor.term_info() is None
        assert cursor.first() == words[0]
        for probe in [*rng.sample(words, 20), "", "b", "ccc", "\uffff"]:
            found = cursor.find(probe)
            later = [w for w in words if w.encode() >= probe.encode()]
            assert found == (later[0] if later else None)


# -- through an index ---------------------------------------------------------------------

WORDS = ["harga", "beras", "naik", "turun", "pasar", "induk", "petani", "panen", "gagal"]


def _docs(start: int, n: int, seed: int = 4) -> list[dict[str, str]]:
    rng = random.Random(seed + start)
    return [
        {
            "id": f"d{i}",
            "title": " ".join(rng.choices(WORDS, k=3)),
            # a word of its own in every document: one posting, inlined
            "body": " ".join(rng.choices(WORDS, k=rng.randint(5, 60)))
            + f" harga khusus{i}"
            + (" semangka" if i == 17 else ""),
        }
        for i in range(start, start + n)
    ]


def _segments_readers(path):
    from whoosh import index as windex

    return windex.open_dir(str(path)).reader()


def test_an_index_reads_its_terms_and_inlined_postings(tmp_path):
    path = tmp_path / "ix"
    with Index.create(path) as ix:
        ix.add(_docs(0, 300))
        ix.add(_docs(300, 200))  # a second segment
        with _segments_readers(path) as reader:
            leaves = [leaf for leaf, _ in reader.leaf_readers()]
            assert len(leaves) == 2
            assert all(isinstance(leaf.codec(), EmbeddedCodec) for leaf in leaves)
            first = leaves[0]
            assert isinstance(first.postings("alltext", "khusus7"), InlineMatcher)
            assert isinstance(first.postings("alltext", "harga"), BlockMatcher)
            # prefix expansion walks the dictionary
            assert set(reader.expand_prefix("alltext", "khusus4")) >= {
                b"khusus4",
                b"khusus42",
                b"khusus499",
            }
        # a hapax word, alone, with another word, in a phrase, by prefix
        assert [h.id for h in ix.search("khusus17").hits] == ["d17"]
        assert [h.id for h in ix.search("khusus417").hits] == ["d417"]
        assert [h.id for h in ix.search("harga khusus17").hits] == ["d17"]
        assert [h.id for h in ix.search('"harga khusus17"').hits] == ["d17"]
        assert {h.id for h in ix.search("khusus49*", limit=50).hits} == {
            "d49",
            *(f"d{n}" for n in range(490, 500)),
        }
        both = ix.search("khusus17 khusus18")  # no document has both: any word
        assert both.fallback and sorted(h.id for h in both.hits) == ["d17", "d18"]
        either = ix.search("khusus17 OR khusus418")
        assert {h.id for h in either.hits} == {"d17", "d418"}
        # did-you-mean finds a hapax by its spelling
        assert ix.search("semangkw").suggestion == "semangka"
        stats = ix.stats()
        assert stats["terms"]["alltext"] >= 500 + len(WORDS)


def _hapax_queries(rng: random.Random, count: int):
    from searchlib.backends.embedded.plan import AllOf, AnyOf, Term
    from searchlib.backends.embedded.schema import COMBINED_FIELD

    for _ in range(count):
        words = [f"khusus{rng.randrange(500)}" for _ in range(rng.randint(1, 3))]
        words += rng.sample(WORDS, rng.randint(0, 2))
        terms = tuple(Term(COMBINED_FIELD, w) for w in words)
        yield terms[0] if len(terms) == 1 else rng.choice([AllOf, AnyOf])(terms)


def _build(path, *, inline: bool, monkeypatch) -> Index:
    with monkeypatch.context() as patch:
        if not inline:
            patch.setattr(
                codec_module,
                "PostingsWriter",
                lambda postfile, inline_single: PostingsWriter(postfile),
            )
        ix = Index.create(path)
        ix.add(_docs(0, 300))
        ix.add(_docs(300, 200))
        ix.delete(["d5", "d333"])
    return ix


def test_hapax_scores_equal_the_same_index_without_inlining(tmp_path, monkeypatch):
    from searchlib.backends.embedded.compile import whoosh_query
    from searchlib.backends.embedded.plan import words_of
    from searchlib.backends.embedded.topk import top_k

    inlined = _build(tmp_path / "inlined", inline=True, monkeypatch=monkeypatch)
    plain = _build(tmp_path / "plain", inline=False, monkeypatch=monkeypatch)
    with inlined, plain:
        ours, theirs = inlined._backend._searcher(), plain._backend._searcher()
        hapax = b"khusus17"
        assert ours.reader().term_info("alltext", hapax).is_inlined()
        assert not theirs.reader().term_info("alltext", hapax).is_inlined()
        rng = random.Random(3)
        for q in _hapax_queries(rng, 80):
            words = words_of(q)
            assert words is not None, q
            fast = top_k(ours, words, 10, seconds=60)
            assert fast is not None, q
            other = top_k(theirs, words, 10, seconds=60)
            assert other is not None
            assert (fast.scored, fast.matched) == (other.scored, other.matched), q
            assert (fast.segments is None) == (other.segments is None), q
            if fast.segments is not None and other.segments is not None:
                assert [d for _, d in fast.segments()] == [d for _, d in other.segments()], q
            # Whoosh's own matchers (adding scores in their own order) agree
            slow = ours.search(whoosh_query(q), limit=None, optimize=False)
            expected = sorted(((hit.score, hit.docnum) for hit in slow), key=_order)[:10]
            assert [d for _, d in fast.scored] == [d for _, d in expected], q
            assert [s for s, _ in fast.scored] == pytest.approx([s for s, _ in expected]), q
            slow_plain = theirs.search(whoosh_query(q), limit=None, optimize=False)
            assert [(h.score, h.docnum) for h in slow] == [
                (h.score, h.docnum) for h in slow_plain
            ], q
        for text in ["khusus17", "harga khusus17", '"harga khusus17"', "khusus4*", "semangka"]:
            got = [(h.id, h.score) for h in inlined.search(text, limit=50).hits]
            assert got == [(h.id, h.score) for h in plain.search(text, limit=50).hits], text
            assert got, text


def _order(item: tuple[float, int]) -> tuple[float, int]:
    return (-item[0], item[1])


def _trm_size(codec, tmp_path) -> int:
    """The term dictionary's size for 400 documents written with ``codec``."""
    from whoosh.filedb.filestore import FileStorage

    from searchlib.backends.embedded.schema import build_schema
    from searchlib.config import Config

    storage = FileStorage(str(tmp_path)).create()
    ix = storage.create_index(build_schema(Config()))
    writer = ix.writer(codec=codec)
    for doc in _docs(0, 400):
        writer.add_document(id=doc["id"], title=doc["title"], body=doc["body"])
    writer.commit(merge=False)
    writer = None
    with ix.reader() as reader:
        segment = reader.segment()
        compound = segment.open_compound_file(storage)
        size = compound.file_length(segment.make_filename(".trm"))
        compound.close()
    return int(size)


def test_the_dictionary_is_smaller_than_whooshs_hash_file(tmp_path):
    from whoosh.codec.whoosh3 import W3Codec

    ours = _trm_size(EmbeddedCodec(), tmp_path / "ours")
    whooshs = _trm_size(W3Codec(), tmp_path / "whoosh")
    assert ours * 3 < whooshs


def test_a_damaged_dictionary_block_is_a_storage_error(monkeypatch):
    monkeypatch.setattr(terms, "BLOCK_TERMS", 8)
    keys, infos, reader = _dictionary(random.Random(21), 200)
    assert reader.verify() == 200
    storage = RamStorage()
    data = bytearray(reader.data)
    n = 3
    data[reader.offsets[n] + 9] ^= 0x10  # inside block n
    with storage.create_file("t.trm") as f:
        f.write(bytes(data))
    damaged = terms.TermDictReader(
        None,
        storage.open_file("t.trm"),
        len(data),
        PostingsFile(storage.create_file("p"), Place("p", "p")),
        Place("x.seg", "x.trm"),
    )
    term = _decoded(keys[n * 8 + 2])
    with pytest.raises(StorageError, match=r"x\.seg \(part x\.trm\).*checksum.*reindex"):
        damaged.term_info(*term)
    with pytest.raises(StorageError, match=r"x\.trm"):
        damaged.verify()
    assert damaged.term_info(*_decoded(keys[0])).doc_frequency() == infos[0].doc_frequency()
    # A truncated file: its trailer is gone.
    with storage.create_file("short.trm") as f:
        f.write(bytes(data[: len(data) // 2]))
    with pytest.raises(StorageError, match=r"short\.trm.*trailer"):
        terms.TermDictReader(
            None,
            storage.open_file("short.trm"),
            len(data) // 2,
            PostingsFile(storage.create_file("q"), Place("q", "q")),
            Place("short.trm", "short.trm"),
        )


def test_terms_out_of_order_are_refused():
    writer = terms.TermsWriter(RamStorage().create_file("t.trm"))
    info, _ = _info(random.Random(1), 0)
    writer.add(b"\x00\x00b", info)
    with pytest.raises(StorageError):
        writer.add(b"\x00\x00a", info)


def test_field_writer_keeps_whooshs_per_term_path():
    """Whoosh's own writers call start_term/add/finish_term; those terms are written and
    inlined like the bulk path's."""
    codec = EmbeddedCodec()
    storage = RamStorage()
    segment = EmbeddedSegment("x")
    writer = SegmentFieldWriter(storage, segment)
    field = fields.TEXT(phrase=True)
    writer.start_field("body", field)
    for word, postings in [(b"a", [(1, 2.0), (5, 1.0)]), (b"b", [(3, 1.0)])]:
        writer.start_term(word)
        for doc, weight in postings:
            writer.add(doc, weight, b"\x01\x02", 4)
        writer.finish_term()
    writer.finish_field()
    writer.close()
    reader = codec.terms_reader(storage, segment)
    assert isinstance(reader, terms.TermDictReader)
    assert reader.term_info("body", b"b").is_inlined()
    assert not reader.term_info("body", b"a").is_inlined()
    m = reader.matcher("body", b"b", field.format)
    assert isinstance(m, InlineMatcher) and m.id() == 3 and m.weight() == 1.0
    assert m.copy().id() == 3
    reader.close()


def test_lookups_from_several_threads_agree(monkeypatch):
    """Readers are shared by `searchlib serve`'s threads, and so is their block cache."""
    monkeypatch.setattr(terms, "BLOCK_TERMS", 4)
    monkeypatch.setattr(terms, "CACHED_BLOCKS", 2)
    rng = random.Random(12)
    keys, infos, reader = _dictionary(rng, 600)
    expected = [_facts(_rounded(i)) for i in infos]

    def lookups(seed: int) -> None:
        order = random.Random(seed)
        for _ in range(2000):
            n = order.randrange(len(keys))
            assert _facts(reader.term_info(*_decoded(keys[n]))) == expected[n]

    assert not run_threads(lookups, [(seed,) for seed in range(4)])


def test_readers_of_one_segment_share_its_sparse_index(tmp_path):
    import gc

    with Index.create(tmp_path / "ix") as ix:
        ix.add(_docs(0, 200))
    with _segments_readers(tmp_path / "ix") as reader:
        codec, storage, segment = reader.codec(), reader.storage(), reader.segment()
        ours = codec.terms_reader(storage, segment)
        theirs = codec.terms_reader(storage, segment)
        assert ours is not theirs and ours.trailer is theirs.trailer
        key = next(k for k, v in terms.TRAILERS.items() if v is ours.trailer)
        ours.close()
        assert list(theirs.terms_from("alltext", b"khusus19"))[:2] == [
            ("alltext", b"khusus19"),
            ("alltext", b"khusus190"),
        ]
        theirs.close()
    del ours, theirs, reader
    gc.collect()
    assert key not in terms.TRAILERS
