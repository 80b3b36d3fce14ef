"""The searchlib command: help everywhere, one-line errors, index/query/similar/stats/delete."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from searchlib import Index
from searchlib.cli import cli


@pytest.fixture
def runner(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SEARCHLIB_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv("SEARCHLIB_CONFIG", raising=False)
    monkeypatch.delenv("SEARCHLIB_INDEX", raising=False)
    return CliRunner()


@pytest.fixture
def articles(tmp_path):
    path = tmp_path / "artikel.jsonl"
    docs = [
        {
            "id": "a1",
            "title": "Amazon menyetop layanan di Rusia",
            "body": "Amazon menghentikan layanan streaming di Rusia dan Belarus.",
            "date": "2022-03-10",
            "category": "teknologi",
            "source": "Warta Contoh",
            "url": "https://example.com/a1",
        },
        {
            "id": "a2",
            "title": "Harga beras naik",
            "body": "Pedagang di pasar Bekasi menaikkan harga beras.",
            "date": "2023-07-01",
            "category": "ekonomi",
            "source": "Kabar Contoh",
        },
        {
            "id": "a3",
            "title": "Netflix berhenti di Rusia",
            "body": "Layanan Netflix disetop di Rusia.",
            "date": "2022-03-07",
            "category": "teknologi",
            "source": "Kabar Contoh",
        },
    ]
    path.write_text("\n".join(json.dumps(d) for d in docs) + "\n", encoding="utf-8")
    return path


def _commands(group: click.Group, path: tuple[str, ...] = ()):
    for name, command in group.commands.items():
        yield (*path, name), command
        if isinstance(command, click.Group):
            yield from _commands(command, (*path, name))


def test_every_command_has_help_text(runner):
    result = runner.invoke(cli, ["--help"])
    assert result.exit_code == 0
    for path, command in _commands(cli):
        name = " ".join(path)
        assert command.help and command.help.strip(), f"{name} has no help text"
        parent = runner.invoke(cli, [*path[:-1], "--help"])
        assert path[-1] in parent.output
        for param in command.params:
            if isinstance(param, click.Option):
                assert param.help, f"{name} {param.opts} has no help text"
        sub = runner.invoke(cli, [*path, "--help"])
        assert sub.exit_code == 0 and "Usage:" in sub.output


def test_query_without_an_index_uses_the_built_in_sample(runner):
    result = runner.invoke(cli, ["query", "Amazon Rusia", "--format", "plain"])
    assert result.exit_code == 0, result.output
    first_hit = result.stdout.split("\n1. ", 1)[1].split("\n2. ", 1)[0]
    assert "Amazon" in first_hit and "Rusia" in first_hit
    assert "[Amazon]" in first_hit and "[Rusia]" in first_hit
    assert "building the built-in sample" in result.stderr
    again = runner.invoke(cli, ["query", "Amazon Rusia", "--json"])
    assert "building" not in again.stderr
    # One line on stderr says which index answered; stdout stays clean for pipes.
    assert again.stderr.count("\n") == 1 and "searching the built-in sample" in again.stderr
    assert json.loads(again.stdout)["hits"]


def test_plain_takes_prose_literally_and_ranks_by_any_word(runner, articles):
    runner.invoke(cli, ["index", str(articles)])
    # As a query, "OR" and "-" would be operators and "Bekasi" would be required.
    text = "Kenapa Amazon -- OR Netflix -- berhenti di Rusia, bukan Bekasi?"
    result = runner.invoke(cli, ["query", "--plain", text, "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert not data["fallback"]
    assert [h["id"] for h in data["hits"]][:2] in (["a1", "a3"], ["a3", "a1"])
    assert "a2" in {h["id"] for h in data["hits"]}


def test_a_closed_pipe_ends_the_command_quietly(tmp_path, sample_cache):
    # `searchlib query ... | head` must not print an internal error when head exits.
    import os
    import subprocess
    import sys

    env = dict(os.environ, SEARCHLIB_CACHE=str(sample_cache))
    code = "from searchlib.cli import main; main()"
    with subprocess.Popen(
        [sys.executable, "-c", code, "query", "Amazon OR Rusia", "--limit", "50"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        cwd=tmp_path,
    ) as proc:
        assert proc.stdout is not None and proc.stderr is not None
        proc.stdout.close()  # before the command has written anything
        err = proc.stderr.read().decode()
        proc.wait(timeout=120)
    assert "internal error" not in err and "Traceback" not in err, err
    assert proc.returncode in (0, 141)


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
@pytest.mark.parametrize(("no_color", "coloured"), [(None, True), ("1", False)])
def test_no_color_on_a_terminal(tmp_path, sample_cache, no_color, coloured):
    """On a terminal matches are coloured unless NO_COLOR is set (then bracketed)."""
    import pty

    env = dict(os.environ, SEARCHLIB_CACHE=str(sample_cache), TERM="xterm")
    env.pop("NO_COLOR", None)
    if no_color is not None:
        env["NO_COLOR"] = no_color
    leader, follower = pty.openpty()
    code = "from searchlib.cli import main; main()"
    with subprocess.Popen(
        [sys.executable, "-c", code, "query", "Amazon Rusia"],
        stdout=follower,
        stderr=subprocess.DEVNULL,
        env=env,
        cwd=tmp_path,
    ) as proc:
        os.close(follower)
        out = b""
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the terminal closed with the command
                break
            if not chunk:
                break
            out += chunk
        proc.wait(timeout=120)
    os.close(leader)
    assert proc.returncode == 0
    assert (b"\x1b[" in out) is coloured
    assert (b"[Amazon]" in out) is not coloured


def test_index_query_stats_delete_round_trip(runner, articles):
    result = runner.invoke(cli, ["index", str(articles)])
    assert result.exit_code == 0, result.output
    assert "added 3, replaced 0, skipped 0" in result.stdout
    assert "indexes/default" in result.stdout

    result = runner.invoke(cli, ["query", "setop", "--json"])
    data = json.loads(result.stdout)
    assert set(data) >= {"query", "total", "page", "took_ms", "fallback", "suggestion", "hits"}
    assert {h["id"] for h in data["hits"]} == {"a1", "a3"}
    hit = next(h for h in data["hits"] if h["id"] == "a1")
    assert set(hit) >= {"id", "rank", "score", "title", "url", "date", "category", "snippet"}
    assert hit["url"] == "https://example.com/a1"

    result = runner.invoke(
        cli,
        ["query", "Rusia", "--category", "teknologi", "--since", "2022-03-08", "--format", "html"],
    )
    assert result.exit_code == 0
    assert "<mark>Rusia</mark>" in result.stdout and "Netflix" not in result.stdout

    result = runner.invoke(cli, ["index", str(articles)])
    assert "added 0, replaced 3" in result.stdout

    result = runner.invoke(cli, ["stats", "--json"])
    assert json.loads(result.stdout)["documents"] == 3

    result = runner.invoke(cli, ["similar", "a1", "--json"])
    assert result.exit_code == 0
    assert json.loads(result.stdout)["hits"][0]["id"] == "a3"

    result = runner.invoke(cli, ["delete", "a1", "zz"])
    assert "deleted 1 of 2 documents (1 not found)" in result.stdout
    assert json.loads(runner.invoke(cli, ["stats", "--json"]).stdout)["documents"] == 2


def test_bad_query_is_one_line_and_exit_2(runner, articles):
    runner.invoke(cli, ["index", str(articles)])
    result = runner.invoke(cli, ["query", '"Amazon'])
    assert result.exit_code == 2
    assert result.stderr.strip().count("\n") == 0
    assert "unbalanced quote" in result.stderr
    assert "Traceback" not in result.output


def test_bad_input_file_names_file_and_line(runner, tmp_path):
    path = tmp_path / "rusak.jsonl"
    path.write_text('{"id": "1", "body": "isi"}\n{"id": 2,\n', encoding="utf-8")
    result = runner.invoke(cli, ["index", str(path)])
    assert result.exit_code == 2
    assert f"{path}:2:" in result.stderr
    assert "Traceback" not in result.output
    result = runner.invoke(cli, ["index", str(path), "--on-error", "skip"])
    assert result.exit_code == 0
    assert "skipped 1" in result.stdout and f"{path}:2:" in result.stderr


def test_missing_index_and_bad_config_are_one_line_errors(runner, tmp_path):
    result = runner.invoke(cli, ["query", "x", "--index", str(tmp_path / "none")])
    assert result.exit_code == 2 and "no searchlib index" in result.stderr
    bad = tmp_path / "searchlib.yaml"
    bad.write_text("bm25: {k3: 1}\n")
    result = runner.invoke(cli, ["query", "x", "--config", str(bad)])
    assert result.exit_code == 2
    assert "unknown key 'bm25.k3'" in result.stderr and "searchlib.yaml" in result.stderr


def test_rebuild_after_config_change(runner, articles, tmp_path):
    runner.invoke(cli, ["index", str(articles)])
    cfg = tmp_path / "searchlib.yaml"
    cfg.write_text("protected_words: [menyetop]\n")
    result = runner.invoke(cli, ["index", str(articles), "--config", str(cfg)])
    assert result.exit_code == 2 and "protected words changed" in result.stderr
    assert "searchlib reindex --index " in result.stderr and f"--config {cfg}" in result.stderr
    result = runner.invoke(cli, ["reindex", "--config", str(cfg)])
    assert result.exit_code == 0 and "reindexed 3 documents" in result.stdout
    result = runner.invoke(cli, ["index", str(articles), "--config", str(cfg), "--rebuild"])
    assert result.exit_code == 0 and "added 3" in result.stdout


# -- Unix conventions (docs/cli.md) --------------------------------------------------------


def test_python_dash_m_searchlib_runs_the_command(tmp_path):
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-m", "searchlib", "--version"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("searchlib")


@pytest.mark.parametrize("fmt", [None, "jsonl"])
def test_index_reads_standard_input(runner, articles, fmt):
    extra = ["--format", fmt] if fmt else []
    data = "\n\n" + articles.read_text(encoding="utf-8")  # sniffing looks past blank lines
    result = runner.invoke(cli, ["index", "-", *extra], input=data)
    assert result.exit_code == 0, result.output
    assert "added 3, replaced 0, skipped 0" in result.stdout
    assert json.loads(runner.invoke(cli, ["stats", "--json"]).stdout)["documents"] == 3


def test_standard_input_json_array_and_csv_are_sniffed(runner):
    array = json.dumps([{"id": "j1", "body": "Harga cabai turun"}])
    result = runner.invoke(cli, ["index", "-", "--json"], input=array)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["added"] == 1
    result = runner.invoke(cli, ["index", "-", "--json"], input="id,body\nc1,Harga bawang\n")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["documents"] == 2


def test_a_bad_line_on_standard_input_is_named_stdin(runner):
    result = runner.invoke(cli, ["index", "-"], input='{"id": "1", "body": "isi"}\n{"id": 2,\n')
    assert result.exit_code == 2
    assert "<stdin>:2:" in result.stderr and "Traceback" not in result.output


def test_no_color_and_color_choices(runner, articles, monkeypatch):
    runner.invoke(cli, ["index", str(articles)])
    # --format ansi through a pipe: the escape codes would be stripped, so the matches are
    # marked the plain way instead of not at all.
    piped = runner.invoke(cli, ["query", "beras", "--format", "ansi"])
    assert "\x1b[" not in piped.stdout and "[beras]" in piped.stdout
    forced = runner.invoke(cli, ["query", "beras", "--format", "ansi", "--color", "always"])
    assert "\x1b[1;33mberas\x1b[0m" in forced.stdout
    forced = runner.invoke(cli, ["query", "beras", "--color", "always"])
    assert "\x1b[1;33mberas\x1b[0m" in forced.stdout
    never = runner.invoke(cli, ["query", "beras", "--format", "ansi", "--color", "never"])
    assert "\x1b[" not in never.stdout and "[beras]" in never.stdout
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setattr("sys.stdout.isatty", lambda: True, raising=False)
    from searchlib.cli._conventions import use_color

    assert not use_color("auto") and use_color("always")
    monkeypatch.setenv("NO_COLOR", "")  # empty: as if unset (no-color.org)
    assert use_color("auto") and use_color("never") is False


@pytest.mark.parametrize("flag", ["--json", "--jsonl"])
def test_machine_output_never_carries_escape_codes(runner, articles, flag):
    runner.invoke(cli, ["index", str(articles)])
    result = runner.invoke(cli, ["query", "beras", flag, "--format", "ansi", "--color", "always"])
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.stdout and "\\u001b" not in result.stdout


def test_jsonl_prints_one_hit_per_line(runner, articles):
    runner.invoke(cli, ["index", str(articles)])
    result = runner.invoke(cli, ["query", "Rusia", "--jsonl"])
    lines = result.stdout.splitlines()
    assert [json.loads(line)["id"] for line in lines] in (["a1", "a3"], ["a3", "a1"])
    assert json.loads(lines[0])["rank"] == 1
    both = runner.invoke(cli, ["query", "Rusia", "--jsonl", "--json"])
    assert both.exit_code == 2 and "exclude" in both.stderr


def test_index_and_delete_report_as_json(runner, articles, tmp_path):
    result = runner.invoke(cli, ["index", str(articles), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["added"], data["replaced"], data["documents"]) == (3, 0, 3)
    assert data["skipped"] == [] and data["index"].endswith("default")
    result = runner.invoke(cli, ["delete", "a1", "zz", "--json"])
    data = json.loads(result.stdout)
    assert (data["deleted"], data["not_found"], data["documents"]) == (1, ["zz"], 2)


def test_delete_of_an_unknown_id_says_so_and_exits_1(runner, articles):
    runner.invoke(cli, ["index", str(articles)])
    result = runner.invoke(cli, ["delete", "zz"])
    assert result.exit_code == 1
    assert "no document with id 'zz'" in result.stderr
    assert runner.invoke(cli, ["delete", "a2"]).exit_code == 0


def test_a_query_that_starts_with_a_dash(runner, articles):
    runner.invoke(cli, ["index", str(articles)])
    result = runner.invoke(cli, ["query", "--index", "indexes/default", "--", "-harga Rusia"])
    assert result.exit_code == 0, result.output
    assert "Harga beras" not in result.stdout and "Rusia" in result.stdout
    result = runner.invoke(cli, ["query", "-harga"])
    assert result.exit_code == 2
    assert "-harga" in result.stderr and "-- '-harga'" in result.stderr


def test_grep_exit_codes_for_query(runner, articles):
    assert "0 found, 1 nothing found, 2 an error" in runner.invoke(cli, ["--help"]).stdout
    runner.invoke(cli, ["index", str(articles)])
    assert runner.invoke(cli, ["query", "beras"]).exit_code == 0
    assert runner.invoke(cli, ["query", "beras", "--category", "olahraga"]).exit_code == 1
    assert runner.invoke(cli, ["query", '"beras']).exit_code == 2


def test_the_exit_code_table_lists_the_codes_the_cli_uses(runner, articles, monkeypatch):
    """docs/cli.md's table is the contract scripts rely on: every code the CLI defines is
    there, and an interrupted command exits with the code the table gives."""
    import re

    from searchlib import Index
    from searchlib.cli import _conventions

    table = (Path(__file__).resolve().parents[1] / "docs" / "cli.md").read_text("utf-8")
    section = table.split("## Exit codes", 1)[1].split("\n## ", 1)[0]
    documented = {int(code) for code in re.findall(r"^\| (\d+) \|", section, re.M)}
    defined = {v for k, v in vars(_conventions).items() if k.startswith("EXIT_")}
    assert documented == defined == {0, 1, 2, 130, 141}

    def interrupted(self, *args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(Index, "add", interrupted)
    result = runner.invoke(cli, ["index", str(articles)])
    assert result.exit_code == _conventions.EXIT_INTERRUPTED
    assert "Interrupted; the index keeps its last commit." in result.stderr


def test_writing_commands_take_a_lock_timeout(runner, articles, monkeypatch):
    from searchlib import Index, IndexLockedError

    runner.invoke(cli, ["index", str(articles)])
    seen = []

    def locked(self, *args, **kwargs):
        seen.append(self.lock_timeout)
        raise IndexLockedError("another writer is updating the index", hint="library hint")

    monkeypatch.setattr(Index, "add", locked)
    monkeypatch.setattr(Index, "delete", locked)
    result = runner.invoke(cli, ["index", str(articles), "--lock-timeout", "0.5"])
    assert result.exit_code == 2 and "--lock-timeout SECONDS" in result.stderr
    result = runner.invoke(cli, ["delete", "a1", "--lock-timeout", "30"])
    assert result.exit_code == 2 and "--lock-timeout SECONDS" in result.stderr

    def reindex_locked(path, config=None, *, lock_timeout, **kwargs):
        seen.append(lock_timeout)
        raise IndexLockedError("another writer is updating the index", hint="library hint")

    monkeypatch.setattr(Index, "reindex", reindex_locked)
    result = runner.invoke(cli, ["reindex", "--lock-timeout", "7"])
    assert result.exit_code == 2 and "--lock-timeout SECONDS" in result.stderr
    assert seen == [0.5, 30.0, 7.0]


def test_a_page_past_the_end_says_so(runner, articles):
    runner.invoke(cli, ["index", str(articles)])
    result = runner.invoke(cli, ["query", "Rusia", "--limit", "1", "--page", "100"])
    assert result.exit_code == 1
    assert "page 100 of 2: past the last page (2 hits" in result.stdout
    assert "try other words" not in result.stdout
    result = runner.invoke(cli, ["query", "Amazon Rusia", "--limit", "1", "--page", "3"])
    assert "page 3 of 1: past the last page (1 hit; the last is --page 1)" in result.stdout


def test_a_filter_value_that_matches_nothing_offers_the_nearest(runner, tmp_path):
    path = tmp_path / "kategori.jsonl"
    docs = [
        {"id": "k1", "body": "Harga beras naik", "category": "Ekonomi & Keuangan"},
        {"id": "k2", "body": "Harga tiket naik", "category": "Olahraga"},
        {"id": "k3", "body": "Beras impor tiba", "category": "Ekonomi Bisnis"},
    ]
    path.write_text("\n".join(json.dumps(d) for d in docs), encoding="utf-8")
    runner.invoke(cli, ["index", str(path)])
    result = runner.invoke(cli, ["query", "harga", "--category", "ekonomi"])
    assert result.exit_code == 1
    assert 'did you mean "ekonomi & keuangan"' in result.stderr.lower()
    assert "bisnis" not in result.stderr.lower()  # not among the matches of "harga"


def test_directory_ingest_lists_the_files_it_did_not_read(runner, tmp_path):
    folder = tmp_path / "halaman"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.html").write_text("<title>Beras</title><p>Harga beras naik</p>")
    (folder / "sub" / "b.htm").write_text("<h1>Cabai</h1><p>Harga cabai turun</p>")
    (folder / "laporan.pdf").write_bytes(b"%PDF-1.4")
    (folder / "data.json").write_text("{}")
    (folder / ".git").mkdir()
    result = runner.invoke(cli, ["index", str(folder)])
    assert result.exit_code == 0, result.output
    assert "added 2" in result.stdout
    assert f"{folder / 'laporan.pdf'}: not indexed: .pdf is not a text format" in result.stderr
    assert f"{folder / 'data.json'}: not indexed: .json is not a text format" in result.stderr
    assert f"{folder / '.git'}: not indexed: hidden" in result.stderr
    data = json.loads(runner.invoke(cli, ["index", str(folder), "--json"]).stdout)
    assert {e["source"] for e in data["not_indexed"]} == {
        str(folder / n) for n in ("laporan.pdf", "data.json", ".git")
    }


def test_docs_list_every_environment_variable_searchlib_reads():
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    read = set()
    for source in (root / "searchlib").rglob("*.py"):
        read |= set(re.findall(r"\"((?:SEARCHLIB_[A-Z_]+)|NO_COLOR)\"", source.read_text()))
    documented = (root / "docs" / "cli.md").read_text(encoding="utf-8")
    serve_workers = {name for name in read if name.startswith("SEARCHLIB_SERVE_")}
    assert "SEARCHLIB_TOKEN" in read and "NO_COLOR" in read
    for name in sorted(read - serve_workers):
        assert f"`{name}`" in documented, f"docs/cli.md does not list {name}"
    assert "`SEARCHLIB_SERVE_*`" in documented


def test_a_category_in_the_query_stays_a_filter_in_the_fallback(runner, detik_index):
    query = 'harga category:"ekonomi & keuangan" zzzqqq'
    args = ["query", query, "--index", str(detik_index.path), "--json", "-n", "100"]
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["fallback"] and data["hits"]
    assert {h["category"] for h in data["hits"]} == {"Ekonomi & Keuangan"}


# -- which config and index a command uses ---------------------------------------------------


def _hit_ids(result) -> set[str]:
    assert result.exit_code == 0, result.output
    return {h["id"] for h in json.loads(result.stdout)["hits"]}


def test_a_config_elsewhere_resolves_its_index_path_against_its_folder(
    runner, articles, tmp_path, monkeypatch
):
    folder = tmp_path / "arsip"
    folder.mkdir()
    config = folder / "searchlib.yaml"
    config.write_text("name: berita\nindex_path: ix\n")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    missing = runner.invoke(cli, ["query", "Rusia", "--config", str(config)])
    # Asked for an index that is not there: an error, never the sample.
    assert missing.exit_code == 2 and f"no searchlib index at {folder / 'ix'}" in missing.stderr
    assert "sample" not in missing.stderr and missing.stdout == ""
    built = runner.invoke(cli, ["index", str(articles), "--config", str(config)])
    assert built.exit_code == 0, built.output
    assert Index.exists(folder / "ix")
    found = runner.invoke(cli, ["query", "Rusia", "--config", str(config), "--json"])
    assert _hit_ids(found) == {"a1", "a3"} and found.stderr == ""


def test_searchlib_yaml_in_the_current_folder_is_used(runner, articles, tmp_path):
    (tmp_path / "searchlib.yaml").write_text("name: lokal\nprotected_words: [menyetop]\n")
    built = runner.invoke(cli, ["index", str(articles)])
    assert built.exit_code == 0 and str(Path("indexes") / "lokal") in built.stdout
    with Index.open(tmp_path / "indexes" / "lokal") as ix:
        assert ix.config.protected_words == ("menyetop",)
    assert _hit_ids(runner.invoke(cli, ["query", "Rusia", "--json"])) == {"a1", "a3"}


def test_environment_names_the_config_and_the_index(runner, articles, tmp_path, monkeypatch):
    config = tmp_path / "env.yaml"
    config.write_text("name: env\n")
    monkeypatch.setenv("SEARCHLIB_CONFIG", str(config))
    assert runner.invoke(cli, ["index", str(articles)]).exit_code == 0
    assert Index.exists(tmp_path / "indexes" / "env")
    assert _hit_ids(runner.invoke(cli, ["query", "Rusia", "--json"])) == {"a1", "a3"}
    monkeypatch.delenv("SEARCHLIB_CONFIG")
    monkeypatch.setenv("SEARCHLIB_INDEX", str(tmp_path / "indexes" / "env"))
    result = runner.invoke(cli, ["query", "beras", "--json"])
    assert _hit_ids(result) == {"a2"} and "sample" not in result.stderr
    monkeypatch.setenv("SEARCHLIB_INDEX", str(tmp_path / "nowhere"))
    result = runner.invoke(cli, ["query", "beras"])
    assert result.exit_code == 2 and "no searchlib index" in result.stderr


def test_a_config_name_cannot_leave_its_folder(runner, articles, tmp_path):
    (tmp_path / "searchlib.yaml").write_text("name: ../../keluar\n")
    result = runner.invoke(cli, ["index", str(articles)])
    assert result.exit_code == 2 and "name must be a plain folder name" in result.stderr
    assert not (tmp_path.parent.parent / "keluar").exists()


@pytest.mark.parametrize(
    ("config", "data"),
    [
        ("bm25: {k1: .nan}\n", '{"id": 1, "body": "isi"}\n'),
        ("", '{"id": 1, "body": "isi"}\n{"id": 2}\n'),
        ("", "not json\n"),
    ],
)
def test_a_failed_first_index_run_leaves_no_index(runner, tmp_path, config, data):
    (tmp_path / "c.yaml").write_text(config)
    source = tmp_path / "in.jsonl"
    source.write_text(data)
    for target in (tmp_path / "new", tmp_path / "made"):
        if target.name == "made":
            target.mkdir()  # a folder the user made stays, empty
        args = ["index", str(source), "--index", str(target), "--config", str(tmp_path / "c.yaml")]
        result = runner.invoke(cli, args)
        assert result.exit_code == 2 and result.stderr.count("\n") == 1
        assert not Index.exists(target)
        assert list(target.iterdir()) == [] if target.name == "made" else not target.exists()


def test_unknown_fields_are_named_with_a_pointer_to_mapping(runner, tmp_path):
    source = tmp_path / "berita.jsonl"
    source.write_text(json.dumps({"id": 1, "judul": "Banjir", "isi": "Banjir melanda kota"}))
    result = runner.invoke(cli, ["index", str(source)])
    assert result.exit_code == 2
    assert "unknown fields 'judul', 'isi'" in result.stderr and "mapping:" in result.stderr
    (tmp_path / "searchlib.yaml").write_text("mapping: {judul: title, isi: body}\n")
    result = runner.invoke(cli, ["index", str(source)])
    assert result.exit_code == 0 and "added 1" in result.stdout


def test_a_duplicate_id_across_files_fails_naming_both_places(runner, articles, tmp_path):
    again = tmp_path / "lagi.jsonl"
    again.write_text(json.dumps({"id": "a2", "title": "Harga beras turun", "body": "Turun."}))
    result = runner.invoke(cli, ["index", str(articles), str(again)])
    assert result.exit_code == 2
    assert f"{again}:1: duplicate id 'a2': also at {articles}:2;" in result.stderr
    result = runner.invoke(cli, ["index", str(articles), str(again), "--on-error", "skip"])
    assert "added 3" in result.stdout and "skipped 1" in result.stdout
    assert f"{articles}:2: duplicate id 'a2': replaced by {again}:1" in result.stderr
    shown = runner.invoke(cli, ["query", "beras", "--json"])
    assert [h["title"] for h in json.loads(shown.stdout)["hits"]] == ["Harga beras turun"]


# -- a read-only index -------------------------------------------------------------------------


def _run_read_only(index: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``searchlib ARGS`` in a process the OS refuses writes to ``index``: a non-root user
    gets a directory without write permission; root (whom permissions do not stop) gets a
    read-only bind mount of it in a private mount namespace."""
    command = [sys.executable, "-c", "from searchlib.cli import main; main()", *args]
    if os.geteuid() != 0:
        index.chmod(0o555)
        try:
            return subprocess.run(command, capture_output=True, text=True, timeout=120)
        finally:
            index.chmod(0o755)
    if shutil.which("unshare") is None:
        pytest.skip("running as root without unshare: no way to make a directory read-only")
    mount = f"mount --bind {index} {index} && mount -o remount,bind,ro {index}"
    probe = subprocess.run(["unshare", "-m", "sh", "-c", mount], capture_output=True)
    if probe.returncode != 0:
        pytest.skip(f"running as root and cannot bind-mount read-only: {probe.stderr!r}")
    wrapped = ["unshare", "-m", "sh", "-c", mount + ' && exec "$@"', "sh", *command]
    return subprocess.run(wrapped, capture_output=True, text=True, timeout=120)


def test_writing_to_a_read_only_index_is_one_line_and_reading_works(runner, articles, tmp_path):
    index = tmp_path / "ix"
    assert runner.invoke(cli, ["index", str(articles), "--index", str(index)]).exit_code == 0
    for args in (
        ["delete", "a1", "--index", str(index)],
        ["index", str(articles), "--index", str(index)],
    ):
        result = _run_read_only(index, *args)
        assert result.returncode == 2, result.stderr
        assert result.stderr.count("\n") == 1 and "internal error" not in result.stderr
        assert f"cannot write to the index at {index}: " in result.stderr
        assert f"may not write to {index}" in result.stderr or (
            f"read-only at {index}" in result.stderr
        )
    result = _run_read_only(index, "query", "Rusia", "--index", str(index), "--json")
    assert result.returncode == 0, result.stderr
    assert {h["id"] for h in json.loads(result.stdout)["hits"]} == {"a1", "a3"}
    assert len(Index.open(index)) == 3  # nothing was deleted


def test_a_stopword_only_query_is_searched_not_refused(runner, detik_index):
    args = ["query", "ingin sekali", "--index", str(detik_index.path), "--json"]
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["hits"]


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "1e400"])
def test_number_options_refuse_nan_and_infinities(runner, value):
    for option in ("--limit", "--page"):
        result = runner.invoke(cli, ["query", "harga", option, value])
        assert result.exit_code == 2 and f"'{value}' is not a valid integer" in result.stderr
