"""The operating system refusing a write to an index, as a :class:`StorageError`.

A read-only index (a directory this user may not write, or a read-only mount) can still be
searched; writing to it fails at the first file the writer creates. That is not a bug to
report but a permission to name: which directory, and that searching works without it.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Iterator
from contextlib import contextmanager

from searchlib.errors import StorageError

__all__ = ["writing"]

#: errno values that mean "you may not write here", not "something broke".
_DENIED = {
    errno.EACCES: "permission denied: this user may not write to",
    errno.EPERM: "permission denied: this user may not write to",
    errno.EROFS: "the file system is read-only at",
}


@contextmanager
def writing(path: str | os.PathLike[str], *, creating: bool = False) -> Iterator[None]:
    """Run a write to the index at ``path`` (``creating``: a new one); a refused write
    becomes a StorageError that names the directory and the missing permission."""
    try:
        yield
    except OSError as error:
        reason = _DENIED.get(error.errno or 0)
        if reason is None:
            raise
        target = os.path.dirname(error.filename) if error.filename else os.fspath(path)
        raise StorageError(
            f"cannot write to the index at {os.fspath(path)}: {reason} {target}",
            hint="choose a directory this user may write to"
            if creating
            else "searching it still works; to change it, run as a user with write "
            "permission on that directory, or work on a copy",
        ) from None
