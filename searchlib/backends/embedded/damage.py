"""The embedded backend's read boundary: a file that cannot be decoded is an IndexDamagedError.

Whoosh and the codec decode bytes with zlib, struct, pickle and array, and each reports
damaged input its own way (``zlib.error``, ``struct.error``, ``EOFError``,
``UnpicklingError``, or an ``IndexError``/``TypeError`` when a damaged length or an
unpickled object of the wrong type is used). Every read method of the store runs inside
:func:`reading`, which turns those into one :class:`IndexDamagedError` naming the file --
a segment's compound ``.seg`` file or the ``.toc`` table of contents -- and what to do.

The file is found from the failed call's own frames: the innermost segment reader,
segment or leaf searcher that was reading (segment readers are per file), or Whoosh's
table-of-contents reader. An error raised outside any of them is not a damaged file and
passes through unchanged, so a bug elsewhere is still reported as one.
"""

from __future__ import annotations

import functools
import pickle
import struct
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import Any, Concatenate, ParamSpec, Protocol, TypeVar

from whoosh import index as windex
from whoosh.codec.base import Segment
from whoosh.reading import SegmentReader
from whoosh.searching import Searcher

from searchlib.errors import IndexDamagedError, StorageError

__all__ = ["DECODE_ERRORS", "damaged_file", "guarded", "reading", "reads", "what_to_do"]

#: What decoding damaged bytes raises: the decoders' own errors, and the errors of code
#: that uses a damaged length, offset or unpickled object (a class path damaged in a
#: pickle fails to import). A missing or unreadable file is an OSError.
DECODE_ERRORS: tuple[type[BaseException], ...] = (
    zlib.error,
    struct.error,
    EOFError,
    pickle.UnpicklingError,
    ValueError,
    IndexError,
    KeyError,
    TypeError,
    AttributeError,
    OverflowError,
    MemoryError,
    NameError,
    ImportError,
    OSError,
    AssertionError,
    windex.IndexError,  # Whoosh's own, for a table of contents it cannot read
)

T = TypeVar("T")
P = ParamSpec("P")


class _OnDisk(Protocol):
    path: Path


S = TypeVar("S", bound=_OnDisk)


def what_to_do(root: Path) -> str:
    return (
        f"restore the index from a backup, or export what still reads and reindex "
        f"(`searchlib check --index {root}` lists every damaged file)"
    )


@contextmanager
def reading(root: Path) -> Iterator[None]:
    """Run a read of the index at ``root``; a file it cannot decode is an IndexDamagedError."""
    try:
        yield
    except IndexDamagedError:
        raise
    except StorageError as error:
        # The codec's own checks (a bad block) know what is wrong but not which file.
        name = None if error.path else damaged_file(error.__traceback__, root)
        if name is None:
            raise
        raise _damaged(root, name, str(error)) from error
    except DECODE_ERRORS as error:
        name = damaged_file(error.__traceback__, root)
        if name is None:
            raise
        raise _damaged(root, name, f"{type(error).__name__}: {error}") from error


def reads(method: Callable[Concatenate[S, P], T]) -> Callable[Concatenate[S, P], T]:
    """A store method that reads the index at ``self.path``, run inside :func:`reading`."""

    @functools.wraps(method)
    def read(self: S, /, *args: P.args, **kwargs: P.kwargs) -> T:
        with reading(self.path):
            return method(self, *args, **kwargs)

    return read


def guarded(root: Path, compute: Callable[[], T]) -> Callable[[], T]:
    """``compute`` run inside :func:`reading` (for results that read the index later)."""

    def run() -> T:
        with reading(root):
            return compute()

    return run


def _damaged(root: Path, name: str, detail: str) -> IndexDamagedError:
    path = root / name
    return IndexDamagedError(
        f"{path}: the index file is damaged or truncated ({_short(detail)})",
        hint=what_to_do(root),
        path=str(path),
    )


def _short(detail: str, limit: int = 160) -> str:
    detail = " ".join(detail.split())
    return detail if len(detail) <= limit else detail[: limit - 3] + "..."


def damaged_file(tb: TracebackType | None, root: Path) -> str | None:
    """The name of the index file the failed call was reading, from its frames (innermost
    first), or None when it was not reading one."""
    frames = []
    while tb is not None:
        frames.append(tb.tb_frame)
        tb = tb.tb_next
    for frame in reversed(frames):
        toc = _toc_being_read(frame)
        if toc is not None:
            return toc
        for value in frame.f_locals.values():
            name = _segment_file(value, root)
            if name is not None:
                return name
    return None


def _toc_being_read(frame: Any) -> str | None:
    """In Whoosh's TOC.read: the table of contents it reads (``_<index>_<gen>.toc``)."""
    if frame.f_globals.get("__name__") != "whoosh.index" or frame.f_code.co_name != "read":
        return None
    gen, indexname = frame.f_locals.get("gen"), frame.f_locals.get("indexname")
    if not isinstance(gen, int) or gen < 0 or not isinstance(indexname, str):
        return None
    return f"_{indexname}_{gen}.toc"


def _segment_file(value: Any, root: Path) -> str | None:
    segment = None
    if isinstance(value, Segment):
        segment = value
    elif isinstance(value, SegmentReader):
        segment = value.segment()
    elif isinstance(value, Searcher) and isinstance(value.reader(), SegmentReader):
        segment = value.reader().segment()
    if segment is None:
        return None
    return segment_file(segment, root)


def segment_file(segment: Any, root: Path) -> str:
    """The file that holds ``segment``: its compound file, else its term index (a segment
    written without a compound file keeps one file per part, named by its id)."""
    if segment.is_compound():
        return str(segment.make_filename(segment.COMPOUND_EXT))
    return f"{segment.make_filename('')}*"
