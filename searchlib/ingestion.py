"""Ingestion: documents from the caller or from files become one atomic commit.

Every document is normalized (field mapping, types, size limit) above the seam, so every
backend receives the same clean documents; the backend only upserts and deletes.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from searchlib.backends.base import Backend, Processes, Transaction
from searchlib.config import Config
from searchlib.errors import IngestError
from searchlib.ingest import Problem, Record, normalize_document
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
    batch = _Batch(backend.config, summary)
    with backend.transaction(timeout=timeout, processes=processes) as tx:
        for n, item in enumerate(docs, 1):
            problem = batch.add(tx, item, n)
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
    """The documents of one transaction: each id at most once."""

    def __init__(self, config: Config, summary: AddSummary) -> None:
        self._config = config
        self._extra_types = extra_field_types(config)
        self._summary = summary
        self._seen: dict[str, int | None] = {}

    def add(self, tx: Transaction, item: Item, n: int) -> Skipped | None:
        """Upsert ``item`` (the ``n``-th); a document that cannot be added is returned."""
        if isinstance(item, Problem):
            return Skipped(item.source, item.line, item.reason)
        source, line = (item.source, item.line) if isinstance(item, Record) else (None, n)
        try:
            doc = item.doc if isinstance(item, Record) else self._normalize(item)
        except ValueError as error:
            return Skipped(source, line, str(error))
        doc_id = doc["id"]
        if doc_id in self._seen:
            first = self._seen[doc_id]
            at = f" (first at line {first})" if first is not None else ""
            return Skipped(source, line, f"duplicate id {doc_id!r} in this batch{at}")
        self._seen[doc_id] = line
        existed = tx.exists(doc_id)
        tx.upsert(doc, existed=existed)
        if existed:
            self._summary.replaced += 1
        else:
            self._summary.added += 1
        return None

    def _normalize(self, item: Mapping[str, Any]) -> dict[str, Any]:
        cfg = self._config
        return normalize_document(
            item,
            mapping=dict(cfg.mapping),
            extra_fields=self._extra_types,
            max_doc_bytes=cfg.max_doc_bytes,
        )


def _failure(problem: Skipped) -> IngestError:
    return IngestError(
        problem.reason + "; nothing from this run was committed",
        source=problem.source,
        line=problem.line,
        hint="fix the input, or skip bad documents with on_error='skip' (CLI: --on-error skip)",
    )
