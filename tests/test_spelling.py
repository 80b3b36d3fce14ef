"""Did-you-mean gives what Whoosh's corrector gives, without scanning with its distance."""

from __future__ import annotations

import random

import pytest

from searchlib import Index
from searchlib.backends.embedded.spelling import closest_term

WORDS = [
    "amazon", "rusia", "ekonomi", "presiden", "pemilu", "banjir", "jakarta", "harga",
    "beras", "naik", "turun", "sekolah", "guru", "murid", "rumah", "sakit", "dokter",
    "pasar", "saham", "bursa", "emas", "minyak", "bensin", "listrik", "jalan", "tol",
]  # fmt: skip


@pytest.fixture(scope="module")
def ix(tmp_path_factory):
    rng = random.Random(11)
    path = tmp_path_factory.mktemp("spell") / "ix"
    index = Index.create(path)
    docs = []
    for i in range(1500):
        body = " ".join(rng.choices(WORDS, k=30)) + f" kode{i % 97} nama{i % 13}x"
        docs.append({"id": f"d{i}", "title": f"Berita {rng.choice(WORDS)}", "body": body})
    # Two batches: two segments, whose lexicons both count.
    index.add(docs[:700])
    index.add(docs[700:])
    yield index
    index.close()


def _typos(word: str, rng: random.Random) -> list[str]:
    i = rng.randrange(1, len(word))
    return [
        word[:i] + word[i + 1 :],  # deletion
        word[:i] + "x" + word[i:],  # insertion
        word[:i] + "q" + word[i + 1 :],  # substitution
        word[: i - 1] + word[i] + word[i - 1] + word[i + 1 :],  # transposition
        word[:i] + "zz" + word[i + 1 :],  # two edits
        word + "zzz",  # three edits: nothing
    ]


def test_same_suggestion_as_whoosh_corrector(ix):
    rng = random.Random(3)
    searcher = ix._backend._searcher()
    reader = searcher.reader()
    field = ix._backend.posting_field("body")
    assert len(reader.leaf_readers()) == 2
    corrector = searcher.corrector(field)
    found = 0
    for word in [*WORDS, "kode5", "nama3x", "zebra", "a"]:
        for typo in _typos(word, rng) if len(word) > 2 else [word]:
            expected = corrector.suggest(typo, limit=1, maxdist=2, prefix=1)
            got = closest_term(reader, field, typo)
            assert got == (expected[0] if expected else None), typo
            found += got is not None
    assert found > 80  # most typos have a suggestion, so the comparison is not vacuous


def test_misspelled_query_suggests_the_word(ix):
    res = ix.search("ekonomu")
    assert res.suggestion == "ekonomi"
