"""Request bodies of ``POST /api/docs``: a JSON array of documents, or JSONL, size-capped."""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request

from searchlib.web.errors import ApiError

#: Default cap of one POST body (the index's own per-document limit still applies).
DEFAULT_MAX_BODY_BYTES = 16 * 1024 * 1024


def _too_large(limit: int) -> ApiError:
    return ApiError(413, "body_too_large", f"the request body is over {limit:,} bytes")


async def read_capped(request: Request, limit: int) -> bytes:
    """The body, refused as soon as it is known to exceed ``limit`` bytes (by its declared
    length, or while it streams in, so a chunked upload cannot fill memory)."""
    declared = request.headers.get("content-length")
    if declared is not None:
        try:
            if int(declared) > limit:
                raise _too_large(limit)
        except ValueError:
            raise ApiError(400, "bad_request", "Content-Length is not a number") from None
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _too_large(limit)
        chunks.append(chunk)
    return b"".join(chunks)


def _bad(message: str) -> ApiError:
    return ApiError(400, "bad_document", message)


def parse_documents(raw: bytes) -> tuple[list[dict[str, Any]], list[str]]:
    """Documents from a JSON array, or from JSONL (one object per line; a body holding a
    single object is JSONL of one line). The content type is not trusted: the first
    character decides. Also returns where each document is, for error messages ("item 3",
    "line 7")."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise _bad(f"the body is not UTF-8: {error}") from None
    stripped = text.lstrip()
    if not stripped:
        raise _bad("the body is empty: send a JSON array of documents or JSONL")
    docs: list[Any]
    if stripped.startswith("["):
        try:
            docs = json.loads(stripped)
        except ValueError as error:
            raise _bad(f"invalid JSON: {error}") from None
        except RecursionError:
            raise _bad("invalid JSON: nested too deeply") from None
        if not isinstance(docs, list):
            raise _bad("the body is not a JSON array")
        places = [f"item {n}" for n in range(1, len(docs) + 1)]
    else:
        docs, places = [], []
        for number, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            try:
                docs.append(json.loads(line))
            except ValueError as error:
                raise _bad(f"line {number}: invalid JSON: {error}") from None
            except RecursionError:
                raise _bad(f"line {number}: invalid JSON: nested too deeply") from None
            places.append(f"line {number}")
    if not docs:
        raise _bad("no documents in the body")
    for place, doc in zip(places, docs, strict=True):
        if not isinstance(doc, dict):
            raise _bad(f"{place} is not a JSON object")
    return docs, places
