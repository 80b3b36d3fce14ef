"""A group of equivalent forms, scored as its best form.

A synonym group (:class:`~searchlib.backends.embedded.plan.BestOf`: the form the user typed
and its equivalents) matches as an OR does and scores as the best-scoring form at each
document, so a document that writes both ``KPK`` and ``Komisi Pemberantasan Korupsi``
counts the name once, as one that writes only the typed form does.
"""

from __future__ import annotations

from typing import Any

from whoosh import matching
from whoosh import query as wq
from whoosh.matching import binary
from whoosh.util import make_binary_tree

__all__ = ["Best"]


class Best(wq.DisjunctionMax):
    """Any of the subqueries, scored as the best-scoring one at each document. Whoosh's
    own DisjunctionMax matcher takes its two sides' maximum even where one side already
    stands at a later document, adding a score the document does not have."""

    def matcher(self, searcher: Any, context: Any = None) -> Any:
        subs = [q.matcher(searcher, context) for q in self.subqueries]
        if not subs:
            return matching.NullMatcher()
        best = subs[0] if len(subs) == 1 else make_binary_tree(_BestMatcher, subs)
        return best if self.boost == 1.0 else matching.WrappingMatcher(best, self.boost)


class _BestMatcher(binary.UnionMatcher):
    """The union of two matchers, scored as the better of the sides at its document."""

    def score(self) -> float:
        a, b = self.a, self.b
        if not a.is_active():
            return float(b.score())
        if not b.is_active() or a.id() < b.id():
            return float(a.score())
        if b.id() < a.id():
            return float(b.score())
        return float(max(a.score(), b.score()))
