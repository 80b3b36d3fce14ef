"""What the app's handlers share: the one Index, the threads that read it, write settings."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TypeVar

from starlette.requests import Request

from searchlib import Index
from searchlib.web.errors import ApiError
from searchlib.web.security import check_token

T = TypeVar("T")

#: Searches run on this many threads per process. Searching is CPU-bound Python: more
#: threads only contend for the GIL and each keeps its own searcher and caches, so many
#: threads search slower than one (docs/serve.md); two keep a slow query from blocking
#: every other.
DEFAULT_SEARCH_THREADS = 2


@dataclass(frozen=True)
class AppState:
    #: Shared by every request; the index keeps one searcher per thread, refreshed when any
    #: process commits.
    index: Index
    allow_writes: bool
    token: str | None
    max_body_bytes: int
    search_threads: int = DEFAULT_SEARCH_THREADS
    _readers: ThreadPoolExecutor = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        pool = ThreadPoolExecutor(self.search_threads, thread_name_prefix="searchlib-search")
        object.__setattr__(self, "_readers", pool)

    async def read(self, fn: Callable[..., T], *args: object) -> T:
        """Run a read of the index (search, get, stats) on the search threads."""
        return await asyncio.wrap_future(self._readers.submit(fn, *args))

    def close(self) -> None:
        self._readers.shutdown(wait=False, cancel_futures=True)

    def require_writes(self, request: Request) -> None:
        if not self.allow_writes or not self.token:
            raise ApiError(
                403,
                "writes_disabled",
                "this server is read-only (start it with --allow-writes and SEARCHLIB_TOKEN)",
            )
        check_token(request.headers.get("authorization"), self.token)


def state_of(request: Request) -> AppState:
    state = request.app.state.searchlib
    assert isinstance(state, AppState)
    return state
