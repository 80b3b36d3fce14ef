"""Keeping a Whoosh index whole when a writer dies or fails.

Whoosh publishes a commit by renaming a complete ``_MAIN_<gen>.toc.<time>`` to
``_MAIN_<gen>.toc``, so a killed writer never leaves a half-visible generation: readers see
the old generation or the new one. What it can leave is debris (tests/test_crash.py proves
each point): segment files no generation uses are deleted by the next commit's own
clean-up (``clean_files``), but a temporary TOC matches neither of Whoosh's clean-up
patterns, nor does a temporary directory (a writer's run files, ``names.temp_name``, one
per writer and per bulk-add helper process; the codec's column files, ``MAIN.tmp``):
:func:`remove_debris` deletes them. A commit that raises releases the lock itself
(``BulkWriter.commit``).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil

from whoosh.filedb.filestore import Storage

from searchlib.backends.embedded.names import temp_pattern

__all__ = ["remove_debris"]


def _temporary_toc(indexname: str) -> re.Pattern[str]:
    # TOC.write names its temporary file "<final name>.<time.time()>".
    return re.compile(rf"^_{re.escape(indexname)}_\d+\.toc\.\d+(\.\d+)?(e[-+]?\d+)?$")


def remove_debris(storage: Storage, indexname: str = "MAIN") -> list[str]:
    """Delete temporary TOC files and temporary directories; returns their names.

    Call only while holding the index's write lock and while no bulk-add helper runs (the
    writer does, when it starts and when it finishes): a temporary TOC or directory is
    then never a live writer's, because the lock holder is the only writer.
    """
    toc = _temporary_toc(indexname)
    temp = temp_pattern(indexname)
    folder = getattr(storage, "folder", None)
    removed = []
    for name in list(storage):
        with contextlib.suppress(OSError):  # debris is harmless: never fail a commit on it
            if toc.match(name):
                storage.delete_file(name)
                removed.append(name)
            elif folder is not None and temp.match(name):
                shutil.rmtree(os.path.join(folder, name))
                removed.append(name)
    return removed
