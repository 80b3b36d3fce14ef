"""searchlib analyzers as Whoosh field analyzers.

A Whoosh field calls its analyzer with Whoosh's keyword arguments and reads Whoosh tokens;
:class:`FieldAnalyzer` wraps the searchlib analyzer of one :class:`AnalyzerSpec` so that a
``whoosh.fields.TEXT`` can use it, through Whoosh's documented ``Analyzer`` interface. The
options of searchlib's protocol are Whoosh's (positions, chars, removestops, mode ...), so
they pass through unchanged; each searchlib token is copied onto one reused Whoosh token.

Whoosh pickles field analyzers into the index's table of contents: a ``FieldAnalyzer``
pickles as its class path (:mod:`searchlib.backends.embedded.pickled` lists it) and the
spec's plain values, and rebuilds the analyzer from them when unpickled.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import fields
from typing import Any

from whoosh.analysis import Analyzer, Token

from searchlib.analysis import AnalyzerSpec, get_analyzer

__all__ = ["FieldAnalyzer"]


class FieldAnalyzer(Analyzer):
    """The searchlib analyzer of ``spec``, for a Whoosh field."""

    def __init__(self, spec: AnalyzerSpec) -> None:
        self.spec = spec
        self.analyzer = get_analyzer(spec)

    def __call__(self, value: Any, **kwargs: Any) -> Iterator[Token]:
        return _whoosh_tokens(self.analyzer(value, **kwargs))

    def has_morph(self) -> bool:
        return self.analyzer.has_morph()

    @property
    def fusable(self) -> bool:
        """Whether :meth:`kept_terms` may be used (the bulk writer's shortcut past tokens)."""
        return self.analyzer.fusable

    def kept_terms(self, value: str) -> list[str]:
        """The indexed terms of ``value``, a term's position being its index."""
        return self.analyzer.kept_terms(value)

    def __getstate__(self) -> dict[str, Any]:
        return {f.name: getattr(self.spec, f.name) for f in fields(AnalyzerSpec)}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.spec = AnalyzerSpec(**state)
        self.analyzer = get_analyzer(self.spec)

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other.spec == self.spec

    def __hash__(self) -> int:
        return hash(self.spec)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.spec.name!r})"


def _whoosh_tokens(tokens: Iterator[Any]) -> Iterator[Token]:
    """The tokens as one Whoosh token, reused as Whoosh's own tokenizers reuse theirs."""
    out = Token()
    update = out.__dict__.update
    for t in tokens:
        update(t.__dict__)
        yield out
