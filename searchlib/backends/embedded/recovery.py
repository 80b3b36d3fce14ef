"""Keeping a Whoosh index whole when a writer dies, fails or shares a process with others.

Whoosh publishes a commit by renaming a complete ``_MAIN_<gen>.toc.<time>`` to
``_MAIN_<gen>.toc``, so a killed writer never leaves a half-visible generation: readers see
the old generation or the new one. What it can leave is debris, and what a failing commit
can keep is the lock (tests/test_crash.py proves each point):

- segment files no generation uses are deleted by the next commit's own clean-up, but a
  temporary TOC matches neither of Whoosh's clean-up patterns, nor does the temporary
  directory of a bulk add's helper process (``parallel.py``): :func:`remove_debris`;
- a commit that raises (a full disk) never reaches the step that releases the write lock,
  so the process kept the index locked: :func:`abandon`;
- new segments were named with the global ``random`` module, so an application that seeds
  it (``random.seed(0)``) gave two commits the same segment name and the second failed on
  a Whoosh assertion: segment names now come from :mod:`secrets` (installed on import).
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import shutil
from typing import Any

from whoosh.codec.base import Segment
from whoosh.filedb.filestore import Storage
from whoosh.util import IDCHARS

__all__ = ["abandon", "remove_debris"]


def _temporary_toc(indexname: str) -> re.Pattern[str]:
    # TOC.write names its temporary file "<final name>.<time.time()>".
    return re.compile(rf"^_{re.escape(indexname)}_\d+\.toc\.\d+(\.\d+)?(e[-+]?\d+)?$")


def remove_debris(storage: Storage, indexname: str = "MAIN") -> list[str]:
    """Delete temporary TOC files of dead writers, and the run directories of dead bulk-add
    helper processes; returns their names.

    Call only while holding the index's write lock: a temporary TOC is then never a live
    writer's, because the lock holder is the only writer.
    """
    pattern = _temporary_toc(indexname)
    helper_temp = re.compile(rf"^{re.escape(indexname)}\.[A-Za-z0-9]+\.tmp$")
    folder = getattr(storage, "folder", None)
    removed = []
    for name in list(storage):
        with contextlib.suppress(OSError):  # debris is harmless: never fail a commit on it
            if pattern.match(name):
                storage.delete_file(name)
                removed.append(name)
            elif folder is not None and helper_temp.match(name):
                shutil.rmtree(os.path.join(folder, name))
                removed.append(name)
    return removed


def abandon(writer: Any) -> None:
    """Give up a writer whose commit raised: release its lock whatever state it is in.

    Files it wrote are not in any generation; the next commit's clean-up deletes them.
    """
    with contextlib.suppress(Exception):
        writer.cancel()
    lock = getattr(writer, "writelock", None)
    if lock is not None and getattr(lock, "fd", None) is not None:
        with contextlib.suppress(Exception):
            lock.release()
    with contextlib.suppress(Exception):
        writer._tempstorage.destroy()


def _unique_segment_id(cls: type, size: int = 16) -> str:
    return "".join(secrets.choice(IDCHARS) for _ in range(size))


Segment._random_id = classmethod(_unique_segment_id)
