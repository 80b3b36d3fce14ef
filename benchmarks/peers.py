"""Reference stemmers for the quality benchmark's rows: raw Snowball and the nlp-id lemmatizer.

Research-only: searchlib never imports this module. A :class:`WordMapper` is a
:class:`searchlib.evaluation.runner.TextRewriter`, so rows built with it by
:func:`searchlib.evaluation.systems.reference_systems` run through searchlib's own runner.

A reference row must differ from searchlib's rows only in how words are reduced, so it uses
searchlib's own tokenizer, stopwords and index. Its stemmer is applied to the *text*: every
word the tokenizer finds (stopwords and protected tokens -- numbers, URLs, short acronyms --
excepted, as searchlib's own stemmer leaves them) is replaced by the peer's stem, and the
result is indexed and queried with the ``simple`` analyzer (same tokenizer and stopwords, no
stemming). A stem that would not come back from the tokenizer as one ordinary word, or that
is itself a stopword, leaves the word as written, so a peer never loses a word to the
rewriting.

nlp-id is a benchmark extra (``pip install .[bench]``), imported only when its row runs.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache, lru_cache
from typing import Any

from searchlib.analysis import get_analyzer, load_spec
from searchlib.errors import SearchlibError
from searchlib.evaluation.runner import REWRITTEN_ANALYZER

__all__ = ["PEERS", "PeerUnavailable", "WordMapper", "available_peers", "peer_mapper"]

#: Reference stemmers, in table order: None is no stemming.
REFERENCE_STEMMERS: tuple[str | None, ...] = (None, "snowball", "nlp-id")


class PeerUnavailable(SearchlibError):
    """A reference stemmer's package is not installed."""


class WordMapper:
    """Rewrites text word by word with a peer stemmer, keeping everything else in place."""

    def __init__(self, key: str, name: str, stem: Callable[[str], str]) -> None:
        self.key = key
        self.name = name
        self._stem = stem
        self._analyzer = get_analyzer(REWRITTEN_ANALYZER)
        self._stopwords = load_spec(REWRITTEN_ANALYZER).stopwords
        self.word = lru_cache(maxsize=1 << 18)(self._word)

    def __reduce__(self) -> tuple[Any, ...]:
        # Rows may run in worker processes: each one loads the stemmer again by name.
        return peer_mapper, (self.key,)

    def _word(self, word: str) -> str:
        """The peer's stem of one normalized word, or the word when the stem is unusable."""
        stemmed = self._stem(word)
        if not stemmed or stemmed == word or stemmed in self._stopwords:
            return word
        tokens = list(self._analyzer(stemmed, removestops=False))
        if len(tokens) != 1 or tokens[0].text != stemmed or getattr(tokens[0], "protected", False):
            return word
        return stemmed

    def text(self, text: str) -> str:
        parts: list[str] = []
        last = 0
        tokens = self._analyzer(text, positions=True, chars=True, removestops=False)
        for t in tokens:
            if t.stopped or getattr(t, "protected", False):
                continue
            stemmed = self.word(t.text)
            if stemmed != t.text:
                parts.append(text[last : t.startchar])
                parts.append(stemmed)
                last = t.endchar
        parts.append(text[last:])
        return "".join(parts)


def _snowball() -> Callable[[str], str]:
    import Stemmer  # PyStemmer: already a searchlib dependency

    return Stemmer.Stemmer("indonesian").stemWord


def _nlp_id() -> Callable[[str], str]:
    try:
        from nlp_id.lemmatizer import Lemmatizer
    except ImportError:
        raise PeerUnavailable(
            "the nlp-id lemmatizer is not installed", hint="pip install 'searchlib[bench]'"
        ) from None
    lemmatizer = Lemmatizer()
    return lemmatizer.lemmatize


#: Reference stemmers by name: what each row is called and how its stemmer is loaded.
PEERS: dict[str, tuple[str, Callable[[], Callable[[str], str]]]] = {
    "snowball": ("raw Snowball (PyStemmer)", _snowball),
    "nlp-id": ("nlp-id lemmatizer", _nlp_id),
}


@cache
def peer_mapper(name: str) -> WordMapper:
    """The word mapper of a reference stemmer (loaded once per process)."""
    if name not in PEERS:
        raise SearchlibError(
            f"unknown reference stemmer {name!r}", hint="known: " + ", ".join(PEERS)
        )
    label, load = PEERS[name]
    return WordMapper(name, label, load())


def available_peers() -> tuple[list[WordMapper | None], list[str]]:
    """The reference stemmers that can run here (None: no stemming), and a note for each
    one that cannot."""
    found: list[WordMapper | None] = []
    notes = []
    for peer in REFERENCE_STEMMERS:
        if peer is None:
            found.append(None)
            continue
        try:
            found.append(peer_mapper(peer))
        except PeerUnavailable as error:
            notes.append(f"{PEERS[peer][0]} row skipped: {error} ({error.hint})")
    return found, notes
