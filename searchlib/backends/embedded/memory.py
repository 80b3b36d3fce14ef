"""Giving the memory a large add freed back to the operating system.

A bulk add gathers its postings in memory (``posting_buffer.py``) and frees them when it
commits, but glibc's allocator keeps most freed memory in the process's heap, so a process
that indexes and then goes on serving (a web server, a notebook, a script that builds and
then searches) would stay as large as the add made it. ``malloc_trim`` hands the free
pages back. Where there is no such call (musl, macOS, Windows) nothing happens.
"""

from __future__ import annotations

import ctypes
import functools
import sys
from collections.abc import Callable

__all__ = ["TRIM_AFTER", "release_freed_memory"]

#: Documents an add must have gathered for its commit to trim: below, there is little to
#: give back and the trim's walk over the heap would cost more than it returns.
TRIM_AFTER = 1_000


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        trim: Callable[[int], int] = ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):  # not glibc
        return None
    return trim


def release_freed_memory() -> bool:
    """Return the heap's free pages to the system; False where that cannot be done."""
    trim = _malloc_trim()
    if trim is None:
        return False
    trim(0)
    return True
