"""The query language: parsing into a backend-neutral tree."""

from searchlib.query.parser import (
    And,
    DateRange,
    Forms,
    Fuzzy,
    Node,
    Not,
    Or,
    Phrase,
    Prefix,
    Word,
    date_bound,
    parse_plain,
    parse_query,
)
from searchlib.query.question import drop_answer_nouns
from searchlib.query.rewrite import any_word, restricts, with_stopwords

__all__ = [
    "And",
    "DateRange",
    "Forms",
    "Fuzzy",
    "Node",
    "Not",
    "Or",
    "Phrase",
    "Prefix",
    "Word",
    "any_word",
    "date_bound",
    "drop_answer_nouns",
    "parse_plain",
    "parse_query",
    "restricts",
    "with_stopwords",
]
