"""searchlib's token and analyzer protocol: what a tokenizer yields and a filter passes on.

An analyzer is a callable ``analyzer(text, **options) -> Iterator[Token]``. The options
(all keyword arguments, all optional) say what the caller needs:

``positions``, ``start_pos``
    each token's ``pos``: its index among the kept tokens, counted from ``start_pos``;
``chars``, ``start_char``
    each token's ``startchar`` and ``endchar``: offsets into the text plus ``start_char``;
``keeporiginal``
    each token's ``original``: its surface form in the text;
``removestops``
    drop stopwords (the default); with False they come through with ``stopped`` set;
``tokenize``
    False takes the whole text as one token (normalized, not split);
``no_morph``
    skip the filters that change a word's form (``is_morph``: the stemmers);
``mode``
    what the tokens are for ("index", "query"), recorded on the token.

Any other keyword argument is set on the token as an attribute. A tokenizer creates one
``Token`` per call and yields it again and again with new values, so a consumer copies what
it keeps (:meth:`Token.copy`) instead of holding on to the object.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Protocol

__all__ = ["Analyzer", "Filter", "Token", "Tokenizer"]


class Token:
    """One token of a text; the attributes the options ask for are set on it."""

    #: The term: normalized, stemmed.
    text: str
    #: Position among the kept tokens (``positions``).
    pos: int
    #: Offsets of the surface form in the text (``chars``).
    startchar: int
    endchar: int
    #: The surface form (``keeporiginal``).
    original: str
    #: Numbers, URLs, acronyms ...: the tokenizer asks the stemmers to leave it alone.
    protected: bool

    def __init__(
        self,
        positions: bool = False,
        chars: bool = False,
        removestops: bool = True,
        mode: str = "",
        **kwargs: Any,
    ) -> None:
        self.positions = positions
        self.chars = chars
        self.stopped = False
        self.boost = 1.0
        self.removestops = removestops
        self.mode = mode
        self.__dict__.update(kwargs)

    def copy(self) -> Token:
        """A token with the same attributes, that the tokenizer will not overwrite."""
        return Token(**self.__dict__)

    def __repr__(self) -> str:
        attrs = ", ".join(f"{k}={v!r}" for k, v in self.__dict__.items())
        return f"{type(self).__name__}({attrs})"


class Analyzer(Protocol):
    """Text in, tokens out (see the module docstring for the options)."""

    def __call__(self, value: str, **options: Any) -> Iterator[Token]: ...


class Tokenizer:
    """The first step of an analyzer: text in, tokens out."""

    def __call__(self, value: str, **options: Any) -> Iterator[Token]:
        raise NotImplementedError


class Filter:
    """A later step of an analyzer: tokens in, tokens out, one token at a time."""

    #: Whether the filter changes a word's form (a stemmer): ``no_morph`` skips it.
    is_morph = False

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        raise NotImplementedError
