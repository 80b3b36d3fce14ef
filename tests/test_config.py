"""searchlib.yaml: defaults, validation errors that name the key and file, fingerprints."""

from __future__ import annotations

from pathlib import Path

import pytest

from searchlib.config import CONFIG_ENV, Config, find_config, load_config
from searchlib.errors import ConfigError


def test_defaults():
    cfg = load_config(None)
    assert cfg == Config()
    assert cfg.analyzer == "indonesian"
    assert cfg.default_fields == ("title", "body")
    assert cfg.field("title").boost > cfg.field("body").boost
    assert cfg.field("category").type == "keyword"
    assert cfg.field("date").type == "date"


def test_yaml_file_round_trip(tmp_path):
    path = tmp_path / "searchlib.yaml"
    path.write_text(
        "name: arsip\n"
        "index_path: /tmp/arsip\n"
        "protected_words: [Kediri, Pertamina]\n"
        "stopwords: {add: [juga], remove: [tidak]}\n"
        "fields:\n"
        "  title: {boost: 3}\n"
        "  lead: {type: text}\n"
        "  desk: {type: keyword}\n"
        "mapping: {judul: title, isi: body, tanggal: date}\n"
        "bm25: {k1: 1.5, b: 0.6}\n"
        "ranking: {recency_half_life_days: 30}\n"
        "snippets: {fragments: 3, chars: 200}\n"
        "limits: {max_query_chars: 500}\n",
        encoding="utf-8",
    )
    cfg = load_config(path)
    assert cfg.name == "arsip" and cfg.index_path == "/tmp/arsip"
    assert cfg.field("title").boost == 3.0
    assert cfg.extra_fields == ("lead", "desk")
    assert dict(cfg.mapping) == {"judul": "title", "isi": "body", "tanggal": "date"}
    assert (cfg.bm25_k1, cfg.bm25_b) == (1.5, 0.6)
    assert cfg.recency_half_life_days == 30.0
    assert (cfg.snippet_fragments, cfg.snippet_chars, cfg.max_query_chars) == (3, 200, 500)
    # to_dict is loadable and means the same thing (index metadata relies on it).
    again = load_config(cfg.to_dict())
    assert again.index_fingerprint() == cfg.index_fingerprint()
    assert again.field("lead") == cfg.field("lead")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"bm25": {"k2": 1}}, "unknown key 'bm25.k2'"),
        ({"analyser": "indonesian"}, "unknown key 'analyser'"),
        ({"bm25": {"k1": "high"}}, "bm25.k1 must be a number, got str"),
        ({"bm25": {"b": 2}}, "bm25.b must be between 0 and 1"),
        ({"limits": {"max_query_chars": True}}, "must be a number, got bool"),
        ({"limits": {"max_query_chars": 0}}, "must be greater than 0"),
        ({"snippets": "yes"}, "snippets must be a mapping"),
        ({"fields": {"title": {"type": "keyword"}}}, "built-in field 'title' is text"),
        ({"fields": {"lead": {"type": "blob"}}}, "fields.lead.type must be one of"),
        ({"fields": {"lead": {"colour": "red"}}}, "unknown key 'fields.lead.colour'"),
        ({"fields": {"desk": {"type": "keyword", "analyzer": "simple"}}}, "text fields only"),
        ({"mapping": {"judul": "headline"}}, "mapping.judul must name a field"),
        ({"analyzer": "klingon"}, "unknown analyzer 'klingon'"),
        ({"backend": "elastic"}, "backend must be one of"),
        ({"default_fields": ["url"]}, "'url' is not a searchable field"),
        ({"fields": {"alltext": {"type": "text"}}}, "reserved"),
        ({"protected_words": ["ok", 3]}, "every item of protected_words must be a string"),
        # NaN and infinities (YAML .nan, .inf) are rejected wherever a number is read.
        ({"bm25": {"k1": float("nan")}}, "bm25.k1 must be a finite number, got nan"),
        ({"bm25": {"b": float("nan")}}, "bm25.b must be a finite number"),
        ({"bm25": {"k1": float("inf")}}, "bm25.k1 must be a finite number, got inf"),
        ({"fields": {"title": {"boost": float("nan")}}}, "fields.title.boost must be a finite"),
        ({"fields": {"lead": {"boost": float("inf")}}}, "fields.lead.boost must be a finite"),
        ({"ranking": {"recency_half_life_days": float("nan")}}, "must be a finite number"),
        ({"limits": {"search_timeout_s": float("inf")}}, "search_timeout_s must be a finite"),
        ({"limits": {"max_doc_bytes": float("-inf")}}, "max_doc_bytes must be"),
        # A name is one folder under indexes/: it cannot point outside it.
        ({"name": "../../etc"}, "name must be a plain folder name"),
        ({"name": "arsip/2024"}, "name must be a plain folder name"),
        ({"name": ".."}, "name must be a plain folder name"),
        ({"name": "/tmp/x"}, "name must be a plain folder name"),
        ({"name": ""}, "name must be a plain folder name"),
    ],
)
def test_invalid_config_names_the_key(data, message):
    with pytest.raises(ConfigError, match=message):
        load_config(data)


def test_errors_name_the_file(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("bm25:\n  k1: [1]\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"bad\.yaml: bm25\.k1 must be a number"):
        load_config(path)
    path.write_text("bm25: {k1: 1\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"bad\.yaml: invalid YAML"):
        load_config(path)
    path.write_text("- a\n- b\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="must be a mapping"):
        load_config(path)
    with pytest.raises(ConfigError, match="config file not found"):
        load_config(tmp_path / "missing.yaml")


def test_fingerprint_tracks_analysis_not_ranking():
    base = load_config({}).index_fingerprint()
    assert load_config({"bm25": {"k1": 2.0}}).index_fingerprint() == base
    assert load_config({"snippets": {"chars": 300}}).index_fingerprint() == base
    # Title and body boosts are index-time weights of the combined BM25F field.
    assert load_config({"fields": {"title": {"boost": 9}}}).index_fingerprint() != base
    assert load_config({"fields": {"author": {"boost": 9}}}).index_fingerprint() == base
    assert load_config({"stopwords": {"add": ["amazon"]}}).index_fingerprint() != base
    assert load_config({"protected_words": ["cimahi"]}).index_fingerprint() != base
    assert load_config({"analyzer": "simple"}).index_fingerprint() != base
    assert load_config({"fields": {"lead": {"type": "text"}}}).index_fingerprint() != base


def test_yaml_nan_and_inf_are_rejected_naming_the_file(tmp_path):
    path = tmp_path / "searchlib.yaml"
    path.write_text("bm25: {k1: .nan}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"searchlib\.yaml: bm25\.k1 must be a finite number"):
        load_config(path)
    path.write_text("fields:\n  title: {boost: .inf}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"fields\.title\.boost must be a finite number"):
        load_config(path)


def test_relative_paths_resolve_against_the_config_folder(tmp_path, monkeypatch):
    folder = tmp_path / "arsip"
    folder.mkdir()
    (folder / "searchlib.yaml").write_text("name: berita\nindex_path: data/ix\n")
    (folder / "noindex.yaml").write_text("name: berita\n")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    assert load_config("../arsip/searchlib.yaml").index_dir.resolve() == folder / "data" / "ix"
    assert load_config("../arsip/noindex.yaml").index_dir.resolve() == (
        folder / "indexes" / "berita"
    )
    absolute = folder / "abs.yaml"
    absolute.write_text(f"index_path: {tmp_path / 'ix'}\n")
    assert load_config(absolute).index_dir == tmp_path / "ix"
    # A dict config has no folder of its own: the current one.
    assert load_config({"name": "berita"}).index_dir == Path("indexes") / "berita"


def test_find_config_order(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(CONFIG_ENV, raising=False)
    assert find_config() is None
    (tmp_path / "searchlib.yaml").write_text("name: lokal\n")
    assert find_config() == Path("searchlib.yaml")
    named = tmp_path / "env.yaml"
    named.write_text("name: env\n")
    monkeypatch.setenv(CONFIG_ENV, str(named))
    assert find_config() == named
    assert find_config(tmp_path / "given.yaml") == tmp_path / "given.yaml"
    monkeypatch.setenv(CONFIG_ENV, str(tmp_path / "missing.yaml"))
    with pytest.raises(ConfigError, match=f"{CONFIG_ENV} names .*missing.yaml"):
        find_config()
