"""Running a test's worker on several threads at once."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from typing import Any


def run_threads(target: Callable[..., Any], args: Iterable[tuple[Any, ...]]) -> list[BaseException]:
    """``target(*a)`` on one thread per ``a`` in ``args``, all at once; what they raised
    (a thread's exception would otherwise only be printed)."""
    errors: list[BaseException] = []

    def guarded(*a: Any) -> None:
        try:
            target(*a)
        except BaseException as error:  # reported to the caller
            errors.append(error)

    threads = [threading.Thread(target=guarded, args=a) for a in args]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors
