"""Story signatures: a small MinHash sketch of an article's text, for near-duplicate stories.

A signature is computed once per document at index time (the first ``WORDS`` words of
its title and body, lowercased, as overlapping ``SHINGLE``-word shingles) and handed to
the backend with the document as hex text (``SIGNATURE_FIELD``); a backend keeps it where
reading it back is cheapest (the embedded backend: a fixed-width column of
``SIGNATURE_BYTES`` per document) and gives it back as bytes
(:attr:`searchlib.backends.base.RawHit.signature`).
Two signatures estimate the Jaccard similarity of the two documents' shingle sets; the
collapse at search time (:mod:`searchlib.collapse`) groups hits whose estimate reaches the
config's ``duplicates.threshold``.

The sketch is one-permutation MinHash: each shingle is hashed once (CRC-32, stable across
processes and machines, unlike :func:`hash`), the hash's low bits pick one of ``BINS``
bins and its next bits give a 16-bit value, and each bin keeps its smallest value. One hash
per shingle keeps the cost a small part of indexing; ``BINS`` 16-bit minima estimate a
similarity of 0.5 within about 0.06. A bin no shingle fell into is ``EMPTY`` and is left
out of the comparison, so short documents compare on the bins they fill; below
``MIN_BINS`` only identical signatures count as one story.
"""

from __future__ import annotations

import sys
import zlib
from array import array
from collections.abc import Mapping
from typing import Any, NamedTuple

__all__ = [
    "BINS",
    "EMPTY",
    "MIN_BINS",
    "SHINGLE",
    "SIGNATURE_BYTES",
    "SIGNATURE_FIELD",
    "WORDS",
    "Sketch",
    "decode",
    "document_signature",
    "near_duplicates",
    "packed",
    "similarity",
    "stored_signature",
    "text_signature",
    "without_signature",
]

#: The stored field that holds a document's signature (hex, ``BINS`` x 4 digits).
SIGNATURE_FIELD = "story_signature"
#: Words per shingle: three keep sentences apart that share a common pair of words.
SHINGLE = 3
#: The words signed, from the start: a story's versions share their opening, while
#: different stories share background paragraphs further down; and the signing's cost
#: stays a small part of indexing a long article.
WORDS = 150
BINS = 64
EMPTY = 0xFFFF
#: A signature as bytes: each bin's 16-bit value, big-endian, in bin order.
SIGNATURE_BYTES = BINS * 2
#: The fewest filled bins an estimate is trusted over (about 40 shingles, 45 words).
MIN_BINS = 32
_BIN_BITS = BINS.bit_length() - 1
_LOW_BITS = BINS - 1
#: Above every CRC-32: a bin no hash has reached yet.
_NONE = 1 << 32


def document_signature(doc: Mapping[str, Any]) -> str:
    """The signature of a normalized document (its title and body)."""
    title = doc.get("title")
    body = doc.get("body")
    text = " ".join(t for t in (title, body) if isinstance(t, str))
    return text_signature(text)


def text_signature(text: str) -> str:
    """Words are split on white space only (punctuation stays on its word): the text of
    two versions of a story is punctuated alike, and a regular expression would cost
    more than the rest of the sketch."""
    words = text.lower().encode().split(None, WORDS)[:WORDS]
    words += [b""] * (SHINGLE - len(words))
    shingles = zip(*(words[i:] for i in range(SHINGLE)), strict=False)
    minima = [_NONE] * BINS
    for h in map(zlib.crc32, map(b" ".join, shingles)):
        bin_ = h & _LOW_BITS
        if h < minima[bin_]:
            minima[bin_] = h
    values = array(
        "H", [EMPTY if h == _NONE else min(h >> _BIN_BITS & EMPTY, EMPTY - 1) for h in minima]
    )
    if sys.byteorder == "little":
        values.byteswap()
    return values.tobytes().hex()


class Sketch(NamedTuple):
    """A decoded signature: its bins as one integer (16 bits each) and the empty bins."""

    bits: int
    #: The lowest bit of every empty bin's 16 bits.
    empty: int


_ALL = (1 << (BINS * 16)) - 1
_LANE_LOW = int("0001" * BINS, 16)


def packed(signature: object) -> bytes | None:
    """A signature as hex text (as documents carry it) in bytes; None when it is absent or
    malformed."""
    if not isinstance(signature, str) or len(signature) != SIGNATURE_BYTES * 2:
        return None
    try:
        return bytes.fromhex(signature)
    except ValueError:
        return None


def stored_signature(stored: Mapping[str, Any]) -> bytes | None:
    """The signature among a document's stored fields, where a backend without a column
    for it keeps it (and the embedded backend kept it before it had one)."""
    return packed(stored.get(SIGNATURE_FIELD))


def decode(signature: bytes | None) -> Sketch | None:
    """A signature (bytes) for comparing; None when it is absent or malformed (a document
    indexed without one is then never collapsed)."""
    if not isinstance(signature, bytes) or len(signature) != SIGNATURE_BYTES:
        return None
    bits = int.from_bytes(signature, "big")
    return Sketch(bits, _LANE_LOW & ~_nonzero_lanes(bits ^ _ALL))


def similarity(a: Sketch, b: Sketch) -> float:
    """The estimated Jaccard similarity of two decoded signatures (0.0 to 1.0): the share
    of equal bins among the bins either document filled."""
    equal, used = _agreement(a, b)
    return equal / used if used else 0.0


def near_duplicates(a: Sketch, b: Sketch, threshold: float) -> bool:
    """Whether two documents are versions of one story: the same signature, or an
    estimate over at least ``MIN_BINS`` bins that reaches ``threshold`` (fewer bins -- two
    short texts -- estimate too loosely to tell a rewrite from a shared phrase)."""
    if a.bits == b.bits:
        return True
    equal, used = _agreement(a, b)
    return used >= MIN_BINS and equal >= threshold * used


def _agreement(a: Sketch, b: Sketch) -> tuple[int, int]:
    """How many filled bins two signatures agree on, and how many either one filled."""
    both_empty = (a.empty & b.empty).bit_count()
    differ = _nonzero_lanes(a.bits ^ b.bits).bit_count()
    return BINS - differ - both_empty, BINS - both_empty


def _nonzero_lanes(bits: int) -> int:
    """The lowest bit of each 16-bit lane of ``bits`` that is not zero, and no other."""
    for shift in (8, 4, 2, 1):
        bits |= bits >> shift
    return bits & _LANE_LOW


def without_signature(stored: dict[str, Any]) -> dict[str, Any]:
    """A document's stored fields as a user sees them: the signature is searchlib's own."""
    if SIGNATURE_FIELD not in stored:
        return stored
    return {k: v for k, v in stored.items() if k != SIGNATURE_FIELD}
