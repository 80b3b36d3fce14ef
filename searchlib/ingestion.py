"""Ingestion: documents from the caller or from files become one atomic commit.

Every document is normalized (field mapping, types, size limit) and given its story
signature (:mod:`searchlib.signatures`) above the seam, so every backend receives the same
clean documents; the backend only upserts and deletes.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from searchlib.backends.base import Backend, Processes, Transaction
from searchlib.config import Config
from searchlib.errors import IngestError
from searchlib.ingest import Problem, Record, normalize_document
from searchlib.ingest.dedupe import unique_documents
from searchlib.results import AddSummary, Skipped

__all__ = ["PROGRESS_EVERY", "ProgressCallback", "add_documents"]

ProgressCallback = Callable[[int], None]
Item = Mapping[str, Any] | Record | Problem
#: Documents between two progress callbacks.
PROGRESS_EVERY = 500


def add_documents(
    backend: Backend,
    docs: Iterable[Item],
    *,
    on_error: str,
    progress: ProgressCallback | None,
    timeout: float,
    processes: Processes,
) -> AddSummary:
    """Add ``docs`` in one transaction (see :meth:`searchlib.Index.add`)."""
    if on_error not in ("fail", "skip"):
        raise ValueError(f"on_error must be 'fail' or 'skip', not {on_error!r}")
    started = time.perf_counter()
    summary = AddSummary()
    batch = _Batch(summary)
    items = unique_documents(docs, normalize=_normalizer(backend.config), on_error=on_error)
    with backend.transaction(timeout=timeout, processes=processes) as tx:
        for n, item in enumerate(items, 1):
            problem = batch.add(tx, item)
            if problem is not None:
                if on_error == "fail":
                    raise _failure(problem)
                summary.skipped.append(problem)
            if progress is not None and n % PROGRESS_EVERY == 0:
                progress(n)
    summary.seconds = time.perf_counter() - started
    return summary


def extra_field_types(config: Config) -> dict[str, str]:
    """Extra fields with their types, so ingestion parses declared date fields as dates."""
    return {f.name: f.type for f in config.fields if f.name in config.extra_fields}


class _Batch:
    """The documents of one transaction (each id once: :mod:`searchlib.ingest.dedupe`)."""

    def __init__(self, summary: AddSummary) -> None:
        self._summary = summary

    def add(self, tx: Transaction, item: Record | Problem) -> Skipped | None:
        """Upsert ``item``; a document that cannot be added is returned."""
        if isinstance(item, Problem):
            return Skipped(item.source, item.line, item.reason)
        doc = item.doc
        existed = tx.exists(doc["id"])
        tx.upsert(doc, existed=existed)
        if existed:
            self._summary.replaced += 1
        else:
            self._summary.added += 1
        return None


def _normalizer(config: Config) -> Callable[[Mapping[str, Any]], dict[str, Any]]:
    """Field mapping, types and the size limit of ``config``, for one document."""
    return functools.partial(
        normalize_document,
        mapping=dict(config.mapping),
        extra_fields=extra_field_types(config),
        max_doc_bytes=config.max_doc_bytes,
        timezone=config.timezone,
    )


def _failure(problem: Skipped) -> IngestError:
    return IngestError(
        problem.reason + "; nothing from this run was committed",
        source=problem.source,
        line=problem.line,
        hint="fix the input, or skip bad documents with on_error='skip' (CLI: --on-error skip)",
    )
