"""Whoosh filters for Indonesian text.

Analyzers are pickled into every Whoosh index, so these classes keep stable import paths and
pickle only plain configuration: the stemmer (which holds a PyStemmer object and the root
lexicon) is looked up lazily from a per-process cache, never stored in the pickled state.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from whoosh.analysis import Filter, Token

from searchlib.analysis.lexicon import shared_stemmer
from searchlib.analysis.stemmer import IndonesianStemmer


class IndonesianStemFilter(Filter):
    """Replaces each token's text with its stem, leaving protected tokens alone.

    A token is protected when the tokenizer marked it so (numbers, URLs, short all-caps
    acronyms such as AS or UU) or when its text is in ``protected``. Offsets are never
    changed, so highlighting still points at the surface form.
    """

    def __init__(
        self,
        mode: str = "full",
        lexicon: str = "roots-id.txt",
        protected: Iterable[str] = (),
    ) -> None:
        self.mode = mode
        self.lexicon = lexicon
        self.protected = frozenset(protected)
        self._stemmer: IndonesianStemmer | None = None

    def __getstate__(self) -> dict[str, Any]:
        return {"mode": self.mode, "lexicon": self.lexicon, "protected": self.protected}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._stemmer = None

    def __eq__(self, other: object) -> bool:
        return (
            type(other) is type(self)
            and self.__getstate__() == other.__getstate__()  # type: ignore[attr-defined]
        )

    def __hash__(self) -> int:
        return hash((self.mode, self.lexicon, self.protected))

    @property
    def stemmer(self) -> IndonesianStemmer:
        if self._stemmer is None:
            self._stemmer = shared_stemmer(self.mode, self.lexicon, self.protected)
        return self._stemmer

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        stem = self.stemmer.stem
        for t in tokens:
            if not t.stopped and not getattr(t, "protected", False):
                t.text = stem(t.text)
            yield t
