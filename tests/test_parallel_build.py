"""A large bulk add shares its work with a helper process; the result is the same index.

Every test that starts a helper process is marked slow (``pytest -m slow``; CI runs them)
except the one that checks the helper's index equals a single process's.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from searchlib import ConfigError, Index, load_config
from searchlib.backends.embedded import parallel as parallel_module
from searchlib.backends.embedded import store
from searchlib.cli import cli
from searchlib.errors import IngestError, StorageError
from searchlib.signatures import SIGNATURE_BYTES, SIGNATURE_FIELD

REPO = Path(__file__).resolve().parents[1]
WORDS = ["harga", "beras", "naik", "turun", "pasar", "induk", "petani", "panen", "gagal"]


def docs(n, start=0):
    for i in range(start, start + n):
        words = [WORDS[(i * 7 + k * 3) % len(WORDS)] for k in range(5 + i % 40)]
        yield {
            "id": f"d{i}",
            "title": f"Berita {WORDS[i % len(WORDS)]} nomor {i}",
            "body": " ".join(words) + f" kode{i}",
            "category": ["ekonomi", "daerah"][i % 2],
            "date": f"2024-05-{1 + i % 28:02d}",
        }


class ReadyHelper(store.Helper):
    """Waits for the helper to start, so that it surely gets batches (the tests' adds are
    small enough to finish before a helper that starts in its own time is ready)."""

    def __init__(self, path):
        super().__init__(path)
        while not self._ready:
            self._from.poll(30)
            self._drain()


def record_helpers(monkeypatch, helper, *, after, batch):
    """Adds past ``after`` documents start a ``helper`` (batches of ``batch``); the
    helpers started are listed."""
    started: list[store.Helper] = []

    class Recorded(helper):
        def __init__(self, path):
            super().__init__(path)
            started.append(self)

    monkeypatch.setattr(store, "PARALLEL_AFTER", after)
    monkeypatch.setattr(store, "BATCH", batch)
    monkeypatch.setattr(store, "Helper", Recorded)
    return started


@pytest.fixture
def parallel(monkeypatch):
    """Small adds count as large; the helpers started are listed."""
    return record_helpers(monkeypatch, ReadyHelper, after=50, batch=8)


def segments(path):
    from whoosh import index as windex

    return [s.doc_count_all() for s in windex.open_dir(str(path))._segments()]


def signatures(path):
    """Every document's story signature, by id, as the segments' columns hold it."""
    from whoosh import index as windex

    found = {}
    with windex.open_dir(str(path)).reader() as reader:
        for leaf, _ in reader.leaf_readers():
            column = leaf.column_reader(SIGNATURE_FIELD, translate=False)
            for docnum, stored in leaf.iter_docs():
                found[stored["id"]] = column[docnum]
    return found


def results(ix, query):
    pages = [ix.search(query, limit=1000, page=p) for p in (1, 2)]
    return pages[0].total, {h.id: round(h.score, 5) for res in pages for h in res.hits}


def test_parallel_build_equals_single_process_build(tmp_path, parallel, monkeypatch):
    with Index.create(tmp_path / "par") as par:
        summary = par.add(docs(1500), processes=2)
        assert summary.added == 1500
    counts = segments(tmp_path / "par")
    assert len(counts) == 2 and sum(counts) == 1500 and min(counts) > 0
    with Index.create(tmp_path / "one") as one:
        one.add(docs(1500), processes=1)
    assert segments(tmp_path / "one") == [1500]
    assert len(parallel) == 1
    with Index.open(tmp_path / "par") as par, Index.open(tmp_path / "one") as one:
        assert len(par) == len(one) == 1500
        for query in ["harga beras", "kode1234", "petani OR banjir", '"pasar induk"', "nomor"]:
            assert results(par, query) == results(one, query), query
        assert par.search("kode1499").hits[0].id == "d1499"
    # The helper signs the documents it indexes as the parent signs its own.
    signed = signatures(tmp_path / "par")
    assert signed == signatures(tmp_path / "one") and len(signed) == 1500
    assert all(
        len(value) == SIGNATURE_BYTES and value != bytes(SIGNATURE_BYTES)
        for value in signed.values()
    )
    with Index.open(tmp_path / "par") as par, Index.open(tmp_path / "one") as one:
        assert par.search("harga").facets == one.search("harga").facets
        dated = par.search("harga", since="2024-05-10", filters={"category": "daerah"})
        assert 0 < dated.total < par.search("harga").total
        assert (
            dated.total
            == one.search("harga", since="2024-05-10", filters={"category": "daerah"}).total
        )
    # No temporary directories or unpublished segment files are left behind.
    assert sorted(p.name for p in (tmp_path / "par").iterdir() if p.suffix != ".seg") == [
        "MAIN_WRITELOCK",
        "_MAIN_1.toc",
        "searchlib.json",
    ]


@pytest.mark.slow
def test_an_add_that_ends_before_the_helper_is_ready_stops_it_and_waits_for_nothing(
    tmp_path, monkeypatch
):
    """A helper started for an add that turns out short is killed at the commit, not
    waited for: one segment, every document, no files left behind."""
    started = record_helpers(monkeypatch, store.Helper, after=5, batch=4)
    with Index.create(tmp_path / "ix") as ix:
        summary = ix.add(docs(30), processes=2)
        assert summary.added == 30 and len(ix) == 30
        assert ix.search("kode29").hits[0].id == "d29"
    assert len(started) == 1 and not started[0].used
    assert started[0]._proc.returncode is not None  # stopped, not left running
    assert segments(tmp_path / "ix") == [30]
    assert sorted(p.name for p in (tmp_path / "ix").iterdir() if p.suffix != ".seg") == [
        "MAIN_WRITELOCK",
        "_MAIN_1.toc",
        "searchlib.json",
    ]


@pytest.mark.slow
def test_a_large_add_into_an_existing_index_replaces_and_adds(tmp_path, parallel):
    def build(path, processes):
        with Index.create(path) as ix:
            ix.add(docs(300), processes=processes)
            changed = ({**d, "body": d["body"] + " revisi"} for d in docs(300))
            summary = ix.add(list(changed)[::2] + list(docs(900, start=300)), processes=processes)
            assert (summary.added, summary.replaced) == (900, 150)
        return segments(path)

    assert len(build(tmp_path / "par", 2)) == 4  # each add: the parent's segment, the helper's
    assert len(build(tmp_path / "one", 1)) == 2
    with Index.open(tmp_path / "par") as par, Index.open(tmp_path / "one") as one:
        assert len(par) == len(one) == 1200
        for query in ["revisi", "harga beras", "kode4", "kode1199"]:
            assert results(par, query) == results(one, query), query
        assert results(par, "revisi")[0] == 150


@pytest.mark.slow
def test_a_failed_bulk_add_commits_nothing_and_cleans_up(tmp_path, parallel):
    def bad():
        yield from docs(400)
        yield {"id": "bad", "title": "", "body": ""}  # no text: an IngestError

    with Index.create(tmp_path / "ix") as ix:
        with pytest.raises(IngestError):
            ix.add(bad(), processes=2)
        assert len(parallel) == 1
        assert len(ix) == 0
        ix.add(docs(10))
        assert len(ix) == 10
    names = sorted(p.name for p in (tmp_path / "ix").iterdir())
    assert len([n for n in names if n.endswith(".seg")]) == 1
    assert not [n for n in names if n.endswith(".tmp")]


@pytest.mark.slow
def test_a_dead_helper_fails_the_add_and_releases_the_lock(tmp_path, parallel):
    with Index.create(tmp_path / "ix") as ix:

        def killing():
            for i, doc in enumerate(docs(600)):
                if i == 300:
                    helper = parallel[-1]
                    helper._proc.kill()
                    helper._proc.wait()
                yield doc

        with pytest.raises(StorageError, match="helper process"):
            ix.add(killing(), processes=2)
        assert len(ix) == 0
        ix.add(docs(5))
        assert len(ix) == 5


@pytest.mark.slow
def test_a_script_without_a_main_guard_runs_once(tmp_path):
    script = tmp_path / "build.py"
    script.write_text(
        textwrap.dedent(
            f"""
            from searchlib import Index
            from searchlib.backends.embedded import store
            store.PARALLEL_AFTER = 20
            print("script ran", flush=True)
            docs = ({{"id": str(i), "title": "Judul", "body": f"isi {{i}}"}} for i in range(300))
            with Index.create({str(tmp_path / "ix")!r}) as ix:
                ix.add(docs, processes=2)
                print(len(ix), flush=True)
            """
        )
    )
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == ["script ran", "300"]


def test_a_dead_helpers_temporary_directory_is_removed_by_the_next_add(tmp_path):
    with Index.create(tmp_path / "ix") as ix:
        ix.add(docs(3))
        leftover = tmp_path / "ix" / "MAIN.k3x9q2deadhelper.tmp"
        leftover.mkdir()
        (leftover / "run0").write_bytes(b"x" * 100)
        ix.add(docs(3, start=3))
        assert not leftover.exists()
        assert len(ix) == 6


@pytest.mark.slow
def test_add_files_and_the_config_choose_the_processes(tmp_path, parallel):
    source = tmp_path / "docs.jsonl"
    source.write_text("".join(json.dumps(d) + "\n" for d in docs(300)), encoding="utf-8")
    with Index.create(tmp_path / "files") as ix:
        assert ix.add_files([source], processes=2).added == 300
    assert len(parallel) == 1 and len(segments(tmp_path / "files")) == 2
    with Index.create(tmp_path / "one", {"build": {"processes": 1}}) as ix:
        ix.add_files([source])
        ix.add(docs(300, start=300))
    assert len(parallel) == 1 and segments(tmp_path / "one") == [300, 300]
    # The argument wins over the config.
    with Index.open(tmp_path / "one", {"build": {"processes": 1}}) as ix:
        ix.add(docs(300, start=600), processes=2)
    assert len(parallel) == 2


@pytest.mark.slow
def test_the_cli_takes_processes(tmp_path, parallel):
    source = tmp_path / "docs.jsonl"
    source.write_text("".join(json.dumps(d) + "\n" for d in docs(300)), encoding="utf-8")
    runner = CliRunner()
    one = runner.invoke(cli, ["index", str(source), "-i", str(tmp_path / "a"), "--processes", "1"])
    assert one.exit_code == 0, one.output
    assert parallel == [] and segments(tmp_path / "a") == [300]
    two = runner.invoke(cli, ["index", str(source), "-i", str(tmp_path / "b"), "--processes", "2"])
    assert two.exit_code == 0, two.output
    assert len(parallel) == 1 and len(segments(tmp_path / "b")) == 2
    bad = runner.invoke(cli, ["index", str(source), "-i", str(tmp_path / "c"), "--processes", "3"])
    assert bad.exit_code != 0 and "Traceback" not in bad.output
    assert bad.output.startswith("Error: processes must be 'auto' or a whole number from 1")
    word = runner.invoke(cli, ["index", str(source), "-i", str(tmp_path / "d"), "--processes", "x"])
    assert word.exit_code == 2 and "'x' is not 'auto' or a whole number" in word.output
    assert "--processes" in runner.invoke(cli, ["index", "--help"]).output


@pytest.mark.parametrize("value", [0, 3, -1, "two", True, 1.5])
def test_a_bad_processes_value_is_a_clear_error(tmp_path, value):
    with Index.create(tmp_path / "ix") as ix:
        with pytest.raises(ConfigError, match="processes must be 'auto' or a whole number"):
            ix.add(docs(3), processes=value)
        assert len(ix) == 0
    with pytest.raises(ConfigError, match=r"build\.processes must be"):
        load_config({"build": {"processes": value}})


@pytest.mark.parametrize(
    ("processes", "cores", "allowed"),
    [("auto", 2, True), ("auto", 1, False), (1, 8, False), (2, 1, True), (2, 8, True)],
)
def test_when_a_helper_may_start(monkeypatch, processes, cores, allowed):
    monkeypatch.setattr(parallel_module.os, "cpu_count", lambda: cores)
    assert parallel_module.helper_allowed(processes) is allowed
