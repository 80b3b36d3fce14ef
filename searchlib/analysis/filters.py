"""Filters for Indonesian text: stopwords and the stemmers.

Indexes written by earlier releases hold these classes' pickled state, so they keep their
import paths, and they pickle only plain configuration: a stemmer (the root lexicon, or a
PyStemmer object) is looked up lazily from a per-process cache, never stored in the pickled
state.

Every filter here looks at one token at a time and never changes offsets; the fused analyzer
(:mod:`searchlib.analysis.chain`) relies on that to memoize their output per chunk of text.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from searchlib.analysis.base import Filter, Token
from searchlib.analysis.lexicon import shared_stemmer
from searchlib.analysis.snowball import SnowballStemmer, shared_snowball
from searchlib.analysis.stemmer import IndonesianStemmer

__all__ = ["CLITIC_PARTICLES", "IndonesianStemFilter", "SnowballStemFilter", "StopwordFilter"]

#: Particles that attach to any word without changing what it is: a function word with
#: one of them is still a function word ("manakah", "siapakah", "itulah", "apapun").
CLITIC_PARTICLES = ("kah", "lah", "pun", "tah")


class StopwordFilter(Filter):
    """Marks tokens whose text is in ``stopwords`` as stopped (removing them by default).

    A stopword with a clitic particle (``manakah`` from ``mana``) is a stopword too: the
    stemmer would strip the particle and leave the function word as a term. Content words
    that merely end in the same letters (``masalah``, ``sekolah``) are untouched, since
    their remainder is not a stopword.

    Kept tokens are renumbered consecutively, so a phrase query with its own stopwords
    removed still matches: "presiden di Jakarta" and "presiden Jakarta" both become
    ``presiden jakarta`` at adjacent positions. A stopped token that is kept
    (``removestops=False``) carries the position the next kept token will get.
    """

    def __init__(self, stopwords: Iterable[str] = ()) -> None:
        self.stopwords = frozenset(stopwords)

    def __getstate__(self) -> dict[str, Any]:
        return {"stopwords": self.stopwords}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.stopwords = frozenset(state["stopwords"])

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other.stopwords == self.stopwords

    def __hash__(self) -> int:
        return hash((type(self).__name__, self.stopwords))

    def __repr__(self) -> str:
        return f"{type(self).__name__}(<{len(self.stopwords)} words>)"

    def is_stopword(self, text: str) -> bool:
        stopwords = self.stopwords
        return text in stopwords or (
            text[-3:] in CLITIC_PARTICLES and len(text) > 5 and text[:-3] in stopwords
        )

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        is_stopword = self.is_stopword
        next_pos: int | None = None
        for t in tokens:
            if t.positions:
                if next_pos is None:
                    next_pos = t.pos
                t.pos = next_pos
            if is_stopword(t.text):
                if t.removestops:
                    continue
                t.stopped = True
            elif t.positions:
                next_pos += 1  # type: ignore[operator]
            yield t


class IndonesianStemFilter(Filter):
    """Replaces each token's text with its stem, leaving protected and stopped tokens alone.

    A token is protected when the tokenizer marked it so (numbers, URLs, short all-caps
    acronyms such as AS or UU) or when its text is in ``protected`` (the stemmer checks).
    Offsets are never changed, so highlighting still points at the surface form.
    """

    is_morph = True

    def __init__(
        self,
        mode: str = "full",
        lexicon: str = "roots-id.txt",
        protected: Iterable[str] = (),
        variants: str = "",
    ) -> None:
        self.mode = mode
        self.lexicon = lexicon
        self.protected = frozenset(protected)
        self.variants = variants
        self._stemmer: IndonesianStemmer | None = None

    def __getstate__(self) -> dict[str, Any]:
        return {
            "mode": self.mode,
            "lexicon": self.lexicon,
            "protected": self.protected,
            "variants": self.variants,
        }

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.mode = state["mode"]
        self.lexicon = state["lexicon"]
        self.protected = frozenset(state["protected"])
        self.variants = state.get("variants", "")
        self._stemmer = None

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and self.__getstate__() == other.__getstate__()

    def __hash__(self) -> int:
        return hash((self.mode, self.lexicon, self.protected, self.variants))

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(mode={self.mode!r}, lexicon={self.lexicon!r}, "
            f"<{len(self.protected)} protected words>)"
        )

    @property
    def stemmer(self) -> IndonesianStemmer:
        if self._stemmer is None:
            self._stemmer = shared_stemmer(self.mode, self.lexicon, self.protected, self.variants)
        return self._stemmer

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        stem = self.stemmer.stem
        for t in tokens:
            if not t.stopped and not getattr(t, "protected", False):
                # A stemmer must never turn a word into nothing: keep the word instead.
                t.text = stem(t.text) or t.text
            yield t


class SnowballStemFilter(Filter):
    """Replaces each token's text with Snowball's Indonesian stem (PyStemmer), leaving
    protected and stopped tokens alone, as :class:`IndonesianStemFilter` does."""

    is_morph = True

    def __init__(self, protected: Iterable[str] = ()) -> None:
        self.protected = frozenset(protected)
        self._stemmer: SnowballStemmer | None = None

    def __getstate__(self) -> dict[str, Any]:
        return {"protected": self.protected}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.protected = frozenset(state["protected"])
        self._stemmer = None

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other.protected == self.protected

    def __hash__(self) -> int:
        return hash((type(self).__name__, self.protected))

    def __repr__(self) -> str:
        return f"{type(self).__name__}(<{len(self.protected)} protected words>)"

    @property
    def stemmer(self) -> SnowballStemmer:
        if self._stemmer is None:
            self._stemmer = shared_snowball(self.protected)
        return self._stemmer

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        stem = self.stemmer.stem
        for t in tokens:
            if not t.stopped and not getattr(t, "protected", False):
                t.text = stem(t.text) or t.text
            yield t
