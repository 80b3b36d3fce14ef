"""``Index``: build, update and search an index of articles."""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

from searchlib._version import __version__
from searchlib.analysis import get_analyzer
from searchlib.backends.base import Backend, RawResults
from searchlib.config import Config, load_config
from searchlib.errors import (
    IndexMismatchError,
    IndexNotFoundError,
    IngestError,
    QueryError,
    StorageError,
)
from searchlib.ingest import Problem, Record, normalize_document, read_documents
from searchlib.query import (
    DateRange,
    Node,
    Or,
    Word,
    any_word,
    date_bound,
    drop_answer_nouns,
    parse_plain,
    parse_query,
)
from searchlib.query.parser import And, Fuzzy, Not, Phrase, Prefix
from searchlib.results import AddSummary, Hit, SearchResults, Skipped
from searchlib.snippets import FORMATS, make_fragments, render

__all__ = ["Index"]

META_FILE = "searchlib.json"
#: Bump when the on-disk layout searchlib writes changes incompatibly.
#: 2: stored fields compressed with a per-segment dictionary (embedded stored.py).
#: 3: posting blocks with bare ids and weights (embedded codec.py).
#: 4: term dictionary in compressed blocks, one-posting lists inlined (embedded terms.py).
#: 5: no pickles in the engine's files, a checksum on every block (embedded codec.py).
FORMAT_VERSION = 5
#: Formats this searchlib opens; an older one is recorded as current before its first
#: commit adds segments of the current format.
READ_FORMATS = (1, 2, 3, 4, 5)
MAX_LIMIT = 1000
MAX_PAGE = 10_000
#: A search with fewer hits than this offers a did-you-mean suggestion.
SUGGEST_BELOW = 3

ProgressCallback = Callable[[int], None]


class Index:
    """An index of articles on disk. Create with :meth:`create`, reopen with :meth:`open`.

    One ``Index`` may be searched from many threads at once; each search sees every commit
    made before it started, including commits by other processes.
    """

    #: Seconds a writer waits for another writer's lock before failing.
    lock_timeout: float = 10.0
    #: The metadata of an index opened in an older format, until it is upgraded.
    _outdated_meta: dict[str, Any] | None = None

    def __init__(self, path: Path, config: Config, backend: Backend) -> None:
        self.path = path
        self.config = config
        self._backend = backend
        self._analyzers = {
            f.name: get_analyzer(config.analyzer_spec(f.analyzer))
            for f in config.fields
            if f.type == "text"
        }
        # Extra fields with their types, so ingestion parses declared date fields as dates.
        self._extra_types = {f.name: f.type for f in config.fields if f.name in config.extra_fields}
        self._searchable = frozenset(
            f.name for f in config.fields if f.type in ("text", "keyword", "date")
        )

    # -- lifecycle ------------------------------------------------------------------------

    @classmethod
    def create(
        cls,
        path: str | os.PathLike[str],
        config: str | os.PathLike[str] | Mapping[str, Any] | Config | None = None,
        *,
        overwrite: bool = False,
    ) -> Index:
        """A new, empty index at ``path`` (config: a YAML path, a dict, or None for defaults)."""
        cfg = load_config(config)
        if cfg.backend != "whoosh":
            return cls._remote(path, cfg, create=True, overwrite=overwrite)
        root = Path(path)
        if (root / META_FILE).exists():
            if not overwrite:
                raise StorageError(
                    f"an index already exists at {root}",
                    hint="open it with Index.open, or pass overwrite=True (CLI: --rebuild)",
                )
            shutil.rmtree(root)
        elif root.exists() and any(root.iterdir()):
            raise StorageError(f"{root} exists and is not an empty directory or a searchlib index")
        from searchlib.backends.embedded.store import WhooshStore

        backend = WhooshStore.create(root, cfg)
        meta = {
            "format_version": FORMAT_VERSION,
            "searchlib_version": __version__,
            "fingerprint": cfg.index_fingerprint(),
            "created": datetime.now().isoformat(timespec="seconds"),
            "config": cfg.to_dict(),
        }
        _write_meta(root, meta)
        return cls(root, cfg, backend)

    @classmethod
    def open(
        cls,
        path: str | os.PathLike[str],
        config: str | os.PathLike[str] | Mapping[str, Any] | Config | None = None,
    ) -> Index:
        """Open an existing index. A ``config`` whose analysis differs from the index's is an
        :class:`IndexMismatchError`; its query-time settings (ranking, snippets, limits) apply.
        """
        given = None if config is None else load_config(config)
        if given is not None and given.backend != "whoosh":
            return cls._remote(path, given, create=False)
        root = Path(path)
        meta_path = root / META_FILE
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise IndexNotFoundError(
                f"no searchlib index at {root}",
                hint=f"build one with: searchlib index FILE --index {root}",
            ) from None
        except (OSError, ValueError) as error:
            raise StorageError(f"{meta_path}: unreadable index metadata: {error}") from None
        rebuild = f"searchlib index SOURCE... --index {root} --rebuild"
        if meta.get("format_version") not in READ_FORMATS:
            raise IndexMismatchError(
                f"the index at {root} has format {meta.get('format_version')}, "
                f"this searchlib {__version__} reads format {FORMAT_VERSION}",
                hint=f"rebuild it: {rebuild}",
            )
        stored = load_config(meta["config"])
        if stored.index_fingerprint() != meta.get("fingerprint"):
            raise IndexMismatchError(
                f"the index at {root} was built with other analysis code "
                f"(searchlib {meta.get('searchlib_version')}); its terms would not match queries",
                hint=f"rebuild it: {rebuild}",
            )
        cfg = stored
        if given is not None:
            cfg = given
            if cfg.index_fingerprint() != meta["fingerprint"]:
                source = cfg.source_file or "the given config"
                raise IndexMismatchError(
                    f"{source} analyzes text differently from the index at {root} "
                    "(fields, analyzer, stopwords or protected words changed)",
                    hint=f"rebuild it: {rebuild} --config {cfg.source_file or 'CONFIG'}",
                )
        from searchlib.backends.embedded.store import WhooshStore

        index = cls(root, cfg, WhooshStore.open(root, cfg))
        if meta["format_version"] != FORMAT_VERSION:
            index._outdated_meta = meta
        return index

    @classmethod
    def _remote(
        cls, path: str | os.PathLike[str], cfg: Config, *, create: bool, overwrite: bool = False
    ) -> Index:
        """An index in a search cluster (backend sphinxql): the nodes hold the data and
        the metadata; ``path`` only names it."""
        from searchlib.backends.sphinxql.store import SphinxStore

        return cls(Path(path), cfg, SphinxStore.attach(cfg, create=create, overwrite=overwrite))

    @staticmethod
    def exists(path: str | os.PathLike[str]) -> bool:
        return (Path(path) / META_FILE).is_file()

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
    ) -> AddSummary:
        """Add documents (dicts, or records from :func:`searchlib.ingest.read_documents`).

        A document whose id is already indexed replaces it. The whole call is one atomic
        commit: with ``on_error="fail"`` (default) the first bad document raises
        :class:`IngestError` and nothing of this call is committed; with ``"skip"`` bad
        documents are listed in the summary's ``skipped`` and the rest is committed.
        """
        if on_error not in ("fail", "skip"):
            raise ValueError(f"on_error must be 'fail' or 'skip', not {on_error!r}")
        started = time.perf_counter()
        summary = AddSummary()
        seen: dict[str, int | None] = {}
        cfg = self.config
        self._upgrade_format()
        with self._backend.transaction(timeout=self.lock_timeout) as tx:
            for n, item in enumerate(docs, 1):
                problem: Skipped | None = None
                if isinstance(item, Problem):
                    problem = Skipped(item.source, item.line, item.reason)
                else:
                    source, line = (
                        (item.source, item.line) if isinstance(item, Record) else (None, n)
                    )
                    try:
                        doc = (
                            item.doc
                            if isinstance(item, Record)
                            else normalize_document(
                                item,
                                mapping=dict(cfg.mapping),
                                extra_fields=self._extra_types,
                                max_doc_bytes=cfg.max_doc_bytes,
                            )
                        )
                    except ValueError as error:
                        problem = Skipped(source, line, str(error))
                    else:
                        doc_id = doc["id"]
                        if doc_id in seen:
                            first = seen[doc_id]
                            at = f" (first at line {first})" if first is not None else ""
                            problem = Skipped(
                                source, line, f"duplicate id {doc_id!r} in this batch{at}"
                            )
                        else:
                            seen[doc_id] = line
                            existed = tx.exists(doc_id)
                            tx.upsert(doc, existed=existed)
                            if existed:
                                summary.replaced += 1
                            else:
                                summary.added += 1
                if problem is not None:
                    if on_error == "fail":
                        raise IngestError(
                            problem.reason + "; nothing from this run was committed",
                            source=problem.source,
                            line=problem.line,
                            hint="fix the input, or skip bad documents with on_error='skip' "
                            "(CLI: --on-error skip)",
                        )
                    summary.skipped.append(problem)
                if progress is not None and n % 500 == 0:
                    progress(n)
        summary.seconds = time.perf_counter() - started
        return summary

    def add_files(
        self,
        paths: Iterable[str | os.PathLike[str]],
        *,
        format: str = "auto",
        on_error: str = "fail",
        progress: ProgressCallback | None = None,
    ) -> AddSummary:
        """Read JSONL / JSON / CSV files or directories of text files and add them."""
        records = read_documents(
            paths,
            format=format,
            mapping=dict(self.config.mapping),
            extra_fields=self._extra_types,
            max_doc_bytes=self.config.max_doc_bytes,
        )
        return self.add(records, on_error=on_error, progress=progress)

    def delete(self, ids: Iterable[str] | str) -> int:
        """Delete documents by id (atomically); returns how many existed."""
        if isinstance(ids, str):
            ids = [ids]
        deleted = 0
        self._upgrade_format()
        with self._backend.transaction(timeout=self.lock_timeout) as tx:
            for doc_id in ids:
                deleted += tx.delete(str(doc_id))
        return deleted

    def optimize(self) -> None:
        """Merge all segments into one, for the fastest queries."""
        self._upgrade_format()
        self._backend.optimize(timeout=self.lock_timeout)

    # -- reading --------------------------------------------------------------------------

    def _upgrade_format(self) -> None:
        """Before the first commit to an older-format index: its new segments will be of the
        current format, so record that first (an older searchlib then refuses the index
        with a clear error instead of misreading it)."""
        meta = self._outdated_meta
        if meta is not None:
            _write_meta(self.path, {**meta, "format_version": FORMAT_VERSION})
            self._outdated_meta = None

    def __len__(self) -> int:
        return self._backend.doc_count()

    def get(self, doc_id: str) -> dict[str, Any] | None:
        """The stored fields of one document, or None."""
        return self._backend.get(str(doc_id))

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
        syntax: str = "query",
    ) -> SearchResults:
        """Ranked search; see the README for the query language.

        All words must match; when no document has them all, the any-word reading is used
        and ``fallback`` is set. ``filters`` restricts keyword fields (category, source,
        tags: a value or a list of alternatives); ``since``/``until`` bound the date
        (inclusive days).

        ``syntax="plain"`` is for prose (a question, a sentence, a pasted headline): the
        text is taken literally (no operators) and ranked as one any-word query, so the
        documents with more of its rarer words come first but one missing word does not
        hide a document. Requiring every word of a sentence lost the right document too
        often (README, Retrieval quality). In a question, the noun next to the question
        word that names the kind of answer ("Apa nama ...", "Berapa jumlah ...") is
        dropped (:mod:`searchlib.query.question`).
        """
        started = time.perf_counter()
        self._check_paging(limit, page)
        if sort not in ("score", "date"):
            raise QueryError(f"sort must be 'score' or 'date', not {sort!r}")
        if snippet_format not in FORMATS:
            raise QueryError(f"snippet_format must be one of {', '.join(FORMATS)}")
        default_fields = self._check_fields(fields)
        if syntax == "query":
            node = parse_query(
                query, fields=self._searchable, max_chars=self.config.max_query_chars
            )
        elif syntax == "plain":
            node = parse_plain(query, max_chars=self.config.max_query_chars)
            node = drop_answer_nouns(node)
            node = any_word(node) or node
        else:
            raise QueryError(f"syntax must be 'query' or 'plain', not {syntax!r}")
        filter_nodes = self._filters(filters, since, until)
        run = self._backend_search(default_fields)
        raw = run(node, filter_nodes, limit, page, sort)
        if raw.collected == 0 and raw.dropped and not raw.terms:
            raise QueryError(
                "the query has only stopwords: " + ", ".join(raw.dropped),
                hint="add a word that carries meaning",
            )
        fallback = False
        warnings = list(raw.warnings)
        if raw.collected == 0 and self.config.fallback:
            wider = any_word(node)
            if wider is not None:
                raw = run(wider, filter_nodes, limit, page, sort)
                fallback = raw.collected > 0
                warnings += [w for w in raw.warnings if w not in warnings]
        few = raw.collected < SUGGEST_BELOW and (raw.count is None or raw.count() < SUGGEST_BELOW)
        suggestion = self._suggest(query, node) if few else None
        hits = self._hits(raw, offset=(page - 1) * limit, fmt=snippet_format)
        return SearchResults(
            query=query,
            page=page,
            limit=limit,
            took_ms=(time.perf_counter() - started) * 1000.0,
            hits=hits,
            _total=raw.exact_total,
            _count=raw.count,
            _facets=raw.facets,
            suggestion=suggestion,
            fallback=fallback,
            warnings=tuple(warnings),
        )

    def similar(
        self, doc_id: str, limit: int = 10, *, snippet_format: str = "plain"
    ) -> SearchResults:
        """Documents most like ``doc_id`` (by its most distinctive terms)."""
        started = time.perf_counter()
        self._check_paging(limit, 1)
        raw = self._backend.similar(str(doc_id), limit)
        if raw is None:
            raise QueryError(f"no document with id {doc_id!r}")
        return SearchResults(
            query=f"similar:{doc_id}",
            _total=raw.collected,
            page=1,
            limit=limit,
            took_ms=(time.perf_counter() - started) * 1000.0,
            hits=self._hits(raw, offset=0, fmt=snippet_format),
            warnings=tuple(raw.warnings),
        )

    # -- helpers --------------------------------------------------------------------------

    @staticmethod
    def _check_paging(limit: int, page: int) -> None:
        if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= MAX_LIMIT:
            raise QueryError(f"limit must be an integer from 1 to {MAX_LIMIT}, got {limit!r}")
        if not isinstance(page, int) or isinstance(page, bool) or not 1 <= page <= MAX_PAGE:
            raise QueryError(f"page must be an integer from 1 to {MAX_PAGE}, got {page!r}")

    def _check_fields(self, fields: Sequence[str] | None) -> tuple[str, ...]:
        if fields is None:
            return self.config.default_fields
        if isinstance(fields, str):
            fields = [fields]
        names = tuple(f.lower() for f in fields)
        for name in names:
            if name not in self._searchable or name == "date":
                raise QueryError(
                    f"unknown field {name!r}",
                    hint="searchable fields: " + ", ".join(sorted(self._searchable - {"date"})),
                )
        if not names:
            raise QueryError("fields must name at least one field")
        return names

    def _filters(
        self,
        filters: Mapping[str, str | Sequence[str]] | None,
        since: str | date | datetime | None,
        until: str | date | datetime | None,
    ) -> list[Node]:
        nodes: list[Node] = []
        for name, value in (filters or {}).items():
            key = name.lower()
            if key not in self._searchable or key == "date":
                raise QueryError(f"cannot filter on unknown field {name!r}")
            values = [value] if isinstance(value, str) else list(value)
            if not values or not all(isinstance(v, str) and v.strip() for v in values):
                raise QueryError(f"filter {name!r} needs one or more non-empty strings")
            words = [Word(v, key) for v in values]
            nodes.append(words[0] if len(words) == 1 else Or(tuple(words)))
        start = date_bound(since, end=False, name="since")
        end = date_bound(until, end=True, name="until")
        if start is not None and end is not None and start >= end:
            raise QueryError("until is before since")
        if start is not None or end is not None:
            nodes.append(DateRange(start, end))
        return nodes

    def _backend_search(self, default_fields: tuple[str, ...]):
        backend = self._backend

        def run(node: Node, filters: list[Node], limit: int, page: int, sort: str) -> RawResults:
            return backend.search(
                node, filters=filters, limit=limit, page=page, sort=sort, fields=default_fields
            )

        return run

    def _hits(self, raw: RawResults, *, offset: int, fmt: str) -> list[Hit]:
        cfg = self.config
        out = []
        for i, rh in enumerate(raw.hits):
            stored = rh.stored
            fragments = []
            for name in ("body", "title"):
                text = stored.get(name)
                analyzer = self._analyzers.get(name)
                if not isinstance(text, str) or analyzer is None:
                    continue
                terms = frozenset(raw.terms.get(name, ()))
                fragments = make_fragments(
                    text,
                    terms,
                    _token_source(analyzer),
                    field=name,
                    fragments=cfg.snippet_fragments,
                    chars=cfg.snippet_chars,
                )
                if any(f.matches for f in fragments) or name == "title":
                    break
            body = stored.get("body")
            length = len(body) if isinstance(body, str) else None
            snippet = render(fragments, "plain" if fmt == "json" else fmt, text_length=length)
            out.append(
                Hit(
                    id=str(stored.get("id")),
                    rank=offset + i + 1,
                    score=float(rh.score),
                    title=str(stored.get("title") or ""),
                    snippet=snippet,
                    fields=stored,
                    fragments=tuple(fragments),
                )
            )
        return out

    def _suggest(self, query: str, node: Node) -> str | None:
        """Replace each query word that matches nothing with the closest indexed term."""
        words = [w.text for w in _plain_words(node)]
        if not words:
            return None
        analyzer = self._analyzers.get("body")
        if analyzer is None:
            return None
        changed = False
        suggestion = query
        for word in words:
            terms = [t.text for t in analyzer(word)]
            if len(terms) != 1:
                continue
            term = terms[0]
            if any(
                self._backend.doc_frequency(f, term)
                for f in ("body", "title")
                if f in self._analyzers
            ):
                continue
            better = self._backend.suggest(term, "body")
            if better and better != term:
                suggestion = suggestion.replace(word, better, 1)
                changed = True
        return suggestion if changed else None


def _write_meta(root: Path, meta: Mapping[str, Any]) -> None:
    tmp = root / (META_FILE + ".tmp")
    tmp.write_text(json.dumps(meta, indent=2, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, root / META_FILE)


def _token_source(analyzer):
    def tokens(text: str):
        for t in analyzer(text, chars=True):
            yield t.startchar, t.endchar, t.text

    return tokens


def _plain_words(node: Node) -> list[Word]:
    if isinstance(node, Word):
        return [node] if node.field is None else []
    if isinstance(node, (And, Or)):
        return [w for child in node.children for w in _plain_words(child)]
    if isinstance(node, (Not, Phrase, Prefix, Fuzzy, DateRange)):
        return []
    return []
