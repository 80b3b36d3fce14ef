"""Snippets: fragments of a document around its best matches, highlighted in surface form.

Matching is done on analyzed terms (so the query ``setop`` marks ``menyetop``), but what is
shown and marked is always the document's own text at the token's offsets. Rendering escapes
document text for HTML; only our own ``<mark>`` tags are markup.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache

__all__ = ["FORMATS", "Fragment", "make_fragments", "render"]

FORMATS = ("plain", "ansi", "html", "json")
ELLIPSIS = "…"
#: Analyzing a whole 10 MB document for a 160-character snippet is waste: matches past this
#: point are still found by the index, the snippet then shows the document's opening.
MAX_SCAN_CHARS = 200_000

# Control characters from a document must not reach a terminal (escape sequences) or a page.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")

#: Produces (start, end, term) for each token of a text.
TokenSource = Callable[[str], Iterable[tuple[int, int, str]]]


@dataclass(frozen=True)
class Fragment:
    """A span of a field's text with the matches in it (offsets into the whole field text)."""

    field: str
    start: int
    end: int
    text: str
    matches: tuple[tuple[int, int], ...]

    def to_dict(self) -> dict[str, object]:
        return {
            "field": self.field,
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "matches": [list(m) for m in self.matches],
        }


def _variants(letter: str) -> list[str]:
    """The accented forms of ``letter`` (é, è, ê ... for e), both cases."""
    return [
        chr(cp)
        for cp in range(0xC0, 0x250)
        if unicodedata.normalize("NFKD", chr(cp))[0].lower() == letter
    ]


def _fold_class(letter: str) -> str:
    """A regex character class for ``letter`` and its accented forms."""
    variants = _variants(letter)
    return f"[{letter}{''.join(variants)}]" if variants else re.escape(letter)


_FOLDED = {c: _fold_class(c) for c in "abcdefghijklmnopqrstuvwxyz"}


@lru_cache(maxsize=4096)
def _cores(terms: frozenset[str]) -> tuple[str, ...]:
    """What every surface form of a term contains, longest first: Indonesian affixes wrap
    the root and meN-/peN- change only its first letter (tulis: menulis, ditulis,
    penulisan), so every surface form contains the term less its first letter."""
    cores = {t[1:] if len(t) > 4 else t for t in terms}
    return tuple(sorted(cores, key=len, reverse=True))


@lru_cache(maxsize=4096)
def _candidates(terms: frozenset[str]) -> re.Pattern[str]:
    """Where a term's surface forms can be: its core (:func:`_cores`), any case, accents
    folded."""
    body = "|".join("".join(_FOLDED.get(c, re.escape(c)) for c in core) for core in _cores(terms))
    return re.compile(body, re.IGNORECASE)


def _ascii_cores(terms: frozenset[str]) -> tuple[str, ...] | None:
    """The cores of :func:`_candidates`, longest first; None unless all are ASCII."""
    cores = _cores(terms)
    return cores if all(c.isascii() and c for c in cores) else None


#: Accented letters after lower(), to the letter whose class in :func:`_candidates` has them.
_FOLD = {variant: letter for letter in _FOLDED for variant in _variants(letter)}
_ACCENTED = re.compile("[\u00c0-\u024f]")


def _fold(match: re.Match[str]) -> str:
    return _FOLD.get(match.group(), match.group())


def _latin1_fold(code: int) -> int:
    low = chr(code).lower()
    return ord(_FOLD.get(low, low))


#: lower() then the accent folding of :func:`_folded`, as one table over Latin-1: a text
#: whose characters are all Latin-1 is folded in one pass in C.
_LATIN1_FOLD = bytes(_latin1_fold(code) for code in range(256))


def _folded(text: str) -> str | None:
    """``text`` lowercased with its accented letters folded, at the same offsets; None when
    lowercasing changes its length."""
    if text.isascii():
        return text.lower()
    try:
        return text.encode("latin-1").translate(_LATIN1_FOLD).decode("latin-1")
    except UnicodeEncodeError:
        pass
    low = text.lower()
    if len(low) != len(text):
        return None
    return _ACCENTED.sub(_fold, low) if _may_have_accents(low) else low


#: The UTF-8 lead bytes of U+00C0-U+027F, a superset of the accented letters folded.
_ACCENT_LEADS = range(0xC3, 0xCA)


def _may_have_accents(text: str) -> bool:
    """False when ``text`` has no accented letter to fold: seven byte searches (memchr)
    over its UTF-8 cost far less than the folding regex's scan of a long text."""
    data = text.encode("utf-8", "surrogatepass")
    return any(lead in data for lead in _ACCENT_LEADS)


def _candidate_spans(text: str, terms: frozenset[str]) -> list[tuple[int, int]]:
    """The spans :func:`_candidates` finds (leftmost, longest core first, not overlapping).

    The text is lowercased and its accented letters folded (same offsets, when lower()
    keeps the length), then searched with ``str.find``, which scans for a literal in C,
    where the regex engine tries case-insensitive classes or an alternation at every
    position.
    """
    end = min(len(text), MAX_SCAN_CHARS)
    cores = _ascii_cores(terms)
    low = _folded(text) if cores is not None else None
    if cores is None or low is None:
        return [m.span() for m in _candidates(terms).finditer(text, 0, end)]
    found = []
    for rank, core in enumerate(cores):
        at = low.find(core, 0, end)
        while at >= 0:
            found.append((at, rank, at + len(core)))
            at = low.find(core, at + 1, end)
    found.sort()  # leftmost first; at one offset, the longest core (lowest rank)
    spans = []
    done = 0
    for start, _rank, stop in found:
        if start >= done:
            spans.append((start, stop))
            done = stop
    return spans


def _chunk_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """The whitespace-delimited chunk around ``text[start:end]`` (bounded for huge tokens)."""
    lo = start
    floor = max(0, start - 256)
    while lo > floor and not text[lo - 1].isspace():
        lo -= 1
    hi = end
    ceiling = min(len(text), end + 256)
    while hi < ceiling and not text[hi].isspace():
        hi += 1
    return lo, hi


def _matches(text: str, terms: frozenset[str], tokens: TokenSource) -> list[tuple[int, int, str]]:
    """Matches of ``terms`` in ``text``.

    Only the chunks a cheap regex finds as candidates are analyzed: analyzing every word of
    every hit's body was most of the cost of a search.
    """
    found: list[tuple[int, int, str]] = []
    done = -1
    for start, end in _candidate_spans(text, terms):
        if start < done:
            continue
        lo, hi = _chunk_bounds(text, start, end)
        for start, stop, term in tokens(text[lo:hi]):
            if term in terms:
                found.append((lo + start, lo + stop, term))
        done = hi
    return found


def _snap_start(text: str, pos: int) -> int:
    """Move ``pos`` back to the start of the word it falls in."""
    if pos <= 0:
        return 0
    floor = max(0, pos - 20)
    cut = max(text.rfind(" ", floor, pos), text.rfind("\n", floor, pos))
    if cut >= 0:
        return cut + 1
    return 0 if floor == 0 else pos  # the text's first word, or a very long token


def _snap_end(text: str, pos: int) -> int:
    if pos >= len(text):
        return len(text)
    for i in range(pos, min(len(text), pos + 20)):
        if text[i].isspace():
            return i
    return pos


def make_fragments(
    text: str,
    terms: frozenset[str],
    tokens: TokenSource,
    *,
    field: str = "body",
    fragments: int = 2,
    chars: int = 160,
) -> list[Fragment]:
    """Up to ``fragments`` windows of about ``chars`` characters with the most distinct terms.

    With no match in ``text``, the opening of the text is returned unmarked so a hit always
    shows something readable.
    """
    if not text or fragments <= 0:
        return []
    found = _matches(text, terms, tokens) if terms else []
    if not found:
        end = _snap_end(text, chars)
        return [Fragment(field, 0, end, text[:end], ())]
    chosen: list[tuple[int, int]] = []
    remaining = found
    for _ in range(fragments):
        if not remaining:
            break
        best: tuple[float, int, int] | None = None
        for i, (anchor, _end, _term) in enumerate(remaining):
            # Leading context: a third of the window, so the match reads in its sentence;
            # never reaching into a fragment already chosen.
            lo = max(0, anchor - chars // 3)
            hi = lo + chars
            for c_lo, c_hi in chosen:
                if c_hi <= anchor:
                    lo = max(lo, c_hi)
                elif c_lo >= anchor:
                    hi = min(hi, c_lo)
            distinct = set()
            count = 0
            for _start, end, term in remaining[i:]:
                if end > hi:
                    break
                distinct.add(term)
                count += 1
            score = len(distinct) + 0.1 * count
            if best is None or score > best[0]:
                best = (score, lo, hi)
        assert best is not None
        lo = max([_snap_start(text, best[1])] + [h for _l, h in chosen if h <= best[1]])
        hi = min([_snap_end(text, best[2])] + [low for low, _h in chosen if low >= best[2]])
        chosen.append((lo, hi))
        remaining = [m for m in remaining if m[1] <= lo or m[0] >= hi]
    chosen.sort()
    out = []
    for lo, hi in chosen:
        inside = tuple((s, e) for s, e, _t in found if s >= lo and e <= hi)
        out.append(Fragment(field, lo, hi, text[lo:hi], inside))
    return out


def collapse_spaces(text: str) -> str:
    """Each run of whitespace as one space (what ``re.sub(r"\\s+", " ", text)`` gives, with
    str.split(), in C: the regex costs a match attempt per character)."""
    inner = " ".join(text.split())
    if not inner:
        return " " if text else ""
    lead = " " if text[0].isspace() else ""
    trail = " " if text[-1].isspace() else ""
    return lead + inner + trail


def _pieces(fragment: Fragment) -> Iterator[tuple[str, bool]]:
    """The fragment's text as (piece, is_match) with whitespace collapsed for display."""
    pos = fragment.start
    for s, e in fragment.matches:
        if s > pos:
            yield collapse_spaces(fragment.text[pos - fragment.start : s - fragment.start]), False
        yield fragment.text[s - fragment.start : e - fragment.start], True
        pos = e
    if pos < fragment.end:
        yield collapse_spaces(fragment.text[pos - fragment.start :]), False


def _strip_controls(text: str) -> str:
    # Most pieces have no control character: isprintable() says so without the regex.
    return text if text.isprintable() else _CONTROL.sub("", text)


def _escape_html(text: str) -> str:
    return html.escape(_strip_controls(text))


_MARKERS: dict[str, tuple[Callable[[str], str], str, str]] = {
    "plain": (_strip_controls, "[", "]"),
    "ansi": (_strip_controls, "\x1b[1;33m", "\x1b[0m"),
    "html": (_escape_html, "<mark>", "</mark>"),
}


def render(fragments: list[Fragment], fmt: str = "plain", *, text_length: int | None = None) -> str:
    """Fragments joined with an ellipsis, matches marked for ``fmt`` (plain, ansi or html)."""
    escape, open_mark, close_mark = _MARKERS[fmt]
    parts = []
    for frag in fragments:
        body = "".join(
            f"{open_mark}{escape(piece)}{close_mark}" if hit else escape(piece)
            for piece, hit in _pieces(frag)
        ).strip()
        if frag.start > 0:
            body = ELLIPSIS + body
        if text_length is None or frag.end < text_length:
            body += ELLIPSIS
        parts.append(body)
    return " ".join(parts).replace(ELLIPSIS + " " + ELLIPSIS, ELLIPSIS)
