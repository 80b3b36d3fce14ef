"""Loading word lists shipped in ``analyzers/`` and the per-process stemmer cache."""

from __future__ import annotations

from functools import lru_cache

from searchlib._resources import analyzers_dir
from searchlib.analysis.stemmer import IndonesianStemmer
from searchlib.errors import AnalyzerError


@lru_cache(maxsize=32)
def load_wordlist(name: str) -> frozenset[str]:
    """A word list from ``analyzers/``: one word per line, ``#`` starts a comment."""
    path = analyzers_dir() / name
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise AnalyzerError(f"cannot read word list {name!r}: {error.strerror}") from None
    words = set()
    for line in text.splitlines():
        word = line.split("#", 1)[0].strip().lower()
        if word:
            words.add(word)
    return frozenset(words)


@lru_cache(maxsize=16)
def shared_stemmer(mode: str, lexicon: str, protected: frozenset[str]) -> IndonesianStemmer:
    """One stemmer (and memo cache) per configuration per process."""
    return IndonesianStemmer(load_wordlist(lexicon), mode=mode, protected=protected)
