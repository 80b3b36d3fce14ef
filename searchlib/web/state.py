"""What the app's handlers share: the one Index and the write settings."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request

from searchlib.index import Index
from searchlib.web.errors import ApiError
from searchlib.web.security import check_token


@dataclass(frozen=True)
class AppState:
    #: Shared by every request: searches run in Starlette's thread pool and the index keeps
    #: one searcher per thread, refreshed when any process commits.
    index: Index
    allow_writes: bool
    token: str | None
    max_body_bytes: int

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
