"""A full disk: the failed commit leaves nothing behind, so a delete still fits.

Played twice (tests/_full_disk.py): on a real 8 MB tmpfs, mounted in a user namespace
(``unshare -rm``; skipped with the reason where the system does not allow one), and on the
test's own disk with a quota that fails writes with ENOSPC, through every file the index
creates (so the real commit path runs: segment files, compound file, table of contents).
A writer killed mid-commit leaves files the next open removes (not counted in ``stats``).
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from _crash_worker import generation, make_plan
from _full_disk import FIRST, scenario
from whoosh.filedb.filestore import FileStorage
from whoosh.util.filelock import FileLock

from searchlib import Index

HERE = Path(__file__).resolve().parent


def _check(seen: dict[str, Any]) -> None:
    """The last commit intact, no leftover files, delete succeeds, stats unchanged."""
    before, after = seen["before"], seen["after"]
    assert seen["error"] is not None and "No space left on device" in seen["error"]
    assert seen["files_after_error"] == before["files"]
    assert seen["deleted"] == 1, seen["deleted"]
    assert seen["stats_after_error"] == before["stats"]
    assert after["stats"]["documents"] == FIRST - 1
    assert after["found"] == [d for d in before["found"] if d != "d0"]


def test_full_tmpfs(tmp_path: Path) -> None:
    if shutil.which("unshare") is None:
        pytest.skip("unshare is not installed: no user namespace for a small tmpfs")
    folder = tmp_path / "disk"
    folder.mkdir()
    script = (
        f"mount -t tmpfs -o size=8m tmpfs {folder} && "
        f"exec {sys.executable} {HERE / '_full_disk.py'} {folder}"
    )
    run = subprocess.run(
        ["unshare", "-rm", "sh", "-c", script],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PYTHONPATH": str(HERE)},
    )
    if run.returncode and ("mount:" in run.stderr or "unshare:" in run.stderr):
        pytest.skip(f"no tmpfs in a user namespace here: {run.stderr.strip()}")
    assert run.returncode == 0, run.stderr
    _check(json.loads(run.stdout))


class _Disk:
    """A disk of ``capacity`` bytes holding one folder: a write that does not fit fails."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.capacity = 1 << 60

    def used(self) -> int:
        return sum(
            os.path.getsize(os.path.join(root, name))
            for root, _, names in os.walk(self.folder)
            for name in names
        )

    def fill(self, room: int) -> None:
        self.capacity = self.used() + room


class _OnDisk:
    """A file of the index: each write is flushed, so the disk's usage is exact."""

    def __init__(self, file: Any, disk: _Disk) -> None:
        self._file = file
        self._disk = disk

    def write(self, data: Any) -> int:
        if self._disk.used() + len(data) > self._disk.capacity:
            raise OSError(errno.ENOSPC, "No space left on device")
        written = self._file.write(data)
        self._file.flush()
        return written

    def __getattr__(self, name: str) -> Any:
        return getattr(self._file, name)


def test_full_disk_by_quota(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    disk = _Disk(tmp_path)
    create_file = FileStorage.create_file

    def on_disk(self: FileStorage, name: str, *args: Any, **kwargs: Any) -> Any:
        f = create_file(self, name, *args, **kwargs)
        f.file = _OnDisk(f.file, disk)
        return f

    monkeypatch.setattr(FileStorage, "create_file", on_disk)
    _check(scenario(tmp_path / "ix", disk.fill))


def test_a_killed_commit_is_removed_by_the_next_open(tmp_path: Path) -> None:
    path = tmp_path / "ix"
    Index.create(path).close()
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps(make_plan(3)))
    worker = HERE / "_crash_worker.py"
    run = subprocess.run(
        [sys.executable, str(worker), str(plan), str(path), "--die-at", "assembled:2"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode < 0, run.stderr  # killed itself after assembling a segment
    live = generation(path)
    segments = {name for name in os.listdir(path) if name.endswith(".seg")}
    assert len(segments) >= 2  # the killed commit's segment is there, in no generation

    # While a writer holds the lock the leftovers stay, and stats counts only live files.
    lock = FileLock(str(path / "MAIN_WRITELOCK"))
    assert lock.acquire()
    try:
        with Index.open(path) as ix:
            size = ix.stats()["size_bytes"]
        assert {n for n in os.listdir(path) if n.endswith(".seg")} == segments
    finally:
        lock.release()
    with Index.open(path) as ix:
        stats = ix.stats()
        assert stats["generation"] == live
    left = {n for n in os.listdir(path) if n.endswith(".seg")}
    assert len(left) == len(segments) - 1
    assert stats["size_bytes"] == size
    assert stats["size_bytes"] == sum((path / n).stat().st_size for n in os.listdir(path))
