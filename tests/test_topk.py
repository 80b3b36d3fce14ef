"""The top-k scorer returns exactly what Whoosh's own matchers return for the same words."""

from __future__ import annotations

import random
from collections import Counter

import pytest
from _synthetic import document, form_matches, same_top, whoosh_top, word_matches

from searchlib import Index
from searchlib.backends.embedded import conjunction
from searchlib.backends.embedded.compile import whoosh_query
from searchlib.backends.embedded.matchsets import filter_sets, match_sets
from searchlib.backends.embedded.plan import AllOf, AnyOf, Plan, Term, words_of
from searchlib.backends.embedded.schema import COMBINED_FIELD
from searchlib.backends.embedded.term_lists import TooSlow, term_postings
from searchlib.backends.embedded.topk import top_k
from searchlib.errors import QueryError


@pytest.mark.slow
@pytest.mark.parametrize("k", [1, 10, 100])
def test_top_k_equals_whoosh(synthetic_index, k):
    searcher = synthetic_index._backend._searcher()
    assert len(searcher.leaf_searchers()) > 1 and searcher.reader().has_deletions()
    rng = random.Random(k)
    for match in word_matches(rng, 150, boosts=True):
        words = words_of(match)
        assert words is not None, match  # plain words are the scorer's
        top = top_k(searcher, words, k, seconds=60)
        assert top is not None, match
        scored, matched, segments = top
        expected, total = whoosh_top(searcher, match, k)
        same_top(scored, expected)
        if matched is not None:
            assert matched == total, match
        if segments is not None:  # every match, those the search left unread included
            assert sum(len(docs) for _, docs in segments()) == total, match


def test_a_word_typed_twice_counts_twice(synthetic_index):
    searcher = synthetic_index._backend._searcher()
    once = Term(COMBINED_FIELD, "kata5")
    for shape in (AllOf, AnyOf):
        match = shape((once, once, Term(COMBINED_FIELD, "kata9")))
        words = words_of(match)
        assert words is not None and len(words.parts) == 3
        top = top_k(searcher, words, 10, seconds=60)
        assert top is not None
        same_top(top.scored, whoosh_top(searcher, match, 10)[0])


def test_words_found_in_one_document(tmp_path):
    # Words of one or two documents, in one segment and after Whoosh's own merge.
    rng = random.Random(3)
    docs = [document(rng, i) for i in range(300)]
    docs[17]["body"] += " satusatunya kata1"
    docs[40]["body"] += " satusatunya"
    docs[41]["body"] += " sekalisaja kata0"
    with Index.create(tmp_path / "ix", {"analyzer": "simple"}) as index:
        index.add(docs[:150])
        index.add(docs[150:])
        _check_rare_words(index)
        index.optimize()
        _check_rare_words(index)


def _check_rare_words(index):
    searcher = index._backend._searcher()
    for texts, shape in (
        (["sekalisaja"], AllOf),
        (["sekalisaja", "kata0"], AllOf),
        (["satusatunya", "kata1"], AllOf),
        (["sekalisaja", "satusatunya"], AnyOf),
    ):
        terms = tuple(Term(COMBINED_FIELD, w) for w in texts)
        match = terms[0] if len(terms) == 1 else shape(terms)
        words = words_of(match)
        assert words is not None
        top = top_k(searcher, words, 10, seconds=60)
        assert top is not None
        expected, total = whoosh_top(searcher, match, 10)
        same_top(top.scored, expected)
        assert top.scored, texts
        assert top.matched in (None, total)


@pytest.mark.parametrize("heading", [False, True])
@pytest.mark.parametrize("k", [1, 3, 10, 50])
def test_pruned_top_k_is_the_exhaustive_top_k(synthetic_index, k, heading):
    # Blocks and words skipped by their score bounds change nothing: the same documents
    # in the same order with the same scores (bit for bit) as scoring every match, which
    # the scorer does when k exceeds the matches -- with the title rule too, which only
    # ever lowers a score below the bounds.
    searcher = synthetic_index._backend._searcher()
    rule = synthetic_index._backend.heading if heading else None
    assert rule is not None or not heading
    rng = random.Random(100 + k)
    pruned = 0
    shapes = set()
    for match in word_matches(rng, 200, boosts=True):
        words = words_of(match)
        assert words is not None
        top = top_k(searcher, words, k, seconds=60, heading=rule)
        every = top_k(searcher, words, 10**9, seconds=60, heading=rule)
        assert top is not None and every is not None
        assert every.matched is not None, match
        assert top.scored == every.scored[:k], match
        if top.matched is None:  # something was skipped: the total is counted apart
            pruned += 1
            shapes.add(type(match).__name__)
        else:
            assert top.matched == every.matched
    assert pruned >= 20, pruned
    assert {"Term", "AnyOf"} <= shapes, shapes


def _varied(backend, matches):
    """Each match with its words, filter, title rule and search options: every third
    filtered by a category, every other with the title rule."""
    category = Term("category", "ekonomi")
    for n, match in enumerate(matches):
        words = words_of(match)
        assert words is not None
        only = category if n % 3 == 0 else None
        rule = backend.heading if n % 2 else None
        yield (
            match,
            words,
            only,
            rule,
            {"seconds": 60, "allowed": filter_sets(only), "heading": rule},
        )


@pytest.mark.parametrize("flat", [0, 10**9], ids=["batches", "one-pass-once-flat"])
@pytest.mark.parametrize("k", [1, 10, 50])
def test_all_words_read_best_first_find_what_every_candidate_finds(
    synthetic_index, monkeypatch, k, flat
):
    # A two-word search whose rarest list is long reads it best bound first and never
    # looks up the candidates that cannot enter the top k. Searching every list so
    # (PRUNE_FROM 0) must give the top k, scores bit for bit and the total of looking
    # every candidate up -- across segments, deletions, a filter and the title rule --
    # and Whoosh's top k and total; both when batches go on to the end and when, once
    # most candidates could still enter, the rest are looked up in one pass.
    monkeypatch.setattr(conjunction, "FLAT_SHARE", flat)
    backend = synthetic_index._backend
    searcher = backend._searcher()
    rng = random.Random(500 + k)
    matches = [m for m in word_matches(rng, 400, boosts=True) if isinstance(m, AllOf)]
    unread = 0
    for match, words, only, rule, options in _varied(backend, matches):
        monkeypatch.setattr(conjunction, "PRUNE_FROM", 10**9)
        one_pass = top_k(searcher, words, k, **options)
        monkeypatch.setattr(conjunction, "PRUNE_FROM", 0)
        best_first = top_k(searcher, words, k, **options)
        assert one_pass is not None and best_first is not None
        assert best_first.scored == one_pass.scored, match
        assert one_pass.matched is not None and one_pass.segments is not None
        assert best_first.segments is not None
        found = [(reader, docs) for reader, docs in best_first.segments() if docs]
        assert found == one_pass.segments(), match
        if best_first.matched is None:
            unread += 1
        else:
            assert best_first.matched == one_pass.matched
        if rule is None:
            filter_q = whoosh_query(only) if only is not None else None
            expected, total = whoosh_top(searcher, match, k, filter_q)
            same_top(best_first.scored, expected)
            assert one_pass.matched == total, match
    assert len(matches) > 100 and unread >= 20, (len(matches), unread)


@pytest.mark.parametrize("k", [1, 10])
def test_a_common_words_bitmap_changes_no_answer(synthetic_index, monkeypatch, k):
    # Two or three words, a further one's list with a bitmap: the matches are known before
    # its blocks are decoded, and only those that can enter the top k are looked up. The
    # top k, scores bit for bit, the total and every match are those of looking every
    # candidate up, across segments, deletions, a filter and the title rule.
    backend = synthetic_index._backend
    searcher = backend._searcher()
    rng = random.Random(900 + k)
    matches = [m for m in word_matches(rng, 600) if isinstance(m, AllOf) and len(m.parts) <= 3]
    taken: Counter[int] = Counter()
    members, matches_first = conjunction._members, conjunction._matches_first

    def counted(seg, lists, k, so_far):
        taken[len(lists)] += 1
        return matches_first(seg, lists, k, so_far)

    monkeypatch.setattr(conjunction, "_matches_first", counted)
    for match, words, _, _, options in _varied(backend, matches):
        monkeypatch.setattr(conjunction, "_members", lambda m: None)
        every_candidate = top_k(searcher, words, k, **options)
        monkeypatch.setattr(conjunction, "_members", members)
        bitmap = top_k(searcher, words, k, **options)
        assert every_candidate is not None and bitmap is not None
        assert bitmap.scored == every_candidate.scored, match
        assert bitmap.matched == every_candidate.matched, match
        assert every_candidate.segments is not None and bitmap.segments is not None
        assert bitmap.segments() == every_candidate.segments(), match
    assert len(matches) > 50 and taken[2] >= 20 and taken[3] >= 20, (len(matches), taken)


def test_totals_and_facets_count_the_candidates_a_search_left_unread(synthetic_index, monkeypatch):
    # The total and the facets of an all-words search that left candidates unread are
    # Whoosh's; if finding the rest runs out of time, asking for them is a QueryError.
    backend = synthetic_index._backend
    searcher = backend._searcher()
    monkeypatch.setattr(conjunction, "PRUNE_FROM", 0)
    rng = random.Random(21)
    matches = [m for m in word_matches(rng, 300) if isinstance(m, AllOf)]
    unread = 0
    for match in matches:
        plan = Plan(match, None, "score", words_of(match))
        _, count, matches_of = backend._rank(searcher, plan, 10)
        if count is None:  # fewer than 10 match: every one was seen
            continue
        top = backend._top_k(searcher, plan, 10)
        unread += top is not None and top.matched is None
        ours = (count(), backend._facets(plan, matches_of()))
        assert ours == (backend._count(plan, None), backend._facets(plan, None)), match
    assert unread >= 10, unread

    def too_slow(self):
        raise TooSlow

    monkeypatch.setattr(conjunction.Conjunction, "every", too_slow)
    for match in matches:
        plan = Plan(match, None, "score", words_of(match))
        top = backend._top_k(searcher, plan, 10)
        if top is not None and top.matched is None:
            _, count, _ = backend._rank(searcher, plan, 10)
            assert count is not None
            with pytest.raises(QueryError, match="took longer than"):
                count()
            return
    raise AssertionError("no search left a candidate unread")


@pytest.mark.slow
@pytest.mark.parametrize("k", [1, 10, 100])
def test_groups_of_forms_equal_whoosh(synthetic_index, k):
    # A group scores as its best form; a phrase counts only where its words stand next to
    # each other -- checked lazily, so the top k and the totals must still be Whoosh's.
    searcher = synthetic_index._backend._searcher()
    rng = random.Random(300 + k)
    counted = checked = 0
    category = Term("category", "ekonomi")
    for n, match in enumerate(form_matches(rng, 120)):
        words = words_of(match)
        assert words is not None and words.grouped, match
        only = category if n % 4 == 0 else None
        allowed = filter_sets(only)
        top = top_k(searcher, words, k, seconds=60, allowed=allowed)
        assert top is not None, match
        filter_q = whoosh_query(only) if only is not None else None
        expected, total = whoosh_top(searcher, match, k, filter_q)
        same_top(top.scored, expected)
        if top.matched is not None:
            assert top.matched == total, match
            assert sum(len(docs) for _, docs in top.segments()) == total
            counted += 1
        sets = match_sets(searcher, words, seconds=60, allowed=allowed)
        assert sets is not None
        assert sum(len(docs) for _, docs in sets) == total, match
        checked += total > 0
    assert checked > 60 and counted > 20, (checked, counted)


@pytest.mark.slow
def test_groups_of_forms_follow_the_heading_rule_as_whoosh_does(synthetic_index):
    # The rule counts the words the user typed (a group's first form, not a phrase); the
    # forms a group adds are scored by it but never counted.
    backend = synthetic_index._backend
    searcher = backend._searcher()
    assert backend.heading is not None
    rng = random.Random(7)
    for match in form_matches(rng, 80):
        words = words_of(match)
        assert words is not None
        top = top_k(searcher, words, 10, seconds=60, heading=backend.heading)
        assert top is not None
        context = backend._heading_context(searcher, Plan(match, None, "score", words))
        collector = searcher.collector(limit=None, optimize=False)
        searcher.search_with_collector(whoosh_query(match), collector, context)
        expected = [(hit.score, hit.docnum) for hit in collector.results()][:10]
        same_top(top.scored, expected)


def test_one_word_read_best_blocks_first_keeps_index_order_among_ties(tmp_path):
    # A common word's list is read through its table, the blocks holding a title match
    # first; documents tied with the k-th score are still the lowest-numbered ones, and
    # every match comes back in index order.
    docs = [
        {
            "id": f"d{i}",
            "title": "Harga" if i % 250 == 249 and i < 1000 else "Pasar",
            "body": "harga naik" + " beras" * (20 if i >= 1024 else 0),
        }
        for i in range(2000)
    ]
    with Index.create(tmp_path / "ix", {"build": {"processes": 1}}) as index:
        index.add(docs)
        searcher = index._backend._searcher()
        (leaf,) = [s.reader() for s, _ in searcher.leaf_searchers()]
        postings = term_postings(leaf, COMBINED_FIELD, b"harga")
        assert postings is not None
        table = postings[1].table()
        assert table is not None and table.impacts is not None
        words = words_of(Term(COMBINED_FIELD, "harga"))
        assert words is not None
        top = top_k(searcher, words, 9, seconds=60)
        assert top is not None and top.matched is None  # blocks were skipped
        assert [doc for _, doc in top.scored] == [249, 499, 749, 999, 0, 1, 2, 3, 4]
        every = top_k(searcher, words, 10**9, seconds=60)
        assert every is not None and every.segments is not None
        assert every.segments()[0][1] == list(range(2000))
