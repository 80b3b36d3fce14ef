"""BM25 as Lucene, bm25s and Elasticsearch compute it, on Whoosh's BM25F scorer.

Whoosh's own inverse document frequency is ``log(N / (df + 1)) + 1``: the ``+ 1`` keeps
every term worth at least one, so a word found in half the archive still counts nearly as
much as a name found in three articles. Robertson's ``log(1 + (N - df + 0.5) / (df + 0.5))``
lets the rare words decide: on the quality tasks' tuning halves it ranks the answer higher
on facqa and detik-lead and a little lower on detik-headline (docs/quality.md).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from math import log
from typing import Any, NamedTuple

from whoosh import scoring
from whoosh.matching.wrappers import FilterMatcher

from searchlib.backends.embedded.postings import BlockMatcher, InlineMatcher
from searchlib.ranking import heading_counts_fully


class BM25(scoring.BM25F):
    """Whoosh's BM25F with Robertson's (Lucene's) inverse document frequency."""

    def __init__(self, B: float = 0.75, K1: float = 1.2) -> None:
        # One B for every field (BM25F's per-field ``<name>_B`` is not taken): the top-k
        # scorer (topk.py) computes the same scores from B and K1 alone.
        super().__init__(B=B, K1=K1)

    def idf(self, searcher: Any, fieldname: str, text: Any) -> float:
        parent = searcher.get_parent()
        df = parent.doc_frequency(fieldname, text)
        n = parent.doc_count_all()
        return log(1.0 + (n - df + 0.5) / (df + 0.5))


class Heading(NamedTuple):
    """The combined field's most weighted part (the title) as the top-k scorer reads it: the
    field its own postings are in, and how much more one of its occurrences weighs in the
    combined field than one occurrence of the least weighted part (the body)."""

    field: str
    extra: float


def heading_weight(weight: float, in_heading: float, extra: float) -> float:
    """A term's combined-field weight when its heading does not count fully: each heading
    occurrence counts like one occurrence of the rest. Never more than ``weight``, so a
    term's upper bound (its plain BM25 score) still holds."""
    return weight - in_heading * extra


def lowered_headings(
    counts: Mapping[bytes, Mapping[int, float]],
) -> dict[bytes, dict[int, float]]:
    """From each query term's heading weight per document, the heading weights of the
    documents whose heading holds some but too few of the terms
    (:func:`~searchlib.ranking.heading_counts_fully`): the ones the rule lowers."""
    found = Counter(doc for in_heading in counts.values() for doc in in_heading)
    n = len(counts)
    return {
        t: {d: w for d, w in docs.items() if not heading_counts_fully(found[d], n)}
        for t, docs in counts.items()
    }


class HeadingBM25(BM25):
    """The BM25 of one search whose heading rule is applied by Whoosh's matchers (a search
    the top-k scorer does not rank: a phrase, NOT, a group of equivalent forms): the
    combined field's ``terms`` (the query's own words) score a document whose heading holds
    some but too few of them as the top-k scorer does, each heading occurrence counting like
    one of the body (:func:`~searchlib.ranking.heading_counts_fully`)."""

    def __init__(self, base: BM25, field: str, heading: Heading, terms: frozenset[bytes]) -> None:
        super().__init__(B=base.B, K1=base.K1)
        self.combined = field
        self.heading = heading
        self.terms = terms
        self.per_reader: dict[Any, dict[bytes, dict[int, float]]] = {}

    def scorer(self, searcher: Any, fieldname: str, text: Any, qf: float = 1) -> Any:
        lowered = self.lowered(searcher.reader()).get(text) if fieldname == self.combined else None
        if not lowered:
            return super().scorer(searcher, fieldname, text, qf=qf)
        return HeadingScorer(searcher, fieldname, text, self, lowered)

    def lowered(self, reader: Any) -> dict[bytes, dict[int, float]]:
        """Per term, the heading weight of each document of this segment whose heading
        does not count fully. Heading postings are read whole: titles are short."""
        if reader not in self.per_reader:
            counts = {t: _weights(reader, self.heading.field, t) for t in self.terms}
            self.per_reader[reader] = lowered_headings(counts)
        return self.per_reader[reader]


class HeadingScorer(scoring.BM25FScorer):
    """BM25 of one term, with the heading rule's lower weight where it applies (never
    above the plain score, so Whoosh's quality bounds still hold)."""

    def __init__(
        self,
        searcher: Any,
        fieldname: str,
        text: bytes,
        model: HeadingBM25,
        lowered: Mapping[int, float],
    ) -> None:
        self.in_heading: Mapping[int, float] = lowered
        self.extra = model.heading.extra
        super().__init__(searcher, fieldname, text, model.B, model.K1)

    def score(self, matcher: Any) -> float:
        weight, docnum = matcher.weight(), matcher.id()
        in_heading = self.in_heading.get(docnum)
        if in_heading is not None:
            weight = heading_weight(weight, in_heading, self.extra)
        length = self.dfl(docnum)
        return float(scoring.bm25(self.idf, weight, length, self.avgfl, self.B, self.K1))


def _weights(reader: Any, fieldname: str, text: bytes) -> dict[int, float]:
    """docnum -> weight of the term's every posting in ``fieldname``: a block's ids and
    weights at once from this codec's matchers (a deleted document is never scored, so
    Whoosh's filter of them is not needed), posting by posting from another's."""
    if (fieldname, text) not in reader:
        return {}
    m = reader.postings(fieldname, text)
    if isinstance(m, FilterMatcher):
        m = m.child
    if not isinstance(m, (BlockMatcher, InlineMatcher)):
        return dict(m.items_as("weight"))
    weights: dict[int, float] = {}
    while m.is_active():
        weights.update(zip(m.block_ids(), m.block_weights(), strict=True))
        m.next_block()
    return weights
