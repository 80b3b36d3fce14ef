"""A writer's view of the index's storage that remembers the files it creates.

On a full disk, finishing a file (its trailer, its last buffered bytes) fails again, and
the codec's writer then stops half way and leaves its files open: deleted, their blocks
would stay in use until the process exits, and the disk would stay full. So when a writer
finishes, after closing the codec's writers, it closes every file it created
(:meth:`TrackedStorage.abandon`; closing a closed file does nothing) before it removes
the ones no generation uses.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

__all__ = ["TrackedStorage"]


class TrackedStorage:
    """``storage`` (a Whoosh ``Storage``), remembering each file made with create_file."""

    def __init__(self, storage: Any) -> None:
        self.storage = storage
        self._created: list[Any] = []

    def create_file(self, name: str, *args: Any, **kwargs: Any) -> Any:
        f = self.storage.create_file(name, *args, **kwargs)
        self._created.append(f)
        return f

    def abandon(self) -> None:
        """Close every file created here, writing nothing more (a failed flush still
        closes the file)."""
        created, self._created = self._created, []
        for f in created:
            with contextlib.suppress(Exception):
                f.raw_file().close()

    def __iter__(self) -> Iterator[str]:
        return iter(self.storage)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.storage, name)
