"""Snowball's Indonesian stemmer (PyStemmer), for the ``snowball`` stemmer mode.

It stems as other systems that use Snowball's Indonesian algorithm do (PostgreSQL's
``indonesian`` text search configuration, a libstemmer morphology in Sphinx or Manticore,
any other Snowball binding), for archives whose terms must match one of them.
PyStemmer's stemmer objects are not thread-safe, so each thread gets its own.
"""

from __future__ import annotations

import threading
from functools import lru_cache

import Stemmer

__all__ = ["SnowballStemmer", "shared_snowball", "snowball_version"]

ALGORITHM = "indonesian"


def snowball_version() -> str:
    """The Snowball release PyStemmer carries (its version less a packaging number): a new
    release may stem words differently."""
    return ".".join(str(Stemmer.version()).split(".")[:3])


class SnowballStemmer:
    """Snowball's Indonesian stem of a lowercase word; ``protected`` words are kept as they
    are (the same list the default stemmer honours)."""

    def __init__(self, protected: frozenset[str] = frozenset()) -> None:
        self.protected = protected
        self._local = threading.local()

    def stem(self, word: str) -> str:
        if word in self.protected:
            return word
        stemmer = getattr(self._local, "stemmer", None)
        if stemmer is None:
            stemmer = self._local.stemmer = Stemmer.Stemmer(ALGORITHM)
        return str(stemmer.stemWord(word))


@lru_cache(maxsize=16)
def shared_snowball(protected: frozenset[str] = frozenset()) -> SnowballStemmer:
    """One Snowball stemmer per protected-word list per process."""
    return SnowballStemmer(protected)
