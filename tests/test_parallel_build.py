"""A large bulk add shares its work with a helper process; the result is the same index."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from searchlib import Index
from searchlib.backends.embedded import store
from searchlib.errors import IngestError, StorageError

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


@pytest.fixture
def parallel(monkeypatch):
    monkeypatch.delenv("SEARCHLIB_BUILD_PROCESSES", raising=False)
    monkeypatch.setattr(store, "PARALLEL_AFTER", 50)
    monkeypatch.setattr(store, "BATCH", 8)
    monkeypatch.setattr(store, "helper_allowed", lambda: True)
    monkeypatch.setattr(store, "Helper", ReadyHelper)


def segments(path):
    from whoosh import index as windex

    return [s.doc_count_all() for s in windex.open_dir(str(path))._segments()]


def results(ix, query):
    pages = [ix.search(query, limit=1000, page=p) for p in (1, 2)]
    return pages[0].total, {h.id: round(h.score, 5) for res in pages for h in res.hits}


def test_parallel_build_equals_single_process_build(tmp_path, parallel, monkeypatch):
    with Index.create(tmp_path / "par") as par:
        summary = par.add(docs(1500))
        assert summary.added == 1500
    counts = segments(tmp_path / "par")
    assert len(counts) == 2 and sum(counts) == 1500 and min(counts) > 0
    monkeypatch.setenv("SEARCHLIB_BUILD_PROCESSES", "1")
    monkeypatch.setattr(store, "helper_allowed", lambda: False)
    with Index.create(tmp_path / "one") as one:
        one.add(docs(1500))
    assert segments(tmp_path / "one") == [1500]
    with Index.open(tmp_path / "par") as par, Index.open(tmp_path / "one") as one:
        assert len(par) == len(one) == 1500
        for query in ["harga beras", "kode1234", "petani OR banjir", '"pasar induk"', "nomor"]:
            assert results(par, query) == results(one, query), query
        assert par.search("kode1499").hits[0].id == "d1499"
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


def test_a_large_add_into_an_existing_index_replaces_and_adds(tmp_path, parallel, monkeypatch):
    def build(path):
        with Index.create(path) as ix:
            ix.add(docs(300))
            changed = ({**d, "body": d["body"] + " revisi"} for d in docs(300))
            summary = ix.add(list(changed)[::2] + list(docs(900, start=300)))
            assert (summary.added, summary.replaced) == (900, 150)
        return segments(path)

    assert len(build(tmp_path / "par")) == 4  # each add: the parent's segment, the helper's
    monkeypatch.setattr(store, "helper_allowed", lambda: False)
    assert len(build(tmp_path / "one")) == 2
    with Index.open(tmp_path / "par") as par, Index.open(tmp_path / "one") as one:
        assert len(par) == len(one) == 1200
        for query in ["revisi", "harga beras", "kode4", "kode1199"]:
            assert results(par, query) == results(one, query), query
        assert results(par, "revisi")[0] == 150


def test_a_failed_bulk_add_commits_nothing_and_cleans_up(tmp_path, parallel):
    def bad():
        yield from docs(400)
        yield {"id": "bad", "title": "", "body": ""}  # no text: an IngestError

    with Index.create(tmp_path / "ix") as ix:
        with pytest.raises(IngestError):
            ix.add(bad())
        assert len(ix) == 0
        ix.add(docs(10))
        assert len(ix) == 10
    names = sorted(p.name for p in (tmp_path / "ix").iterdir())
    assert len([n for n in names if n.endswith(".seg")]) == 1
    assert not [n for n in names if n.endswith(".tmp")]


def test_a_dead_helper_fails_the_add_and_releases_the_lock(tmp_path, parallel, monkeypatch):
    started = []

    class Recorded(ReadyHelper):
        def __init__(self, path):
            super().__init__(path)
            started.append(self)

    monkeypatch.setattr(store, "Helper", Recorded)
    with Index.create(tmp_path / "ix") as ix:

        def killing():
            for i, doc in enumerate(docs(600)):
                if i == 300:
                    helper = started[-1]
                    helper._proc.kill()
                    helper._proc.wait()
                yield doc

        with pytest.raises(StorageError, match="helper process"):
            ix.add(killing())
        assert len(ix) == 0
        ix.add(docs(5))
        assert len(ix) == 5


def test_a_script_without_a_main_guard_runs_once(tmp_path):
    script = tmp_path / "build.py"
    script.write_text(
        textwrap.dedent(
            f"""
            import sys
            sys.path.insert(0, {str(REPO)!r})
            from searchlib import Index
            from searchlib.backends.embedded import store
            store.PARALLEL_AFTER = 20
            store.helper_allowed = lambda: True
            print("script ran", flush=True)
            docs = ({{"id": str(i), "title": "Judul", "body": f"isi {{i}}"}} for i in range(300))
            with Index.create({str(tmp_path / "ix")!r}) as ix:
                ix.add(docs)
                print(len(ix), flush=True)
            """
        )
    )
    env = {k: v for k, v in os.environ.items() if k != "SEARCHLIB_BUILD_PROCESSES"}
    out = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, env=env, timeout=120
    )
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
