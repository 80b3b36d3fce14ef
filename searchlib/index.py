"""``Index``: build, update and search an index of articles.

``Index`` orchestrates only: the backend the config names (:mod:`searchlib.backends`) stores
and searches; ingestion (:mod:`searchlib.ingestion`), search orchestration
(:mod:`searchlib.searching`) and hit assembly (:mod:`searchlib.hits`) are their own modules.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

from searchlib.analysis import AnalyzedToken, get_analyzer
from searchlib.backends import backend_type
from searchlib.backends.base import Backend, Processes
from searchlib.config import Config, check_processes, load_config
from searchlib.field_analysis import analyze_field
from searchlib.ingest import Problem, Record, read_documents
from searchlib.ingestion import ProgressCallback, add_documents, extra_field_types
from searchlib.reindexing import reindex
from searchlib.results import AddSummary, CheckReport, SearchResults
from searchlib.searching import QueryRunner
from searchlib.signatures import without_signature
from searchlib.zones import IndexZone

__all__ = ["Index"]

ConfigSource = str | os.PathLike[str] | Mapping[str, Any] | Config | None


class Index:
    """An index of articles. Create with :meth:`create`, reopen with :meth:`open`.

    One ``Index`` may be searched from many threads at once; each search sees every commit
    made before it started, including commits by other processes.
    """

    #: Seconds a writer waits for another writer's lock before failing.
    lock_timeout: float = 10.0

    def __init__(self, path: Path, backend: Backend) -> None:
        self.path = path
        self.config = backend.config
        self._backend = backend
        analyzers = {
            f.name: get_analyzer(self.config.analyzer_spec(f.analyzer))
            for f in self.config.fields
            if f.type == "text"
        }
        self._runner = QueryRunner(self.config, backend, analyzers)
        self._zone = IndexZone.of(self.config)

    # -- lifecycle ------------------------------------------------------------------------

    @classmethod
    def create(
        cls, path: str | os.PathLike[str], config: ConfigSource = None, *, overwrite: bool = False
    ) -> Index:
        """A new, empty index at ``path`` (config: a YAML path, a dict, or None for defaults)."""
        cfg = load_config(config)
        root = Path(path)
        return cls(root, backend_type(cfg.backend).create(root, cfg, overwrite=overwrite))

    @classmethod
    def open(cls, path: str | os.PathLike[str], config: ConfigSource = None) -> Index:
        """Open an existing index. A ``config`` whose analysis differs from the index's is an
        :class:`IndexMismatchError`; its query-time settings (ranking, snippets, limits) apply.
        """
        given = None if config is None else load_config(config)
        root = Path(path)
        return cls(root, backend_type(_backend_name(given)).open(root, given))

    @staticmethod
    def exists(path: str | os.PathLike[str], config: ConfigSource = None) -> bool:
        """Whether an index exists at ``path`` (of the config's backend; default embedded)."""
        given = None if config is None else load_config(config)
        return backend_type(_backend_name(given)).exists(Path(path), given)

    @staticmethod
    def check(path: str | os.PathLike[str], config: ConfigSource = None) -> CheckReport:
        """Verify the whole index at ``path``: its metadata, its table of contents and every
        byte of every segment a query could read (``searchlib check``; docs/security.md).
        The report lists each problem with its file; an index that cannot be opened is
        reported too, not raised."""
        given = None if config is None else load_config(config)
        return backend_type(_backend_name(given)).check(Path(path), given)

    @classmethod
    def reindex(
        cls,
        path: str | os.PathLike[str],
        config: ConfigSource = None,
        *,
        progress: ProgressCallback | None = None,
        processes: Processes | None = None,
        lock_timeout: float | None = None,
    ) -> AddSummary:
        """Rebuild the index at ``path`` from the documents it stores, under ``config``
        (default: its own, analyzed by this searchlib), atomically: the old index answers
        until the new one is complete, and if anything fails it stays as it was. For a
        changed config (fields, analyzer, stopwords) or analysis version; see
        docs/export.md. ``processes`` as in :meth:`add` (default: the new config's);
        ``lock_timeout``: seconds to wait for another writer (default: ``lock_timeout``).
        """
        given = None if config is None else load_config(config)
        return reindex(
            Path(path),
            given,
            backend=_backend_name(given),
            processes=None if processes is None else check_processes(processes),
            progress=progress,
            timeout=cls.lock_timeout if lock_timeout is None else lock_timeout,
        )

    def close(self) -> None:
        self._backend.close()

    def __enter__(self) -> Index:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Index({str(self.path)!r})"

    # -- writing --------------------------------------------------------------------------

    def add(
        self,
        docs: Iterable[Mapping[str, Any] | Record | Problem],
        *,
        on_error: str = "fail",
        progress: ProgressCallback | None = None,
        processes: Processes | None = None,
    ) -> AddSummary:
        """Add documents (dicts, or records from :func:`searchlib.ingest.read_documents`).

        A document whose id is already indexed replaces it, and within one call the last
        occurrence of an id wins (:mod:`searchlib.ingest.dedupe`). The whole call is one
        atomic commit: with ``on_error="fail"`` (default) the first bad document raises
        :class:`IngestError` and nothing of this call is committed; with ``"skip"`` bad
        documents are listed in the summary's ``skipped`` and the rest is committed.

        ``processes``: how many processes a large add may use, ``"auto"``, 1 or 2 (default:
        the config's ``build.processes``, itself ``"auto"``); see docs/build.md.
        """
        return add_documents(
            self._backend,
            docs,
            on_error=on_error,
            progress=progress,
            timeout=self.lock_timeout,
            processes=self._processes(processes),
        )

    def add_files(
        self,
        paths: Iterable[str | os.PathLike[str]],
        *,
        format: str = "auto",
        on_error: str = "fail",
        progress: ProgressCallback | None = None,
        processes: Processes | None = None,
    ) -> AddSummary:
        """Read JSONL / JSON / CSV files or directories of text files and add them."""
        processes = self._processes(processes)
        records = read_documents(
            paths,
            format=format,
            mapping=dict(self.config.mapping),
            extra_fields=extra_field_types(self.config),
            max_doc_bytes=self.config.max_doc_bytes,
            timezone=self.config.timezone,
        )
        return self.add(records, on_error=on_error, progress=progress, processes=processes)

    def delete(self, ids: Iterable[str] | str) -> int:
        """Delete documents by id (atomically); returns how many existed."""
        if isinstance(ids, str):
            ids = [ids]
        deleted = 0
        with self._backend.transaction(timeout=self.lock_timeout) as tx:
            for doc_id in ids:
                deleted += tx.delete(str(doc_id))
        return deleted

    def optimize(self) -> None:
        """Merge all segments into one, for the fastest queries."""
        self._backend.optimize(timeout=self.lock_timeout)

    def _processes(self, processes: Processes | None) -> Processes:
        if processes is None:
            return self.config.build_processes
        return check_processes(processes)

    # -- reading --------------------------------------------------------------------------

    def __len__(self) -> int:
        return self._backend.doc_count()

    def get(self, doc_id: str) -> dict[str, Any] | None:
        """The stored fields of one document, or None; dates in the index's time zone."""
        stored = self._backend.get(str(doc_id))
        return None if stored is None else self._zone.shown_fields(without_signature(stored))

    def documents(self) -> Iterator[dict[str, Any]]:
        """Every stored document (its fields as :meth:`get` returns them), in no set
        order: what ``searchlib export`` writes."""
        shown = self._zone.shown_fields
        return (shown(without_signature(doc)) for doc in self._backend.documents())

    def analyze(self, text: str, field: str = "body") -> list[AnalyzedToken]:
        """The tokens ``text`` becomes in ``field`` of this index (its own analysis)."""
        return analyze_field(self.config, text, field)

    def stats(self) -> dict[str, Any]:
        stats = self._backend.stats()
        stats.update(
            path=str(self.path),
            backend=self.config.backend,
            analyzer=self.config.analyzer,
            fingerprint=self.config.index_fingerprint(),
        )
        return stats

    def search(
        self,
        query: str,
        *,
        limit: int = 10,
        page: int = 1,
        fields: Sequence[str] | None = None,
        filters: Mapping[str, str | Sequence[str]] | None = None,
        since: str | date | datetime | None = None,
        until: str | date | datetime | None = None,
        sort: str = "score",
        snippet_format: str = "plain",
        syntax: str = "auto",
        collapse: bool | None = None,
    ) -> SearchResults:
        """Ranked search; docs/search.md describes the query language.

        With the default ``syntax="auto"`` one call serves a search box
        (:mod:`searchlib.query.mode`): keywords (up to three words, not a question) must all
        match, and when no document has them all the any-word reading is used and
        ``fallback`` is set (field clauses, dates and exclusions stay required:
        :func:`searchlib.query.restricts`); prose (four or more words, or a question) is
        ranked as one any-word query, with the same restrictions required. Operators work
        in both. A query made only of stopwords searches its words as written. ``filters``
        restricts keyword fields (category, source, tags: a value or a list of
        alternatives); ``since``/``until`` bound the date (inclusive days).

        ``syntax="query"`` reads every query as keywords; ``syntax="plain"`` takes the text
        literally (no operators) and ranks it as one any-word query. In a question the noun
        next to the question word that names the kind of answer ("Apa nama ...", "Berapa
        jumlah ...") is dropped (:mod:`searchlib.query.question`), in both prose readings.

        ``collapse=True`` (default: the config's ``duplicates.collapse``, off unless set on)
        returns near-duplicate stories (the same article under other ids, or a lightly
        rewritten version) as one hit whose ``duplicates`` lists the others' ids, and the
        total counts stories (docs/duplicates.md).
        """
        return self._runner.search(
            query,
            limit=limit,
            page=page,
            fields=fields,
            filters=filters,
            since=since,
            until=until,
            sort=sort,
            snippet_format=snippet_format,
            syntax=syntax,
            collapse=collapse,
        )

    def similar(
        self, doc_id: str, limit: int = 10, *, snippet_format: str = "plain"
    ) -> SearchResults:
        """Documents most like ``doc_id`` (by its most distinctive terms)."""
        return self._runner.similar(str(doc_id), limit, snippet_format=snippet_format)


def _backend_name(given: Config | None) -> str:
    """The backend of ``given``, else the default config's (an index path alone names an
    embedded index: a cluster index is opened with the config that lists its nodes)."""
    return (given or load_config(None)).backend
