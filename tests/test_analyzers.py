"""Named analyzers and the public analysis API: YAML definitions, overrides, fingerprints,
pickling, the fused chain (same tokens as the plain chain), the stopword list, and
analyze / analyze_tokens / stem / get_analyzer."""

from __future__ import annotations

import io
import json
import os
import pickle
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import searchlib
from searchlib.analysis import AnalyzedToken, AnalyzerSpec, load_spec
from searchlib.analysis.base import Filter, Token
from searchlib.analysis.chain import Chain, IndonesianAnalyzer
from searchlib.analysis.filters import IndonesianStemFilter, SnowballStemFilter, StopwordFilter
from searchlib.analysis.lexicon import load_wordlist
from searchlib.analysis.tokenizer import IndonesianTokenizer
from searchlib.config import load_config
from searchlib.errors import AnalyzerError

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
NAMES = ["indonesian", "indonesian-light", "simple", "indonesian-snowball"]


# --- definitions -------------------------------------------------------------------------


def test_the_named_analyzers_ship() -> None:
    assert set(NAMES) <= set(searchlib.available_analyzers())
    default, light, simple, snowball = (load_spec(n) for n in NAMES)
    assert [s.stemmer_mode for s in (default, light, simple, snowball)] == [
        "full",
        "light",
        "none",
        "snowball",
    ]
    # all share the default's tokenizer limit and stopwords
    assert default.stopwords == light.stopwords == simple.stopwords == snowball.stopwords
    assert "yang" in default.stopwords and default.max_token_length == 64
    assert snowball.max_token_length == 64


def test_unknown_analyzer_is_an_error_with_a_hint() -> None:
    with pytest.raises(AnalyzerError, match="unknown analyzer 'klingon'") as info:
        load_spec("klingon")
    assert "indonesian" in (info.value.hint or "")
    with pytest.raises(AnalyzerError):
        load_spec("../analyzers/indonesian")


def test_spec_is_frozen_and_hashable() -> None:
    spec = load_spec("indonesian")
    assert hash(spec) == hash(load_spec("indonesian"))
    with pytest.raises(AttributeError):
        spec.stemmer_mode = "light"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("overrides", "check"),
    [
        ({"stopwords": {"add": ["Amazon"]}}, lambda s: "amazon" in s.stopwords),
        ({"stopwords": {"remove": ["yang"]}}, lambda s: "yang" not in s.stopwords),
        ({"stopwords": {"words": ["x", "y"]}}, lambda s: s.stopwords == {"x", "y"}),
        (
            {"stopwords": {"words": ["x"], "add": ["z"], "remove": ["x"]}},
            lambda s: s.stopwords == {"z"},
        ),
        ({"stemmer": {"protected": ["Cimahi"]}}, lambda s: "cimahi" in s.protected),
        ({"stemmer": {"mode": "light"}}, lambda s: s.stemmer_mode == "light"),
        ({"max_token_length": 20}, lambda s: s.max_token_length == 20),
        ({}, lambda s: s == load_spec("indonesian")),
    ],
)
def test_overrides(overrides: dict, check) -> None:  # type: ignore[no-untyped-def]
    assert check(load_spec("indonesian").with_overrides(overrides))


def test_overrides_change_what_analyze_returns() -> None:
    base = load_spec("indonesian")
    text = "Amazon menghentikan layanan yang baru"
    assert "amazon" in searchlib.analyze(text, base)
    assert "amazon" not in searchlib.analyze(
        text, base.with_overrides({"stopwords": {"add": ["amazon"]}})
    )
    assert "yang" in searchlib.analyze(
        text, base.with_overrides({"stopwords": {"remove": ["yang"]}})
    )
    assert searchlib.analyze(text, base.with_overrides({"stopwords": {"words": []}}))[3] == "yang"
    # a protected word is not stemmed
    protected = base.with_overrides({"stemmer": {"protected": ["menghentikan"]}})
    assert "menghentikan" in searchlib.analyze(text, protected)
    assert "menghentikan" not in searchlib.analyze(text, base)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"stopword": {}}, "unknown key stopword"),
        ({"stopwords": {"append": ["x"]}}, "unknown key stopwords.append"),
        ({"stopwords": {"add": "x"}}, "stopwords.add must be list"),
        ({"stopwords": {"add": [1]}}, r"stopwords.add\[\] must be str"),
        ({"stemmer": {"mode": "heavy"}}, "stemmer.mode must be one of"),
        ({"max_token_length": 0}, "max_token_length must be between"),
        ({"max_token_length": True}, "max_token_length must be int"),
        ({"stopwords": {"file": "no-such-list.txt"}}, "cannot read word list"),
    ],
)
def test_bad_overrides_are_analyzer_errors(overrides: dict, message: str) -> None:
    with pytest.raises(AnalyzerError, match=message):
        load_spec("indonesian").with_overrides(overrides, where="searchlib.yaml")


# --- fingerprints --------------------------------------------------------------------------


def test_fingerprint_tracks_what_decides_the_terms() -> None:
    base = load_spec("indonesian")
    fp = base.fingerprint
    assert len(fp) == 16 and fp == load_spec("indonesian").fingerprint
    changed = [
        base.with_overrides({"stopwords": {"add": ["amazon"]}}),
        base.with_overrides({"stopwords": {"remove": ["yang"]}}),
        base.with_overrides({"stemmer": {"protected": ["cimahi"]}}),
        base.with_overrides({"max_token_length": 32}),
        load_spec("indonesian-light"),
        load_spec("simple"),
        load_spec("indonesian-snowball"),
        base.with_overrides({"stemmer": {"mode": "snowball"}}),
    ]
    prints = [spec.fingerprint for spec in changed]
    assert fp not in prints and len(set(prints)) == len(prints)
    # the content decides, not the name: the default switched to light mode is "light"
    light = base.with_overrides({"stemmer": {"mode": "light"}})
    assert light.fingerprint == load_spec("indonesian-light").fingerprint


def test_fingerprint_ignores_what_does_not() -> None:
    base = load_spec("indonesian")
    same = [
        base.with_overrides({"description": "another description"}),
        base.with_overrides({"stopwords": {"add": ["yang"]}}),  # already there
        base.with_overrides({"stopwords": {"remove": ["presiden"]}}),  # never there
        AnalyzerSpec(**{**base.__dict__, "name": "renamed"}),
        AnalyzerSpec(**{**base.__dict__, "stopwords": frozenset(sorted(base.stopwords))}),
    ]
    assert {spec.fingerprint for spec in same} == {base.fingerprint}


def test_fingerprint_is_stable_across_processes() -> None:
    code = (
        "from searchlib.analysis import load_spec;"
        "print(' '.join(load_spec(n).fingerprint for n in "
        f"{tuple(NAMES)!r}))"
    )
    runs = {
        subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
        ).stdout.strip()
        for seed in ("1", "2")
    }
    assert runs == {" ".join(load_spec(n).fingerprint for n in NAMES)}


# --- analyzers: pickling, stable paths, fused == plain chain ------------------------------

_ALLOWED_MODULES = {
    "searchlib.analysis.chain",
    "searchlib.analysis.tokenizer",
    "searchlib.analysis.filters",
    "builtins",
    "__builtin__",  # protocol 2 spells builtins this way
    "copyreg",
}


def _globals(data: bytes) -> set[str]:
    """The modules unpickling ``data`` imports from."""
    found: set[str] = set()

    class Recorder(pickle.Unpickler):
        def find_class(self, module: str, name: str) -> object:
            found.add(module)
            return super().find_class(module, name)

    Recorder(io.BytesIO(data)).load()
    return found


@pytest.mark.parametrize("name", NAMES)
def test_every_named_analyzer_pickles_without_a_stemmer(name: str) -> None:
    analyzer = searchlib.get_analyzer(name)
    text = "Perusahaan itu menghentikan layanannya di Rusia, anak-anak berlari-lari."
    before = searchlib.analyze(text, name)  # the stemmer is loaded now
    for protocol in range(2, pickle.HIGHEST_PROTOCOL + 1):
        data = pickle.dumps(analyzer, protocol=protocol)
        assert b"Stemmer" not in data  # neither PyStemmer nor our stemmer object
        assert _globals(data) <= _ALLOWED_MODULES
        clone = pickle.loads(data)
        assert type(clone) is IndonesianAnalyzer and clone == analyzer
        assert [t.text for t in clone(text)] == before


def test_pickled_state_is_plain_configuration() -> None:
    analyzer = searchlib.get_analyzer("indonesian")
    list(analyzer("isi semua memo dulu"))
    state = analyzer.__getstate__()
    assert set(state) == {"items"}
    tokenizer, stop, stem = state["items"]
    assert tokenizer.__getstate__() == {"max_token_length": 64}
    assert set(stop.__getstate__()) == {"stopwords"}
    assert stem.__getstate__() == {
        "mode": "full",
        "lexicon": "roots-id.txt",
        "protected": load_spec("indonesian").protected,
        "variants": "variants-id.txt",
    }


def test_build_gives_tokenizer_then_small_filters() -> None:
    items = load_spec("indonesian").build().items
    assert [type(i) for i in items] == [IndonesianTokenizer, StopwordFilter, IndonesianStemFilter]
    assert [type(i) for i in load_spec("simple").build().items] == [
        IndonesianTokenizer,
        StopwordFilter,
    ]
    assert [type(i) for i in load_spec("indonesian-snowball").build().items] == [
        IndonesianTokenizer,
        StopwordFilter,
        SnowballStemFilter,
    ]
    bare = AnalyzerSpec(name="bare", stemmer_mode="none").build()
    assert [type(i) for i in bare.items] == [IndonesianTokenizer]


def _plain(analyzer: IndonesianAnalyzer) -> Chain:
    """The same items run the plain way, one generator per filter."""
    return Chain(*analyzer.items)


def _run(analyzer, text: str, **kwargs) -> list[tuple]:  # type: ignore[no-untyped-def]
    out = []
    for t in analyzer(text, **kwargs):
        row = [t.text, t.stopped, getattr(t, "protected", None), t.boost]
        if kwargs.get("positions"):
            row.append(t.pos)
        if kwargs.get("chars"):
            row += [t.startchar, t.endchar]
        if kwargs.get("keeporiginal"):
            row.append(t.original)
        out.append(tuple(row))
    return out


_KWARGS = [
    {},
    {"positions": True, "mode": "index"},
    {"positions": True, "chars": True, "start_pos": 3, "start_char": 7},
    {"chars": True, "keeporiginal": True},
    {"positions": True, "removestops": False},
    {"positions": True, "chars": True, "removestops": False, "mode": "query"},
]

_WORDS = st.sampled_from(
    [
        "Presiden",
        "presiden,",
        "(Presiden",
        "yang",
        "YANG",
        "di",
        "Di.",
        "menulis",
        "ditulis",
        "DPR",
        "KPK-nya",
        "anak-anak",
        "sayur-mayur",
        "Rp1.000",
        "2,5%",
        "https://x.id/a).",
        "@jokowi",
        "S.H.",
        "Jum'at",
        "Café",
        "—",
        ".",
        "tidak",
        "AS",
        "berlari-lari",
        "\ud800",
        "😀",
        "x" * 70,
        "e-commerce",
        "2025,",
        "(G20).",
        "g20",
        "10.30.",
        "www.",
    ]
)
_SENTENCES = st.lists(
    st.tuples(_WORDS, st.sampled_from([" ", "  ", "\n", "\u00a0", "\t"])), max_size=30
).map(lambda pairs: "".join(w + s for w, s in pairs))


@settings(max_examples=200, deadline=None)
@given(st.one_of(_SENTENCES, st.text(max_size=60)))
def test_fused_chain_gives_exactly_the_plain_chain(text: str) -> None:
    for name in NAMES:
        fused = searchlib.get_analyzer(name)
        plain = _plain(fused)
        for kwargs in _KWARGS:
            assert _run(fused, text, **kwargs) == _run(plain, text, **kwargs), (name, kwargs)
        # the bulk writer's and the cluster backend's shortcut: terms without tokens
        assert fused.kept_terms(text) == fused.terms(text) == [t.text for t in plain(text)]


def test_fused_chain_on_real_news_text() -> None:
    corpus = SHARED / "corpus" / "detik-1000.jsonl"
    if not corpus.is_file():
        pytest.skip(f"{corpus} is absent (../shared is not checked out)")
    with corpus.open(encoding="utf-8") as lines:
        docs = [json.loads(line) for _, line in zip(range(40), lines, strict=False)]
    fused = load_spec("indonesian").build()  # fresh memos
    plain = _plain(fused)
    for doc in docs:
        for kwargs in ({"positions": True}, {"chars": True, "positions": True}):
            assert _run(fused, doc["body"], **kwargs) == _run(plain, doc["body"], **kwargs)


class _Upper(Filter):
    """A filter the fused chain does not know."""

    def __call__(self, tokens):  # type: ignore[no-untyped-def]
        for t in tokens:
            t.text = t.text.upper()
            yield t


def test_other_chains_run_the_plain_way() -> None:
    analyzer = searchlib.get_analyzer("indonesian")
    extended = IndonesianAnalyzer(*analyzer.items, _Upper())
    assert not extended.fusable
    assert [t.text for t in extended("Menulis DPR")] == [
        t.upper() for t in searchlib.analyze("Menulis DPR")
    ]
    assert extended.terms("Menulis DPR") == [t.upper() for t in searchlib.analyze("Menulis DPR")]
    with pytest.raises(AnalyzerError, match="fused chain"):
        extended.kept_terms("Menulis")
    no_morph = [t.text for t in analyzer("Menulis berita", no_morph=True)]
    assert no_morph == ["menulis", "berita"]
    whole = [t.text for t in analyzer("Menulis Berita", tokenize=False)]
    assert whole == [searchlib.stem("menulis berita")]


def test_a_chain_starts_with_a_tokenizer_and_then_has_filters_only() -> None:
    tokenizer = IndonesianTokenizer()
    with pytest.raises(AnalyzerError, match="starts with a tokenizer"):
        Chain(StopwordFilter(["yang"]))  # type: ignore[arg-type]
    with pytest.raises(AnalyzerError, match="only filters may follow"):
        Chain(tokenizer, tokenizer)  # type: ignore[arg-type]


def test_terms_are_the_tokens_texts() -> None:
    text = "Presiden (menulis) yang DPR-nya, anak-anak 1.000 https://x.id/a."
    for name in NAMES:
        analyzer = searchlib.get_analyzer(name)
        assert analyzer.terms(text) == [t.text for t in analyzer(text)]
        assert analyzer.kept_terms(text) == [t.text for t in _plain(analyzer)(text)]


def test_tokens_copy_keeps_a_token_past_the_next_one() -> None:
    copies = [t.copy() for t in searchlib.get_analyzer()("Presiden menulis", positions=True)]
    assert [(t.text, t.pos) for t in copies] == [("presiden", 0), ("tulis", 1)]
    assert all(type(t) is Token for t in copies)


def test_stop_filter_renumbers_positions_and_marks_kept_stopwords() -> None:
    analyzer = searchlib.get_analyzer("simple")
    got = [(t.text, t.pos) for t in analyzer("Yang di Jakarta dan Bandung", positions=True)]
    assert got == [("jakarta", 0), ("bandung", 1)]
    kept = [
        (t.text, t.pos, t.stopped)
        for t in analyzer("yang Jakarta", positions=True, removestops=False)
    ]
    assert kept == [("yang", 0, True), ("jakarta", 0, False)]


@pytest.mark.parametrize("name", ["indonesian", "indonesian-light", "simple"])
def test_function_words_with_a_clitic_particle_are_stopwords(name: str) -> None:
    # "Di pulau manakah ..." must not search for "mana"; "masalah" is a noun, not masa+lah.
    analyzer = searchlib.get_analyzer(name)
    text = "Siapakah itulah apapun manakah adakah di pulau manakah masalah sekolah"
    terms = [t.text for t in analyzer(text)]
    assert "mana" not in terms and "manakah" not in terms and "siapa" not in terms
    assert terms[0] == "pulau" and len(terms) == 3
    fused_is_plain = [t.text for t in _plain(analyzer)(text)] if name == "indonesian" else terms
    assert fused_is_plain == terms


def test_memos_stay_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    from searchlib.analysis import tokenizer

    monkeypatch.setattr(tokenizer, "CACHE_SIZE", 50)
    analyzer = load_spec("simple").build()
    words = [f"kata{i}x" for i in range(400)]
    text = " ".join(words)
    assert [t.text for t in analyzer(text)] == words
    assert len(analyzer._kept) <= 50
    assert [t.text for t in analyzer(text)] == words  # evicted chunks are recomputed
    assert [t.text for t in analyzer(text, chars=True)] == words
    assert len(analyzer._full) <= 50 // 4  # offsets cost more memory: a quarter
    tokenizer_alone = IndonesianTokenizer()
    assert [t.text for t in tokenizer_alone(text)] == words
    assert len(tokenizer_alone._memo) <= 50 // 4


# --- the Snowball analyzer -----------------------------------------------------------------

_NEWS = (
    "Perusahaan itu menghentikan layanannya; para pengusaha dan penulis berlari ke pelarian. "
    "DPR menyetujui Rp1.000 untuk KPK-nya pada 2024, kata Presiden di Jakarta."
)


def test_snowball_terms_are_pystemmers_stems_of_the_tokens() -> None:
    import Stemmer

    snowball = Stemmer.Stemmer("indonesian")
    unstemmed = load_spec("simple").build()  # same tokenizer and stopwords, no stemmer
    expected = [t.text if t.protected else snowball.stemWord(t.text) for t in unstemmed(_NEWS)]
    assert searchlib.analyze(_NEWS, "indonesian-snowball") == expected
    assert "usaha" in expected and "kpk" in expected and "1.000" in expected
    assert expected != searchlib.analyze(_NEWS)  # really another stemmer than ours


def test_snowball_keeps_protected_words_and_offsets() -> None:
    spec = load_spec("indonesian-snowball")
    assert "pilu" in searchlib.analyze("pemilu", spec)  # Snowball's stem of "pemilu"
    kept = spec.with_overrides({"stemmer": {"protected": ["pemilu"]}})
    assert searchlib.analyze("Pemilu 2024", kept) == ["pemilu", "2024"]
    config = load_config({"analyzer": "indonesian-snowball", "protected_words": ["pemilu"]})
    assert config.analyzer_spec() == kept
    tokens = searchlib.analyze_tokens("Para pengusaha", spec)
    assert [(t.surface, t.term) for t in tokens] == [("pengusaha", "usaha")]


def test_snowball_fingerprint_names_the_snowball_release(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from searchlib.analysis import registry

    snowball, default = load_spec("indonesian-snowball"), load_spec("indonesian")
    before = (snowball.fingerprint, default.fingerprint)
    monkeypatch.setattr(registry, "snowball_version", lambda: "99.0.0")
    assert snowball.fingerprint != before[0]  # another Snowball may stem otherwise
    assert default.fingerprint == before[1]  # our stemmer does not depend on it


def test_an_index_built_with_the_snowball_analyzer(tmp_path: Path) -> None:
    docs = [
        {"id": "a", "title": "Pengusaha mengeluh", "body": "Para pengusaha mengeluhkan pajak."},
        {"id": "b", "title": "Banjir", "body": "Banjir merendam Jakarta."},
    ]
    with searchlib.Index.create(tmp_path / "ix", {"analyzer": "indonesian-snowball"}) as ix:
        ix.add(docs)
    with searchlib.Index.open(tmp_path / "ix") as ix:
        assert [h.id for h in ix.search("perusahaan").hits] == ["a"]  # Snowball: usaha
        assert ix.search("usaha").hits[0].snippet.count("[") >= 1
    with pytest.raises(searchlib.IndexMismatchError):
        searchlib.Index.open(tmp_path / "ix", {"analyzer": "indonesian"})


# --- the stopword list ----------------------------------------------------------------------


def _stopword_sections() -> tuple[list[str], list[str]]:
    derived: list[str] = []
    additions: list[str] = []
    target = derived
    for line in (REPO / "analyzers" / "stopwords-id.txt").read_text("utf-8").splitlines():
        if line.startswith("# our additions"):
            target = additions
        word = line.split("#", 1)[0].strip()
        if word:
            target.append(word)
    return derived, additions


def test_stopwords_are_unique_and_in_the_tokenizers_output_form() -> None:
    derived, additions = _stopword_sections()
    words = derived + additions
    assert len(words) == len(set(words)) and set(words) == load_wordlist("stopwords-id.txt")
    tokenizer = IndonesianTokenizer()
    assert [w for w in words if [t.text for t in tokenizer(w)] != [w]] == []


def test_stopwords_are_derived_from_the_four_source_lists() -> None:
    sources = SHARED / "stopwords"
    if not sources.is_dir():
        pytest.skip(f"{sources} is absent (../shared is not checked out)")
    union = set()
    for path in sources.glob("*.txt"):
        union |= {w.strip().lower() for w in path.read_text("utf-8").splitlines() if w.strip()}
    derived, additions = _stopword_sections()
    assert [w for w in derived if w not in union] == []
    assert [w for w in additions if w in union] == []  # an "addition" really is ours


@pytest.mark.parametrize(
    "word",
    # negation, time, numbers, and content words that peer lists stop but news needs
    [
        "tidak",
        "tak",
        "bukan",
        "belum",
        "jangan",
        "tanpa",
        "hari",
        "bulan",
        "tahun",
        "pukul",
        "lalu",
        "depan",
        "tengah",
        "dua",
        "tiga",
        "pertama",
        "baru",
        "besar",
        "luar",
        "bawah",
        "orang",
        "ibu",
        "kasus",
        "masalah",
        "naik",
        "masuk",
        "keluar",
        "diri",
        "presiden",
        "umum",
        "khusus",
        "kali",
    ],
)
def test_news_words_are_not_stopwords(word: str) -> None:
    assert word not in load_spec("indonesian").stopwords
    assert searchlib.analyze(word, "simple") == [word]


def test_negation_survives_in_phrases() -> None:
    assert searchlib.analyze("tidak bersalah", "simple") == ["tidak", "bersalah"]


# --- public API -------------------------------------------------------------------------


def test_analyze_returns_indexed_terms_in_order() -> None:
    terms = searchlib.analyze("Perusahaan itu menghentikan layanannya")
    assert terms == [searchlib.stem(w) for w in ("Perusahaan", "menghentikan", "layanannya")]
    assert all(isinstance(t, str) for t in terms)
    assert searchlib.analyze("Perusahaan itu", analyzer="simple") == ["perusahaan"]
    assert searchlib.analyze("") == [] and searchlib.analyze("yang dan di") == []


def test_analyze_tokens_gives_positions_offsets_and_surfaces() -> None:
    text = "Perusahaan itu menghentikan layanannya"
    got = searchlib.analyze_tokens(text)
    assert [tuple(t)[:4] for t in got] == [
        (0, 0, 10, "Perusahaan"),
        (1, 15, 27, "menghentikan"),
        (2, 28, 38, "layanannya"),
    ]
    assert all(isinstance(t, AnalyzedToken) for t in got)
    assert [t.term for t in got] == searchlib.analyze(text)
    assert all(text[t.start : t.end] == t.surface for t in got)


@pytest.mark.parametrize(
    "family",
    [
        ["tulis", "menulis", "ditulis", "penulis", "tulisan"],
        ["main", "bermain", "memainkan", "permainan"],
        ["kirim", "mengirim", "pengirim", "dikirim"],
        ["setop", "menyetop", "disetop"],
    ],
)
def test_conflation_holds_through_analyze(family: list[str]) -> None:
    assert len(set(searchlib.analyze(" ".join(family)))) == 1
    assert len({searchlib.stem(w) for w in family}) == 1


def test_stem_accepts_any_case_and_leaves_protected_words() -> None:
    assert searchlib.stem("MENULIS") == searchlib.stem("menulis") == searchlib.stem("Menulis")
    assert searchlib.stem("Café") == searchlib.stem("cafe")


def test_reduplication_through_analyze() -> None:
    assert searchlib.analyze("anak-anak", "simple") == ["anak"]
    assert searchlib.analyze("anak-anak") == searchlib.analyze("anak")
    assert searchlib.analyze("buku-buku") == searchlib.analyze("buku")


def test_get_analyzer_is_cached_and_accepts_a_spec() -> None:
    assert searchlib.get_analyzer() is searchlib.get_analyzer("indonesian")
    spec = load_spec("indonesian").with_overrides({"stopwords": {"add": ["amazon"]}})
    assert searchlib.get_analyzer(spec) is searchlib.get_analyzer(spec)
    assert searchlib.get_analyzer(spec) != searchlib.get_analyzer("indonesian")


@settings(max_examples=150, deadline=None)
@given(st.text())
def test_public_api_never_raises_and_is_stable(text: str) -> None:
    for name in NAMES:
        tokens = searchlib.analyze_tokens(text, analyzer=name)
        assert [t.term for t in tokens] == searchlib.analyze(text, analyzer=name)
        assert tokens == searchlib.analyze_tokens(text, analyzer=name)
        for i, t in enumerate(tokens):
            assert t.position == i and 0 <= t.start < t.end <= len(text)
            assert text[t.start : t.end] == t.surface and t.term
    searchlib.stem(text)


@pytest.mark.parametrize("name", ["indonesian", "indonesian-snowball"])
def test_threads_sharing_one_analyzer_get_the_plain_chains_tokens(
    monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from searchlib.analysis import tokenizer

    monkeypatch.setattr(tokenizer, "CACHE_SIZE", 64)  # evictions all the time
    analyzer = load_spec(name).build()
    plain = _plain(analyzer)
    words = ["Presiden", "menulis", "(ditulis", "DPR,", "anak-anak", "yang", "Rp1.000"]
    texts = [" ".join(f"{w}{i % 97}" if i % 3 else w for w in words) * 5 for i in range(300)]
    expected = [_run(plain, t, positions=True, chars=True) for t in texts]
    with ThreadPoolExecutor(max_workers=8) as pool:
        got = list(pool.map(lambda t: _run(analyzer, t, positions=True, chars=True), texts))
        kept = list(pool.map(lambda t: [x.text for x in analyzer(t)], texts))
    assert got == expected
    assert kept == [[row[0] for row in rows if not row[1]] for rows in expected]
