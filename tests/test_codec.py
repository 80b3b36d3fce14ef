"""searchlib's posting blocks hold exactly what Whoosh's own blocks hold."""

from __future__ import annotations

import random

import pytest
from whoosh import fields
from whoosh.codec.whoosh3 import W3Codec
from whoosh.filedb.filestore import RamStorage

from searchlib._whoosh.codec import LeafMatcher, SearchlibCodec, _narrowest


@pytest.mark.parametrize(
    ("values", "code"),
    [([0, 255], "B"), ([256], "H"), ([65535], "H"), ([65536], "I"), ([2**32], "Q"), ([], "B")],
)
def test_ids_use_the_narrowest_array(values, code):
    assert _narrowest(values).typecode == code


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
