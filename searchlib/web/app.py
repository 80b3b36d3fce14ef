"""The Starlette application: routes, error handlers and the headers every response carries."""

from __future__ import annotations

import atexit
import contextlib
import os
from collections.abc import AsyncIterator
from pathlib import Path

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from searchlib import Index, SearchlibError
from searchlib.web import api, page
from searchlib.web.balance import ENV_SHARES, BalanceConnections, Shares
from searchlib.web.body import DEFAULT_MAX_BODY_BYTES
from searchlib.web.errors import (
    ApiError,
    api_error_handler,
    http_error_handler,
    library_error_handler,
)
from searchlib.web.security import SecurityHeaders
from searchlib.web.state import DEFAULT_SEARCH_THREADS, AppState

STATIC_DIR = Path(__file__).resolve().parent / "static"
#: How ``searchlib serve --workers N`` hands its settings to uvicorn's worker processes.
ENV_INDEX = "SEARCHLIB_SERVE_INDEX"
ENV_CONFIG = "SEARCHLIB_SERVE_CONFIG"
ENV_WRITES = "SEARCHLIB_SERVE_WRITES"
ENV_MAX_BODY = "SEARCHLIB_SERVE_MAX_BODY"
ENV_THREADS = "SEARCHLIB_SERVE_THREADS"
ENV_TOKEN = "SEARCHLIB_TOKEN"
#: A write token shorter than this is refused: it would be guessable.
MIN_TOKEN_CHARS = 16


def create_app(
    index: Index,
    *,
    allow_writes: bool = False,
    token: str | None = None,
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    search_threads: int = DEFAULT_SEARCH_THREADS,
) -> Starlette:
    """The search page and JSON API over ``index`` (shared by every request).

    ``allow_writes`` enables ``POST /api/docs`` and ``DELETE /api/docs/{id}`` for requests
    carrying ``Authorization: Bearer <token>``; without it they answer 403. Reads of the
    index run on ``search_threads`` threads (see :data:`DEFAULT_SEARCH_THREADS`).
    """
    if allow_writes and (not token or len(token) < MIN_TOKEN_CHARS):
        raise ValueError(f"allow_writes needs a token of at least {MIN_TOKEN_CHARS} characters")
    if max_body_bytes < 1 or search_threads < 1:
        raise ValueError("max_body_bytes and search_threads must be positive")
    routes = [
        Route("/", page.search_page, methods=["GET"]),
        Route("/healthz", api.health, methods=["GET"]),
        Route("/api/search", api.search, methods=["GET"]),
        Route("/api/stats", api.stats, methods=["GET"]),
        Route("/api/analyze", api.analyze, methods=["GET"]),
        Route("/api/docs", api.add_documents, methods=["POST"]),
        Route("/api/docs/{doc_id:path}", api.document, methods=["GET", "DELETE"]),
        Route("/api/similar/{doc_id:path}", api.similar, methods=["GET"]),
        Mount("/static", app=StaticFiles(directory=STATIC_DIR), name="static"),
    ]
    state = AppState(
        index=index,
        allow_writes=allow_writes,
        token=token if allow_writes else None,
        max_body_bytes=max_body_bytes,
        search_threads=search_threads,
    )

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        state.close()

    app = Starlette(
        routes=routes,
        lifespan=lifespan,
        middleware=[Middleware(SecurityHeaders)],
        exception_handlers={
            HTTPException: http_error_handler,
            ApiError: api_error_handler,
            SearchlibError: library_error_handler,
        },
    )
    app.state.searchlib = state
    return app


def app_from_environment() -> Starlette:
    """The app for one of uvicorn's worker processes (``searchlib serve --workers N``).

    Each worker opens the index itself (the serve command resolved which one and put it in
    the environment); commits by any process show up in every worker. Connections are
    spread evenly over the workers (:mod:`searchlib.web.balance`).
    """
    index = Index.open(os.environ[ENV_INDEX], os.environ.get(ENV_CONFIG) or None)
    app = create_app(
        index,
        allow_writes=os.environ.get(ENV_WRITES) == "1",
        token=os.environ.get(ENV_TOKEN) or None,
        max_body_bytes=int(os.environ.get(ENV_MAX_BODY) or DEFAULT_MAX_BODY_BYTES),
        search_threads=int(os.environ.get(ENV_THREADS) or DEFAULT_SEARCH_THREADS),
    )
    shares_file = os.environ.get(ENV_SHARES)
    if shares_file:
        shares = Shares(Path(shares_file))
        atexit.register(shares.release)
        app.add_middleware(BalanceConnections, shares=shares)
    return app
