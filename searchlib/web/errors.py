"""JSON errors: ``{"error": {"type": ..., "message": ...}}`` for every failure the app answers.

Library errors map to a status by kind; anything unexpected is logged on the server and
answered with a generic 500, never with a traceback.
"""

from __future__ import annotations

import json
import logging
from datetime import date, datetime
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from searchlib import (
    IndexLockedError,
    IngestError,
    QueryError,
    SearchlibError,
)

logger = logging.getLogger("searchlib.web")

#: Error types by HTTP status for the errors Starlette raises itself (routing, methods).
_HTTP_TYPES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "body_too_large",
}
_HTTP_MESSAGES = {
    404: "no such page or endpoint",
    405: "method not allowed here",
}


class ApiError(Exception):
    """An error answered as JSON with ``status``; raised by the app's own checks."""

    def __init__(
        self, status: int, type_: str, message: str, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.type = type_
        self.message = message
        self.headers = headers or {}


def _json_default(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    return str(value)


def dumps(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, default=_json_default).encode("utf-8")


class JSON(Response):
    """JSON that also carries stored dates (datetime) as ISO 8601 strings."""

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return dumps(content)


def error_body(type_: str, message: str) -> dict[str, Any]:
    return {"error": {"type": type_, "message": message}}


def error_response(
    status: int, type_: str, message: str, headers: dict[str, str] | None = None
) -> JSON:
    return JSON(error_body(type_, message), status_code=status, headers=headers)


def from_library(error: SearchlibError) -> ApiError:
    """The status a deliberate library error deserves."""
    message = str(error)
    if isinstance(error, QueryError):
        return ApiError(400, "bad_query", message)
    if isinstance(error, IngestError):
        where = f"document {error.line}: " if error.source is None and error.line else ""
        return ApiError(400, "bad_document", where + message)
    if isinstance(error, IndexLockedError):
        return ApiError(503, "index_locked", message, {"Retry-After": "5"})
    logger.error("%s: %s", type(error).__name__, message)
    return ApiError(500, "storage_error", message)


async def api_error_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return error_response(exc.status, exc.type, exc.message, exc.headers)


async def library_error_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, SearchlibError)
    return await api_error_handler(request, from_library(exc))


async def http_error_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    status = exc.status_code
    type_ = _HTTP_TYPES.get(status, "error")
    message = _HTTP_MESSAGES.get(status) or exc.detail or type_
    if status == 404:
        message = f"{message}: {request.url.path}"
    elif status == 405:
        message = f"{request.method} is not allowed on {request.url.path}"
    return error_response(status, type_, message, dict(exc.headers or {}))
