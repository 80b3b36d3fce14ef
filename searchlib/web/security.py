"""Response headers every answer carries, the last-resort error guard, and the write token."""

from __future__ import annotations

import hmac
import logging

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from searchlib.web.errors import ApiError, error_response

logger = logging.getLogger("searchlib.web")

#: No script at all, styles only from our own stylesheet, forms only to ourselves.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'"
)
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}


class SecurityHeaders:
    """Adds :data:`HEADERS` to every response, and turns an unexpected exception into a JSON
    500 (logged here, with its traceback, for the operator; never sent to the client)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = MutableHeaders(scope=message)
                for name, value in HEADERS.items():
                    headers[name] = value
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except Exception:
            logger.exception("internal error on %s %s", scope.get("method"), scope.get("path"))
            if started:  # the client gets a cut response; nothing else can be done
                raise
            response = error_response(
                500, "internal_error", "internal error (details are in the server log)"
            )
            await response(scope, receive, send_with_headers)


def check_token(authorization: str | None, token: str) -> None:
    """Require ``Authorization: Bearer <token>``, compared in constant time.

    No credentials a Bearer scheme can check (no header, or another scheme such as Basic)
    is 401 with a challenge, as RFC 9110 asks; a Bearer token that is wrong is 403.
    """
    scheme, _, given = (authorization or "").strip().partition(" ")
    if scheme.lower() != "bearer" or not given.strip():
        raise ApiError(
            401,
            "unauthorized",
            "writes need an Authorization: Bearer <token> header",
            {"WWW-Authenticate": "Bearer"},
        )
    if not hmac.compare_digest(given.strip().encode("utf-8"), token.encode("utf-8")):
        raise ApiError(403, "forbidden", "the token is not valid for writes")
