"""The JSON API: search, documents, similar documents, statistics, health, writes."""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from searchlib import Index, IngestError
from searchlib.web.body import parse_documents, read_capped
from searchlib.web.errors import JSON, ApiError
from searchlib.web.params import (
    API_FORMATS,
    REPEATABLE,
    SEARCH_PARAMS,
    check_known,
    integer,
    parse_search,
)
from searchlib.web.params import choice as choice_param
from searchlib.web.state import state_of


def _not_found(doc_id: str) -> ApiError:
    return ApiError(404, "not_found", f"no document with id {doc_id!r}")


async def search(request: Request) -> Response:
    params = request.query_params
    check_known(params, SEARCH_PARAMS, REPEATABLE)
    p = parse_search(params)
    ix = state_of(request).index

    def run() -> dict[str, Any]:
        # Total and facets are computed lazily by the library: do it here, on the search
        # thread, not on the event loop.
        results = ix.search(p.q, snippet_format=p.format, **p.search_kwargs())
        data = results.to_dict()
        data["facets"] = results.facets
        return data

    return JSON(await state_of(request).read(run))


async def document(request: Request) -> Response:
    doc_id = request.path_params["doc_id"]
    st = state_of(request)
    if request.method == "DELETE":
        st.require_writes(request)
        # Writes wait for the index lock: Starlette's thread pool, not the search threads.
        deleted = await run_in_threadpool(st.index.delete, [doc_id])
        if not deleted:
            raise _not_found(doc_id)
        return JSON({"deleted": doc_id, "documents": await run_in_threadpool(len, st.index)})
    check_known(request.query_params, (), ())
    doc = await st.read(st.index.get, doc_id)
    if doc is None:
        raise _not_found(doc_id)
    return JSON(doc)


async def similar(request: Request) -> Response:
    doc_id = request.path_params["doc_id"]
    params = request.query_params
    check_known(params, ("limit", "format"), ())
    limit = integer(params, "limit", 10, 1, 1000)
    fmt = choice_param(params, "format", API_FORMATS, "plain")
    ix: Index = state_of(request).index

    def run() -> dict[str, Any] | None:
        if ix.get(doc_id) is None:
            return None
        return ix.similar(doc_id, limit=limit, snippet_format=fmt).to_dict()

    data = await state_of(request).read(run)
    if data is None:
        raise _not_found(doc_id)
    return JSON(data)


async def analyze(request: Request) -> Response:
    """The terms ``text`` becomes in ``field`` of this index (like Elasticsearch's
    ``_analyze``): the index's own analyzer, stopwords and protected words."""
    params = request.query_params
    check_known(params, ("text", "field"), ())
    text = params.get("text")
    if text is None:
        raise ApiError(400, "bad_parameter", "text (the text to analyze) is required")
    field = (params.get("field") or "body").strip()
    ix = state_of(request).index
    tokens = await state_of(request).read(ix.analyze, text, field)
    return JSON({"field": field, "tokens": [t._asdict() for t in tokens]})


async def stats(request: Request) -> Response:
    check_known(request.query_params, (), ())
    st = state_of(request)
    return JSON(await st.read(st.index.stats))


async def health(request: Request) -> Response:
    st = state_of(request)
    count = await st.read(len, st.index)
    return JSON({"status": "ok", "documents": count})


async def add_documents(request: Request) -> Response:
    """Upsert by id: one atomic commit; any bad document refuses the whole body."""
    st = state_of(request)
    st.require_writes(request)
    docs, places = parse_documents(await read_capped(request, st.max_body_bytes))

    def run() -> dict[str, Any]:
        try:
            summary = st.index.add(docs)
        except IngestError as error:
            # The library numbers documents within the call; say where that is in the body.
            n = error.line
            place = places[n - 1] if n is not None and 0 < n <= len(places) else "the body"
            raise ApiError(400, "bad_document", f"{place}: {error.reason}") from None
        return {
            "added": summary.added,
            "replaced": summary.replaced,
            "seconds": round(summary.seconds, 3),
            "documents": len(st.index),
        }

    return JSON(await run_in_threadpool(run))


__all__ = ["add_documents", "analyze", "document", "health", "search", "similar", "stats"]
