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


@lru_cache(maxsize=32)
def load_variants(name: str) -> dict[str, str]:
    """A spelling-variant list from ``analyzers/``: ``variant standard`` per line."""
    variants = {}
    for entry in sorted(load_wordlist(name)):
        parts = entry.split()
        if len(parts) != 2 or parts[0] == parts[1]:
            raise AnalyzerError(
                f"{name}: expected 'variant standard' (two different words), got {entry!r}"
            )
        if parts[0] in variants:
            raise AnalyzerError(f"{name}: {parts[0]!r} is listed twice")
        variants[parts[0]] = parts[1]
    chained = sorted(v for v, standard in variants.items() if standard in variants)
    if chained:
        raise AnalyzerError(f"{name}: a standard form is itself listed as a variant: {chained}")
    return variants


@lru_cache(maxsize=16)
def shared_stemmer(
    mode: str, lexicon: str, protected: frozenset[str], variants: str = ""
) -> IndonesianStemmer:
    """One stemmer (and memo cache) per configuration per process; ``variants`` names a
    spelling-variant list (empty: none)."""
    return IndonesianStemmer(
        load_wordlist(lexicon),
        mode=mode,
        protected=protected,
        variants=load_variants(variants) if variants else None,
    )
