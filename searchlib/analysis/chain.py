"""The analyzer Whoosh calls for every indexed field and every query: a fused filter chain.

``IndonesianAnalyzer`` is an ordinary Whoosh ``CompositeAnalyzer`` (tokenizer | stopwords |
stemmer) and gives exactly the tokens that chain gives. Whoosh runs a chain as one Python
generator per filter, which for a stop filter and a stemmer costs more than tokenizing and
stemming themselves. Because the tokenizer works on whitespace-separated chunks and both
filters look at one token at a time, the chain's output for a chunk depends on nothing but
the chunk; so this class runs the real filters once per distinct chunk, memoizes the terms,
and then only assigns positions and offsets -- one generator, one dict lookup per chunk.
Chains it cannot prove chunk-local (other filters, ``no_morph``, ``tokenize=False``) run
the plain Whoosh way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from whoosh.analysis import CompositeAnalyzer, Token

from searchlib.analysis.filters import IndonesianStemFilter, StopwordFilter
from searchlib.analysis.tokenizer import (
    _EDGE_PUNCT,
    _MAX_CACHED_CHUNK,
    IndonesianTokenizer,
    SubToken,
    _blocks,
    make_room,
    trim,
)
from searchlib.errors import AnalyzerError

__all__ = ["IndonesianAnalyzer"]

#: Filters whose output for a token depends only on that token (and which leave offsets).
_CHUNK_LOCAL_FILTERS = (StopwordFilter, IndonesianStemFilter)

#: One term of a chunk: text, protected, stopped, start and end relative to the chunk.
_Term = tuple[str, bool, bool, int, int]


class IndonesianAnalyzer(CompositeAnalyzer):
    """Tokenizer | filters, run fused when the chain allows (see the module docstring)."""

    def __init__(self, *composables: Any) -> None:
        super().__init__(*composables)
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

    def __getstate__(self) -> dict[str, Any]:
        return {"items": self.items}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.items = state["items"]
        self._setup()

    def __hash__(self) -> int:
        return hash(tuple(self.items))

    def chunk_terms(self, chunk: str) -> tuple[_Term, ...]:
        """The chain's output for one whitespace-free chunk, computed by the real filters."""
        tokenizer: IndonesianTokenizer = self.items[0]
        stream: Iterator[Token] = _replay(tokenizer.chunk_tokens(chunk))
        for item in self.items[1:]:
            stream = item(stream)
        return tuple((t.text, t.protected, t.stopped, t.startchar, t.endchar) for t in stream)

    def __call__(
        self,
        value: str,
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

    def _fill(
        self,
        chunk: str,
        chunks: list[str],
        memo: dict[str, Any],
        convert: Callable[[list[_Term]], Any],
        shift: Callable[[Any, int], Any] | None,
        share: int,
    ) -> None:
        """Memoize the chain's output for ``chunk`` and every later chunk of ``chunks`` (its
        block) not yet in ``memo``.

        A chunk that is a word with punctuation around it ("Presiden," or "(Presiden") gives
        the word's own terms, shifted by the leading punctuation, so it is analyzed as the
        bare word once (``shift`` moves offsets; None when the memo holds none). All new
        words then go through the filters in one batch: setting up Whoosh's generator chain
        per chunk would cost more than the filtering itself.
        """
        # Chunks before the one that missed were all found (or are too long to keep).
        todo = set(chunks[chunks.index(chunk) :]).difference(memo)
        keys: dict[str, None] = {}  # words to analyze, in order, without duplicates
        derived: list[tuple[str, str, int]] = []  # (chunk, key, lead) taking key's terms
        for new in todo:
            if len(new) > _MAX_CACHED_CHUNK:
                continue
            key = core = new.strip(_EDGE_PUNCT)
            if core.isalnum():
                # Punctuation around a word or number never joins a token (the tokenizer's
                # fast path relies on the same fact), and case only matters to the acronym
                # test: "Presiden," and "(Presiden" share the terms of "presiden".
                if core.isascii() and not (len(core) <= 5 and core.isupper()):
                    key = core.lower()
                if key != new:
                    lead = len(new) - len(new.lstrip(_EDGE_PUNCT)) if shift else 0
                    derived.append((new, key, lead))
            else:
                key = new
            if key not in memo:
                keys[key] = None
        chunk_tokens = self.items[0].chunk_tokens
        counts = []
        subs: list[SubToken] = []
        for key in keys:
            found = chunk_tokens(key)
            counts.append(len(found))
            subs.extend(found)
        stream: Iterator[Token] = _replay(subs)
        for item in self.items[1:]:
            stream = item(stream)
        terms = [(t.text, t.protected, t.stopped, t.startchar, t.endchar) for t in stream]
        if len(terms) != len(subs):  # chunk-local filters keep (and mark) every token
            raise AnalyzerError("analysis filters dropped tokens while removestops=False")
        make_room(memo, len(keys) + len(derived), share)
        values = {}
        at = 0
        for key, count in zip(keys, counts, strict=True):
            values[key] = memo[key] = convert(terms[at : at + count])
            at += count
        for derived_chunk, key, lead in derived:
            value = values.get(key)
            if value is None:  # analyzed by an earlier batch (or evicted by another thread)
                value = memo.get(key)
                if value is None:
                    value = convert(list(self.chunk_terms(key)))
                values[key] = value
            memo[derived_chunk] = shift(value, lead) if shift else value
        trim(memo, share)

    def _full_terms(self, chunk: str, chunks: list[str]) -> tuple[_Term, ...]:
        self._fill(chunk, chunks, self._full, tuple, _shifted, 4)
        found = self._full.get(chunk)
        return found if found is not None else self.chunk_terms(chunk)

    def _kept_terms(self, chunk: str, chunks: list[str]) -> Any:
        self._fill(chunk, chunks, self._kept, _kept, None, 1)
        found = self._kept.get(chunk)
        return found if found is not None else _kept(self.chunk_terms(chunk))

    # Two loops: the index and queries want kept terms (and positions), highlighting wants
    # offsets; each test skipped per token is a measurable share of the time.

    def _kept_loop(self, value: str, t: Token, positions: bool, pos: int) -> Iterator[Token]:
        get = self._kept.get
        miss = self._kept_terms
        for _, block in _blocks(value):
            chunks = block.split()
            for chunk in chunks:
                kept = get(chunk)
                if kept is None:
                    kept = miss(chunk, chunks)
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
        get = self._full.get
        miss = self._full_terms
        for block_start, block in _blocks(value):
            cursor = 0
            chunks = block.split()
            for chunk in chunks:
                terms = get(chunk)
                if terms is None:
                    terms = miss(chunk, chunks)
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


def _replay(subs: list[SubToken] | tuple[SubToken, ...]) -> Iterator[Token]:
    """Sub-tokens as the tokenizer would yield them (offsets relative to the chunk)."""
    t = Token(positions=False, chars=True, removestops=False, mode="")
    for rel_start, rel_end, norm, protected in subs:
        t.text = norm
        t.protected = protected
        t.stopped = False
        t.boost = 1.0
        t.startchar = rel_start
        t.endchar = rel_end
        yield t
