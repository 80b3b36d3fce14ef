"""Limits from searchlib.yaml ``limits:``: query length, prefix/fuzzy expansions, search time,
document size. Each is configurable, applies at its boundary exactly, and fails with a
searchlib error that names the limit and how to raise it."""

from __future__ import annotations

import json
import threading

import pytest

from searchlib import ConfigError, Index, IngestError, QueryError

YAML = """\
limits:
  max_query_chars: 40
  max_expansions: 20
  search_timeout_s: 5
  max_doc_bytes: 2000
"""


@pytest.fixture(scope="module")
def ix(tmp_path_factory):
    root = tmp_path_factory.mktemp("limits")
    config = root / "searchlib.yaml"
    config.write_text(YAML)
    docs = [
        {"id": f"d{i}", "title": f"Kabar {i}", "body": f"zqkata{i:03d} zqkota{i:03d} umum"}
        for i in range(60)
    ]
    # A prefix with exactly max_expansions terms, and one with one more.
    docs += [{"id": f"dua{i}", "body": f"zqdua{i:02d}"} for i in range(20)]
    docs += [{"id": f"tiga{i}", "body": f"zqtiga{i:02d}"} for i in range(21)]
    with Index.create(root / "ix", config) as index:
        index.add(docs)
        yield index


# -- query length ---------------------------------------------------------------------------


@pytest.mark.parametrize("syntax", ["auto", "query", "plain"])
def test_query_length_limit_is_exact_and_explained(ix, syntax):
    assert ix.config.max_query_chars == 40
    at_limit = "umum " + "x" * 35
    assert len(at_limit) == 40
    ix.search(at_limit, syntax=syntax)  # no error at the limit
    with pytest.raises(QueryError, match=r"query too long: 41 characters \(limit 40\)") as info:
        ix.search(at_limit + "x", syntax=syntax)
    if syntax in ("auto", "query"):
        assert "limits.max_query_chars" in (info.value.hint or "")


def test_query_length_limit_follows_the_config_given_at_open(ix):
    with Index.open(ix.path, {"limits": {"max_query_chars": 5000}}) as wide:
        assert wide.search("umum " + "zqkata001 " * 400, syntax="query").total == 1


# -- expansions -----------------------------------------------------------------------------


def test_prefix_expansions_are_capped(ix):
    # 60 zqkata terms: over the cap of 20; "zqkata00" has 10: under it.
    with pytest.raises(QueryError, match="prefix zqkata\\* matches more than 20 terms") as info:
        ix.search("zqkata*")
    assert "limits.max_expansions" in (info.value.hint or "")
    assert ix.search("zqkata00*").total == 10
    assert ix.search("zqdua*", limit=50).total == 20  # exactly the cap: allowed
    with pytest.raises(QueryError, match="more than 20 terms"):
        ix.search("zqtiga*")  # one over


def test_fuzzy_expansions_are_capped(ix):
    # zqkata000~2 reaches zqkata000..zqkata099 within two edits: 60 terms.
    with pytest.raises(QueryError, match="fuzzy zqkata000~ matches more than 20 terms"):
        ix.search("zqkata000~2")
    # One edit: zqkata000-009, zqkata010-050 by tens, zqkota000 (16 terms in 15 documents).
    assert ix.search("zqkata000~1", limit=50).total == 15


def test_wildcards_inside_a_word_are_text_never_expansions(ix):
    # Only a trailing * expands; elsewhere * and ? are punctuation to the analyzer, so these
    # cannot reach the 60 zqkata terms (as an expansion would) nor the cap.
    for query in ("zq*kata000", "zqk?ta000", "zqkata0*1", "zqkat?"):
        assert ix.search(query).total == 0
    with pytest.raises(QueryError, match="at least 2 letters"):
        ix.search("z*")


# -- search time ----------------------------------------------------------------------------


def test_search_time_limit_stops_a_search_with_a_clear_error(ix):
    with Index.open(ix.path, {"limits": {"search_timeout_s": 1e-9}}) as hurried:
        with pytest.raises(QueryError, match="took longer than 1e-09 s") as info:
            hurried.search("umum")
        assert "limits.search_timeout_s" in (info.value.hint or "")
    assert ix.search("umum").total == 60  # 5 s is plenty


def test_search_time_limit_works_outside_the_main_thread(ix):
    errors: list[BaseException] = []

    def search() -> None:
        with Index.open(ix.path, {"limits": {"search_timeout_s": 1e-9}}) as hurried:
            try:
                hurried.search("umum")
            except QueryError as error:
                errors.append(error)

    thread = threading.Thread(target=search)
    thread.start()
    thread.join(30)
    assert len(errors) == 1 and "took longer than" in str(errors[0])


# -- document size --------------------------------------------------------------------------


def test_document_size_limit_is_exact_and_explained(ix):
    fits = {"id": "pas", "body": "zqbatas " + "a" * (2000 - 8)}
    assert len(fits["body"].encode()) == 2000
    over = {"id": "lebih", "body": fits["body"] + "é"}  # one character, two bytes
    with pytest.raises(IngestError, match=r"document is 2,002 bytes, over the limit of 2,000") as e:
        ix.add([fits, over])
    assert e.value.line == 2
    assert ix.get("pas") is None  # the batch failed whole
    summary = ix.add([fits, over], on_error="skip")
    assert summary.added == 1 and [s.line for s in summary.skipped] == [2]
    assert ix.search("zqbatas").total == 1
    ix.delete("pas")


def test_document_size_limit_applies_to_files(ix, tmp_path):
    path = tmp_path / "besar.jsonl"
    docs = [
        {"id": "kecil", "body": "zqkecil isi"},
        {"id": "besar", "body": "zqbesar " + "a" * 5000},
        {"id": "escape", "body": "zqescape " + "\\u0001" * 3000},  # 6 bytes each, 1 char
    ]
    path.write_text("\n".join(json.dumps(d) for d in docs) + "\n")
    summary = ix.add_files([path], on_error="skip")
    assert summary.added == 1
    assert [s.line for s in summary.skipped] == [2, 3]
    assert all("2,000" in s.reason for s in summary.skipped)
    ix.delete("kecil")


# -- configuration --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("limits", "message"),
    [
        ("max_query_chars: 0", "limits.max_query_chars must be greater than 0"),
        ("max_expansions: -5", "limits.max_expansions must be greater than 0"),
        ("search_timeout_s: 0", "limits.search_timeout_s must be greater than 0"),
        ("max_doc_bytes: lots", "limits.max_doc_bytes"),
        ("max_query_chars: 1.5", "limits.max_query_chars"),
        ("max_results: 10", "max_results"),
    ],
)
def test_bad_limits_are_config_errors_naming_the_key_and_file(tmp_path, limits, message):
    config = tmp_path / "searchlib.yaml"
    config.write_text(f"limits:\n  {limits}\n")
    with pytest.raises(ConfigError, match=message) as info:
        Index.create(tmp_path / "ix", config)
    assert str(config) in str(info.value)
