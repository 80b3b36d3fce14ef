"""Groups of equivalent forms, scored from posting blocks: an acronym and its long form.

A search naming a listed acronym or long form (:mod:`searchlib.query.synonyms`) has a part
that is a group of forms -- ``KPK`` or the phrase "Komisi Pemberantasan Korupsi" -- which
scores as its best-scoring form at each document, as
:class:`~searchlib.backends.embedded.queries.Best` scores it for Whoosh's matchers. The
top-k scorer first ranks the forms the user typed as plain words (:func:`typed_words`):
when no other form could reach the top k they found (:func:`others_cannot_matter`), that
is the answer, as fast as any plain search. Otherwise it hands the search here, a segment
at a time, with the typed forms' k-th best score as a floor:

* AND: the part with the fewest postings is read whole and every other part only at its
  candidates; a phrase's words are read last, only at the documents whose score the
  phrase could change and lift to the floor. OR: MaxScore, a part at a time.
* A phrase first scores as if its words stood next to each other wherever they all
  appear: a bound of its score, never below it. Its words' positions are read only where
  that bound decides something: for a document the bound would put in the top k, and, for
  the total and the facets, for one that matches only through the phrase. A long form of
  common words ("Kepolisian Negara Republik Indonesia") costs the positions of a few
  documents, not of its words across the archive.
* The top k are taken best bound first. A document whose bound rests on an unchecked
  phrase is checked and competes again with its true score, so the k taken are the exact
  top k, with Whoosh's scores (``tests/test_topk.py``).
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable
from collections.abc import Set as AbstractSet
from typing import Any, NamedTuple

from searchlib.backends.embedded.plan import AllOf, AnyOf, Phrase, Term, Words
from searchlib.backends.embedded.segment_words import SegmentWords, phrase_holds
from searchlib.backends.embedded.term_lists import (
    SLACK,
    Factor,
    Segment,
    heading_counts,
    kth,
)

__all__ = [
    "Form",
    "Found",
    "grouped",
    "match_set",
    "others_cannot_matter",
    "slots_of",
    "typed_words",
]

#: How a form's words match: one word, every word, any word, every word next to each
#: other in order.
TERM, ALL, ANY, PHRASE = "term", "all", "any", "phrase"


class Form(NamedTuple):
    """One form of a part: its words, and what its score is multiplied by."""

    factors: tuple[Factor, ...]
    boost: float
    kind: str


#: A part of the search: one form (a word), or a group's forms, the typed one first.
Slot = tuple[Form, ...]


def slots_of(words: Words, factor: Callable[[Term], Factor]) -> tuple[list[Slot], list[Factor]]:
    """The parts of ``words`` as forms, and the words the user typed (a group's first
    form, not a phrase's words): the ones the heading rule counts."""
    slots: list[Slot] = []
    typed: list[Factor] = []
    for part in words.parts:
        if isinstance(part, Term):
            slots.append((Form((factor(part),), 1.0, TERM),))
            typed.append(slots[-1][0].factors[0])
            continue
        slot = tuple(_form(form, factor) for form in part.parts)
        if slot[0].kind != PHRASE:
            typed.extend(slot[0].factors)
        slots.append(slot)
    return slots, typed


def _form(match: Any, factor: Callable[[Term], Factor]) -> Form:
    if isinstance(match, Term):
        return Form((factor(match),), 1.0, TERM)
    if isinstance(match, Phrase):
        terms = (factor(Term(match.field, text)) for text in match.texts)
        return Form(tuple(terms), match.boost, PHRASE)
    assert isinstance(match, (AllOf, AnyOf))
    terms = (factor(t) for t in match.parts if isinstance(t, Term))
    return Form(tuple(terms), 1.0, ALL if isinstance(match, AllOf) else ANY)


def typed_words(words: Words) -> Words | None:
    """``words`` with each group reduced to the form the user typed (a long form's words
    joining the search's own), or None when that cannot be written as plain words (a
    typed phrase, or words joined other than as the search's)."""
    parts: list[Term] = []
    for part in words.parts:
        typed = part if isinstance(part, Term) else part.parts[0]
        if isinstance(typed, Term):
            parts.append(typed)
        elif isinstance(typed, AllOf if words.required else AnyOf):
            parts.extend(t for t in typed.parts if isinstance(t, Term))
        else:
            return None
    return Words(words.field, tuple(parts), words.required)


def others_cannot_matter(slots: list[Slot], upper: Callable[[Factor], float], kth: float) -> bool:
    """Whether no form but the typed ones can change the top k, given a lower bound of
    its k-th best score: a form added to part i reaches at most its words' best scores,
    plus the other parts' best, and if that stays below ``kth`` it can neither lift a
    document into the top k nor raise the part of a document already there (whose
    score is at least ``kth``)."""

    best = [max(form_bound(form, upper) for form in slot) for slot in slots]
    total = sum(best)
    return all(
        form_bound(form, upper) + total - best[i] < kth * (1 - SLACK)
        for i, slot in enumerate(slots)
        for form in slot[1:]
    )


class Found(NamedTuple):
    """A segment's top k and, when known, every match."""

    #: The top k's document numbers, ascending, and their scores.
    docs: list[int]
    scores: list[float]
    #: How many match, or None while a phrase's matches are unchecked.
    matched: int | None
    #: Every match, ascending, when ``matched`` is known.
    every: list[int] | None


def grouped(
    seg: Segment,
    slots: list[Slot],
    typed: list[Factor],
    required: bool,
    k: int,
    so_far: list[tuple[float, int]],
    floor: float = 0.0,
) -> Found | None:
    """The ``k`` best matches of the parts in one segment (None when none match);
    ``so_far`` holds the best of the segments before, and ``floor`` a score the k-th best
    of the whole search is known to reach (0 when unknown)."""
    weights = SegmentWords(seg, heading_counts(seg, typed))
    if required:
        read, pruned = _all_parts(weights, slots, floor * (1 - SLACK))
    else:
        read, pruned = _any_part(weights, slots, k, [score for score, _ in so_far], floor)
    if read is None:  # no match, or none that can enter the top k
        return Found([], [], None, None) if pruned else None
    scoring = _Scoring(weights, slots, required, *read)
    scores = scoring.scores
    while True:
        # Equal scores rank the lower document number first, as Whoosh orders them.
        top = heapq.nlargest(k, scores.items(), key=_rank)
        unchecked = [doc for doc, _ in top if doc in scoring.unchecked]
        if not unchecked:
            break
        scoring.check(unchecked)
    top.sort()
    docs, found = [doc for doc, _ in top], [score for _, score in top]
    if pruned or scoring.doubtful:
        return Found(docs, found, None, None)
    return Found(docs, found, len(scores), sorted(scores))


def _rank(item: tuple[int, float]) -> tuple[float, int]:
    return (item[1], -item[0])


def match_set(seg: Segment, slots: list[Slot], required: bool) -> set[int]:
    """Every match of the parts in one segment: a document that matches only through a
    phrase is checked."""
    weights = SegmentWords(seg, None)
    candidates = _candidates(weights, slots, required)
    if not candidates:
        return candidates
    sure = [_sure_docs(weights, slot, candidates) for slot in slots]
    if required:
        doubtful = set().union(*(candidates - docs for docs in sure))
    else:
        doubtful = candidates.difference(*sure)
    if not doubtful:
        return candidates
    held = [set(docs) for docs in sure]
    for i, slot in enumerate(slots):
        for form in slot:
            if form.kind == PHRASE:
                docs = _with_words(weights, form, doubtful - held[i])
                held[i] |= phrase_holds(weights, form.factors, sorted(docs))
    if required:
        return candidates.intersection(*held)
    return candidates & set().union(*held)


def _sure_docs(weights: SegmentWords, slot: Slot, among: set[int]) -> set[int]:
    """The documents of ``among`` where a form of the part that needs no check matches."""
    return _slot_docs(weights, tuple(f for f in slot if f.kind != PHRASE), among)


def _with_words(weights: SegmentWords, form: Form, among: AbstractSet[int] | None) -> set[int]:
    """The documents (of ``among``) that have every word of ``form``: the rarest word's
    read first, each further word's only at the documents that have the words before."""
    docs: AbstractSet[int] | None = among
    for f in sorted(form.factors, key=lambda f: weights.frequency(f.btext)):
        found = weights.of(f, docs).keys()
        docs = set(found) if docs is None else found & docs
        if not docs:
            break
    return set() if docs is None else set(docs)


def _size(weights: SegmentWords, slot: Slot) -> int:
    """About how many documents a part matches: its forms' postings at most."""
    total = 0
    for form in slot:
        sizes = [weights.frequency(f.btext) for f in form.factors]
        total += sum(sizes) if form.kind == ANY else min(sizes)
    return total


def _candidates(weights: SegmentWords, slots: list[Slot], required: bool) -> set[int]:
    """The documents where every part (AND) or some part (OR) has a form whose words all
    appear -- a phrase's not yet checked for order."""
    if not required:
        return set().union(*(_slot_docs(weights, slot, None) for slot in slots))
    order = sorted(slots, key=lambda slot: _size(weights, slot))
    found = _slot_docs(weights, order[0], None)
    for slot in order[1:]:
        if not found:
            break
        found &= _slot_docs(weights, slot, found)
    return found


def _slot_docs(weights: SegmentWords, slot: Slot, among: AbstractSet[int] | None) -> set[int]:
    """The documents (of ``among``) where some form of the part has all its words (any,
    for ``ANY``); a phrase's words are read only where no other form matches."""
    docs: set[int] = set()
    for form in sorted(slot, key=lambda form: form.kind == PHRASE):
        at = among if among is None or form.kind != PHRASE else among - docs
        if form.kind == ANY:
            docs.update(*(weights.of(f, at).keys() for f in form.factors))
        else:
            docs.update(_with_words(weights, form, at))
    if among is not None:
        docs &= among
    return docs


#: Per part, per form, each document's score for the form (where its words appear).
PerForm = list[dict[int, float]]


def _all_parts(
    weights: SegmentWords, slots: list[Slot], floor: float
) -> tuple[tuple[list[PerForm], set[int]] | None, bool]:
    """AND: the part with the fewest postings read whole, each other one only at the
    documents every part so far matches; a phrase's words are read last, only at the
    documents whose score it could change -- those it could lift to ``floor`` (a lower
    bound of the k-th best score) and whose other forms of the part score less than it
    can. Returns the parts' form scores and the documents left, and whether a match may
    have been left out."""
    uppers = [_slot_upper(weights, slot) * (1 + SLACK) for slot in slots]
    phrases = [
        max((_form_upper(weights, f) for f in slot if f.kind == PHRASE), default=None)
        for slot in slots
    ]
    total = sum(uppers)
    # Whether a document could reach the floor through a part's phrase alone.
    alone = [
        best is not None and best + total - uppers[i] >= floor for i, best in enumerate(phrases)
    ]
    pruned = any(best is not None and not alone[i] for i, best in enumerate(phrases))
    read: list[PerForm] = [[{} for _ in slot] for slot in slots]
    sure: list[dict[int, float]] = [{} for _ in slots]
    docs: set[int] | None = None
    for i in sorted(range(len(slots)), key=lambda i: _size(weights, slots[i])):
        for n, form in enumerate(slots[i]):
            if form.kind != PHRASE:
                read[i][n] = _form_scores(weights, form, docs)
        sure[i] = _best(read[i])
        if docs is None:
            docs = set(sure[i])
            if alone[i]:  # the phrase-only documents, as candidates to check
                for form in slots[i]:
                    if form.kind == PHRASE:
                        docs |= _with_words(weights, form, None)
        elif not alone[i]:
            docs &= sure[i].keys()
        if not docs:
            return None, pruned
    assert docs is not None
    for i, slot in enumerate(slots):
        best = phrases[i]
        if best is None:
            continue
        at = _could_change(docs, sure, phrases, i, floor)
        for n, form in enumerate(slot):
            if form.kind == PHRASE and at:
                read[i][n] = _form_scores(weights, form, at)
        matched = sure[i].keys() | set().union(*(read[i][n].keys() for n in range(len(slot))))
        lost = docs - matched
        if lost - at:
            pruned = True  # they might match through the phrase, but cannot enter the top k
        docs -= lost
        if not docs:
            return None, pruned
    return (read, docs), pruned


def _could_change(
    docs: set[int], sure: list[dict[int, float]], phrases: list[float | None], i: int, floor: float
) -> set[int]:
    """The documents where part ``i``'s phrases could change the score: where the part's
    other forms score less than the phrase can, and the other parts' best plus the
    phrase's could reach ``floor``."""
    best = phrases[i]
    assert best is not None
    found = set()
    for doc in docs:
        own = sure[i].get(doc)
        if own is not None and own >= best:
            continue
        rest = best
        for j, scores in enumerate(sure):
            if j != i:
                score = scores.get(doc, 0.0)
                phrase = phrases[j]
                rest += score if phrase is None or score >= phrase else phrase
        if rest >= floor:
            found.add(doc)
    return found


def form_bound(form: Form, upper: Callable[[Factor], float]) -> float:
    """The best score ``form`` can reach, given each word's best (a little more, for
    rounding)."""
    return form.boost * sum(upper(f) for f in form.factors) * (1 + SLACK)


def _form_upper(weights: SegmentWords, form: Form) -> float:
    return form_bound(form, weights.upper)


def _any_part(
    weights: SegmentWords, slots: list[Slot], k: int, prior: list[float], floor: float
) -> tuple[tuple[list[PerForm], set[int]] | None, bool]:
    """OR, MaxScore a part at a time (as ``topk._or`` does words): the parts with the
    highest possible scores are read whole; once the best the parts left could add cannot
    lift a document not yet seen into the k best, they are read only at the documents
    seen, and a document drops out when even they cannot lift it. The k-th best is taken
    from the scores no unchecked phrase raises, which never exceed a document's true
    score. Returns the parts' form scores and the documents left, and whether a match may
    have been left out."""
    uppers = [_slot_upper(weights, slot) * (1 + SLACK) for slot in slots]
    order = sorted(range(len(slots)), key=lambda i: -uppers[i])
    read: list[PerForm] = [[] for _ in slots]
    prior = [*prior, *([floor] * k)] if floor else prior
    sure: dict[int, float] = {}
    bound: dict[int, float] = {}
    t = 0
    while t < len(order) and sum(uppers[i] for i in order[t:]) >= kth(sure, prior, k):
        read[order[t]] = _slot_scores(weights, slots[order[t]], None)
        _add_best(read[order[t]], slots[order[t]], sure, bound)
        t += 1
    docs = set(bound)
    for rest in range(t, len(order)):
        floor = kth(sure, prior, k) - sum(uppers[i] for i in order[rest:])
        docs = {doc for doc in docs if bound[doc] >= floor}
        read[order[rest]] = _slot_scores(weights, slots[order[rest]], docs)
        _add_best(read[order[rest]], slots[order[rest]], sure, bound)
    return ((read, docs) if docs else None), t < len(order)


def _slot_upper(weights: SegmentWords, slot: Slot) -> float:
    """The best score the part can reach: its best form's words' best scores."""
    return max(_form_upper(weights, form) for form in slot)


def _add_best(
    per_form: PerForm, slot: Slot, sure: dict[int, float], bound: dict[int, float]
) -> None:
    """Adds the part's best score per document to ``bound`` and its best score from forms
    that need no check to ``sure``."""
    for total, phrases in ((sure, False), (bound, True)):
        best = _best(s for f, s in zip(slot, per_form, strict=True) if phrases or f.kind != PHRASE)
        get = total.get
        for doc, score in best.items():
            total[doc] = get(doc, 0.0) + score


def _slot_scores(weights: SegmentWords, slot: Slot, among: AbstractSet[int] | None) -> PerForm:
    """Per form of the part, the score of each document (of ``among``, when given) where
    its words appear. A phrase is scored only where its best possible score exceeds the
    other forms': elsewhere it cannot change the part's score."""
    per_form: PerForm = [{} for _ in slot]
    sure: dict[int, float] = {}
    for n, form in enumerate(slot):
        if form.kind != PHRASE:
            per_form[n] = _form_scores(weights, form, among)
            sure = _best((sure, per_form[n]))
    for n, form in enumerate(slot):
        if form.kind == PHRASE:
            at = among
            if among is not None:
                best = _form_upper(weights, form)
                at = {doc for doc in among if doc not in sure or sure[doc] < best}
            per_form[n] = _form_scores(weights, form, at) if at is None or at else {}
    return per_form


def _form_scores(
    weights: SegmentWords, form: Form, among: AbstractSet[int] | None
) -> dict[int, float]:
    """The score of each document (of ``among``, when given) where the form's words
    appear: the words' BM25 scores summed in the query's order (all of them, or any),
    times the form's boost."""
    seg = weights.seg
    norms, k1p1, lengths = seg.norms, seg.k1p1, seg.lengths
    if form.kind in (ALL, PHRASE) and len(form.factors) > 1:
        among = _with_words(weights, form, among)
    total: dict[int, float] | None = None
    for f in form.factors:
        found = weights.of(f, among)
        if among is not None and len(found) > len(among):
            found = {doc: found[doc] for doc in among if doc in found}
        idf, boost = f.idf, f.boost
        scores = {
            doc: idf * ((tf * k1p1) / (tf + norms[lengths[doc]])) * boost
            for doc, tf in found.items()
        }
        if total is None:
            total = scores
        elif form.kind == ANY:
            get = total.get
            for doc, score in scores.items():
                total[doc] = get(doc, 0.0) + score
        else:
            total = {doc: score + scores[doc] for doc, score in total.items() if doc in scores}
    assert total is not None
    if among is not None:
        total = {doc: score for doc, score in total.items() if doc in among}
    if form.boost != 1.0:
        total = {doc: score * form.boost for doc, score in total.items()}
    return total


class _Scoring:
    """The candidates' scores -- exact, or a bound while an unchecked phrase could raise
    one of the document's parts -- and the phrases still to check."""

    def __init__(
        self,
        weights: SegmentWords,
        slots: list[Slot],
        required: bool,
        form_scores: list[PerForm],
        docs: set[int],
    ) -> None:
        self.weights = weights
        self.slots = slots
        self.required = required
        #: Per part, per form, each document's score for the form.
        self.form_scores = form_scores
        #: Per part, each document's best score from a form that needs no check (or from
        #: a phrase checked there).
        self.sure = [
            _best(s for form, s in zip(slot, per_form, strict=True) if form.kind != PHRASE)
            for slot, per_form in zip(slots, form_scores, strict=True)
        ]
        bounds = [_best(per_form) for per_form in form_scores]
        self.scores = _sums(bounds, sorted(docs), required)
        #: Document -> the (part, form) phrases that could raise its score, unchecked.
        self.unchecked: dict[int, list[tuple[int, int]]] = {}
        for i, slot in enumerate(slots):
            sure = self.sure[i]
            for j, form in enumerate(slot):
                if form.kind == PHRASE:
                    for doc, score in form_scores[i][j].items():
                        if doc in docs and (doc not in sure or score > sure[doc]):
                            self.unchecked.setdefault(doc, []).append((i, j))
        #: Documents that match only if one of their unchecked phrases holds.
        self.doubtful = (
            set().union(*(docs - sure.keys() for sure in self.sure))
            if required
            else docs.difference(*(sure.keys() for sure in self.sure))
        )

    def check(self, docs: list[int]) -> None:
        """Checks the unchecked phrases of ``docs`` and scores them again: a phrase that
        holds counts with its score, one that does not counts for nothing."""
        wanted: dict[tuple[int, int], list[int]] = {}
        for doc in docs:
            for place in self.unchecked.pop(doc):
                wanted.setdefault(place, []).append(doc)
        for (i, j), where in wanted.items():
            held = phrase_holds(self.weights, self.slots[i][j].factors, sorted(where))
            scores, sure = self.form_scores[i][j], self.sure[i]
            for doc in held:
                if doc not in sure or scores[doc] > sure[doc]:
                    sure[doc] = scores[doc]
        for doc in docs:
            self.doubtful.discard(doc)
            parts = [sure.get(doc) for sure in self.sure]
            present = [score for score in parts if score is not None]
            if not present or (self.required and len(present) < len(parts)):
                del self.scores[doc]
                continue
            self.scores[doc] = sum(present, 0.0)


def _sums(per_slot: list[dict[int, float]], docs: list[int], required: bool) -> dict[int, float]:
    """Each document's parts' scores added up in the query's order."""
    if required:
        totals = [per_slot[0][doc] for doc in docs]
        for scores in per_slot[1:]:
            totals = [total + scores[doc] for total, doc in zip(totals, docs, strict=True)]
        return dict(zip(docs, totals, strict=True))
    totals = [0.0] * len(docs)
    for scores in per_slot:
        get = scores.get
        totals = [
            total if score is None else total + score
            for total, score in zip(totals, map(get, docs), strict=True)
        ]
    return dict(zip(docs, totals, strict=True))


def _best(per_form: Iterable[dict[int, float]]) -> dict[int, float]:
    best: dict[int, float] = {}
    for scores in per_form:
        for doc, score in scores.items():
            if doc not in best or score > best[doc]:
                best[doc] = score
    return best
