"""The standard rows of a quality table: searchlib's configurations and the reference rows.

Reference rows are BM25 as peers ship it: textbook parameters (k1 1.2, b 0.75), every query
ranked as one any-word query, and a peer's way of reducing words -- none (``simple``), raw
Snowball, or the nlp-id lemmatizer. They keep everything else of the base config: the same
tokenizer, stopwords and field boosts, in the same kind of index, so a difference between a
reference row and searchlib's row comes from searchlib's stemmer, ranking settings and query
handling, not from different data or word lists.

"Same ranking" rows answer the other question: the base config's ranking and query handling
with only the stemmer swapped for a peer's.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from searchlib.evaluation.peers import PEERS, PeerUnavailable, peer_mapper
from searchlib.evaluation.runner import System

__all__ = ["REFERENCE_BM25", "available_peers", "reference_systems", "same_ranking_systems"]

#: Robertson's textbook values, the defaults of Lucene, bm25s and rank_bm25.
REFERENCE_BM25 = {"k1": 1.2, "b": 0.75}
#: Reference stemmers, in table order: None is no stemming.
REFERENCE_STEMMERS: tuple[str | None, ...] = (None, "snowball", "nlp-id")


def _label(peer: str | None) -> str:
    return "no stemming" if peer is None else PEERS[peer][0]


def available_peers() -> tuple[list[str | None], list[str]]:
    """The reference stemmers that can run here, and a note for each one that cannot."""
    found: list[str | None] = []
    notes = []
    for peer in REFERENCE_STEMMERS:
        if peer is not None:
            try:
                peer_mapper(peer)
            except PeerUnavailable as error:
                notes.append(f"{_label(peer)} row skipped: {error} ({error.hint})")
                continue
        found.append(peer)
    return found, notes


def reference_systems(
    base: Mapping[str, Any], peers: list[str | None] | None = None
) -> list[System]:
    """Peer-style BM25 rows on ``base``'s stopwords and field boosts."""
    config = dict(base, bm25=dict(REFERENCE_BM25), analyzer="simple")
    return [
        System(f"reference: BM25, {_label(p)}", config, query_mode="any", peer=p)
        for p in (REFERENCE_STEMMERS if peers is None else peers)
    ]


def same_ranking_systems(
    base: Mapping[str, Any], peers: list[str | None] | None = None
) -> list[System]:
    """``base``'s ranking and query handling with a peer's stemming instead of its own."""
    config = dict(base, analyzer="simple")
    return [
        System(f"same ranking, {_label(p)}", config, peer=p)
        for p in (REFERENCE_STEMMERS if peers is None else peers)
    ]
