"""The analyzer every indexed field and every query goes through: a fused filter chain.

A :class:`Chain` runs a tokenizer and its filters one after another, one Python generator per
filter; for a stop filter and a stemmer that costs more than tokenizing and stemming
themselves. ``IndonesianAnalyzer`` is a chain (tokenizer, stopwords, stemmer) that gives
exactly the tokens the plain chain gives, faster: because the tokenizer works on
whitespace-separated chunks and the filters look at one token at a time, the chain's output
for a chunk depends on nothing but the chunk; so it applies the filters' per-token rules
(stopword test, stem) once per distinct chunk, memoizes the terms, and then only assigns
positions and offsets -- one generator, one dict lookup per chunk. Those rules are restated
in ``_terms`` (a test checks the result equals the plain chain on every kind of chunk).
Chains it cannot prove chunk-local (other filters, ``no_morph``, ``tokenize=False``) run the
plain way.

Indexes written by earlier releases hold ``IndonesianAnalyzer``'s pickled state (its items),
so the class keeps its import path and that state.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from searchlib.analysis import tokenizer as _tokenizer
from searchlib.analysis.base import Filter, Token, Tokenizer
from searchlib.analysis.filters import IndonesianStemFilter, SnowballStemFilter, StopwordFilter
from searchlib.analysis.tokenizer import (
    EDGE_PUNCT,
    MAX_CACHED_CHUNK,
    IndonesianTokenizer,
    blocks,
    make_room,
)
from searchlib.errors import AnalyzerError

__all__ = ["Chain", "IndonesianAnalyzer"]

#: Stem filters: each offers ``stemmer.stem`` and leaves protected and stopped tokens alone.
_STEM_FILTERS = (IndonesianStemFilter, SnowballStemFilter)
#: Filters whose output for a token depends only on that token (and which leave offsets).
_CHUNK_LOCAL_FILTERS = (StopwordFilter, *_STEM_FILTERS)

#: One filter's rule: a stopword test or a stem function.
_Step = tuple[Callable[[str], bool] | None, Callable[[str], str] | None]
#: One term of a chunk: text, protected, stopped, start and end relative to the chunk.
_Term = tuple[str, bool, bool, int, int]


class Chain:
    """A tokenizer, then filters: each filter's generator reads the one before it."""

    def __init__(self, tokenizer: Tokenizer, *filters: Filter) -> None:
        if not isinstance(tokenizer, Tokenizer):
            raise AnalyzerError(f"an analyzer starts with a tokenizer, not {tokenizer!r}")
        for item in filters:
            if not isinstance(item, Filter):
                raise AnalyzerError(f"only filters may follow the tokenizer, not {item!r}")
        self.items: list[Any] = [tokenizer, *filters]

    def __call__(self, value: str, *, no_morph: bool = False, **options: Any) -> Iterator[Token]:
        items = self.items
        tokens = items[0](value, **options)
        for item in items[1:]:
            if not (no_morph and item.is_morph):
                tokens = item(tokens)
        return tokens

    def terms(self, value: str) -> list[str]:
        """The terms ``value`` is indexed as, in order (stopwords removed)."""
        return [t.text for t in self(value)]

    def has_morph(self) -> bool:
        """Whether a filter changes words' forms (so ``no_morph`` gives other terms)."""
        return any(item.is_morph for item in self.items[1:])

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other.items == self.items

    def __hash__(self) -> int:
        return hash(tuple(self.items))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(repr(item) for item in self.items)})"


class IndonesianAnalyzer(Chain):
    """Tokenizer, then filters, run fused when the chain allows (see the module docstring)."""

    def __init__(self, tokenizer: Tokenizer, *filters: Filter) -> None:
        super().__init__(tokenizer, *filters)
        self._setup()

    def _setup(self) -> None:
        items = self.items
        self._fusable = isinstance(items[0], IndonesianTokenizer) and all(
            type(item) in _CHUNK_LOCAL_FILTERS for item in items[1:]
        )
        # chunk -> every term with its flags and offsets (highlighting, removestops=False)
        self._full: dict[str, tuple[_Term, ...]] = {}
        # chunk -> the kept terms only (indexing, queries): a bare str for the most common
        # case, one ordinary unprotected term, else a tuple of (text, protected) pairs.
        # (Typed Any: the loop tells the two apart by class, faster than isinstance.)
        self._kept: dict[str, Any] = {}
        # Built on first use: they need the stemmer, which loads the lexicon.
        self._steps: list[_Step] | None = None
        self._word_term: Callable[[str], Any] | None = None
        self._plain_max = getattr(items[0], "max_token_length", 0)

    def __getstate__(self) -> dict[str, Any]:
        return {"items": self.items}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.items = state["items"]
        self._setup()

    def __call__(
        self,
        value: str,
        *,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        no_morph: bool = False,
        **kwargs: Any,
    ) -> Iterator[Token]:
        if not self._fusable or not tokenize or no_morph:
            return super().__call__(
                value,
                no_morph=no_morph,
                positions=positions,
                chars=chars,
                keeporiginal=keeporiginal,
                removestops=removestops,
                start_pos=start_pos,
                start_char=start_char,
                tokenize=tokenize,
                mode=mode,
                **kwargs,
            )
        if not isinstance(value, str):
            raise AnalyzerError(f"can only analyze text (str), got {type(value).__name__}")
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        token.boost = 1.0
        token.stopped = False
        if chars or keeporiginal or not removestops:
            return self._full_loop(
                value, token, positions, chars, keeporiginal, removestops, start_pos, start_char
            )
        return self._kept_loop(value, token, positions, start_pos)

    @property
    def fusable(self) -> bool:
        """Whether the chain runs fused, so that :meth:`kept_terms` may be used."""
        return self._fusable

    def terms(self, value: str) -> list[str]:
        """The terms ``value`` is indexed as, in order (stopwords removed)."""
        return self.kept_terms(value) if self._fusable else super().terms(value)

    def kept_terms(self, value: str) -> list[str]:
        """The indexed terms of ``value`` in order, a term's position being its index: what
        ``self(value, positions=True)`` yields, without a Token per term (the bulk index
        writer's input). Only for a :attr:`fusable` chain."""
        if not self._fusable:
            raise AnalyzerError("kept_terms needs a fused chain (tokenizer, stopwords, stemmer)")
        if not isinstance(value, str):
            raise AnalyzerError(f"can only analyze text (str), got {type(value).__name__}")
        get = self._kept.get
        miss = self._kept_miss
        out: list[str] = []
        append = out.append
        extend = out.extend
        for _, block in blocks(value):
            for chunk in block.split():
                kept = get(chunk)
                if kept is None:
                    kept = miss(chunk)
                if kept.__class__ is str:
                    append(kept)
                else:
                    extend([text for text, _ in kept])
        return out

    def _terms(self, chunk: str) -> list[_Term]:
        """The chain's output for one chunk: each filter's rule applied token by token."""
        steps = self._steps
        if steps is None:
            steps = self._steps = [
                (item.is_stopword, None)
                if type(item) is StopwordFilter
                else (None, item.stemmer.stem)
                for item in self.items[1:]
            ]
        out = []
        for rel_start, rel_end, text, protected in self.items[0].chunk_tokens(chunk):
            stopped = False
            for is_stopword, stem in steps:
                if is_stopword is not None:  # StopwordFilter
                    if is_stopword(text):
                        stopped = True
                elif not stopped and not protected:  # a stem filter
                    text = stem(text) or text  # type: ignore[misc]
            out.append((text, protected, stopped, rel_start, rel_end))
        return out

    def _make_word_term(self) -> Callable[[str], Any]:
        """The kept-terms value of a plain lowercase ASCII word: :meth:`_terms` for one
        unprotected token, written out for the chains the registry builds."""
        items = self.items[1:]
        kinds = [type(item) for item in items]
        if len(kinds) == 2 and kinds[0] is StopwordFilter and kinds[1] in _STEM_FILTERS:
            is_stopword, stem = items[0].is_stopword, items[1].stemmer.stem
            return lambda word: () if is_stopword(word) else (stem(word) or word)
        if len(kinds) == 1 and kinds[0] in _STEM_FILTERS:
            stem = items[0].stemmer.stem
            return lambda word: stem(word) or word
        if not kinds:
            return lambda word: word
        return lambda word: _kept(self._terms(word))

    def _memoize(
        self,
        chunk: str,
        memo: dict[str, Any],
        convert: Callable[[list[_Term]], Any],
        shift: Callable[[Any, int], Any] | None,
        share: int,
    ) -> Any:
        """The chain's output for a chunk ``memo`` lacks, ``convert``ed and memoized.

        A chunk that is a word with punctuation around it ("Presiden," or "(Presiden") gives
        the word's own terms, shifted by the leading punctuation, so it is analyzed as the
        bare word once (``shift`` moves offsets; None when the memo holds none). The filters'
        rules run per token here, not as the plain chain's generators, whose set-up per chunk
        would cost more than the filtering itself.
        """
        if len(chunk) > MAX_CACHED_CHUNK:  # rare and unique: not worth keeping
            return convert(self._terms(chunk))
        make_room(memo, 2, share)
        core = chunk.strip(EDGE_PUNCT)
        if not core.isalnum():
            value = memo[chunk] = convert(self._terms(chunk))
            return value
        # Punctuation around a word or number never joins a token (the tokenizer's fast
        # path relies on the same fact), and case only matters to the acronym test:
        # "Presiden," and "(Presiden" share the terms of "presiden".
        key = core
        if core.isascii() and not (len(core) <= 5 and core.isupper()):
            key = core.lower()
        value = memo.get(key)
        if value is None:
            value = memo[key] = convert(self._terms(key))
        if key != chunk:
            if shift is not None:
                value = shift(value, len(chunk) - len(chunk.lstrip(EDGE_PUNCT)))
            memo[chunk] = value
        return value

    def _kept_miss(self, chunk: str) -> Any:
        """:meth:`_memoize` for the kept-terms memo, with a short path for most new chunks:
        an ASCII letter word, perhaps capitalized or with punctuation around it."""
        core = chunk.strip(EDGE_PUNCT)
        if not (
            core.isalpha()
            and core.isascii()
            and len(core) <= self._plain_max
            and len(chunk) <= MAX_CACHED_CHUNK
            and not (len(core) <= 5 and core.isupper())  # an acronym: protected
        ):
            return self._memoize(chunk, self._kept, _kept, None, 1)
        # One token: the word lowercased, unprotected (as _memoize would find it).
        memo = self._kept
        if len(memo) + 2 > _tokenizer.CACHE_SIZE:
            make_room(memo, 2)
        key = core if core.islower() else core.lower()
        value = memo.get(key)
        if value is None:
            word_term = self._word_term
            if word_term is None:
                word_term = self._word_term = self._make_word_term()
            value = memo[key] = word_term(key)
        if key != chunk:
            memo[chunk] = value
        return value

    # Two loops: the index and queries want kept terms (and positions), highlighting wants
    # offsets; a test skipped per token is saved on every token of every document.

    def _kept_loop(self, value: str, t: Token, positions: bool, pos: int) -> Iterator[Token]:
        get = self._kept.get
        miss = self._kept_miss
        for _, block in blocks(value):
            for chunk in block.split():
                kept = get(chunk)
                if kept is None:
                    kept = miss(chunk)
                if kept.__class__ is str:
                    t.text = kept
                    t.protected = False
                    if positions:
                        t.pos = pos
                        pos += 1
                    yield t
                    continue
                for text, protected in kept:
                    t.text = text
                    t.protected = protected
                    if positions:
                        t.pos = pos
                        pos += 1
                    yield t

    def _full_loop(
        self,
        value: str,
        t: Token,
        positions: bool,
        chars: bool,
        keeporiginal: bool,
        removestops: bool,
        pos: int,
        start_char: int,
    ) -> Iterator[Token]:
        memo = self._full
        get = memo.get
        memoize = self._memoize
        for block_start, block in blocks(value):
            cursor = 0
            for chunk in block.split():
                terms = get(chunk)
                if terms is None:
                    terms = memoize(chunk, memo, tuple, _shifted, 4)
                offset = block.find(chunk, cursor)
                cursor = offset + len(chunk)
                offset += block_start + start_char
                for text, protected, stopped, rel_start, rel_end in terms:
                    if stopped and removestops:
                        continue
                    t.text = text
                    t.protected = protected
                    t.stopped = stopped
                    if positions:
                        t.pos = pos
                        if not stopped:
                            pos += 1
                    if chars:
                        t.startchar = offset + rel_start
                        t.endchar = offset + rel_end
                    if keeporiginal:
                        t.original = chunk[rel_start:rel_end]
                    yield t


def _shifted(terms: tuple[_Term, ...], lead: int) -> tuple[_Term, ...]:
    return tuple((t, p, s, start + lead, end + lead) for t, p, s, start, end in terms)


def _kept(terms: list[_Term] | tuple[_Term, ...]) -> str | tuple[tuple[str, bool], ...]:
    if len(terms) == 1:
        text, protected, stopped, _, _ = terms[0]
        if stopped:
            return ()
        return ((text, True),) if protected else text
    return tuple([(term[0], term[1]) for term in terms if not term[2]])
