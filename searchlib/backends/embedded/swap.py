"""Putting a rebuilt index directory in the place of the old one.

On Linux one ``renameat2(RENAME_EXCHANGE)`` call swaps the two directories: every open of
the index path finds the old index or the new one, never nothing. Elsewhere (or on a file
system without it) two renames do it, with a moment between them in which the path does
not exist.
"""

from __future__ import annotations

import ctypes
import errno
import os
import sys
from pathlib import Path

__all__ = ["exchange"]

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2
#: errno values that mean "this system or file system cannot exchange": rename instead.
_UNSUPPORTED = {errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP}


def exchange(path: Path, other: Path) -> None:
    """Swap the directories ``path`` and ``other`` (same parent), atomically if possible."""
    if _renameat2_exchange(path, other):
        return
    parked = other.with_name(other.name + ".old")
    os.rename(path, parked)
    try:
        os.rename(other, path)
    except OSError:
        os.rename(parked, path)
        raise
    os.rename(parked, other)


def _renameat2_exchange(path: Path, other: Path) -> bool:
    """Whether the kernel swapped the two (False: not supported here; other errors raise)."""
    if not sys.platform.startswith("linux"):
        return False
    libc = ctypes.CDLL(None, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    renameat2.argtypes = [
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_uint,
    ]
    result = renameat2(
        _AT_FDCWD, os.fsencode(path), _AT_FDCWD, os.fsencode(other), _RENAME_EXCHANGE
    )
    if result == 0:
        return True
    code = ctypes.get_errno()
    if code in _UNSUPPORTED:
        return False
    raise OSError(code, os.strerror(code), str(path), None, str(other))
