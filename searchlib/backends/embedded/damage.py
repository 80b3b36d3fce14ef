"""The embedded backend's read boundary: a file that cannot be decoded is an IndexDamagedError.

Whoosh and the codec decode bytes with zlib, struct, pickle and array, and each reports
damaged input its own way (``zlib.error``, ``struct.error``, ``EOFError``,
``UnpicklingError``, or an ``IndexError``/``TypeError`` when a damaged length or an
unpickled object of the wrong type is used). Every read method of the store runs inside
:func:`reading`, which turns those into one :class:`IndexDamagedError` naming the file --
a segment's compound ``.seg`` file or the ``.toc`` table of contents -- and what to do.

The file is found from the failed call's own frames: the innermost segment reader,
segment or leaf searcher that was reading (segment readers are per file), or Whoosh's
table-of-contents reader. Where the frames hold none (Whoosh merges the terms of several
segments in generators that keep no reader at hand), an error raised by the engine's code
is pinned on a file by checking the index (:mod:`check`). An error that neither pins on a
file -- a bug outside the readers -- passes through unchanged and is reported as a bug.
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
    StopIteration,  # a damaged count runs a decoder past its input
    RuntimeError,  # ... inside a generator
    windex.IndexError,  # Whoosh's own, for a table of contents it cannot read
)

T = TypeVar("T")
P = ParamSpec("P")


class _OnDisk(Protocol):
    path: Path


S = TypeVar("S", bound=_OnDisk)


def what_to_do(root: Path) -> str:
    return (
        "restore the index from a backup, or export what still reads and reindex; "
        f"`searchlib check --index {root}` lists every damaged file"
    )


@contextmanager
def reading(root: Path, *, blame: str | None = None, diagnose: bool = True) -> Iterator[None]:
    """Run a read of the index at ``root``; a file it cannot decode is an IndexDamagedError.

    When the failed call's frames do not show which file it was reading (Whoosh merges the
    terms and columns of several segments in generators that keep no segment at hand), the
    file is ``blame`` when the caller knows it, else found by checking the index
    (:mod:`check`, which itself reads with ``diagnose=False``): slow, but only on this
    path, and an error that check cannot pin on any file passes through unchanged.
    """
    try:
        yield
    except Exception as error:
        damage = _damage(error, root, blame, diagnose)
        if damage is None:
            raise
        raise damage from error


def _damage(
    error: Exception, root: Path, blame: str | None, diagnose: bool
) -> IndexDamagedError | None:
    """What ``error``, raised reading the index at ``root``, says of a damaged file; None
    when it names none (it is then raised as it is)."""
    if isinstance(error, IndexDamagedError):
        return None
    if isinstance(error, StorageError):
        # The codec's own checks (a bad block) know what is wrong but not which file.
        name = None if error.path else _find(error, root, blame, diagnose)
        return None if name is None else _damaged(root, name, str(error))
    name = _find(error, root, blame, diagnose) if _decoding(error) else None
    return None if name is None else _damaged(root, name, f"{_kind(error)}: {error}")


def _find(error: BaseException, root: Path, blame: str | None, diagnose: bool) -> str | None:
    cause: BaseException | None = error
    while cause is not None:  # a generator's StopIteration: its frames are the cause's
        name = damaged_file(cause.__traceback__, root)
        if name is not None:
            return name
        cause = cause.__cause__ or cause.__context__
    if blame is not None or not diagnose or not _raised_in_engine(error):
        return blame
    from searchlib.backends.embedded.check import check_index

    files = sorted(Path(p.file).name for p in check_index(root).problems)
    return files[0] if files else None


def _raised_in_engine(error: BaseException) -> bool:
    tb = error.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    module = "" if tb is None else str(tb.tb_frame.f_globals.get("__name__", ""))
    return module.startswith(("whoosh.", "searchlib.backends.embedded."))


def _decoding(error: Exception) -> bool:
    """Whether ``error`` is what decoding damaged bytes raises: one of DECODE_ERRORS, or a
    bare Exception raised by Whoosh itself (its readers raise one for a bad block tag)."""
    if isinstance(error, DECODE_ERRORS):
        return True
    return type(error) is Exception and _raised_in_engine(error)


def reads(method: Callable[Concatenate[S, P], T]) -> Callable[Concatenate[S, P], T]:
    """A store method that reads the index at ``self.path``, run inside :func:`reading`."""

    @functools.wraps(method)
    def read(self: S, /, *args: P.args, **kwargs: P.kwargs) -> T:
        with reading(self.path):
            return method(self, *args, **kwargs)

    return read


def guarded(root: Path, compute: Callable[P, T]) -> Callable[P, T]:
    """``compute`` run as :func:`reading` runs a read (for results that read the index
    later, such as each hit's stored fields: a plain ``try`` costs a call nothing)."""

    def run(*args: P.args, **kwargs: P.kwargs) -> T:
        try:
            return compute(*args, **kwargs)
        except Exception as error:
            damage = _damage(error, root, None, True)
            if damage is None:
                raise
            raise damage from error

    return run


def _kind(error: BaseException) -> str:
    kind = type(error)
    return kind.__name__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__name__}"


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
    local = frame.f_locals
    gen, indexname, stream = local.get("gen"), local.get("indexname"), local.get("stream")
    if not isinstance(gen, int) or gen < 0 or not isinstance(indexname, str):
        return None
    # TOC.read closes its file only when it reads to the end: a server that retried a
    # damaged table of contents would leak a descriptor each time.
    if callable(getattr(stream, "close", None)) and not getattr(stream, "is_closed", True):
        stream.close()
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
