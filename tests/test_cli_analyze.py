"""``searchlib analyze``: a table of tokens, --json, --analyzer, one-line errors."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

import searchlib
from searchlib.cli import cli

TEXT = "Perusahaan itu menghentikan layanannya"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def test_prints_position_offsets_surface_and_term(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["analyze", TEXT])
    assert result.exit_code == 0, result.output
    header, *rows = result.stdout.splitlines()
    assert header.split() == ["pos", "start-end", "surface", "term"]
    expected = [
        [str(t.position), f"{t.start}-{t.end}", t.surface, t.term]
        for t in searchlib.analyze_tokens(TEXT)
    ]
    assert [row.split() for row in rows] == expected
    assert [row[2] for row in expected] == ["Perusahaan", "menghentikan", "layanannya"]
    assert result.stderr == ""


def test_json_output(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["analyze", "--json", "Anak-anak DPR menulis"])
    assert result.exit_code == 0, result.output
    tokens = json.loads(result.stdout)
    assert tokens[0] == {
        "position": 0,
        "start": 0,
        "end": 9,
        "surface": "Anak-anak",
        "term": "anak",
    }
    assert tokens[1] == {"position": 1, "start": 10, "end": 13, "surface": "DPR", "term": "dpr"}
    assert tokens[2]["term"] == searchlib.stem("menulis")


def test_json_keeps_non_ascii_text(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["analyze", "--json", "Café"])
    assert '"surface": "Café"' in result.stdout and '"term": "cafe"' in result.stdout


@pytest.mark.parametrize("option", ["--analyzer", "-a"])
def test_analyzer_option(runner: CliRunner, option: str) -> None:
    stemmed = runner.invoke(cli, ["analyze", "--json", "menghentikan"])
    simple = runner.invoke(cli, ["analyze", "--json", option, "simple", "menghentikan"])
    assert json.loads(simple.stdout)[0]["term"] == "menghentikan"
    assert json.loads(stemmed.stdout)[0]["term"] == searchlib.stem("menghentikan")


def test_unknown_analyzer_is_one_line_on_stderr(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["analyze", "--analyzer", "klingon", TEXT])
    assert result.exit_code != 0
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "unknown analyzer 'klingon'" in lines[0] and "indonesian" in lines[0]


@pytest.mark.parametrize("text", ["", "   ", "yang dan di", "— ... !"])
def test_no_terms_is_said_on_stderr(runner: CliRunner, text: str) -> None:
    result = runner.invoke(cli, ["analyze", text])
    assert result.exit_code == 0
    assert result.stdout == ""
    assert "no terms" in result.stderr
    as_json = runner.invoke(cli, ["analyze", "--json", text])
    assert json.loads(as_json.stdout) == []


def test_bad_characters_do_not_break_the_command(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["analyze", "--json", "banjir\x00😀\u2028Jakarta"])
    assert result.exit_code == 0, result.output
    assert [t["surface"] for t in json.loads(result.stdout)] == ["banjir", "Jakarta"]


def test_help_mentions_offsets(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["analyze", "--help"])
    assert result.exit_code == 0
    assert "offsets" in result.stdout and "--analyzer" in result.stdout


def test_index_option_uses_that_index_s_own_analysis(tmp_path) -> None:
    # An index that protects "menghentikan" from stemming and drops "layanan" as a stopword.
    docs = tmp_path / "d.jsonl"
    docs.write_text(json.dumps({"id": "1", "body": "Perusahaan menghentikan layanan"}) + "\n")
    config = tmp_path / "searchlib.yaml"
    config.write_text("protected_words: [menghentikan]\nstopwords: {add: [layanan]}\n")
    index = tmp_path / "ix"
    runner = CliRunner()
    built = runner.invoke(cli, ["index", str(docs), "--index", str(index), "-c", str(config)])
    assert built.exit_code == 0, built.output
    default = [
        t["term"] for t in json.loads(runner.invoke(cli, ["analyze", "--json", TEXT]).stdout)
    ]
    assert [t.term for t in searchlib.analyze_tokens("layanan")] != []
    assert searchlib.stem("menghentikan") in default
    result = runner.invoke(cli, ["analyze", "--json", "--index", str(index), TEXT])
    assert result.exit_code == 0, result.output
    terms = [t["term"] for t in json.loads(result.stdout)]
    assert "menghentikan" in terms and searchlib.stem("menghentikan") not in terms
    with searchlib.Index.open(index) as ix:
        assert [t.term for t in ix.analyze("layanan")] == []
    bad = runner.invoke(cli, ["analyze", "--index", str(index), "--field", "url", TEXT])
    assert bad.exit_code == 2 and "'url' is not a text field" in bad.stderr
    both = runner.invoke(cli, ["analyze", "-a", "simple", "--index", str(index), TEXT])
    assert both.exit_code == 2
