"""A commit on a full disk, shared by tests/test_full_disk.py's two disks.

:func:`scenario` builds a small index, fills the disk but for a little room, tries an add
far too big for that room, then deletes a document: what a newsroom does when the disk
fills up. Run as a script (``python _full_disk.py DIR``) it plays the scenario on the
real file system at DIR (a small tmpfs the test mounts) and prints what it saw as JSON.
"""

from __future__ import annotations

import errno
import json
import os
import random
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from searchlib import Index, StorageError

#: The word every document has, so one search lists the whole index.
COMMON = "arsipdisk"
#: Room left on the disk before the big add: enough for a delete's commit, far too little
#: for the add's segment.
ROOM = 256 * 1024
FIRST = 40
BIG = 500


def documents(first: int, count: int) -> list[dict[str, Any]]:
    """Articles of made-up words (random letters compress poorly: the segment is big)."""
    rng = random.Random(first)
    docs = []
    for n in range(first, first + count):
        words = ["".join(rng.choices("bcdfgklmnprst", k=7)) for _ in range(150)]
        docs.append({"id": f"d{n}", "title": f"Berita {n}", "body": f"{COMMON} {' '.join(words)}"})
    return docs


def snapshot(path: Path) -> dict[str, Any]:
    """The files of the index and what it answers."""
    with Index.open(path) as ix:
        stats = ix.stats()
        found = sorted(h.id for h in ix.search(COMMON, limit=1000).hits)
    return {
        "files": sorted(os.listdir(path)),
        "stats": {k: stats[k] for k in ("documents", "deleted", "segments", "size_bytes")},
        "generation": stats["generation"],
        "found": found,
    }


def scenario(path: Path, fill: Callable[[int], None]) -> dict[str, Any]:
    """``fill(room)`` leaves ``room`` bytes free on the index's disk. The failed add and
    the delete run on one open index (as in a server), and the files are listed before
    anything opens the index again (an open also removes leftovers)."""
    with Index.create(path) as ix:
        ix.add(documents(0, FIRST))
    before = snapshot(path)
    fill(ROOM)
    error = None
    deleted: int | str
    with Index.open(path) as ix:
        try:
            ix.add(documents(FIRST, BIG))
        except StorageError as failure:
            error = str(failure)
        files = sorted(os.listdir(path))
        stats = {k: ix.stats()[k] for k in before["stats"]}
        try:
            deleted = ix.delete(["d0"])
        except StorageError as failure:
            deleted = str(failure)
    return {
        "before": before,
        "error": error,
        "files_after_error": files,
        "stats_after_error": stats,
        "after": snapshot(path),
        "deleted": deleted,
    }


def fill_with_a_file(folder: Path) -> Callable[[int], None]:
    """Fill ``folder``'s file system with one file, then free ``room`` bytes of it."""

    def fill(room: int) -> None:
        filler = folder / "filler"
        with open(filler, "wb", buffering=0) as f:
            try:
                while True:
                    f.write(b"\0" * 65536)
            except OSError as error:
                if error.errno != errno.ENOSPC:
                    raise
            f.truncate(max(0, f.tell() - room))
        os.sync()

    return fill


def main() -> None:
    folder = Path(sys.argv[1])
    print(json.dumps(scenario(folder / "ix", fill_with_a_file(folder))))


if __name__ == "__main__":
    main()
