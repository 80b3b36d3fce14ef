"""Engine document ids and engine-safe terms.

Sphinx ids are positive 64-bit integers and its tokenizer has its own idea of a word; article
ids are strings and searchlib's terms may hold any character (``1.000``, ``#tag``, ``é``).
Both are mapped here, deterministically, so every node and every process agrees.
"""

from __future__ import annotations

import hashlib
import re

#: Ids are kept below 2**63: Sphinx 2.2 parses larger literals as negative numbers.
_ID_MASK = (1 << 63) - 1
#: Ids 0 and 1 are never produced (0 is invalid in Sphinx; 1 is kept for a meta row).
_FIRST_ID = 2
#: Sphinx truncates words longer than 42 bytes; longer encoded terms end in a hash instead.
MAX_TERM_BYTES = 40
_HASHED_HEAD = 26
_SAFE = re.compile(r"[a-z0-9]+")


def doc_key(doc_id: str) -> int:
    """The engine's integer id for the article id ``doc_id`` (stable across processes)."""
    digest = hashlib.blake2b(doc_id.encode("utf-8"), digest_size=8).digest()
    key = int.from_bytes(digest, "big") & _ID_MASK
    return key if key >= _FIRST_ID else key + _FIRST_ID


def shard_of(key: int, shards: int) -> int:
    """The node (0-based) that holds the document with engine id ``key``."""
    return key % shards


def encode_term(term: str) -> str:
    """``term`` as exactly one token for a charset of ``0..9, a..z, _``.

    Every character outside ``[a-z0-9]`` (``_`` included) becomes ``_<hex>_``, so the
    mapping is one-to-one and prefixes of a term encode to prefixes of its encoding.
    """
    if _SAFE.fullmatch(term) is None:
        out: list[str] = []
        pos = 0
        for m in _SAFE.finditer(term):
            out.extend(f"_{ord(c):x}_" for c in term[pos : m.start()])
            out.append(m.group())
            pos = m.end()
        out.extend(f"_{ord(c):x}_" for c in term[pos:])
        term = "".join(out)
    if len(term) > MAX_TERM_BYTES:
        digest = hashlib.blake2b(term.encode(), digest_size=6).hexdigest()
        # "_h" never starts an escape (escapes are hex digits), so hashed terms stay distinct.
        term = term[:_HASHED_HEAD] + "_h" + digest
    return term
