"""The Indonesian tokenizer: token tables with offsets, protection, the analysis
options, the over-long guard, and properties that must hold for any input."""

from __future__ import annotations

import pickle

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from searchlib.analysis import tokenizer as tokmod
from searchlib.analysis.tokenizer import IndonesianTokenizer, _Chunker, normalize_word
from searchlib.errors import AnalyzerError


def tokens(text: str, **kwargs: object) -> list[tuple[str, int, int, str, bool]]:
    """(surface, start, end, text, protected) for each token."""
    tok = IndonesianTokenizer(**kwargs)  # type: ignore[arg-type]
    return [
        (text[t.startchar : t.endchar], t.startchar, t.endchar, t.text, t.protected)
        for t in tok(text, chars=True)
    ]


def texts(text: str) -> list[str]:
    return [t.text for t in IndonesianTokenizer()(text)]


# input -> [(surface, start, end, normalized text, protected)]
TABLE = {
    "Anak-anak bermain": [
        ("Anak-anak", 0, 9, "anak", False),  # exact reduplication -> the base
        ("bermain", 10, 17, "bermain", False),
    ],
    "buku-buku perusahaan-perusahaan": [
        ("buku-buku", 0, 9, "buku", False),
        ("perusahaan-perusahaan", 10, 31, "perusahaan", False),
    ],
    # affixed reduplication: one token, left to the stemmer
    "berlari-lari kemerah-merahan": [
        ("berlari-lari", 0, 12, "berlari-lari", False),
        ("kemerah-merahan", 13, 28, "kemerah-merahan", False),
    ],
    "tembak-menembak anak-anaknya": [
        ("tembak-menembak", 0, 15, "tembak-menembak", False),
        ("anak-anaknya", 16, 28, "anak-anaknya", False),
    ],
    # imitative pairs: two tokens, so "sayur" finds "sayur-mayur"
    "sayur-mayur bolak-balik": [
        ("sayur", 0, 5, "sayur", False),
        ("mayur", 6, 11, "mayur", False),
        ("bolak", 12, 17, "bolak", False),
        ("balik", 18, 23, "balik", False),
    ],
    "lauk-pauk gerak-gerik": [
        ("lauk", 0, 4, "lauk", False),
        ("pauk", 5, 9, "pauk", False),
        ("gerak", 10, 15, "gerak", False),
        ("gerik", 16, 21, "gerik", False),
    ],
    # compounds of two words: split, so "Malaysia" and "Video" find them
    "Indonesia-Malaysia Prime-Video": [
        ("Indonesia", 0, 9, "indonesia", False),
        ("Malaysia", 10, 18, "malaysia", False),
        ("Prime", 19, 24, "prime", False),
        ("Video", 25, 30, "video", False),
    ],
    # a digit or a one-letter part: one protected token
    "Covid-19 e-commerce PDI-P ke-2 1990-an": [
        ("Covid-19", 0, 8, "covid-19", True),
        ("e-commerce", 9, 19, "e-commerce", True),
        ("PDI-P", 20, 25, "pdi-p", True),
        ("ke-2", 26, 30, "ke-2", True),
        ("1990-an", 31, 38, "1990-an", True),
    ],
    # a clitic after a hyphen is dropped; the acronym stays protected
    "KPK-nya": [("KPK-nya", 0, 7, "kpk", True)],
    # numbers keep their separators
    "1.000 orang, 2,5 ton, 15% dan pukul 10.30.": [
        ("1.000", 0, 5, "1.000", True),
        ("orang", 6, 11, "orang", False),
        ("2,5", 13, 16, "2,5", True),
        ("ton", 17, 20, "ton", False),
        ("15%", 22, 25, "15%", True),
        ("dan", 26, 29, "dan", False),
        ("pukul", 30, 35, "pukul", False),
        ("10.30", 36, 41, "10.30", True),
    ],
    "Rp1.000.000": [("Rp", 0, 2, "rp", True), ("1.000.000", 2, 11, "1.000.000", True)],
    "G20 MH370": [("G20", 0, 3, "g20", True), ("MH370", 4, 9, "mh370", True)],
    # URLs (trailing punctuation left out), e-mail, mentions, hashtags: whole and protected
    "(https://www.detik.com/berita/d-123?x=1).": [
        (
            "https://www.detik.com/berita/d-123?x=1",
            1,
            39,
            "https://www.detik.com/berita/d-123?x=1",
            True,
        )
    ],
    "www.kompas.id, redaksi@detik.com": [
        ("www.kompas.id", 0, 13, "www.kompas.id", True),
        ("redaksi@detik.com", 15, 32, "redaksi@detik.com", True),
    ],
    "@jokowi #SaveKPK": [("@jokowi", 0, 7, "@jokowi", True), ("#SaveKPK", 8, 16, "#savekpk", True)],
    # a bare domain splits at its dots: "detik" finds it
    "detik.com": [("detik", 0, 5, "detik", False), ("com", 6, 9, "com", False)],
    # acronyms (all caps, 2-5 letters) are protected; longer all-caps words are not
    "AS UU PT DPR KPK POLRI BERMAIN": [
        ("AS", 0, 2, "as", True),
        ("UU", 3, 5, "uu", True),
        ("PT", 6, 8, "pt", True),
        ("DPR", 9, 12, "dpr", True),
        ("KPK", 13, 16, "kpk", True),
        ("POLRI", 17, 22, "polri", True),
        ("BERMAIN", 23, 30, "bermain", False),
    ],
    # dotted abbreviations: single letters lose the dots; "dll." is the word dll
    "S.H. a.n. dll. dsb.": [
        ("S.H.", 0, 4, "sh", True),
        ("a.n.", 5, 9, "an", True),
        ("dll", 10, 13, "dll", False),
        ("dsb", 15, 18, "dsb", False),
    ],
    "A.Yani": [("A", 0, 1, "a", False), ("Yani", 2, 6, "yani", False)],
    # apostrophes inside words are dropped; an English possessive is removed
    "Jum'at Ma’ruf Trump's": [
        ("Jum'at", 0, 6, "jumat", False),
        ("Ma’ruf", 7, 13, "maruf", False),
        ("Trump's", 14, 21, "trump", False),
    ],
    # NFKC, casefold, diacritics folded, invisible characters inside words removed
    "Café NAÏVE ＤＰＲ Straße peme\u00adrintah": [
        ("Café", 0, 4, "cafe", False),
        ("NAÏVE", 5, 10, "naive", True),
        ("ＤＰＲ", 11, 14, "dpr", True),
        ("Straße", 15, 21, "strasse", False),
        ("peme\u00adrintah", 22, 33, "pemerintah", False),
    ],
    "cafe\u0301 ": [("cafe\u0301", 0, 5, "cafe", False)],  # decomposed accent: one token
    # emoji, underscores and control characters are separators, never tokens
    "banjir😀di\x00Jakarta ____": [
        ("banjir", 0, 6, "banjir", False),
        ("di", 7, 9, "di", False),
        ("Jakarta", 10, 17, "jakarta", False),
    ],
}


@pytest.mark.parametrize("text", list(TABLE))
def test_token_table(text: str) -> None:
    assert tokens(text) == TABLE[text]


def test_offsets_index_the_original_text_when_normalization_changes_length() -> None:
    # NFKC turns the ligature into two letters; offsets still point into the input.
    text = "ﬁlm Straße"
    assert [(s, t) for s, _, _, t, _ in tokens(text)] == [("ﬁlm", "film"), ("Straße", "strasse")]


def test_whitespace_of_every_kind_separates() -> None:
    text = "satu\u00a0dua\u2028tiga\u3000empat\tlima\r\nenam"
    assert texts(text) == ["satu", "dua", "tiga", "empat", "lima", "enam"]


def test_overlong_tokens_are_truncated_protected_and_keep_their_full_offsets() -> None:
    word = "a" * 100
    assert tokens(f"x {word} y") == [
        ("x", 0, 1, "x", False),
        (word, 2, 102, "a" * 64, True),
        ("y", 103, 104, "y", False),
    ]
    assert tokens("abcdefgh", max_token_length=5) == [("abcdefgh", 0, 8, "abcde", True)]
    url = "https://example.com/" + "p" * 200
    [(surface, _, _, text, protected)] = tokens(url)
    assert surface == url and text == url[:64] and protected


def test_analysis_options() -> None:
    tok = IndonesianTokenizer()
    got = [
        (t.text, t.pos, t.startchar, t.endchar, t.original, t.mode, t.boost, t.stopped)
        for t in tok(
            "Harga beras",
            positions=True,
            chars=True,
            keeporiginal=True,
            start_pos=10,
            start_char=100,
            mode="index",
        )
    ]
    assert got == [
        ("harga", 10, 100, 105, "Harga", "index", 1.0, False),
        ("beras", 11, 106, 111, "beras", "index", 1.0, False),
    ]


def test_extra_keyword_arguments_land_on_the_token() -> None:
    [t] = list(IndonesianTokenizer()("kata", boosts=True))
    assert t.boosts is True


def test_tokenize_false_yields_the_whole_value_normalized() -> None:
    tok = IndonesianTokenizer()
    got = [
        (t.text, t.startchar, t.endchar, t.protected)
        for t in tok("Anak-Anak Bangsa", tokenize=False, chars=True)
    ]
    assert got == [("anak-anak bangsa", 0, 16, False)]
    assert [t.protected for t in tok("DPR", tokenize=False)] == [True]
    assert list(tok("   ", tokenize=False)) != []  # whitespace is a value too
    assert list(tok("", tokenize=False)) == []
    assert [t.text for t in tok("kata\ud800\x00", tokenize=False)] == ["kata"]


def test_every_token_carries_a_fresh_protected_flag() -> None:
    # The tokenizer reuses one Token object: the flag must be reset for every token.
    flags = [t.protected for t in IndonesianTokenizer()("DPR rapat 2024 hari ini")]
    assert flags == [True, False, True, False, False]


def test_non_text_input_is_an_analyzer_error() -> None:
    with pytest.raises(AnalyzerError):
        list(IndonesianTokenizer()(b"bytes"))  # type: ignore[arg-type]


def test_pickles_configuration_only() -> None:
    tok = IndonesianTokenizer(max_token_length=32)
    list(tok("isi memo"))
    clone = pickle.loads(pickle.dumps(tok))
    assert clone == tok and clone.max_token_length == 32
    assert clone.__getstate__() == {"max_token_length": 32}
    assert clone != IndonesianTokenizer(max_token_length=64)


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("Menulis", "menulis"),
        ("JUM'AT", "jumat"),
        ("Ma\u2019ruf", "maruf"),
        ("naïve", "naive"),
        ("ＡＢＣ", "abc"),
        ("İstanbul", "istanbul"),
        ("anak\u2011anak", "anak-anak"),
        ("", ""),
    ],
)
def test_normalize_word(word: str, expected: str) -> None:
    assert normalize_word(word) == expected


# --- properties -------------------------------------------------------------------------

# Characters that exercise every rule: letters of several scripts and cases, digits,
# separators of numbers, hyphens, apostrophes, "@", "#", URL punctuation, combining marks,
# invisible characters, emoji, control characters, lone surrogates and whitespace.
_ALPHABET = st.sampled_from(
    list("aAbBeEkKmMnNrRsStTzZ019")
    + list(".,:;-'%@#/?!()\"_+")
    + ["\u2019", "\u2010", "\u2011", "\u00ad", "\u200c", "\u0301", "é", "ß", "İ", "ﬁ", "Ｄ"]
    + ["😀", "\x00", "\x1f", "\ud800", "\udfff", " ", "\n", "\u2028", "\u00a0"]
    + ["http://", "www.", "Rp", "anak-anak", "me", "nya"]
)
_TEXT = st.one_of(st.text(), st.lists(_ALPHABET, max_size=40).map("".join))


@pytest.mark.slow
@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(_TEXT)
def test_any_text_tokenizes_with_offsets_that_point_at_the_surface(text: str) -> None:
    tok = IndonesianTokenizer()
    got = [
        (t.text, t.pos, t.startchar, t.endchar, t.original, t.protected)
        for t in tok(text, positions=True, chars=True, keeporiginal=True)
    ]
    previous_end = 0
    for i, (norm, pos, start, end, original, protected) in enumerate(got):
        assert pos == i
        assert previous_end <= start < end <= len(text)
        assert text[start:end] == original
        assert norm and len(norm) <= 64 and not any(c.isspace() for c in original)
        assert isinstance(protected, bool)
        norm.encode("utf-8")  # a term an index can store: no lone surrogates
        previous_end = end
    # Stable: the memo (now warm) and a fresh tokenizer give the same tokens again.
    again = [
        (t.text, t.pos, t.startchar, t.endchar, t.original, t.protected)
        for t in tok(text, positions=True, chars=True, keeporiginal=True)
    ]
    fresh = [
        (t.text, t.pos, t.startchar, t.endchar, t.original, t.protected)
        for t in IndonesianTokenizer()(text, positions=True, chars=True, keeporiginal=True)
    ]
    assert again == got == fresh


@pytest.mark.slow
@settings(max_examples=400)
@given(_TEXT)
def test_chunked_tokenizing_equals_one_regex_pass_over_the_whole_text(text: str) -> None:
    # The tokenizer splits on whitespace, memoizes chunks and takes fast paths; all of that
    # must give exactly what the full regex gives on the unsplit text.
    reference = _Chunker(64).regex_tokens(text)
    got = tuple(
        (t.startchar, t.endchar, t.text, t.protected)
        for t in IndonesianTokenizer()(text, chars=True)
    )
    assert got == reference


_CHUNK = st.lists(
    st.sampled_from(
        [
            *"aAzZkK09-'.,:%@#/()\"`*_+!?",
            *("\u2019", "\u2013", "\u2026", "é", "www.", "http://", "://", "--", "Rp"),
        ]
    ),
    max_size=12,
).map("".join)


@pytest.mark.slow
@settings(max_examples=1000)
@given(_CHUNK)
def test_fast_paths_agree_with_the_regex(chunk: str) -> None:
    chunker = _Chunker(64)
    assert chunker.tokens(chunk) == chunker.regex_tokens(chunk)


def test_long_texts_are_cut_into_blocks_at_whitespace(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tokmod, "_BLOCK", 16)
    text = "Presiden meninjau lokasi banjir di Jakarta Utara pada Senin pagi " * 5 + "x" * 40
    got = [(t.startchar, t.endchar, t.text) for t in IndonesianTokenizer()(text, chars=True)]
    assert got == [(s, e, n) for s, e, n, _ in _Chunker(64).regex_tokens(text)]
    assert [text[s:e] for s, e, _ in got][-1] == "x" * 40


@pytest.mark.parametrize(
    "text",
    [
        "",
        " \t\n\r\x0b\x0c\u2028\u2029\u3000",
        "".join(chr(c) for c in range(32)),
        "😀🇮🇩👍🏽‍♂️",
        "\ud800\udc00\udfff kata \ud800",
        "-" * 1000,
        "a-" * 5000,
        "'" * 1000,
        "@" * 1000 + "#" * 1000,
    ],
)
def test_bad_input_never_raises(text: str) -> None:
    for t in IndonesianTokenizer()(text, positions=True, chars=True):
        assert text[t.startchar : t.endchar]


@pytest.mark.parametrize(
    "unit",
    [
        "Presiden meninjau banjir di Jakarta, 1.000 warga mengungsi (https://x.id/a). ",
        "ab.ab.",  # would be quadratic with an unbounded domain or e-mail pattern
        "a@a.",
        "1.1,",
        "x",  # 10 MB without whitespace: one over-long token
    ],
)
@pytest.mark.slow
def test_ten_megabytes_of_text(unit: str) -> None:
    text = unit * (10_000_000 // len(unit))
    count = 0
    last = None
    for t in IndonesianTokenizer()(text, chars=True):
        count += 1
        last = (t.startchar, t.endchar, t.text)
    assert count > 0 and last is not None
    assert last[1] <= len(text) and len(last[2]) <= 64


def test_every_regex_alternative_is_reachable() -> None:
    kinds = set()
    sample = "https://a.id x@y.id @a #b S.H. kata 1.000"
    for m in tokmod._FULL_RE.finditer(sample):
        kinds.add(m.lastgroup)
    assert kinds == {"url", "email", "tag", "abbr", "word"}


def test_edge_punctuation_can_never_be_part_of_a_token() -> None:
    # The fast path strips these characters from a chunk's ends unseen by the regex.
    for char in tokmod.EDGE_PUNCT:
        assert not char.isalnum() and char not in "_@#" and not char.isspace()
