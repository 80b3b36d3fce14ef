"""The query language: every operator parses, every malformed query is a QueryError."""

from __future__ import annotations

from datetime import datetime

import pytest

from searchlib.errors import QueryError
from searchlib.query import (
    And,
    DateRange,
    Fuzzy,
    Not,
    Or,
    Phrase,
    Prefix,
    Word,
    any_word,
    parse_query,
    with_stopwords,
)

FIELDS = frozenset({"title", "body", "category", "source", "date", "tags"})


def parse(q: str):
    return parse_query(q, fields=FIELDS)


@pytest.mark.parametrize(
    ("query", "tree"),
    [
        ("Amazon", Word("Amazon")),
        ("Amazon Rusia", And((Word("Amazon"), Word("Rusia")))),
        ("Amazon AND Rusia", And((Word("Amazon"), Word("Rusia")))),
        ("Amazon OR Netflix", Or((Word("Amazon"), Word("Netflix")))),
        ("Amazon -Rusia", And((Word("Amazon"), Not(Word("Rusia"))))),
        ("Amazon NOT Rusia", And((Word("Amazon"), Not(Word("Rusia"))))),
        ("+Amazon", Word("Amazon")),
        # A sign before a field clause applies to the clause, not to the field name.
        ("harga -category:ekonomi", And((Word("harga"), Not(Word("ekonomi", "category"))))),
        ('-source:"Detik News"', Not(Phrase("Detik News", "source"))),
        ("+title:harga", Word("harga", "title")),
        ('"layanan streaming"', Phrase("layanan streaming")),
        ('title:"layanan streaming"', Phrase("layanan streaming", "title")),
        ("title:Amazon", Word("Amazon", "title")),
        ("CATEGORY:teknologi", Word("teknologi", "category")),
        ("layan*", Prefix("layan")),
        ("Rusa~", Fuzzy("Rusa", 1)),
        ("Rusa~2", Fuzzy("Rusa", 2)),
        (
            "(Amazon OR Netflix) Rusia",
            And((Or((Word("Amazon"), Word("Netflix"))), Word("Rusia"))),
        ),
        # Lower-case "or"/"and" are words, not operators.
        ("kopi or teh", And((Word("kopi"), Word("or"), Word("teh")))),
        # A URL is a word, not a field called "https".
        ("https://example.com/a", Word("https://example.com/a")),
        ("10:30", Word("10:30")),
        # "word:" followed by a space is prose ("Catatan: harga"), not a field prefix.
        ("Catatan: harga", And((Word("Catatan:"), Word("harga")))),
    ],
)
def test_operators(query, tree):
    assert parse(query) == tree


@pytest.mark.parametrize(
    ("query", "start", "end"),
    [
        ("date:2022-03-01..2022-03-31", datetime(2022, 3, 1), datetime(2022, 4, 1)),
        ("date:2022-03", datetime(2022, 3, 1), datetime(2022, 4, 1)),
        ("date:2022-12", datetime(2022, 12, 1), datetime(2023, 1, 1)),
        ("date:2022", datetime(2022, 1, 1), datetime(2023, 1, 1)),
        ("date:2022-03-10..", datetime(2022, 3, 10), None),
        ("date:..2022-03-10", None, datetime(2022, 3, 11)),
        ("2022-03-01..2022-03-31", datetime(2022, 3, 1), datetime(2022, 4, 1)),
    ],
)
def test_date_ranges_are_inclusive_days(query, start, end):
    assert parse(query) == DateRange(start, end)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("", "empty query"),
        ("   \t\n", "empty query"),
        ('"layanan streaming', "unbalanced quote"),
        ('""', "empty phrase"),
        ("(Amazon Rusia", "never closed"),
        ("Amazon Rusia)", "unexpected ')'"),
        ("()", "empty parentheses"),
        ("OR", "needs a term before"),
        ("AND", "needs a term before"),
        ("Amazon OR", "needs a term after"),
        ("Amazon AND", "needs a term after"),
        ("NOT", "needs a term after"),
        ("*", "at least 2 letters"),
        ("a*", "at least 2 letters"),
        ("la*yan*", "only trailing wildcards"),
        ("Rusa~3", "fuzzy distance"),
        ("penulis:budi", "unknown field 'penulis'"),
        ("date:2022-02-30", "impossible date"),
        ("date:kemarin", "invalid date"),
        ("date:2022-03-31..2022-03-01", "ends before it starts"),
        ("date:..", "at least one end"),
        ("x" * 1001, "query too long: 1001 characters"),
        ("(" * 40 + "a" + ")" * 40, "nests deeper"),
    ],
)
def test_bad_queries_raise_query_error(query, message):
    with pytest.raises(QueryError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse(query)


def test_hundred_kilobyte_query_is_rejected_before_parsing():
    with pytest.raises(QueryError, match="limit 1000"):
        parse_query("amazon " * 15_000)


def test_non_string_query():
    with pytest.raises(QueryError, match="must be a string"):
        parse_query(None)  # type: ignore[arg-type]


def test_plain_syntax_takes_prose_literally():
    from searchlib.query import parse_plain

    assert parse_plain('Di pulau manakah (PT "Mutiara") - an OR title:x?') == And(
        (
            Word("Di"),
            Word("pulau"),
            Word("manakah"),
            Word("PT"),
            Word("Mutiara"),
            Word("an"),
            Word("OR"),
            Word("title:x?"),
        )
    )
    with pytest.raises(QueryError, match="empty query"):
        parse_plain(' - ( ) "" ')


@pytest.mark.parametrize(
    ("query", "wider"),
    [
        # Unprefixed words become alternatives; field clauses stay required.
        (
            'harga category:"ekonomi & keuangan" zzzqqq',
            And(
                (
                    Or((Word("harga"), Word("zzzqqq"))),
                    Phrase("ekonomi & keuangan", "category"),
                )
            ),
        ),
        (
            "harga zzzqqq date:2025-10 -source:detik",
            And(
                (
                    Or((Word("harga"), Word("zzzqqq"))),
                    DateRange(datetime(2025, 10, 1), datetime(2025, 11, 1)),
                    Not(Word("detik", "source")),
                )
            ),
        ),
        # A field prefix on a text field is a deliberate restriction too.
        (
            "title:harga pupuk zzzqqq",
            And((Or((Word("pupuk"), Word("zzzqqq"))), Word("harga", "title"))),
        ),
        # A group of field clauses restricts as a whole.
        (
            "harga zzzqqq (category:a OR category:b)",
            And(
                (
                    Or((Word("harga"), Word("zzzqqq"))),
                    Or((Word("a", "category"), Word("b", "category"))),
                )
            ),
        ),
        # One loosenable word left: nothing to fall back to.
        ("harga category:ekonomi", None),
        ("harga -pupuk", None),
        ("harga", None),
        ("harga OR pupuk", None),
    ],
)
def test_any_word_keeps_every_restriction(query, wider):
    assert any_word(parse(query)) == wider


def test_with_stopwords_marks_every_word_and_phrase():
    tree = with_stopwords(parse('ingin "sekali lagi" -yang (dan OR title:di) date:2024'))
    assert tree == And(
        (
            Word("ingin", keep_stopwords=True),
            Phrase("sekali lagi", keep_stopwords=True),
            Not(Word("yang", keep_stopwords=True)),
            Or((Word("dan", keep_stopwords=True), Word("di", "title", keep_stopwords=True))),
            DateRange(datetime(2024, 1, 1), datetime(2025, 1, 1)),
        )
    )
