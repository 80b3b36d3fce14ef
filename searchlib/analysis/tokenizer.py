"""The Indonesian tokenizer: words with offsets into the original text.

Offsets always index the text as given, so highlighting marks the surface form; each token is
normalized separately (NFKC, casefold, diacritics folded, apostrophes dropped). Decisions:

* Hyphenated words. Exact reduplication becomes its base (``anak-anak`` -> ``anak``).
  Affixed reduplication stays one token for the stemmer (``berlari-lari``,
  ``kemerah-merahan``, ``tembak-menembak``, ``anak-anaknya``). Parts with digits
  (``covid-19``, ``ke-2``, ``1990-an``) or a one-letter part (``e-commerce``, ``PDI-P``) stay
  one protected token. A trailing clitic part is dropped (``KPK-nya`` -> ``kpk``). Every other
  hyphenated word -- imitative pairs (``sayur-mayur``, ``bolak-balik``, ``lauk-pauk``) and
  compounds (``Indonesia-Malaysia``, ``Prime-Video``) -- is split into one token per part
  with its own offsets, so searching ``sayur`` or ``Malaysia`` finds them.
* Numbers keep their separators (``1.000``, ``2,5``, ``10.30``, ``15%``); ``Rp1.000`` is
  split into ``rp`` and ``1.000`` so it matches ``Rp 1.000``.
* URLs, e-mail addresses, ``@mentions`` and ``#hashtags`` are single tokens. Bare domains
  (``detik.com``) split at the dots, so ``detik`` finds them.
* Dotted abbreviations of single letters lose their dots (``S.H.`` -> ``sh``,
  ``a.n.`` -> ``an``); ``dll.`` is the word ``dll`` (the period is punctuation).
* Protected tokens, which the stem filter leaves alone: anything containing a digit, URLs,
  e-mails, mentions, hashtags, dotted abbreviations, compounds with a one-letter part, and
  all-caps words of 2-5 letters (acronyms: ``AS``, ``UU``, ``PT``, ``DPR``, ``KPK``). The
  cost: a 2-5 letter word in an all-caps headline is not stemmed.
* Over-long tokens are truncated to ``max_token_length`` characters (default 64), not
  dropped, and protected: a long URL is still findable by its own (identically truncated)
  text, and the offsets still span the whole surface.

Speed: no token ever contains whitespace, so the text is split on whitespace (``str.split``,
in C) and each distinct chunk is tokenized once by the full regex and memoized; the common
case, an ASCII word with punctuation around it, skips the regex altogether.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from typing import Any

from searchlib.analysis.base import Token, Tokenizer
from searchlib.errors import AnalyzerError

__all__ = [
    "CACHE_SIZE",
    "EDGE_PUNCT",
    "MAX_CACHED_CHUNK",
    "IndonesianTokenizer",
    "SubToken",
    "blocks",
    "make_room",
    "normalize_word",
]

#: One token of a chunk: (start, end) relative to the chunk, normalized text, protected.
SubToken = tuple[int, int, str, bool]

# Combining marks (decomposed diacritics) and invisible characters that occur inside words:
# soft hyphen, zero-width non-joiner and joiner. None of them is matched by \w.
_MARKS = "\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f\u064b-\u065f"
_INVISIBLE = "\u00ad\u200c\u200d"
_WCHAR = rf"[\w{_MARKS}{_INVISIBLE}]"
_HYPHENS = "-\u2010\u2011"
_APOSTROPHES = "'\u2019\u02bc"

# A word part starts with a letter or digit (not "_", so "____" rules are no token); digit
# groups keep their separators only between digits (1.000, 2,5, 10.30); apostrophes join
# letters (Jum'at, Ma'ruf).
_PART = rf"[^\W_]{_WCHAR}*(?:(?<=\d)[.,:]\d{_WCHAR}*|[{_APOSTROPHES}][^\W_]{_WCHAR}*)*"
_WORD = rf"{_PART}(?:[{_HYPHENS}]{_PART})*(?:(?<=\d)%)?"
_ABBR = r"[^\W\d_](?:\.[^\W\d_](?!\w))+\.?"
# Bounded repetitions keep matching linear even on adversarial input (no whitespace for MBs).
# Control characters and lone surrogates end a URL (a term must be encodable as UTF-8).
_URL = r"(?i:https?://|www\.)\w[^\s<>\"'`\x00-\x1f\x7f\ud800-\udfff]*"
_EMAIL = r"\w[\w.+-]{0,63}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,8}"
_TAG = r"[@#]\w+"

_FULL_RE = re.compile(
    rf"(?P<url>{_URL})|(?P<email>{_EMAIL})|(?P<tag>{_TAG})|(?P<abbr>{_ABBR})|(?P<word>{_WORD})"
)
# Equivalent to _FULL_RE on chunks without "@", "#", "://" or "www." (checked before use).
_LEAN_RE = re.compile(rf"(?P<abbr>{_ABBR})|(?P<word>{_WORD})")

_HYPHEN_RE = re.compile(f"[{_HYPHENS}]")
_DIGIT_RE = re.compile(r"\d")
_CURRENCY_RE = re.compile(r"(?i)(rp)(?=\d)")
_SPACE_RE = re.compile(r"\s")
_UNSTORABLE_RE = re.compile("[\x00-\x1f\x7f\ud800-\udfff]")
_URL_TRAILING = ".,;:!?)]}'\"\u2019\u201d"

#: Punctuation that may surround a word without changing how the regex tokenizes it: none
#: of it is a word character, "@" or "#". Used by the ASCII fast paths (here and in the
#: fused chain).
EDGE_PUNCT = ".,;:!?()[]{}<>\"'`*/\\|~^=+-\u2013\u2014\u2018\u2019\u201c\u201d\u00ab\u00bb\u2026"

_DROP = {ord(c): None for c in _APOSTROPHES + _INVISIBLE} | {0x2010: "-", 0x2011: "-"}

#: Clitics written after a hyphen ("KPK-nya"): dropped from the token.
_CLITICS = frozenset({"nya", "ku", "mu", "lah", "kah", "pun", "tah"})
#: Prefixes of meN-/peN- words that elide the root's first consonant (tembak -> menembak).
_NASAL_PREFIXES = ("mem", "men", "meng", "meny", "pem", "pen", "peng", "peny")

#: Chunks longer than this are tokenized but not memoized (they are rare and unique).
MAX_CACHED_CHUNK = 100
#: Memo size (chunks) of an analyzer's index-and-query memo, about 35 MB when full; memos
#: that hold offsets too (highlighting) or serve the plain chain get a quarter of it. When a
#: memo is full, its older half is evicted.
CACHE_SIZE = 1 << 18
#: Long texts are tokenized in blocks of about this many characters, cut at whitespace, so
#: a 10 MB document is never split into one giant list of chunks.
_BLOCK = 1 << 16


def normalize_word(word: str) -> str:
    """NFKC, casefold, diacritics folded, apostrophes and invisible characters dropped."""
    if word.isascii():
        word = word.lower()
        return word.replace("'", "") if "'" in word else word
    word = unicodedata.normalize("NFKC", word).casefold()
    if not word.isascii():
        decomposed = unicodedata.normalize("NFD", word)
        word = unicodedata.normalize(
            "NFC", "".join(c for c in decomposed if not unicodedata.combining(c))
        )
    return word.translate(_DROP)


def is_acronym(surface: str) -> bool:
    """An all-caps word of 2-5 letters (AS, UU, PT, DPR, KPK, POLRI)."""
    return 2 <= len(surface) <= 5 and surface.isalpha() and surface.isupper()


def _is_affixed_reduplication(a: str, b: str) -> bool:
    """Whether ``a-b`` repeats a root with affixes (berlari-lari, kemerah-merahan)."""
    shorter = min(len(a), len(b))
    if shorter >= 3 and (b.startswith(a) or b.endswith(a) or a.startswith(b) or a.endswith(b)):
        return True  # anak-anaknya, sayur-sayuran, berlari-lari, lempar-melempar
    if len(a) >= 4 and b.startswith(_NASAL_PREFIXES) and b.endswith(a[1:]):
        return True  # tembak-menembak, surat-menyurat: meN- ate the first consonant
    # The root ends the first part and starts the second: ke-merah / merah-an.
    return any(a.endswith(b[:k]) and len(a) - k <= 5 and len(b) - k <= 6 for k in range(3, len(b)))


class _Chunker:
    """Tokenizes one whitespace-free chunk into sub-tokens (no memo)."""

    def __init__(self, max_token_length: int) -> None:
        self.max = max_token_length

    def tokens(self, chunk: str) -> tuple[SubToken, ...]:
        # Fast paths, equivalent to the regex (a test checks): an ASCII word, number or
        # hyphenated word with only punctuation around it -- most chunks of any text.
        core = chunk.strip(EDGE_PUNCT)
        if not core:
            return ()
        if core.isascii() and len(core) <= self.max:
            start = len(chunk) - len(chunk.lstrip(EDGE_PUNCT))
            if core.isalpha():
                acronym = len(core) <= 5 and len(core) >= 2 and core.isupper()
                return ((start, start + len(core), core.lower(), acronym),)
            if core.isdigit():
                return ((start, start + len(core), core, True),)
            if "-" in core and "--" not in core and core.replace("-", "").isalpha():
                out: list[SubToken] = []
                self._word(core, start, out)
                return tuple(out)
        return self.regex_tokens(chunk)

    def regex_tokens(self, chunk: str) -> tuple[SubToken, ...]:
        special = "@" in chunk or "#" in chunk or "://" in chunk or "www." in chunk.lower()
        pattern = _FULL_RE if special else _LEAN_RE
        out: list[SubToken] = []
        for m in pattern.finditer(chunk):
            kind = m.lastgroup
            start, end = m.span()
            surface = m.group()
            if kind == "word":
                self._word(surface, start, out)
                continue
            if kind == "url":
                stripped = surface.rstrip(_URL_TRAILING)
                end -= len(surface) - len(stripped)
                surface = stripped
            elif kind == "abbr":
                surface = surface.replace(".", "")
            self._emit(out, start, end, normalize_word(surface[: self.max * 4]), True)
        return tuple(out)

    def _emit(self, out: list[SubToken], start: int, end: int, norm: str, protected: bool) -> None:
        if not norm:
            return
        if len(norm) > self.max:
            norm, protected = norm[: self.max], True
        out.append((start, end, norm, protected))

    def _part(self, raw: str) -> tuple[str, bool]:
        if len(raw) > 2 and raw[-2] in _APOSTROPHES and raw[-1] in "sS":
            raw = raw[:-2]  # English possessive: Trump's -> trump
        norm = normalize_word(raw[: self.max * 4])
        return norm, bool(_DIGIT_RE.search(norm)) or is_acronym(raw)

    def _word(self, surface: str, base: int, out: list[SubToken]) -> None:
        end = base + len(surface)
        if not _HYPHEN_RE.search(surface):
            currency = _CURRENCY_RE.match(surface)
            if currency:  # Rp1.000 -> rp, 1.000
                self._emit(out, base, base + 2, "rp", True)
                self._emit(out, base + 2, end, *self._part(surface[2:]))
                return
            self._emit(out, base, end, *self._part(surface))
            return
        spans: list[tuple[int, int]] = []
        prev = 0
        for h in _HYPHEN_RE.finditer(surface):
            spans.append((prev, h.start()))
            prev = h.end()
        spans.append((prev, len(surface)))
        parts = [self._part(surface[s:e]) for s, e in spans]
        norms = [n for n, _ in parts]
        if len(norms) > 1 and norms[-1] in _CLITICS:  # KPK-nya: the clitic carries nothing
            parts, norms, spans = parts[:-1], norms[:-1], spans[:-1]
        if len(norms) == 1 or all(n == norms[0] for n in norms):  # anak-anak -> anak
            self._emit(out, base, end, norms[0], parts[0][1])
            return
        joined = "-".join(norms)
        if any(_DIGIT_RE.search(n) for n in norms) or any(len(n) == 1 for n in norms):
            self._emit(out, base, end, joined, True)  # covid-19, e-commerce, PDI-P
            return
        if len(norms) == 2 and _is_affixed_reduplication(norms[0], norms[1]):
            self._emit(out, base, end, joined, False)  # berlari-lari: the stemmer's job
            return
        for (s, e), (norm, protected) in zip(spans, parts, strict=True):  # sayur-mayur, Prime-Video
            self._emit(out, base + s, base + e, norm, protected)


def blocks(value: str) -> Iterator[tuple[int, str]]:
    """``value`` in pieces of about ``_BLOCK`` characters, each cut at whitespace."""
    n = len(value)
    start = 0
    while n - start > _BLOCK:
        space = _SPACE_RE.search(value, start + _BLOCK)
        if space is None:
            break
        yield start, value[start : space.start()]
        start = space.start()
    yield start, value[start:] if start else value


class IndonesianTokenizer(Tokenizer):
    """The tokenizer for Indonesian text; every token carries ``protected`` (bool).

    Takes the options of :mod:`searchlib.analysis.base` (``positions``, ``chars``,
    ``keeporiginal``, ``removestops``, ``start_pos``, ``start_char``, ``tokenize``, ``mode``);
    anything else is set on the token. Only ``max_token_length`` is pickled: indexes written
    by earlier releases hold this class's pickled state, so it keeps its import path.
    """

    def __init__(self, max_token_length: int = 64) -> None:
        self.max_token_length = max_token_length
        self._setup()

    def _setup(self) -> None:
        self._chunker = _Chunker(self.max_token_length)
        self._memo: dict[str, tuple[SubToken, ...]] = {}

    def __getstate__(self) -> dict[str, Any]:
        return {"max_token_length": self.max_token_length}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.max_token_length = state["max_token_length"]
        self._setup()

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and (other.max_token_length == self.max_token_length)

    def __hash__(self) -> int:
        return hash((type(self).__name__, self.max_token_length))

    def __repr__(self) -> str:
        return f"{type(self).__name__}(max_token_length={self.max_token_length})"

    def chunk_tokens(self, chunk: str) -> tuple[SubToken, ...]:
        """The sub-tokens of one whitespace-free chunk of text, without memoizing."""
        return self._chunker.tokens(chunk)

    def _cached_chunk_tokens(self, chunk: str) -> tuple[SubToken, ...]:
        subs = self._memo.get(chunk)
        if subs is None:
            subs = self._chunker.tokens(chunk)
            if len(chunk) <= MAX_CACHED_CHUNK:
                make_room(self._memo, share=4)
                self._memo[chunk] = subs
        return subs

    def whole_value(self, value: str) -> SubToken | None:
        """``value`` as one token (``tokenize=False``): normalized, not split."""
        norm = _UNSTORABLE_RE.sub("", normalize_word(value[: self.max_token_length * 4]))
        if not norm:
            return None
        protected = (
            bool(_DIGIT_RE.search(norm))
            or is_acronym(value)
            or value.startswith(("@", "#"))
            or len(norm) > self.max_token_length
        )
        return (0, len(value), norm[: self.max_token_length], protected)

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
        **kwargs: Any,
    ) -> Iterator[Token]:
        if not isinstance(value, str):
            raise AnalyzerError(f"can only analyze text (str), got {type(value).__name__}")
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:
            whole = self.whole_value(value)
            if whole is not None:
                t.text, t.protected, t.stopped, t.boost = whole[2], whole[3], False, 1.0
                if keeporiginal:
                    t.original = value
                if positions:
                    t.pos = start_pos
                if chars:
                    t.startchar, t.endchar = start_char, start_char + len(value)
                yield t
            return
        pos = start_pos
        chunk_tokens = self._cached_chunk_tokens
        for block_start, block in blocks(value):
            cursor = 0
            for chunk in block.split():
                subs = chunk_tokens(chunk)
                if chars or keeporiginal:
                    offset = block.find(chunk, cursor)
                    cursor = offset + len(chunk)
                    offset += block_start + start_char
                for rel_start, rel_end, norm, protected in subs:
                    t.text = norm
                    t.protected = protected
                    t.stopped = False
                    t.boost = 1.0
                    if keeporiginal:
                        t.original = chunk[rel_start:rel_end]
                    if positions:
                        t.pos = pos
                        pos += 1
                    if chars:
                        t.startchar = offset + rel_start
                        t.endchar = offset + rel_end
                    yield t


def make_room(memo: dict[str, Any], needed: int = 1, share: int = 1) -> None:
    """Keep a memo within ``CACHE_SIZE // share`` entries: when ``needed`` more would
    overflow it, evict the older half (dicts keep insertion order: first in, first out)."""
    limit = CACHE_SIZE // share
    if len(memo) + needed > limit:
        for old in list(memo)[: max(limit // 2, len(memo) + needed - limit)]:
            memo.pop(old, None)
