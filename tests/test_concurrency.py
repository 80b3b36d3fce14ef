"""Concurrency: one writer at a time (the second waits, then a clear error), searches that
stay consistent while commits land, and long-lived readers that follow every commit."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from _crash_worker import code

from searchlib import Hit, Index, IndexLockedError


def _docs(prefix: str, count: int, word: str = "zqkabar") -> list[dict[str, str]]:
    return [{"id": f"{prefix}{i}", "body": f"isi {word} nomor {prefix}{i}"} for i in range(count)]


# -- a reader that lives across commits -----------------------------------------------------


def test_long_lived_index_follows_deletes_replacements_and_merges(tmp_path):
    """One Index object, searched after each of its own commits, must see exactly the index.

    Whoosh's Searcher.refresh() (whoosh-reloaded 2.7.5) reuses readers by segment id: it
    kept each segment's old deletions and the segments a merge had replaced, so deleted
    documents stayed findable and merged ones were counted twice.
    """
    with Index.create(tmp_path / "ix") as ix:
        ix.add(_docs("a", 5))
        assert len(ix) == 5
        ix.delete("a1")
        assert len(ix) == 4
        assert ix.get("a1") is None
        assert ix.search("zqkabar").total == 4
        ix.add([{"id": "a2", "body": "isi diganti"}])
        assert len(ix) == 4
        assert ix.search("zqkabar").total == 3
        for k in range(8):  # enough small commits for Whoosh to merge segments
            ix.add(_docs(f"b{k}-", 1, "zqlain"))
        assert len(ix) == 12
        assert ix.search("zqkabar").total == 3
        assert ix.search("zqlain").total == 8
        ix.optimize()
        assert len(ix) == 12
        assert ix.search("zqkabar OR zqlain", limit=50).total == 11
        assert ix.stats()["segments"] == 1


# -- one writer at a time -------------------------------------------------------------------


class _HeldWriter:
    """A writer thread inside ``Index.add``, holding the lock until released."""

    def __init__(self, ix: Index, doc_id: str) -> None:
        self.locked = threading.Event()
        self.release = threading.Event()
        self.error: BaseException | None = None

        def docs() -> Iterator[dict[str, str]]:
            yield {"id": doc_id, "body": "isi dari penulis pertama"}
            self.locked.set()
            self.release.wait(30)

        def run() -> None:
            try:
                ix.add(docs())
            except BaseException as error:  # reported by join()
                self.error = error

        self.thread = threading.Thread(target=run)
        self.thread.start()
        assert self.locked.wait(10)

    def join(self) -> None:
        self.release.set()
        self.thread.join(30)
        assert self.error is None, self.error


@pytest.mark.parametrize("same_object", [True, False], ids=["same-Index", "two-Index-objects"])
def test_second_writer_thread_waits_for_the_timeout_then_raises(tmp_path, same_object):
    first = Index.create(tmp_path / "ix")
    second = first if same_object else Index.open(tmp_path / "ix")
    held = _HeldWriter(first, "pertama")
    try:
        second.lock_timeout = 0.5
        started = time.monotonic()
        with pytest.raises(IndexLockedError, match=r"another writer .* \(waited 0\.5 s\)"):
            second.add(_docs("kedua", 3))
        assert time.monotonic() - started >= 0.45  # it waited, it did not fail at once
        second.lock_timeout = 0.05  # the other writes only need to be refused
        with pytest.raises(IndexLockedError):
            second.delete("pertama")
        with pytest.raises(IndexLockedError):
            second.optimize()
    finally:
        held.join()
    # The waiting writer got nothing in; the holder's batch is whole.
    assert len(second) == 1
    assert second.get("pertama") is not None
    first.close()
    second.close()


def test_second_writer_thread_gets_the_lock_when_the_first_finishes(tmp_path):
    first = Index.create(tmp_path / "ix")
    second = Index.open(tmp_path / "ix")
    second.lock_timeout = 20
    held = _HeldWriter(first, "pertama")
    done = threading.Event()
    waiter = threading.Thread(target=lambda: (second.add(_docs("kedua", 3)), done.set()))
    waiter.start()
    assert not done.wait(0.5)  # blocked behind the first writer
    held.join()
    waiter.join(30)
    assert done.is_set()
    assert len(second) == 4


def test_a_writer_that_raises_releases_the_lock_and_commits_nothing(tmp_path):
    with Index.create(tmp_path / "ix") as ix:
        ix.add(_docs("a", 2))

        def broken() -> Iterator[dict[str, str]]:
            yield from _docs("b", 10)
            raise RuntimeError("the feed broke")

        with pytest.raises(RuntimeError, match="the feed broke"):
            ix.add(broken())
        ix.lock_timeout = 0  # the lock must be free right away
        ix.add(_docs("c", 1))
        assert len(ix) == 3
        assert ix.search("zqkabar").total == 3


_HOLDER = textwrap.dedent(
    """
    import sys
    from searchlib import Index
    ix = Index.open(sys.argv[1])
    def docs():
        yield {"id": "proses", "body": "isi dari proses lain"}
        print("locked", flush=True)
        sys.stdin.readline()  # hold the lock until the parent says so (or kills us)
    ix.add(docs())
    print("committed", flush=True)
    """
)


def _hold_lock_in_process(path: Path) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [sys.executable, "-c", _HOLDER, str(path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "locked"
    return proc


def _finish(proc: subprocess.Popen[str]) -> None:
    if proc.poll() is None:
        proc.kill()
    proc.wait()
    for stream in (proc.stdin, proc.stdout):
        if stream is not None:
            stream.close()


def test_second_writer_process_waits_then_raises_then_gets_the_lock(tmp_path):
    path = tmp_path / "ix"
    Index.create(path).close()
    proc = _hold_lock_in_process(path)
    try:
        with Index.open(path) as ix:
            ix.lock_timeout = 0.5
            started = time.monotonic()
            with pytest.raises(IndexLockedError, match=r"waited 0\.5 s"):
                ix.add(_docs("a", 2))
            assert time.monotonic() - started >= 0.45
            # Now wait long enough: the other process finishes while we wait.
            ix.lock_timeout = 20
            assert proc.stdin is not None
            threading.Timer(0.3, lambda: (proc.stdin.write("go\n"), proc.stdin.flush())).start()
            ix.add(_docs("a", 2))
            assert proc.stdout is not None
            assert proc.stdout.readline().strip() == "committed"
            assert len(ix) == 3
    finally:
        _finish(proc)


def test_lock_of_a_killed_writer_process_is_free_at_once(tmp_path):
    path = tmp_path / "ix"
    with Index.create(path) as ix:
        ix.add(_docs("a", 5))
        assert ix.search("zqkabar").total == 5  # a reader opened before the crash
        proc = _hold_lock_in_process(path)
        os.kill(proc.pid, signal.SIGKILL)
        _finish(proc)
        ix.lock_timeout = 0  # no waiting: a dead process's lock must not count
        ix.add(_docs("b", 5))
        assert len(ix) == 10
        assert ix.get("proses") is None  # the killed batch left nothing
        assert ix.search("zqkabar").total == 10


# -- searches while a writer commits --------------------------------------------------------

BATCH = 500
SEARCHERS = 8


def _doc(k: int, i: int, version: int) -> dict[str, str]:
    n = k * BATCH + i
    return {
        "id": f"w{k}-{i}",
        "title": f"Kabar {code('zqt', n)}",
        "body": f"zqsemua {code('zqb', k)} {code('zqd', n)} {code('zqv', version)} harga naik",
        "category": ("ekonomi", "kota", "olahraga")[i % 3],
    }


def _batch(k: int, rng: random.Random) -> list[dict[str, str]]:
    """BATCH new documents, plus new versions of a few documents of earlier batches."""
    new = [_doc(k, i, k) for i in range(BATCH)]
    replaced = {(rng.randrange(k), rng.randrange(BATCH)) for _ in range(20)} if k else set()
    return new + [_doc(j, i, k) for j, i in sorted(replaced)]


def _check_hit(hit: Hit) -> None:
    """A hit's stored fields belong together (no field of another document or version)."""
    k, i = map(int, hit.id[1:].split("-"))
    n = k * BATCH + i
    assert hit.title == f"Kabar {code('zqt', n)}"
    assert hit.fields["body"].split()[1:3] == [code("zqb", k), code("zqd", n)]


def _stress(tmp_path: Path, seconds: float, min_commits: int) -> dict[str, int]:
    """SEARCHERS threads search while a writer commits BATCH documents at a time.

    Each commit also replaces a few older documents, and every third is followed by an
    optimize (a merge of every segment). Each search must see whole commits only (totals are
    multiples of BATCH: a replaced document is never there twice), at least the commits
    finished before it started, at most one more than had finished after it, never fewer
    than that thread saw before, and hits whose stored fields are intact.
    """
    path = tmp_path / "ix"
    writer = Index.create(path)
    rng = random.Random(5)
    writer.add(_batch(0, rng))
    reader = Index.open(path)
    committed = 1  # batches whose add() has returned
    stop = threading.Event()
    errors: list[BaseException] = []
    counts = {"searches": 0, "commits": 1}

    def search_loop(seed: int) -> None:
        rng = random.Random(seed)
        ix = writer if seed % 4 == 0 else reader  # the writer's own Index is searched too
        seen = 0
        try:
            while not stop.is_set():
                floor = committed
                what = rng.random()
                if what < 0.4:
                    res = ix.search("zqsemua", limit=10)
                    total = res.total
                    assert total % BATCH == 0 and total >= floor * BATCH, (total, floor)
                    assert total <= (committed + 1) * BATCH, (total, committed)
                    assert total >= seen
                    seen = total
                    assert len(res.hits) == 10
                    facets = res.facets["category"]
                    assert sum(facets.values()) % BATCH == 0, facets
                elif what < 0.7:
                    k = rng.randrange(floor)
                    res = ix.search(code("zqb", k), limit=20, page=rng.randint(1, 25))
                    assert res.total == BATCH
                    assert len(res.hits) == 20
                elif what < 0.9:
                    n = rng.randrange(floor * BATCH)
                    res = ix.search(code("zqd", n))
                    assert [h.id for h in res.hits] == [f"w{n // BATCH}-{n % BATCH}"]
                else:
                    size = len(ix)
                    assert size % BATCH == 0 and floor * BATCH <= size <= (committed + 1) * BATCH
                    n = rng.randrange(floor * BATCH)
                    stored = ix.get(f"w{n // BATCH}-{n % BATCH}")
                    assert stored is not None and stored["title"] == f"Kabar {code('zqt', n)}"
                    continue
                for hit in res.hits:
                    _check_hit(hit)
                counts["searches"] += 1
        except BaseException as error:
            errors.append(error)
            stop.set()

    threads = [threading.Thread(target=search_loop, args=(s,)) for s in range(SEARCHERS)]
    for t in threads:
        t.start()
    # Run for ``seconds`` and at least ``min_commits`` commits: on a loaded machine a
    # commit can take longer than usual, and the test is about consistency, not speed.
    started = time.monotonic()
    deadline, backstop = started + seconds, started + seconds + 180
    try:
        while not stop.is_set() and (
            time.monotonic() < deadline or (committed < min_commits and time.monotonic() < backstop)
        ):
            writer.add(_batch(committed, rng))
            committed += 1
            counts["commits"] = committed
            if committed % 3 == 0:
                writer.optimize()
    finally:
        stop.set()
        for t in threads:
            t.join(60)
    assert not errors, errors[0]
    assert reader.search("zqsemua").total == committed * BATCH
    writer.close()
    reader.close()
    return counts


@pytest.mark.slow
def test_searches_stay_consistent_while_a_writer_commits(tmp_path):
    counts = _stress(tmp_path, seconds=5, min_commits=3)
    print(f"\n5 s: {counts['commits']} commits of {BATCH}, {counts['searches']} searches")
    assert counts["commits"] >= 3 and counts["searches"] >= SEARCHERS


@pytest.mark.slow
def test_searches_stay_consistent_while_a_writer_commits_for_a_minute(tmp_path):
    counts = _stress(tmp_path, seconds=60, min_commits=6)
    print(f"\n60 s: {counts['commits']} commits of {BATCH}, {counts['searches']} searches")
    assert counts["commits"] >= 6 and counts["searches"] >= SEARCHERS


_COMMITTER = textwrap.dedent(
    """
    import sys
    from searchlib import Index
    ix = Index.open(sys.argv[1])
    for k in range(int(sys.argv[2])):
        # identical bodies, one story: the searches below count documents (collapse=False)
        ix.add({"id": f"p{k}-{i}", "body": "zqproses isi"} for i in range(20))
        print(k + 1, flush=True)
        sys.stdin.readline()  # the parent has searched: go on
    """
)


def test_a_search_sees_every_commit_another_process_finished_before_it(tmp_path):
    path = tmp_path / "ix"
    rounds = 15
    with Index.create(path) as ix:
        ix.add([{"id": "x", "body": "zqproses awal"}])
        assert (
            ix.search("zqproses", collapse=False).total == 1
        )  # this thread's searcher exists already
        proc = subprocess.Popen(
            [sys.executable, "-c", _COMMITTER, str(path), str(rounds)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            assert proc.stdin is not None and proc.stdout is not None
            for k in range(1, rounds + 1):
                assert proc.stdout.readline().strip() == str(k)
                assert ix.search("zqproses", collapse=False).total == 1 + 20 * k
                assert len(ix) == 1 + 20 * k
                proc.stdin.write("\n")
                proc.stdin.flush()
        finally:
            _finish(proc)


def test_a_search_sees_a_commit_made_in_the_same_second_on_a_coarse_clock_filesystem(
    tmp_path, monkeypatch
):
    """ext3, NFS and older kernels' ext4 stamp a directory's mtime coarsely (1 s, 4 ms), so
    two changes in one tick leave the same mtime. A reader that trusts an unchanged stamp
    misses a commit landing in the tick it last looked in, until some later change."""
    path = tmp_path / "ix"
    real_stat = os.stat

    def one_second_stat(target, *args, **kwargs):
        st = real_stat(target, *args, **kwargs)
        if os.fspath(target) != str(path):
            return st
        fields = list(st[:10])
        fields[8] = int(st.st_mtime)  # st_mtime as an int, like ext3
        seconds = st.st_mtime_ns // 1_000_000_000
        extra = {"st_mtime": float(seconds), "st_mtime_ns": seconds * 1_000_000_000}
        return os.stat_result(fields, extra)

    writer = Index.create(path)
    reader = Index.open(path)
    monkeypatch.setattr(os, "stat", one_second_stat)
    # Start right after a second boundary, so the commits below share one second's stamp.
    time.sleep(1.02 - time.time() % 1)
    for k in range(3):
        # identical bodies, one story: the searches count documents (collapse=False)
        writer.add([{"id": f"a{k}", "body": "zqdetik pertama"}])
        assert reader.search("zqdetik", collapse=False).total == 2 * k + 1
        writer.add([{"id": f"b{k}", "body": "zqdetik kedua"}])
        assert reader.search("zqdetik", collapse=False).total == 2 * k + 2
    writer.close()
    reader.close()
