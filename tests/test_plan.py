"""A search compiled into the engine's plan: which searches the top-k scorer and the
match-set counter answer, the Whoosh query of the rest, and -- over many random searches
with and without filters -- the same results whichever answers."""

from __future__ import annotations

import ast
import random
from datetime import datetime
from pathlib import Path

import pytest
from _synthetic import random_words
from whoosh import query as wq

import searchlib.backends.embedded as embedded
from searchlib.backends.embedded.compile import plan_search, whoosh_query
from searchlib.backends.embedded.plan import (
    AllOf,
    AnyOf,
    BestOf,
    Dates,
    Excluding,
    Nothing,
    Phrase,
    Term,
    Words,
    own_terms,
    words_of,
)
from searchlib.backends.embedded.queries import Best, Without
from searchlib.backends.embedded.schema import COMBINED_FIELD
from searchlib.query import DateRange, Or, Word, parse_query

F = COMBINED_FIELD


def _plan(index, text, filters=(), sort="score"):
    backend = index._backend
    ctx = backend.context(backend._searcher())
    node = parse_query(text, fields=index._runner.searchable) if isinstance(text, str) else text
    return plan_search(node, list(filters), sort, ctx)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("kata1", Words(F, (Term(F, "kata1"),), True)),
        ("kata1 kata2", Words(F, (Term(F, "kata1"), Term(F, "kata2")), True)),
        ("kata1 OR kata2", Words(F, (Term(F, "kata1"), Term(F, "kata2")), False)),
        ("body:kata3", Words(F, (Term(F, "kata3"),), True)),
        ("kata399*", Words(F, (Term(F, "kata399"),), True)),  # one expansion: one term
        ('"kata1 kata2"', None),  # a phrase: positions, Whoosh's matchers
        ("kata1 -kata2", None),
        ("kata1 date:2020", None),
        ("kata1 (kata2 OR kata3)", None),
        ("kata1 category:ekonomi", None),  # two fields
        ("kata1*", None),  # kata1, kata10 ... kata199: more terms than the scorer takes
    ],
)
def test_which_searches_are_plain_words(synthetic_index, text, words):
    plan = _plan(synthetic_index, text)
    assert plan is not None
    assert plan.words == words
    assert plan.ranked_words == words


@pytest.mark.parametrize("text", ["KPK", "kata1 KPK", "Amerika Serikat kata2", "AS OR kata3"])
def test_acronyms_and_their_long_forms_are_the_scorer_s(synthetic_index, text):
    # Expanded by default: a group of forms (a long form as a phrase) is still words.
    plan = _plan(synthetic_index, synthetic_index._runner._synonyms.expand(parse_query(text)))
    assert plan is not None and plan.ranked_words is not None
    assert plan.ranked_words.grouped, text


def test_date_order_is_whoosh_s_but_the_counter_still_counts(synthetic_index):
    plan = _plan(synthetic_index, "kata1 kata2", sort="date")
    assert plan.words is not None and plan.ranked_words is None


def test_filters_are_their_own_tree_and_not_highlighted(synthetic_index):
    backend = synthetic_index._backend
    ctx = backend.context(backend._searcher())
    start = datetime(2020, 1, 1)
    categories = Or((Word("Politik", "category"), Word("teknologi", "category")))
    filters = [categories, DateRange(start, None)]
    plan = plan_search(parse_query("kata4"), filters, "score", ctx)
    assert plan is not None
    category = AnyOf((Term("category", "politik"), Term("category", "teknologi")))
    assert plan.filter == AllOf((category, Dates("date", start, None)))
    assert ctx.terms == {"title": {"kata4"}, "body": {"kata4"}}


def test_nothing_left_to_search(synthetic_index):
    backend = synthetic_index._backend
    ctx = backend.context(backend._searcher())
    assert plan_search(Word("'"), [], "score", ctx) is None
    assert ctx.dropped == ["'"]


def test_whoosh_query_of_each_match():
    start = datetime(2021, 5, 1)
    match = AllOf(
        (
            AnyOf((Term("title", "a", 8.0), Term(F, "a"))),
            Excluding(Phrase(F, ("b", "c"), 2.0)),
            Dates("date", start, None),
        )
    )
    assert whoosh_query(match) == wq.And(
        [
            wq.Or([wq.Term("title", "a", boost=8.0), wq.Term(F, "a")]),
            Without(wq.Phrase(F, ["b", "c"], boost=2.0)),
            wq.DateRange("date", start, None, endexcl=True),
        ]
    )
    assert whoosh_query(BestOf((Term(F, "kpk"), Phrase(F, ("komisi", "korupsi"), 0.1)))) == Best(
        [wq.Term(F, "kpk"), wq.Phrase(F, ["komisi", "korupsi"], boost=0.1)]
    )
    assert whoosh_query(Nothing()) is wq.NullQuery


def test_groups_of_forms_are_words_of_the_scorer_too():
    group = BestOf((Term(F, "kpk"), Phrase(F, ("komisi", "korupsi"), 0.1)))
    words = words_of(AllOf((Term(F, "a"), group)))
    assert words == Words(F, (Term(F, "a"), group), True) and words.grouped
    assert words_of(group) == Words(F, (group,), True)
    typed = BestOf((AnyOf((Term(F, "komisi"), Term(F, "korupsi"))), Term(F, "kpk", 0.2)))
    assert words_of(AnyOf((typed, Term(F, "b")))) == Words(F, (typed, Term(F, "b")), False)
    assert words_of(BestOf((Term(F, "a"), Term("title", "b")))) is None  # two fields
    assert words_of(BestOf((Term(F, "a"), Excluding(Term(F, "b"))))) is None
    assert words_of(AllOf((Term(F, "a"), Phrase(F, ("b", "c"))))) is None  # a quoted phrase


def test_words_of_other_shapes():
    a, b = Term(F, "a"), Term(F, "b")
    assert words_of(AllOf((a, AllOf((b, a))))) is None  # nested: Whoosh's matchers
    assert words_of(AnyOf((a, Term("title", "b")))) is None
    assert words_of(AnyOf(tuple(Term(F, f"t{i}") for i in range(33)))) is None
    assert words_of(AnyOf(tuple(Term(F, f"t{i}") for i in range(32)))) is not None
    assert words_of(Nothing()) is None


def _random_search(rng: random.Random) -> tuple[str, dict]:
    words = random_words(rng)
    roll = rng.random()
    if roll < 0.15 and len(words) > 1:
        text = " OR ".join(words)
    elif roll < 0.25 and len(words) > 1:
        text = f'"{words[0]} {words[1]}" ' + " ".join(words[2:])
    elif roll < 0.35:
        text = " ".join(words) + f" -{rng.choice(random_words(rng))}"
    elif roll < 0.42:
        text = f"{words[0][:6]}{rng.randrange(10, 40)}* " + " ".join(words[1:])
    elif roll < 0.5:
        text = f"title:{words[0]} " + " ".join(words[1:])
    else:
        text = " ".join(words)
    options: dict = {
        "filters": rng.choice(
            [
                None,
                None,
                {"category": "Ekonomi"},
                {"category": ["politik", "teknologi"]},
                {"source": "Sumber 3"},
                {"category": "Olah Raga", "source": "Sumber 12"},
            ]
        ),
        "sort": rng.choice(["score", "score", "date"]),
        "limit": rng.choice([1, 10, 30]),
        "page": rng.choice([1, 1, 2]),
    }
    if rng.random() < 0.4:
        year = rng.randint(2015, 2024)
        options["since"] = f"{year}-{rng.randint(1, 12):02d}-01" if rng.random() < 0.8 else None
        options["until"] = f"{year + rng.randint(0, 3)}-12-31" if rng.random() < 0.6 else None
    return text, options


@pytest.mark.slow
def test_search_answers_equal_whoosh_general_path(synthetic_index, monkeypatch):
    """Every result a user sees -- hits, scores, total, facets, fallback -- is the same when
    the scorer and the counter answer as when only Whoosh's matchers do. Whoosh ranks by
    plain BM25F, so the scorer does here too: the title rule has its own tests."""
    monkeypatch.setattr(synthetic_index._backend, "heading", None)
    rng = random.Random(23)
    runs = [_random_search(rng) for _ in range(150)]
    ours = [synthetic_index.search(text, **options) for text, options in runs]
    computed = [(r.total, r.facets) for r in ours]  # now, while the scorer is there
    store = "searchlib.backends.embedded.store"
    monkeypatch.setattr(f"{store}.top_k", lambda *a, **kw: None)
    monkeypatch.setattr(f"{store}.match_sets", lambda *a, **kw: None)
    theirs = [synthetic_index.search(text, **options) for text, options in runs]
    assert sum(r.total > 0 for r in theirs) > 100
    for (text, options), a, b, (total, facets) in zip(runs, ours, theirs, computed, strict=True):
        assert (total, facets, a.fallback) == (b.total, b.facets, b.fallback), (text, options)
        assert [h.score for h in a.hits] == pytest.approx([h.score for h in b.hits], rel=1e-9)
        if options["sort"] == "date" or not b.hits:
            assert [h.id for h in a.hits] == [h.id for h in b.hits], (text, options)
        else:  # among documents tied with the last score shown, either may be shown
            cut = b.hits[-1].score * (1 + 1e-9)
            assert {h.id for h in a.hits if h.score > cut} == {
                h.id for h in b.hits if h.score > cut
            }, (text, options)


@pytest.mark.parametrize("module", ["topk.py", "matchsets.py", "plan.py"])
def test_the_scorer_and_counter_read_no_whoosh_queries(module):
    """They take the plan; only compile.py builds Whoosh queries, for Whoosh's matchers."""
    tree = ast.parse((Path(embedded.__file__).parent / module).read_text(encoding="utf-8"))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            imported.update(f"{node.module}.{alias.name}" for alias in node.names)
    assert not {name for name in imported if name.startswith("whoosh.query")}, imported


def test_the_heading_rule_counts_the_words_the_user_typed():
    typed = AllOf(
        (
            Term(F, "banjir"),
            Phrase(F, ("tanah", "longsor")),
            BestOf((Term(F, "kpk"), Phrase(F, ("komisi", "korupsi"), 0.1))),
            Excluding(Term(F, "gempa")),
            Term("title", "jakarta"),
        )
    )
    assert own_terms(typed, F) == {"banjir", "kpk"}
