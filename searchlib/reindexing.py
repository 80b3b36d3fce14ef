"""Reindex: an index rebuilt from the documents it stores, under a new config or analysis.

Every field of an article is stored, so a change of fields, analyzer or analysis version
needs no original input files. The backend builds the new index beside the old one and
swaps it in atomically (``BackendType.rebuild``); the documents go through the same
ingestion as ``searchlib index`` (normalization under the new config, the bulk writer and
its helper process), so a reindex costs what indexing the same documents does.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from searchlib.backends import backend_type
from searchlib.backends.base import Backend, Processes
from searchlib.config import Config
from searchlib.ingestion import ProgressCallback, add_documents
from searchlib.results import AddSummary
from searchlib.signatures import without_signature
from searchlib.zones import IndexZone

__all__ = ["reindex"]


def reindex(
    path: Path,
    config: Config | None,
    *,
    backend: str,
    processes: Processes | None,
    progress: ProgressCallback | None,
    timeout: float,
) -> AddSummary:
    """Rebuild the index at ``path`` (see :meth:`searchlib.Index.reindex`)."""
    summaries: list[AddSummary] = []

    def fill(new: Backend, documents: Iterator[dict[str, Any]]) -> None:
        # Stored dates are UTC instants without a zone, which ingestion would read in the
        # index's zone: they go back in with their offset. Signatures are made anew.
        shown = IndexZone.of(new.config).shown_fields
        summaries.append(
            add_documents(
                new,
                (shown(without_signature(doc)) for doc in documents),
                on_error="fail",
                progress=progress,
                timeout=timeout,
                processes=new.config.build_processes if processes is None else processes,
            )
        )

    backend_type(backend).rebuild(path, config, fill, timeout=timeout)
    return summaries[0]
