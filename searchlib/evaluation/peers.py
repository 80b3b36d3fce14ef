"""Reference stemmers for evaluation rows: raw Snowball and the nlp-id lemmatizer.

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

from searchlib.analysis import get_analyzer, load_spec
from searchlib.errors import SearchlibError

__all__ = ["PEERS", "PeerUnavailable", "WordMapper", "peer_mapper"]

#: The analyzer a reference row indexes its rewritten text with.
BASE_ANALYZER = "simple"


class PeerUnavailable(SearchlibError):
    """A reference stemmer's package is not installed."""


class WordMapper:
    """Rewrites text word by word with a peer stemmer, keeping everything else in place."""

    def __init__(self, name: str, stem: Callable[[str], str]) -> None:
        self.name = name
        self._stem = stem
        self._analyzer = get_analyzer(BASE_ANALYZER)
        self._stopwords = load_spec(BASE_ANALYZER).stopwords
        self.word = lru_cache(maxsize=1 << 18)(self._word)

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
    return WordMapper(name, PEERS[name][1]())
