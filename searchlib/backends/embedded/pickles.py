"""Damaged pickles in Whoosh's own files, refused before Python unpickles them.

Whoosh pickles the table of contents (the schema and the segment list) and the directory
at the end of each compound segment file. Unpickling damaged bytes usually fails at once,
but not always: a flipped byte in a memo index (``LONG_BINPUT``) makes the unpickler grow
its memo to that index -- memory and time out of all proportion to the file -- before
anything fails. Walking the opcodes with :mod:`pickletools` first (pure Python, executing
nothing) refuses such a pickle, and one that runs past its file, in time proportional to
its size.

This guards against damage, not malice: a well-formed pickle still runs whatever code it
names (docs/security.md).
"""

from __future__ import annotations

import pickletools
import re
import struct
from pathlib import Path
from typing import Any

from searchlib.errors import IndexDamagedError, StorageError

__all__ = ["latest_toc", "vet_compound", "vet_latest_toc", "vet_pickles"]

#: Whoosh's table-of-contents layout (whoosh.index.TOC): three varint sizes, this marker
#: and the TOC version (4-byte big-endian ints), three varint release numbers, the schema
#: pickle (a varint length and its bytes), the generation and an unused int, then the
#: segment list pickled to its STOP opcode.
_MARKER = -12345
_TOC_VERSION = -111
_INTS = struct.Struct("!ii")
#: A compound file starts with its directory's offset (8 bytes) and length (4 bytes); the
#: directory is two pickles (the files' offsets and lengths, then options).
_COMPOUND_HEAD = struct.Struct("!qi")

_PUTS = frozenset({"PUT", "BINPUT", "LONG_BINPUT"})
_GETS = frozenset({"GET", "BINGET", "LONG_BINGET"})


def vet_pickles(data: bytes, count: int) -> tuple[str | None, int]:
    """Why the ``count`` pickles at the start of ``data`` cannot be loaded in time and
    memory proportional to their size (None when they can), and where they end."""
    pos = 0
    for _ in range(count):
        ops = end = 0
        try:
            for op, arg, at in pickletools.genops(data[pos:]):
                ops += 1
                end = int(at or 0) + 1
                # The pickler numbers memo entries in order: an index past the opcodes
                # read so far was never written by it.
                if (op.name in _PUTS or op.name in _GETS) and not 0 <= int(arg or 0) <= ops:
                    return f"a pickle's memo index {arg} at byte {pos + end - 1} is damaged", pos
        except (ValueError, TypeError) as error:
            return f"a pickle is damaged: {error}", pos
        pos += end
    return None, pos


def latest_toc(root: Path, indexname: str = "MAIN") -> str | None:
    """The name of the table of contents Whoosh reads: the highest generation's."""
    pattern = re.compile(rf"_{re.escape(indexname)}_(\d+)\.toc")
    try:
        found = (pattern.fullmatch(p.name) for p in root.iterdir())
        gens = [int(m.group(1)) for m in found if m]
    except OSError:
        return None
    return f"_{indexname}_{max(gens)}.toc" if gens else None


def vet_latest_toc(root: Path) -> None:
    """Raise IndexDamagedError when the newest table of contents' pickles are damaged.

    Layouts it does not recognise (other TOC versions, a header that does not parse) are
    left to Whoosh, which reports them itself. A commit between this and Whoosh's own read
    leaves that newer TOC unvetted: this narrows a rare case, it does not close it.
    """
    name = latest_toc(root)
    if name is None:
        return
    path = root / name
    try:
        data = path.read_bytes()
        pos = 0
        for _ in range(3):
            _, pos = _varint(data, pos)
        marker, version = _INTS.unpack_from(data, pos)
        if marker != _MARKER or version != _TOC_VERSION:
            return
        pos += _INTS.size
        for _ in range(3):
            _, pos = _varint(data, pos)
        length, pos = _varint(data, pos)
    except (OSError, IndexError, struct.error):
        return
    problem, _ = vet_pickles(data[pos : pos + length], 1)
    if problem is None:
        problem, _ = vet_pickles(data[pos + length + _INTS.size :], 1)
    if problem is not None:
        raise _damaged(root, path, problem)


def vet_compound(dbfile: Any) -> None:
    """Raise StorageError when the directory pickles at the end of a compound segment file
    (an open Whoosh ``StructFile``) are damaged; the read boundary names the file."""
    dbfile.seek(0)
    head = dbfile.read(_COMPOUND_HEAD.size)
    if len(head) < _COMPOUND_HEAD.size:
        raise StorageError(f"a compound file of {len(head)} bytes is truncated")
    offset, _ = _COMPOUND_HEAD.unpack(head)
    dbfile.seek(offset)
    problem, _ = vet_pickles(dbfile.read(), 2)
    dbfile.seek(0)
    if problem is not None:
        raise StorageError(problem)


def _damaged(root: Path, path: Path, problem: str) -> IndexDamagedError:
    from searchlib.backends.embedded.damage import what_to_do

    return IndexDamagedError(
        f"{path}: the index file is damaged or truncated ({problem})",
        hint=what_to_do(root),
        path=str(path),
    )


def _varint(data: bytes, pos: int) -> tuple[int, int]:
    """Whoosh's varint (7 bits a byte, low first) at ``pos``; the value and the next pos."""
    value = shift = 0
    while True:
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return value, pos
