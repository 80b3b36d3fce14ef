"""Crash safety: an indexing process SIGKILLed at any moment leaves exactly its completed
commits, all searchable, and an index the next writer can use at once.

A worker subprocess (tests/_crash_worker.py) runs a random plan of commits (adds that also
replace live documents, deletes, optimizes) and announces every op and every step of
the commit on stdout before running it. The parent kills it at a random moment, or the
worker kills itself exactly at a named step, then the parent checks the index against a
replay of the plan. Whether the op in flight committed is read from the generation on disk:
each op is one commit, so the generation is either the one the op started from (nothing of
it may be visible) or the next (all of it must be).

The kill suites start a worker process per trial, so they are marked slow (``pytest -m
slow``; CI runs them): one exact kill at every step of a commit and 20 random kills. ``pytest
-m soak`` runs 200 random kills, where every step must have been hit by chance too. The
in-process failures below them run by default.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from _crash_worker import (
    COMMON,
    document,
    expected_state,
    generation,
    make_plan,
    op_word,
    unique_word,
)
from whoosh import index as windex

from searchlib import Index, StorageError

WORKER = Path(__file__).with_name("_crash_worker.py")
#: The steps the worker announces, in the order a commit runs them.
STEPS = (
    "merge",
    "flush",
    "flushed",
    "assemble",
    "assembled",
    "toc",
    "rename",
    "renamed",
    "clean",
    "unlink",
    "finish",
)
#: Kills the parent aims at a step announcement (the rest land at a random time).
AIMED = ("begin", *STEPS)


@dataclass
class Log:
    """What the worker said before it died."""

    begun: dict[int, tuple[str, int]] = field(default_factory=dict)  # op -> (kind, gen)
    done: dict[int, int] = field(default_factory=dict)  # op -> gen after
    last: str = "start"  # the last thing announced: where the kill landed
    ended: bool = False

    def read(self, line: str) -> None:
        parts = line.split()
        if not parts:
            return
        if parts[0] == "begin":
            self.begun[int(parts[1])] = (parts[2], int(parts[3]))
            self.last = "begin"
        elif parts[0] == "done":
            self.done[int(parts[1])] = int(parts[2])
            self.last = "done"
        elif parts[0] == "phase":
            self.last = parts[2]
        elif parts[0] == "end":
            self.ended = True


@dataclass
class Trial:
    seed: int
    landed: str
    committed: int
    docs: int


def run_trial(tmp_path: Path, seed: int, *, die_at: str | None = None) -> Trial:
    """Index under a random or exact kill, then check the index. Returns where it landed."""
    rng = random.Random(seed)
    path = tmp_path / f"ix-{seed}"
    Index.create(path).close()
    plan = make_plan(seed)
    plan_file = tmp_path / f"plan-{seed}.json"
    plan_file.write_text(json.dumps(plan))
    args = [sys.executable, str(WORKER), str(plan_file), str(path)]
    if die_at:
        args += ["--die-at", die_at]
    errors = tmp_path / f"stderr-{seed}.txt"
    log = Log()
    with errors.open("w") as err:
        proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=err, text=True)
    # Never let a trial hang: whatever the aim, the worker dies within a few seconds.
    backstop = threading.Timer(20.0, _kill, (proc,))
    backstop.start()
    try:
        assert proc.stdout is not None
        aim = None if die_at else _aim(rng)
        for line in proc.stdout:
            log.read(line)
            if aim is not None and _hit(aim, line):
                if aim[2] > 0:
                    time.sleep(aim[2])
                _kill(proc)
                aim = None
        proc.wait()
    finally:
        backstop.cancel()
        _kill(proc)
        proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()
    assert proc.returncode == -signal.SIGKILL or log.ended, errors.read_text()
    committed = check_index(path, plan, log)
    return Trial(seed, log.last, committed, len(expected_state(plan, committed)))


def _aim(rng: random.Random) -> tuple[str, int, float]:
    """(announcement to wait for, from which op on, delay after it before the kill)."""
    what = rng.choice((*AIMED, "time", "time"))
    if what == "time":
        return ("ready", 0, rng.uniform(0.0, 1.0))
    return (what, rng.randint(0, 25), rng.choice((0.0, rng.uniform(0.0, 0.004))))


def _hit(aim: tuple[str, int, float], line: str) -> bool:
    parts = line.split()
    if aim[0] == "ready":
        return parts == ["ready"]
    if aim[0] == "begin":
        return parts[:1] == ["begin"] and int(parts[1]) >= aim[1]
    return parts[:1] == ["phase"] and parts[2] == aim[0] and int(parts[1]) >= aim[1]


def _kill(proc: subprocess.Popen[str]) -> None:
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):  # it died on its own just now
            os.kill(proc.pid, signal.SIGKILL)


def check_index(path: Path, plan: list[dict], log: Log) -> int:
    """Assert the index holds exactly the committed ops; returns how many ops committed."""
    done = sorted(log.done)
    assert done == list(range(len(done))), "ops finished out of order"
    committed = len(done)
    live = generation(path)
    if committed in log.begun:  # an op was in flight: the generation says if it committed
        _kind, before = log.begun[committed]
        assert live in (before, before + 1), (before, live)
        committed += live == before + 1
    elif done:
        assert live == log.done[done[-1]]
    expected = expected_state(plan, committed)

    with Index.open(path) as ix:
        assert len(ix) == len(expected)
        assert _all_ids(ix) == set(expected)
        # Each document is found by the word of the op that wrote its current version, and
        # only by that one: a replaced document's old text is gone from the index.
        by_op: dict[int, set[str]] = defaultdict(set)
        for doc_id, op_no in expected.items():
            by_op[op_no].add(doc_id)
        ops_with_words = {n for n, op in enumerate(plan[:committed]) if op["kind"] == "add"}
        for op_no in sorted(ops_with_words):
            res = ix.search(op_word(op_no), limit=1000)
            assert {h.id for h in res.hits} == by_op.get(op_no, set()), op_no
            for hit in res.hits:
                doc_no = int(hit.id[1:])
                assert hit.title == f"Berita {unique_word(doc_no)}"
                assert hit.fields["body"].split()[1] == op_word(op_no)
        for doc_id in sorted(expected)[:: max(1, len(expected) // 8)]:
            assert [h.id for h in ix.search(unique_word(int(doc_id[1:]))).hits] == [doc_id]

        # The dead writer's lock must not block (timeout 0: no waiting), and the next commit
        # must work and leave no debris of the crash behind.
        ix.lock_timeout = 0
        ix.add([document(len(plan), 10**6, 5)])
        assert len(ix) == len(expected) + 1
    debris = _debris(path)
    assert debris == [], debris
    return committed


def _all_ids(ix: Index) -> set[str]:
    ids: set[str] = set()
    page = 1
    while True:
        res = ix.search(COMMON, limit=1000, page=page)
        ids.update(h.id for h in res.hits)
        if page * 1000 >= res.total:
            return ids
        page += 1


def _debris(path: Path) -> list[str]:
    """Files in the index directory that the live generation does not use."""
    segments = {s.segment_id() for s in windex.open_dir(str(path))._segments()}
    keep = {"searchlib.json", "MAIN_WRITELOCK", f"_MAIN_{generation(path)}.toc"}
    return sorted(
        name for name in os.listdir(path) if name not in keep and name.split(".")[0] not in segments
    )


# -- exact kills: every step of a commit ----------------------------------------------------


@pytest.mark.parametrize(
    "die_at",
    [
        "merge:3",
        "flush:4",
        "flushed:4",
        "assemble:5",
        "assembled:5",
        "toc:6",
        "rename:6",
        "renamed:6",
        "clean:5",
        "unlink:3",
        "unlink:30",
        "finish:7",
    ],
)
@pytest.mark.slow
def test_kill_at_each_step_of_a_commit(tmp_path, die_at):
    trial = run_trial(tmp_path, seed=sum(map(ord, die_at)), die_at=die_at)
    assert trial.landed == die_at.split(":")[0]


# -- random kills ---------------------------------------------------------------------------


def _random_trials(tmp_path: Path, count: int, first_seed: int) -> list[Trial]:
    trials = [run_trial(tmp_path, seed) for seed in range(first_seed, first_seed + count)]
    landed = Counter(t.landed for t in trials)
    print(
        f"\n{count} random kills; landed: {dict(sorted(landed.items()))}; "
        f"committed ops per trial: {min(t.committed for t in trials)}.."
        f"{max(t.committed for t in trials)}; "
        f"documents checked: {sum(t.docs for t in trials)}"
    )
    return trials


@pytest.mark.slow
def test_random_kills(tmp_path):
    trials = _random_trials(tmp_path, 20, first_seed=1000)
    # A kill before the first commit proves little; most trials must have history.
    assert sum(t.committed > 0 for t in trials) >= 15


@pytest.mark.soak
def test_random_kills_slow(tmp_path):
    trials = _random_trials(tmp_path, 200, first_seed=50_000)
    landed = {t.landed for t in trials}
    missing = {"begin", "merge", "flush", "assemble", "toc", "rename", "renamed", "unlink"}
    assert not missing - landed, f"no random kill landed at {missing - landed}"


# -- commits that fail inside the process ---------------------------------------------------


def test_segment_names_do_not_follow_the_global_random_seed(tmp_path):
    """Applications seed ``random`` (notebooks, ML scripts); Whoosh named new segments with
    it, so the same seed before two commits gave two segments one name, and the second
    commit died on Whoosh's assertion that the segment's compound file did not exist yet."""
    with Index.create(tmp_path / "ix") as ix:
        random.seed(7)
        ix.add([{"id": "a", "body": "isi pertama"}])
        random.seed(7)
        ix.add([{"id": "b", "body": "isi kedua"}])
        assert len(ix) == 2
        assert ix.search("isi").total == 2


def test_a_commit_that_fails_releases_the_lock_and_keeps_the_last_commit(tmp_path, monkeypatch):
    with Index.create(tmp_path / "ix") as ix:
        ix.add([{"id": "a", "body": "isi pertama"}])

        def disk_full(*args, **kwargs):
            raise OSError(errno.ENOSPC, "No space left on device")

        monkeypatch.setattr(windex.TOC, "write", disk_full)
        with pytest.raises(StorageError, match="No space left"):
            ix.add([{"id": "b", "body": "isi kedua"}])
        monkeypatch.undo()
        ix.lock_timeout = 0  # the failed writer must have let go of the lock
        ix.add([{"id": "c", "body": "isi ketiga"}])
        assert sorted(h.id for h in ix.search("isi").hits) == ["a", "c"]
    assert _debris(tmp_path / "ix") == []
