"""Rewrites of a parsed query that keep its meaning for ranking but loosen what must match."""

from __future__ import annotations

from searchlib.query.parser import And, DateRange, Node, Not, Or


def any_word(node: Node) -> Node | None:
    """The ranked any-word reading of an all-words query, or None if there is none.

    Only a top-level AND of two or more positive parts falls back; NOT parts stay required
    exclusions.
    """
    if not isinstance(node, And):
        return None
    positive = [c for c in node.children if not isinstance(c, (Not, DateRange))]
    required = [c for c in node.children if isinstance(c, (Not, DateRange))]
    if len(positive) < 2:
        return None
    return And((Or(tuple(positive)), *required)) if required else Or(tuple(positive))
