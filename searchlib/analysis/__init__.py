"""Indonesian text analysis: tokenizer, stopwords, stemmer, named analyzers.

``analyze`` and ``stem`` are the public entry points; ``get_analyzer`` returns the analyzer
that index fields and queries use (the protocol is in :mod:`searchlib.analysis.base`).
"""

from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

from searchlib.analysis.base import Analyzer, Token
from searchlib.analysis.chain import IndonesianAnalyzer
from searchlib.analysis.lexicon import shared_stemmer
from searchlib.analysis.registry import AnalyzerSpec, available_analyzers, load_spec
from searchlib.analysis.tokenizer import normalize_word

__all__ = [
    "AnalyzedToken",
    "Analyzer",
    "AnalyzerSpec",
    "IndonesianAnalyzer",
    "Token",
    "analyze",
    "analyze_tokens",
    "available_analyzers",
    "get_analyzer",
    "load_spec",
    "stem",
]

DEFAULT_ANALYZER = "indonesian"


class AnalyzedToken(NamedTuple):
    """One indexed term and where it came from in the text."""

    position: int
    start: int
    end: int
    surface: str
    term: str


def get_analyzer(name: str | AnalyzerSpec = DEFAULT_ANALYZER) -> IndonesianAnalyzer:
    """The analyzer for a named analyzer (or a resolved spec), shared per process."""
    spec = name if isinstance(name, AnalyzerSpec) else load_spec(name)
    return _built(spec)


@lru_cache(maxsize=32)
def _built(spec: AnalyzerSpec) -> IndonesianAnalyzer:
    return spec.build()


def analyze(text: str, analyzer: str | AnalyzerSpec = DEFAULT_ANALYZER) -> list[str]:
    """The terms ``text`` would be indexed as, in order (stopwords removed)."""
    return get_analyzer(analyzer).terms(text)


def analyze_tokens(
    text: str, analyzer: str | AnalyzerSpec = DEFAULT_ANALYZER
) -> list[AnalyzedToken]:
    """Like :func:`analyze`, with each term's position, character offsets and surface form."""
    return [
        AnalyzedToken(t.pos, t.startchar, t.endchar, text[t.startchar : t.endchar], t.text)
        for t in get_analyzer(analyzer)(text, positions=True, chars=True)
    ]


def stem(word: str) -> str:
    """The default analyzer's stemmer applied to one word (any case)."""
    spec = load_spec(DEFAULT_ANALYZER)
    stemmer = shared_stemmer(spec.stemmer_mode, spec.lexicon, spec.protected, spec.variants)
    return stemmer.stem(normalize_word(word))
