"""Snippets: windows around matches, marked in surface form, safe in every format."""

from __future__ import annotations

import re

from searchlib.snippets import make_fragments, render

WORD = re.compile(r"\w+")


def tokens(text):
    # A stand-in analyzer: lowercase words, "men..." stripped, enough to show that matching
    # is on terms while marking is on the surface form.
    for m in WORD.finditer(text):
        word = m.group().lower()
        yield m.start(), m.end(), word[3:] if word.startswith("men") else word


def test_match_is_marked_in_its_surface_form():
    text = "Pemerintah akhirnya menyetop impor beras tahun ini."
    frags = make_fragments(text, frozenset({"yetop"}), tokens, chars=200)
    assert render(frags, "plain", text_length=len(text)) == (
        "Pemerintah akhirnya [menyetop] impor beras tahun ini."
    )


def test_html_escapes_document_text_and_only_marks_are_markup():
    text = 'Kata <script>alert("x")</script> muncul & Amazon di sini'
    frags = make_fragments(text, frozenset({"amazon"}), tokens, chars=200)
    out = render(frags, "html", text_length=len(text))
    assert "<script>" not in out
    assert "&lt;script&gt;" in out
    assert "&amp;" in out
    assert re.sub(r"</?mark>", "", out).count("<") == 0
    assert "<mark>Amazon</mark>" in out


def test_ansi_strips_control_characters_from_documents():
    text = "Amazon \x1b[31mmerah\x1b[0m dan \x07 bunyi"
    frags = make_fragments(text, frozenset({"amazon"}), tokens, chars=200)
    out = render(frags, "ansi", text_length=len(text))
    assert "\x1b[31m" not in out and "\x07" not in out
    assert "\x1b[1;33mAmazon\x1b[0m" in out


def test_fragments_do_not_overlap_and_prefer_distinct_terms():
    filler = " ".join(["kata"] * 60)
    text = f"awal amazon {filler} amazon rusia bersama {filler} akhir rusia"
    frags = make_fragments(text, frozenset({"amazon", "rusia"}), tokens, fragments=2, chars=80)
    assert len(frags) == 2
    first, second = frags
    assert first.end <= second.start
    best = [f for f in frags if {text[s:e] for s, e in f.matches} == {"amazon", "rusia"}]
    assert best, "the window holding both terms must be chosen"


def test_no_match_shows_the_opening_unmarked():
    text = "Sebuah berita tanpa kata yang dicari. " * 20
    frags = make_fragments(text, frozenset({"amazon"}), tokens, chars=60)
    assert len(frags) == 1 and frags[0].start == 0 and not frags[0].matches
    assert render(frags, "plain", text_length=len(text)).endswith("…")


def test_offsets_point_into_the_original_text():
    text = "Amazon\n\nmenghentikan   layanan di Rusia."
    frags = make_fragments(text, frozenset({"amazon", "rusia"}), tokens, chars=200)
    for f in frags:
        assert text[f.start : f.end] == f.text
        for s, e in f.matches:
            assert text[s:e] in ("Amazon", "Rusia")
    # Display collapses whitespace; offsets stay on the original.
    assert "Amazon menghentikan layanan" in render(frags, "plain", text_length=len(text)).replace(
        "[", ""
    ).replace("]", "")


def test_empty_text_and_zero_fragments():
    assert make_fragments("", frozenset({"x"}), tokens) == []
    assert make_fragments("teks", frozenset({"teks"}), tokens, fragments=0) == []


def test_long_bodies_are_scanned_until_every_term_is_found():
    filler = " ".join(["kata"] * 3000)  # ~15,000 characters before the second term
    text = f"amazon amazon pembuka {filler} rusia di akhir"
    frags = make_fragments(text, frozenset({"amazon", "rusia"}), tokens, fragments=2, chars=80)
    marked = {text[s:e] for f in frags for s, e in f.matches}
    assert marked == {"amazon", "rusia"}
    # A term near a block boundary is never cut in two.
    for width in range(2040, 2060):
        text = "x" * width + " amazon " + "y " * 2000
        frags = make_fragments(text, frozenset({"amazon"}), tokens, chars=60)
        assert [text[s:e] for f in frags for s, e in f.matches] == ["amazon"]


def test_candidate_scan_finds_affixed_and_accented_surface_forms():
    import unicodedata

    def folding_tokens(text):
        for m in WORD.finditer(text):
            word = unicodedata.normalize("NFKD", m.group().lower())
            word = "".join(c for c in word if not unicodedata.combining(c))
            for prefix, initial in (("meny", "s"), ("men", "t"), ("di", ""), ("peny", "s")):
                if word.startswith(prefix) and len(word) > 6:
                    word = initial + word[len(prefix) :]
                    break
            yield m.start(), m.end(), word

    text = "Pelé menulis, lalu surat ditulis. Mereka menyetop impor."
    frags = make_fragments(text, frozenset({"pele", "tulis", "setop"}), folding_tokens, chars=200)
    marked = [text[s:e] for f in frags for s, e in f.matches]
    assert marked == ["Pelé", "menulis", "ditulis", "menyetop"]


def test_literal_scan_finds_what_the_general_scan_finds():
    import random

    from searchlib.snippets import _candidate_spans, _candidates

    rng = random.Random(4)
    words = ["Menulis", "TULISAN", "ditulis", "harga", "HARGA-harga", "KPK", "Jakarta", "7.000"]
    words += [
        "\u201cTulisan\u201d",
        "harga\u2014jual",
        "Pelé",
        "MENULIS\u2026",
        "ulisul",
        "\u212apk",
    ]
    cores = ["tulis", "harga", "kpk", "jakarta", "7.000", "xyz", "ulisu", "lis", "tu"]
    for _ in range(400):
        text = " ".join(rng.choice(words) for _ in range(rng.randint(0, 40)))
        terms = frozenset(rng.sample(cores, 3))
        fast = _candidate_spans(text, terms)
        general = [m.span() for m in _candidates(terms).finditer(text)]
        assert fast == general, (text, terms)
    assert _candidate_spans("Pelé menulis", frozenset({"pele"})) == [(0, 4)]


def test_folded_scan_equals_the_general_scan_on_mixed_scripts():
    import random

    from searchlib.snippets import _candidate_spans, _candidates

    rng = random.Random(7)
    letters = "aAeEéÉèiIkKsSuUoØøÙùÅåßſ\u212a\u212b\u0130\u201c\u2014 "
    for _ in range(1500):
        text = "".join(rng.choice(letters) for _ in range(rng.randint(0, 60)))
        terms = frozenset(rng.sample(["kasus", "esok", "ikan", "sisi", "aku", "ose", "uk"], 2))
        general = [m.span() for m in _candidates(terms).finditer(text)]
        assert _candidate_spans(text, terms) == general, (text, terms)


def test_latin1_scan_equals_the_general_scan():
    import random

    from searchlib.snippets import _candidate_spans, _candidates

    rng = random.Random(11)
    latin1 = "".join(chr(c) for c in range(0x20, 0x100) if chr(c).isprintable())
    words = ["kasus", "Esok", "IKAN", "sisi", "Pelé", "CAFÉ", "naïf", "ÀÉÎÕÜ", "\xa0"]
    for _ in range(1500):
        pieces = [rng.choice(words) for _ in range(rng.randint(0, 8))]
        pieces += [rng.choice(latin1) for _ in range(rng.randint(0, 20))]
        rng.shuffle(pieces)
        text = "".join(pieces)
        terms = frozenset(rng.sample(["kasus", "esok", "ikan", "pele", "cafe", "naif", "aeiou"], 3))
        general = [m.span() for m in _candidates(terms).finditer(text)]
        assert _candidate_spans(text, terms) == general, (text, terms)


def test_collapsed_spaces_equal_the_regex():
    import random
    import re

    from searchlib.snippets import collapse_spaces

    rng = random.Random(5)
    alphabet = ["a", "b", " ", "  ", "\n", "\t", "\xa0", "\u2003", "\u3000", "\x1c", "\x85", "é"]
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12)))
        assert collapse_spaces(text) == re.sub(r"\s+", " ", text), repr(text)


def test_fragment_never_starts_inside_the_first_word():
    text = "Puluhan relawan memasang spanduk. " + "isi " * 100 + "setop sampah"
    frags = make_fragments(text, frozenset({"relawan", "setop"}), tokens, fragments=2, chars=60)
    assert frags[0].start == 0
    assert render(frags, "plain", text_length=len(text)).startswith("Puluhan [relawan]")
