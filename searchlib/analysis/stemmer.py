"""TEMPORARY stand-in: raw Snowball. Replaced by the real stemmer (issue 11)."""

from __future__ import annotations

from collections.abc import Collection, Iterable

import Stemmer


class IndonesianStemmer:
    def __init__(self, roots: Collection[str], *, mode: str = "full",
                 protected: Iterable[str] = ()) -> None:
        self.roots = roots
        self.mode = mode
        self.protected = frozenset(protected)
        self._snowball = Stemmer.Stemmer("indonesian")

    def stem(self, word: str) -> str:
        if self.mode == "none" or word in self.protected:
            return word
        return self._snowball.stemWord(word)
