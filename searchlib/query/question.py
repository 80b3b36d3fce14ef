"""Questions typed as prose: the noun that names the kind of answer is not a search word.

In "Apa nama perusahaan yang ...", "Berapa jumlah korban ...", "Di mana letak ..." or
"Tanggal berapa ...", the noun next to the question word says what sort of answer is wanted
(a name, a count, a place, a date), not what the answer's article is about: the passage that
answers "Apa nama perusahaan China yang ..." names the company and seldom says "nama". Kept,
such a noun ranks up the few documents that happen to contain it: on FacQA the answering
passage seldom holds "nama" though an average question word is usually there
(docs/quality.md gives the counts).

Only a noun from :data:`ANSWER_NOUNS` right before or after a question word is dropped, so
"nama baik", "jumlah penduduk Jakarta" or "lokasi banjir" typed without a question word
search as before; a question made only of such words keeps them all.
"""

from __future__ import annotations

import re

from searchlib.query.parser import And, Node, Word

__all__ = ["ANSWER_NOUNS", "QUESTION_WORDS", "drop_answer_nouns", "is_question_word"]

#: Indonesian question words (with the question particle -kah, as in "apakah", "manakah").
#: "mana" covers "di mana" and "yang mana".
QUESTION_WORDS = frozenset(
    {"apa", "siapa", "kapan", "berapa", "mana", "dimana", "bagaimana", "mengapa", "kenapa"}
)

#: Nouns that name a kind of answer: a name, a count or total, a place, a date, an age, a
#: number, a title, or what an abbreviation stands for. Not "tahun" (a year is often
#: written "tahun 2005" in the answer) nor nouns that name a topic ("presiden", "kota").
ANSWER_NOUNS = frozenset(
    {
        "nama",
        "jumlah",
        "total",
        "letak",
        "lokasi",
        "tempat",
        "tanggal",
        "usia",
        "umur",
        "nomor",
        "judul",
        "kepanjangan",
        "singkatan",
    }
)

_EDGES = re.compile(r"^\W+|\W+$")


def _bare(word: Word) -> str:
    return _EDGES.sub("", word.text).casefold()


def is_question_word(text: str) -> bool:
    """Whether ``text`` (bare, casefolded) is a question word, with or without -kah."""
    if text.endswith("kah") and text[:-3] in QUESTION_WORDS:
        return True
    return text in QUESTION_WORDS


def drop_answer_nouns(node: Node) -> Node:
    """``node`` (a plain query: one word or an AND of words) without the answer nouns that
    stand next to a question word."""
    if not isinstance(node, And) or not all(isinstance(c, Word) for c in node.children):
        return node
    words: list[Word] = [c for c in node.children if isinstance(c, Word)]
    bare = [_bare(w) for w in words]
    asks = [is_question_word(b) for b in bare]
    kept = [
        i
        for i in range(len(words))
        if not (
            bare[i] in ANSWER_NOUNS
            and ((i > 0 and asks[i - 1]) or (i + 1 < len(words) and asks[i + 1]))
        )
    ]
    # Nothing dropped, or nothing left but question words (stopwords): keep the question.
    # Otherwise a question word and another word are left, so the result is still an AND.
    if len(kept) == len(words) or all(asks[i] for i in kept):
        return node
    return And(tuple(words[i] for i in kept))
