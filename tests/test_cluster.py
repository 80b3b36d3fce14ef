"""The sphinxql backend against a real 2-node cluster (searchd on 127.0.0.1).

A module fixture inits and starts two local nodes in a temp directory and stops them at
the end, even after a failure. Without searchd (or PyMySQL) the tests skip with the reason;
with SEARCHLIB_REQUIRE_SEARCHD=1 (set by .ci/run) they fail instead, so CI cannot pass
without having run them.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

import searchlib
from searchlib import ConfigError, Index, QueryError, StorageError
from searchlib.backends.sphinxql.ids import doc_key, shard_of
from searchlib.backends.sphinxql.nodes import (
    find_searchd,
    free_base_port,
    init,
    start,
    status,
    stop,
)
from searchlib.cli import cli
from searchlib.errors import BackendNotSupportedError, IndexMismatchError

REPO = Path(__file__).resolve().parents[1]
DETIK = REPO.parent / "shared" / "corpus" / "detik-1000.jsonl"
SAMPLE = REPO / "searchlib" / "sample" / "articles.jsonl"
REQUIRED = os.environ.get("SEARCHLIB_REQUIRE_SEARCHD") == "1"

#: Real searchd nodes: deselected by the default run, run by ``pytest -m integration``.
pytestmark = pytest.mark.integration


def _unavailable(reason: str) -> None:
    if REQUIRED:
        pytest.fail(f"{reason} (SEARCHLIB_REQUIRE_SEARCHD=1: the cluster tests must run)")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory) -> Any:
    try:
        find_searchd()
    except ConfigError as error:
        _unavailable(f"{error} ({error.hint})")
    try:
        import pymysql  # noqa: F401
    except ImportError:
        _unavailable("PyMySQL is not installed (pip install 'searchlib[cluster]')")
    directory = tmp_path_factory.mktemp("cluster") / "c"
    config = init(directory, 2, base_port=free_base_port(2))
    try:
        try:
            start(directory)
        except StorageError as error:
            _unavailable(f"searchd cannot start: {error}")
        yield directory, config
    finally:
        stop(directory)


@pytest.fixture(scope="module")
def source() -> Path:
    return DETIK if DETIK.is_file() else SAMPLE


@pytest.fixture(scope="module")
def built(cluster, source, request):
    """The corpus indexed through the CLI into the cluster, and the run's shared embedded
    index of the same corpus (conftest.py) beside it."""
    directory, config = cluster
    result = CliRunner().invoke(cli, ["index", str(source), "--config", str(config), "--rebuild"])
    assert result.exit_code == 0, result.output
    embedded = request.getfixturevalue("detik_index" if source == DETIK else "sample_index")
    remote = Index.open(directory, config)
    yield remote, embedded, result.output
    remote.close()


def _docs(source: Path) -> list[dict[str, Any]]:
    # Not splitlines(): it also splits at U+2028 and U+0085, which JSON strings may hold.
    lines = source.read_text(encoding="utf-8").split("\n")
    return [json.loads(line) for line in lines if line.strip()]


def _node_docs(directory: Path) -> list[int]:
    return [n["docs"] for n in status(directory)["nodes"]]


def test_index_stats_and_status(cluster, built, source):
    directory, config = cluster
    _remote, _embedded, output = built
    total = len(_docs(source))
    assert f"{total} documents in the index" in output
    assert Index.exists(directory, config)
    stats = CliRunner().invoke(cli, ["stats", "--config", str(config), "--json"])
    assert stats.exit_code == 0, stats.output
    assert json.loads(stats.stdout)["documents"] == total
    result = CliRunner().invoke(cli, ["cluster", "status", str(directory), "--json"])
    nodes = json.loads(result.stdout)["nodes"]
    assert [set(n) for n in nodes] == [{"address", "up", "docs"}] * 2
    assert all(n["up"] for n in nodes) and sum(n["docs"] for n in nodes) == total
    if source == DETIK:
        assert total == 1000
        assert all(350 <= n["docs"] <= 650 for n in nodes), nodes


def test_upsert_keeps_the_count_and_delete_hits_the_owning_node(cluster, built, source):
    directory, config = cluster
    remote, _embedded, _ = built
    doc = _docs(source)[3]
    before = _node_docs(directory)
    owner = shard_of(doc_key(doc["id"]), 2)
    changed = dict(doc, title=doc["title"] + " zebrakuda")
    summary = remote.add([changed])
    assert (summary.added, summary.replaced) == (0, 1)
    assert _node_docs(directory) == before
    assert remote.get(doc["id"])["title"].endswith("zebrakuda")
    assert [h.id for h in remote.search("zebrakuda").hits] == [doc["id"]]
    result = CliRunner().invoke(cli, ["delete", doc["id"], "--config", str(config)])
    assert result.exit_code == 0 and "deleted 1 of 1" in result.output
    after = _node_docs(directory)
    assert after[owner] == before[owner] - 1 and after[1 - owner] == before[1 - owner]
    assert remote.get(doc["id"]) is None and remote.search("zebrakuda").total == 0
    remote.add([doc])
    assert _node_docs(directory) == before


def test_documents_export_and_no_reindex(cluster, built, tmp_path):
    """Every stored article comes back as the embedded index stores it (the engine pages
    through each node by id); reindex is refused with the way round it."""
    directory, config = cluster
    remote, embedded, _ = built
    documents = {doc["id"]: doc for doc in remote.documents()}
    assert len(documents) == len(remote) == len(embedded)
    assert documents == {doc["id"]: doc for doc in embedded.documents()}
    out = tmp_path / "out.jsonl"
    result = CliRunner().invoke(cli, ["export", "--config", str(config), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8").count("\n") == len(documents)
    with pytest.raises(BackendNotSupportedError, match="reindex"):
        Index.reindex(directory, config)


def _queries(source: Path, count: int) -> list[str]:
    from benchmarks._queries import derive_queries, stopwords

    titles = [d["title"] for d in _docs(source)]
    return derive_queries(titles, stopwords(REPO / "analyzers"), count=count)


def test_same_answers_as_the_embedded_index(built, source):
    remote, embedded, _ = built
    queries = _queries(source, 200 if source == DETIK else 60)
    overlaps = []
    compared = 0
    for query in queries:
        # Every version on its own: past 100 matches each backend estimates the story
        # total its own way (stories are compared in full by _all_ids below).
        a, b = embedded.search(query, collapse=False), remote.search(query, collapse=False)
        assert (a.total, a.fallback) == (b.total, b.fallback), query
        assert not b.partial
        ids_a, ids_b = [h.id for h in a.hits], [h.id for h in b.hits]
        size = max(len(ids_a), len(ids_b))
        overlaps.append(1.0 if not size else len(set(ids_a) & set(ids_b)) / size)
        theirs = {h.id: h for h in b.hits}
        for hit in a.hits:
            if hit.id in theirs:
                assert hit.snippet == theirs[hit.id].snippet
                assert hit.fields == theirs[hit.id].fields
                assert hit.fragments == theirs[hit.id].fragments
                compared += 1
    assert compared > len(queries)
    assert statistics.fmean(overlaps) >= 0.8


def _all_ids(index: Index, query: str, **kw: Any) -> tuple[int, int, set[str]]:
    """Every match (each version of a story on its own: which of two identical versions
    leads its story follows the engine's order of equal scores), and how many stories."""
    results = index.search(query, limit=1000, collapse=False, **kw)
    stories = index.search(query, limit=1000, **kw).total
    return results.total, stories, {h.id for h in results.hits}


@pytest.mark.parametrize(
    ("query", "kw"),
    [
        ("harga beras", {}),
        ("harga beras", {"fields": ["title"]}),
        ("pemerintah", {"filters": {"category": "ekonomi & keuangan"}}),
        ("pemerintah", {"since": "2025-08-01", "until": "2025-08-31"}),
        ("presiden", {"filters": {"source": ["detik.com", "x"]}, "since": "2025-09-01"}),
        ('"harga beras"', {}),
        ("beras OR jagung", {}),
        ("beras -harga", {}),
        ("title:beras", {}),
        ("body:menteri presiden", {}),
        ("inflasi date:2025-08", {}),
        ("inflasi NOT date:2025-08", {}),
        ("presiden category:olahraga", {}),
        ("-presiden", {}),
        ("layan*", {}),
        ("Amazon Rusia", {}),
        ("kapal", {}),
        ("zzzqqq harga", {}),
    ],
)
def test_matching_filters_and_fields_behave_the_same(built, query, kw):
    remote, embedded, _ = built
    assert _all_ids(remote, query, **kw) == _all_ids(embedded, query, **kw)


@pytest.mark.parametrize("query", ["layan*", "harga ber*", "title:pemerin*", "presiden kab*"])
def test_prefix_matches_are_highlighted_as_in_the_embedded_index(built, query):
    remote, embedded, _ = built
    a, b = (
        embedded.search(query, limit=20, collapse=False),
        remote.search(query, limit=20, collapse=False),
    )
    assert a.total == b.total
    theirs = {h.id: h for h in b.hits}
    common = [h for h in a.hits if h.id in theirs]
    assert common
    for hit in common:
        assert hit.snippet == theirs[hit.id].snippet


def test_pagination_fallback_sort_and_stopwords(built):
    remote, embedded, _ = built
    whole = [h.id for h in remote.search("pemerintah", limit=10).hits]
    paged = [h.id for p in (1, 2) for h in remote.search("pemerintah", limit=5, page=p).hits]
    assert paged == whole
    a = embedded.search("harga zzzqqq", collapse=False)
    b = remote.search("harga zzzqqq", collapse=False)
    assert a.fallback == b.fallback and a.total == b.total
    by_date = [h.date for h in remote.search("pemerintah", sort="date", limit=50).hits]
    assert by_date == [h.date for h in embedded.search("pemerintah", sort="date", limit=50).hits]
    assert remote.search("pemerintah").facets == embedded.search("pemerintah").facets
    # Only stopwords: searched as written, which neither backend has indexed.
    assert remote.search("yang dan").total == embedded.search("yang dan").total == 0
    with pytest.raises(BackendNotSupportedError, match="not supported by this backend"):
        remote.search("Rusa~")
    result = CliRunner().invoke(cli, ["query", "Rusa~", "--config", str(remote.config.source_file)])
    assert result.exit_code == 2 and "not supported by this backend" in result.stderr


def test_query_time_settings_apply_as_in_the_embedded_index(cluster, built, tmp_path):
    directory, config = cluster
    _remote, embedded, _ = built
    recency = {"ranking": {"recency_half_life_days": 30}, "snippets": {"chars": 80}}
    variant = _write_config(tmp_path / "recency.yaml", config, **recency)
    data = yaml.safe_load(variant.read_text())
    data.pop("sphinxql"), data.pop("backend"), data.pop("index_path")
    with Index.open(directory, variant) as a, Index.open(embedded.path, data) as b:
        for query in ("pemerintah", "harga beras", "presiden"):
            ra, rb = (
                a.search(query, limit=20, collapse=False),
                b.search(query, limit=20, collapse=False),
            )
            assert ra.total == rb.total
            assert {h.id for h in ra.hits} & {h.id for h in rb.hits}
            same = {h.id: h.snippet for h in rb.hits}
            for hit in ra.hits:
                if hit.id in same:
                    assert hit.snippet == same[hit.id]


def test_similar(built, source):
    remote, _embedded, _ = built
    doc_id = _docs(source)[0]["id"]
    hits = remote.similar(doc_id, limit=5).hits
    assert hits and doc_id not in {h.id for h in hits}
    with pytest.raises(QueryError):
        remote.similar("no-such-id")


def test_values_as_written_and_dates_in_the_index_zone(cluster, built, tmp_path):
    """Values as written and dates in the index's zone, on the cluster as on the embedded
    index."""
    directory, config = cluster
    remote, embedded, _ = built
    doc = {
        "id": "zona-1",
        "title": "Gempa pagi zqzona",
        "body": "Gempa zqzona guncang Bantul.",
        "date": "1 Juli 2025 05:00 WIB",
        "category": "Ekonomi & Keuangan",
        "source": "Detik News",
    }
    try:
        for ix in (remote, embedded):
            ix.add([doc])
            found = ix.search(
                "zqzona", since="2025-07-01", filters={"category": "EKONOMI & keuangan"}
            )
            assert [h.to_dict()["date"] for h in found.hits] == ["2025-07-01T05:00:00+07:00"]
            hit = found.hits[0].fields
            assert (hit["category"], hit["source"]) == ("Ekonomi & Keuangan", "Detik News")
            assert ix.get("zona-1")["date"].isoformat() == "2025-07-01T05:00:00+07:00"
            assert ix.search("zqzona", until="2025-06-30").total == 0
            assert ix.search("zqzona date:2025-07-01").total == 1
            assert ix.search("zqzona").facets["category"] == {"Ekonomi & Keuangan": 1}
        assert remote.search("pemerintah").facets == embedded.search("pemerintah").facets
    finally:
        for ix in (remote, embedded):
            ix.delete(["zona-1"])
    variant = _write_config(tmp_path / "tags.yaml", config, facets=["category", "tags"])
    with pytest.raises(BackendNotSupportedError, match=r"facets: .*'tags' holds a list"):
        Index.open(directory, variant)


def test_id_collisions_are_refused(built, monkeypatch):
    remote, _embedded, _ = built
    before = len(remote)
    monkeypatch.setattr("searchlib.backends.sphinxql.store.doc_key", lambda doc_id: 4242)
    with pytest.raises(StorageError, match="same engine document id"):
        remote.add([{"id": "k1", "body": "satu"}, {"id": "k2", "body": "dua"}])
    assert len(remote) == before


def _write_config(path: Path, config: Path, **changes: Any) -> Path:
    data = yaml.safe_load(config.read_text(encoding="utf-8"))
    for key, value in changes.items():
        data[key] = value
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def _one_line_error(args: list[str]) -> str:
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    return lines[0]


def test_bad_cluster_configs_get_one_line_errors(cluster, built, tmp_path, source):
    directory, config = cluster
    nodes = yaml.safe_load(config.read_text())["sphinxql"]["nodes"]
    host, port = nodes[1].rsplit(":", 1)

    def variant(name: str, node_list: list[str], **extra: Any) -> str:
        path = _write_config(
            tmp_path / name, config, sphinxql={"nodes": node_list, "index": "searchlib"}, **extra
        )
        return str(path)

    unknown = variant("unknown.yaml", [nodes[0], "nosuchhost.invalid:9306"])
    assert "unknown host" in _one_line_error(["index", str(source), "--config", unknown])
    agent_port = variant("agent.yaml", [nodes[0], f"{host}:{int(port) + 1}"])
    assert "does not speak SphinxQL" in _one_line_error(["stats", "--config", agent_port])
    free = free_base_port(1)
    refused = variant("refused.yaml", [nodes[0], f"{host}:{free}"])
    assert "connection refused" in _one_line_error(["index", str(source), "--config", refused])
    swapped = variant("swapped.yaml", [nodes[1], nodes[0]])
    assert "holds shard 1 of 2" in _one_line_error(["stats", "--config", swapped])
    extra_field = variant("field.yaml", nodes, fields={"lead": {"type": "text"}})
    message = _one_line_error(["query", "beras", "--config", extra_field])
    assert nodes[0] in message and "schema" in message and "t_lead" in message
    other = variant("analyzer.yaml", nodes, analyzer="simple")
    with pytest.raises(IndexMismatchError):
        Index.open(directory, other)
    assert "analyzes text differently" in _one_line_error(["stats", "--config", other])


def test_a_stopped_node_gives_partial_results_and_clear_write_errors(cluster, built, source):
    """Runs last: stops a node, then restarts it and checks nothing was lost."""
    directory, config = cluster
    remote, _embedded, _ = built
    full = remote.search("pemerintah")
    full_total = full.total  # counted now, while every node answers
    count = len(remote)
    docs = _docs(source)
    for down in (1, 0):
        stop(directory, down)
        try:
            again = Index.open(directory, config)
            partial = again.search("pemerintah")
            assert partial.partial and partial.total < full_total
            assert any("agent" in w for w in partial.warnings)
            result = CliRunner().invoke(
                cli, ["query", "pemerintah", "--config", str(config), "--json"]
            )
            assert result.exit_code == 0, result.output
            data = json.loads(result.stdout)
            assert data["partial"] is True and data["warnings"]
            assert "warning: partial results" in result.stderr
            routed = next(d for d in docs if shard_of(doc_key(d["id"]), 2) == down)
            address = again.config.sphinxql_nodes[down]
            with pytest.raises(StorageError, match=address):
                again.add([routed])
            message = _one_line_error(["delete", routed["id"], "--config", str(config)])
            assert address in message
            again.close()
        finally:
            start(directory, down)
        after = Index.open(directory, config)
        assert len(after) == count
        restored = after.search("pemerintah")
        assert not restored.partial and restored.total == full_total
        assert [h.id for h in restored.hits] == [h.id for h in full.hits]
        after.close()


def test_start_refuses_a_port_another_process_holds(cluster, tmp_path):
    _directory, config = cluster
    port = int(yaml.safe_load(config.read_text())["sphinxql"]["nodes"][0].rsplit(":", 1)[1])
    init(tmp_path / "other", 1, base_port=port)
    message = _one_line_error(["cluster", "start", str(tmp_path / "other")])
    assert "in use by another process" in message
    assert (
        "not running"
        in CliRunner().invoke(cli, ["cluster", "stop", str(tmp_path / "other")]).output
    )


def test_no_searchd_left_running_by_stop(cluster):
    directory, _config = cluster
    assert shutil.which("searchd") or os.environ.get("SEARCHLIB_SEARCHD")
    assert all(n["up"] for n in status(directory)["nodes"])
    assert searchlib.__version__
