"""The sphinxql backend's parts that need no running searchd: ids, terms, query
compilation, config validation, cluster init, and the missing-searchd message."""

from __future__ import annotations

import calendar
import json
import subprocess
import sys
from datetime import datetime

import pytest
import yaml
from click.testing import CliRunner

from searchlib import ConfigError
from searchlib.analysis import get_analyzer
from searchlib.backends.sphinxql.compile import compile_query
from searchlib.backends.sphinxql.ids import MAX_TERM_BYTES, doc_key, encode_term, shard_of
from searchlib.backends.sphinxql.nodes import NODE_CONF, find_searchd
from searchlib.backends.sphinxql.schema import NO_DATE
from searchlib.cli import cli
from searchlib.config import Config, load_config
from searchlib.errors import BackendNotSupportedError
from searchlib.query import parse_query


def test_doc_keys_are_stable_across_processes_and_in_range():
    ids = ["a1", "detik-16", "ünïcödé", "x" * 300, ""]
    here = [doc_key(i) for i in ids]
    module = "searchlib.backends.sphinxql.ids"
    code = f"from {module} import doc_key; print([doc_key(i) for i in {ids!r}])"
    there = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert str(here) == there.strip()
    assert all(2 <= k < 2**63 for k in here)
    assert len(set(here)) == len(here)


def test_shards_split_ids_evenly():
    counts = [0, 0]
    for i in range(2000):
        counts[shard_of(doc_key(f"doc-{i}"), 2)] += 1
    assert all(700 <= c <= 1300 for c in counts), counts


@pytest.mark.parametrize(
    "term", ["layan", "1.000", "#belamuslim", "e-mail", "a_b", "_5f_", "café", "UU", "15%"]
)
def test_encoded_terms_are_one_engine_token(term):
    encoded = encode_term(term)
    assert set(encoded) <= set("abcdefghijklmnopqrstuvwxyz0123456789_")
    assert len(encoded) <= MAX_TERM_BYTES


def test_encoding_is_one_to_one_and_keeps_prefixes():
    terms = ["a_b", "a_5f_b", "a.b", "a2eb", "ab", "a-b", "x" * 64, "x" * 63 + "y"]
    assert len({encode_term(t) for t in terms}) == len(terms)
    assert encode_term("1.000").startswith(encode_term("1."))


def _compile(query: str, filters=(), config: Config | None = None):
    config = config or Config()
    analyzers = {}
    for f in config.fields:
        if f.type == "text":
            analyzer = get_analyzer(config.analyzer_spec(f.analyzer))
            analyzers[f.name] = lambda text, a=analyzer: [t.text for t in a(text)]
    keywords = frozenset(f.name for f in config.fields if f.type == "keyword" and f.name != "id")
    return compile_query(
        parse_query(query),
        list(filters),
        analyzers=analyzers,
        keyword_fields=keywords,
        date_fields=frozenset({"date"}),
        default_fields=config.default_fields,
        combined=("title", "body"),
    )


def test_words_are_analyzed_and_limited_to_the_default_fields():
    compiled = _compile("menyetop layanan")
    assert compiled.match == "(@(t_title,t_body) setop) (@(t_title,t_body) layan)"
    assert compiled.terms == {"title": {"setop", "layan"}, "body": {"setop", "layan"}}


def test_operators_fields_and_dates():
    compiled = _compile('"layanan streaming" OR (title:Netflix -Rusia category:Teknologi)')
    assert compiled.match == (
        '((@(t_title,t_body) "layan streaming") | '
        "((@t_title netflix) -(@(t_title,t_body) rusia) (@t_category teknologi)))"
    )
    dated = _compile("inflasi date:2022-03")
    start = calendar.timegm(datetime(2022, 3, 1).timetuple())
    end = calendar.timegm(datetime(2022, 4, 1).timetuple())
    assert dated.match == "(@(t_title,t_body) inflasi)"
    assert dated.conditions == [
        f"IF(d_date > {NO_DATE} AND d_date >= {start} AND d_date < {end}, 1, 0)"
    ]
    excluded = _compile("inflasi NOT date:2022-03")
    assert excluded.conditions == [
        f"IF(d_date > {NO_DATE} AND d_date >= {start} AND d_date < {end}, 0, 1)"
    ]


def test_exclusions_alone_get_a_positive_part_and_stopwords_leave_nothing():
    assert _compile("-rusia").match == "(@t_all_ a) -(@(t_title,t_body) rusia)"
    empty = _compile("yang dan")
    assert empty.empty and empty.dropped == ["yang", "dan"]


def test_fuzzy_and_nested_dates_are_not_supported():
    with pytest.raises(BackendNotSupportedError, match="not supported by this backend"):
        _compile("Rusa~")
    with pytest.raises(BackendNotSupportedError, match="not supported by this backend"):
        _compile("inflasi OR date:2022")


def test_config_needs_nodes_for_sphinxql(tmp_path):
    with pytest.raises(ConfigError, match=r"sphinxql\.nodes"):
        load_config({"backend": "sphinxql"})
    with pytest.raises(ConfigError, match="not host:port"):
        load_config({"backend": "sphinxql", "sphinxql": {"nodes": ["localhost"]}})
    config = load_config({"backend": "sphinxql", "sphinxql": {"nodes": ["h:9306"]}})
    assert config.sphinxql_nodes == ("h:9306",)
    assert "sphinxql" not in Config().to_dict()  # the embedded metadata is unchanged


def test_cluster_init_writes_node_configs_and_searchlib_yaml(tmp_path):
    runner = CliRunner()
    result = runner.invoke(
        cli, ["cluster", "init", str(tmp_path / "c"), "--nodes", "3", "--base-port", "19000"]
    )
    assert result.exit_code == 0, result.output
    data = yaml.safe_load((tmp_path / "c" / "searchlib.yaml").read_text())
    assert data["backend"] == "sphinxql"
    assert data["sphinxql"]["nodes"] == ["127.0.0.1:19000", "127.0.0.1:19002", "127.0.0.1:19004"]
    conf = (tmp_path / "c" / "node1" / NODE_CONF).read_text()
    assert "listen = 127.0.0.1:19002:mysql41" in conf
    assert (
        "agent_persistent = 127.0.0.1:19001:searchlib" in conf
        and "agent_persistent = 127.0.0.1:19005:searchlib" in conf
    )
    assert "rt_field = t_title" in conf and "rt_attr_string = doc" in conf
    again = runner.invoke(cli, ["cluster", "init", str(tmp_path / "c"), "--nodes", "2"])
    assert again.exit_code == 2 and "already holds a cluster" in again.stderr


def test_missing_searchd_says_how_to_install(tmp_path, monkeypatch):
    runner = CliRunner()
    assert runner.invoke(cli, ["cluster", "init", str(tmp_path / "c")]).exit_code == 0
    monkeypatch.delenv("SEARCHLIB_SEARCHD", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(ConfigError):
        find_searchd()
    result = runner.invoke(cli, ["cluster", "start", str(tmp_path / "c")])
    assert result.exit_code == 2
    assert "apt-get install sphinxsearch" in result.stderr
    assert "Traceback" not in result.output + result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    monkeypatch.setenv("SEARCHLIB_SEARCHD", str(tmp_path / "no-such-searchd"))
    result = runner.invoke(cli, ["cluster", "stop", str(tmp_path / "c")])
    assert result.exit_code == 2 and "SEARCHLIB_SEARCHD" in result.stderr


def test_status_of_a_directory_without_a_cluster_is_one_line(tmp_path):
    result = CliRunner().invoke(cli, ["cluster", "status", str(tmp_path)])
    assert result.exit_code == 2
    assert "not a searchlib cluster directory" in result.stderr


def test_cluster_commands_report_in_json(tmp_path, monkeypatch):
    # No node runs, so stop never calls searchd: any executable stands in for it.
    monkeypatch.setenv("SEARCHLIB_SEARCHD", sys.executable)
    runner = CliRunner()
    directory = tmp_path / "c"
    made = runner.invoke(cli, ["cluster", "init", str(directory), "--nodes", "2", "--json"])
    assert made.exit_code == 0, made.output
    data = json.loads(made.stdout)
    assert data == {
        "directory": str(directory),
        "nodes": 2,
        "config": str(directory / "searchlib.yaml"),
    }
    stopped = runner.invoke(cli, ["cluster", "stop", str(directory), "--json"])
    assert stopped.exit_code == 0, stopped.output
    report = json.loads(stopped.stdout)
    assert report["directory"] == str(directory) and len(report["nodes"]) == 2
    assert all("not running" in line for line in report["nodes"])
