"""Files no generation uses: removed as soon as the writer that made them is gone.

A commit writes its segment files before it publishes them. When it fails (a full disk) or
is cancelled, those files would stay until the next commit's clean-up, and on a full disk
that next commit (even a delete) cannot be written because they fill it. So the writer
removes them before it returns (:func:`remove_unused`, from ``BulkWriter.finish``), and
the next open removes what a killed writer left (:func:`tidy`).

Only the holder of the index's write lock removes anything: a segment no generation uses
yet may otherwise be a live writer's (or its helper's) work in progress.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from typing import Any

from whoosh import index as windex

from searchlib.backends.embedded.recovery import remove_debris

__all__ = ["live_files", "remove_unused", "tidy", "toc_name"]


def toc_name(indexname: str, generation: int) -> str:
    """The published table of contents of ``generation`` (Whoosh's naming)."""
    return f"_{indexname}_{generation}.toc"


def remove_unused(storage: Any, indexname: str, generation: int, segments: Iterable[Any]) -> None:
    """Delete the segment files and tables of contents that live ``generation`` (made of
    ``segments``) does not use, and the temporary files of writers. The caller holds the
    write lock, and no helper process of its own is running."""
    remove_debris(storage, indexname)
    # Whoosh's own clean-up, as a commit runs it after publishing; it skips files it
    # cannot delete (another process may have them open).
    windex.clean_files(storage, indexname, generation, list(segments))


def tidy(ix: Any) -> None:
    """Remove what a killed writer left, when no writer holds the lock (else leave it to
    that writer). Never fails: an index in a read-only folder is still opened for reading.
    """
    with contextlib.suppress(OSError):
        lock = ix.lock("WRITELOCK")
        if not lock.acquire(blocking=False):
            return
        try:
            toc = windex.TOC.read(ix.storage, ix.indexname, schema=ix.schema)
            remove_unused(ix.storage, ix.indexname, toc.generation, toc.segments)
        finally:
            lock.release()


def live_files(storage: Any, indexname: str, generation: int, segments: Iterable[Any]) -> set[str]:
    """The files of ``storage`` that live ``generation`` uses (its TOC and segments)."""
    ids = {segment.segment_id() for segment in segments}
    live = {toc_name(indexname, generation)}
    for name in storage:
        if name.split(".", 1)[0] in ids:
            live.add(name)
    return live
