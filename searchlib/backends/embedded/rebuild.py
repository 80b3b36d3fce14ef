"""Rebuilding an embedded index from its own stored documents, atomically.

The new index is written beside the old one (``.<name>.reindex-<id>`` in the same
folder) while the old one keeps answering; the old index's write lock is held from the
start, so no commit to it can be lost. Complete, the new directory takes the old one's
place (:func:`swap.exchange`) and the old one is deleted. If anything fails before, the
new directory is deleted and the old index is as it was.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from whoosh import index as windex
from whoosh.filedb.filestore import FileStorage
from whoosh.util.filelock import try_for

from searchlib.backends.base import Fill
from searchlib.backends.embedded import metadata
from searchlib.backends.embedded.names import segment_id
from searchlib.backends.embedded.store import WhooshStore
from searchlib.backends.embedded.swap import exchange
from searchlib.backends.permissions import writing
from searchlib.config import Config
from searchlib.errors import IndexLockedError

__all__ = ["rebuild"]


def rebuild(path: Path, config: Config | None, fill: Fill, *, timeout: float) -> None:
    """See ``BackendType.rebuild``; the old index's own config when ``config`` is None."""
    built_with = metadata.readable_config(path, metadata.read_meta(path))
    lock = windex.FileIndex(FileStorage(str(path))).lock("WRITELOCK")  # as writers take it
    with writing(path):
        if not try_for(lock.acquire, timeout=timeout, delay=0.05):
            raise IndexLockedError(
                f"another writer is updating the index at {path} (waited {timeout:g} s)",
                hint="wait for it to finish, or pass a longer timeout",
            )
    staged = path.with_name(f".{path.name}.reindex-{segment_id()}")
    try:
        _build(path, staged, built_with, config or built_with, fill)
        with writing(path.parent):
            exchange(path, staged)  # from here on, ``staged`` holds the old index
    except BaseException:
        lock.release()
        shutil.rmtree(staged, ignore_errors=True)
        raise
    lock.release()
    shutil.rmtree(staged, ignore_errors=True)


def _build(path: Path, staged: Path, built_with: Config, config: Config, fill: Fill) -> None:
    """A new index at ``staged`` under ``config``, filled with the documents of ``path``."""
    old = WhooshStore.open(path, built_with, written_with=built_with)
    try:
        new = WhooshStore.create(staged, config)
        metadata.write_meta(staged, metadata.new_meta(config))
        try:
            fill(new, old.documents())
        finally:
            new.close()
    finally:
        old.close()
