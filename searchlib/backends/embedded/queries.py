"""Whoosh query classes of the engine's own, where Whoosh's would score or match wrongly.

* :class:`Best`: a synonym group (:class:`~searchlib.backends.embedded.plan.BestOf`: the
  form the user typed and its equivalents) matches as an OR does and scores as the
  best-scoring form at each document, so a document that writes both ``KPK`` and ``Komisi
  Pemberantasan Korupsi`` counts the name once, as one that writes only the typed form does.
* :class:`Without`: an excluded part of an AND, which adds nothing to the score.
"""

from __future__ import annotations

from typing import Any

from whoosh import matching
from whoosh import query as wq
from whoosh.matching import binary
from whoosh.matching.wrappers import InverseMatcher
from whoosh.util import make_binary_tree

__all__ = ["Best", "Without"]


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


class Without(wq.Not):
    """Every document the child does not match, scored 0: Whoosh's Not scores each 1.0,
    which an AND adds to every match. (Whoosh's AndNot would score right, but its matcher
    does not skip the excluded list to its first candidate, so it lets that one through.)"""

    def matcher(self, searcher: Any, context: Any = None) -> Any:
        reader = searcher.reader()
        child = self.query.matcher(searcher, searcher.boolean_context())
        return InverseMatcher(child, reader.doc_count_all(), missing=reader.is_deleted, weight=0.0)
