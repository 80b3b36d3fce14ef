"""WhooshStore: the embedded implementation of searchlib's storage interface."""

from __future__ import annotations

import functools
import math
import os
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from whoosh import index as windex
from whoosh import query as wq
from whoosh import sorting
from whoosh.collectors import Collector, TimeLimit
from whoosh.searching import Searcher
from whoosh.writing import LockError

from searchlib.backends.base import RawHit, RawResults, Transaction
from searchlib.backends.embedded.codec import EmbeddedCodec
from searchlib.backends.embedded.compile import CompileContext, compile_query
from searchlib.backends.embedded.fastcount import facet_counts, filter_sets, match_sets
from searchlib.backends.embedded.fastpath import TooSlow, top_k
from searchlib.backends.embedded.parallel import BATCH, PARALLEL_AFTER, Helper, helper_allowed
from searchlib.backends.embedded.recovery import abandon, remove_debris
from searchlib.backends.embedded.schema import (
    COMBINED_FIELD,
    COMBINED_ONLY,
    build_schema,
    combined_fields,
)
from searchlib.backends.embedded.scoring import BM25
from searchlib.backends.embedded.spelling import closest_term
from searchlib.backends.embedded.writer import FastSegmentWriter
from searchlib.config import Config
from searchlib.errors import IndexLockedError, QueryError, StorageError
from searchlib.query import Node

FACET_FIELDS = ("category", "source")
#: Terms of a document that ``similar`` searches for.
SIMILAR_TERMS = 15
#: Directory mtimes are coarse on some filesystems (1 s on ext3 and NFS), so two commits
#: in one tick can leave the same stamp; a stamp younger than this is not trusted.
RACY_NS = 2_000_000_000
#: With a recency boost, this many BM25 candidates are re-ranked by date.
RECENCY_CANDIDATES = 200


class _WhooshTransaction(Transaction):
    def __init__(self, store: WhooshStore, writer: Any) -> None:
        self._writer = writer
        self._combined = [(name, store.boosts[name]) for name in store.combined]
        self._searcher = writer.searcher()
        # A new index (the common bulk build) needs no lookup per document.
        self._empty = self._searcher.doc_count_all() == 0
        self._keywords = store.keyword_fields
        self._lists = store.list_fields
        # A large add shares the work with a helper process (replaced documents are
        # deleted here, in the parent's writer; their new versions may go to either).
        self._path = str(store.path)
        self._parallel = helper_allowed()
        self._added = 0
        self._helper: Helper | None = None
        self._batch: list[dict[str, Any]] = []

    def close(self) -> None:
        self._searcher.close()
        if self._helper is not None:
            self._helper.abort()
            self._helper = None

    def finish(self) -> None:
        """Before the commit: the last batch; the helper's segment goes to the commit."""
        for fields in self._batch:
            self._writer.add_document(**fields)
        self._batch = []
        if self._helper is not None:
            # The helper writes its segment while the parent's commit writes its own.
            self._helper.request_finish()
            self._writer.helpers.append(self._helper)
            self._helper = None

    def exists(self, doc_id: str) -> bool:
        return not self._empty and self._searcher.document_number(id=doc_id) is not None

    def upsert(self, doc: dict[str, Any], *, existed: bool) -> None:
        if existed:
            self._writer.delete_by_term("id", doc["id"], searcher=self._searcher)
        fields: dict[str, Any] = {}
        for name, value in doc.items():
            if value is None or value == "" or value == []:
                continue
            if name in self._lists:
                values = [str(v).strip().lower() for v in value]
                fields[name] = ",".join(v.replace(",", " ") for v in values if v)
                fields["_stored_" + name] = values
            elif name in self._keywords:
                fields[name] = str(value).strip().lower()
            else:
                fields[name] = value
        if self._combined:
            fields[COMBINED_FIELD] = [
                (doc[name], boost) for name, boost in self._combined if doc.get(name)
            ]
        if self._parallel:
            self._added += 1
            if self._added > PARALLEL_AFTER:
                self._batch.append(fields)
                if len(self._batch) >= BATCH:
                    self._offer_batch()
                return
        self._writer.add_document(**fields)

    def _offer_batch(self) -> None:
        if self._helper is None:
            self._helper = Helper(self._path)
        batch, self._batch = self._batch, []
        if not self._helper.offer(batch):
            for fields in batch:
                self._writer.add_document(**fields)

    def delete(self, doc_id: str) -> bool:
        if not self.exists(doc_id):
            return False
        self._writer.delete_by_term("id", doc_id, searcher=self._searcher)
        return True


class WhooshStore:
    """One Whoosh index directory. Safe to search from many threads at once."""

    def __init__(self, path: Path, config: Config, ix: windex.Index) -> None:
        self.path = path
        self.config = config
        self._ix = ix
        self.schema = ix.schema
        # Indexes keep the schema they were built with: use the combined field if it has one.
        self.combined = combined_fields(config) if COMBINED_FIELD in ix.schema else ()
        self.text_fields = frozenset(f.name for f in config.fields if f.type == "text") | (
            {COMBINED_FIELD} if self.combined else set()
        )
        self.keyword_fields = frozenset(
            f.name for f in config.fields if f.type == "keyword" and f.name != "id"
        )
        self.list_fields = frozenset({"tags"})
        self.boosts = {f.name: f.boost for f in config.fields}
        self._weighting = BM25(B=config.bm25_b, K1=config.bm25_k1)
        self._local = threading.local()
        self._all_searchers: list[Searcher] = []
        self._lock = threading.Lock()

    # -- lifecycle ------------------------------------------------------------------------

    @classmethod
    def create(cls, path: Path, config: Config) -> WhooshStore:
        path.mkdir(parents=True, exist_ok=True)
        return cls(path, config, windex.create_in(str(path), build_schema(config)))

    @classmethod
    def open(cls, path: Path, config: Config) -> WhooshStore:
        try:
            ix = windex.open_dir(str(path))
        except (windex.EmptyIndexError, OSError) as error:
            raise StorageError(f"cannot open the index at {path}: {error}") from None
        return cls(path, config, ix)

    def close(self) -> None:
        with self._lock:
            for s in self._all_searchers:
                s.close()
            self._all_searchers.clear()
        self._local = threading.local()

    # -- writing --------------------------------------------------------------------------

    @contextmanager
    def transaction(self, *, timeout: float) -> Iterator[Transaction]:
        """One atomic commit.

        Not Whoosh's multi-process writer: it forks workers after taking the index lock, so
        a writer killed with SIGKILL left orphaned workers holding the lock forever. A large
        add shares its work with a lock-free helper process instead (``parallel.py``).
        """
        try:
            writer = FastSegmentWriter(self._ix, timeout=timeout, delay=0.05, codec=EmbeddedCodec())
        except LockError:
            raise IndexLockedError(
                f"another writer is updating the index at {self.path} (waited {timeout:g} s)",
                hint="wait for it to finish, or pass a longer timeout",
            ) from None
        remove_debris(self._ix.storage)  # under the lock: only dead writers' leftovers
        tx = _WhooshTransaction(self, writer)
        try:
            yield tx
            tx.finish()
        except BaseException:
            tx.close()
            writer.cancel()
            raise
        tx.close()
        _commit(writer, self.path, merge=True)

    def optimize(self, *, timeout: float) -> None:
        """Merge all segments into one (fastest queries; slow on big indexes)."""
        try:
            writer = FastSegmentWriter(self._ix, timeout=timeout, delay=0.05, codec=EmbeddedCodec())
        except LockError:
            raise IndexLockedError(f"another writer is updating the index at {self.path}") from None
        remove_debris(self._ix.storage)
        _commit(writer, self.path, optimize=True)

    # -- reading --------------------------------------------------------------------------

    def _searcher(self) -> Searcher:
        """This thread's searcher, refreshed when another writer has committed."""
        local = self._local
        stamp = os.stat(self.path).st_mtime_ns
        searcher = getattr(local, "searcher", None)
        if searcher is None:
            searcher = self._ix.searcher(weighting=self._weighting)
            with self._lock:
                self._all_searchers.append(searcher)
        elif stamp != local.stamp and not searcher.up_to_date():
            # Not searcher.refresh(): whoosh-reloaded 2.7.5 reuses readers by segment id, so
            # it kept a segment's old deletions and the segments a merge had replaced.
            fresh = self._ix.searcher(weighting=self._weighting)
            searcher.close()
            with self._lock:
                self._all_searchers.remove(searcher)
                self._all_searchers.append(fresh)
            searcher = fresh
        # A stamp taken within RACY_NS of its change may hide a later change in the same
        # clock tick (coarse mtimes); keep checking the generation until it is older.
        racy = time.time_ns() - stamp < RACY_NS
        local.searcher, local.stamp = searcher, None if racy else stamp
        return searcher

    def doc_count(self) -> int:
        return self._searcher().doc_count()

    def get(self, doc_id: str) -> dict[str, Any] | None:
        s = self._searcher()
        docnum = s.document_number(id=doc_id)
        return None if docnum is None else dict(s.stored_fields(docnum))

    def context(self, searcher: Searcher, fields: Sequence[str] | None = None) -> CompileContext:
        return CompileContext(
            schema=self.schema,
            reader=searcher.reader(),
            default_fields=fields or self.config.default_fields,
            boosts=self.boosts,
            combined=self.combined,
            text_fields=self.text_fields,
            max_expansions=self.config.max_expansions,
        )

    def search(
        self,
        node: Node,
        *,
        filters: Sequence[Node],
        limit: int,
        page: int,
        sort: str,
        fields: Sequence[str] | None = None,
    ) -> RawResults:
        searcher = self._searcher()
        ctx = self.context(searcher, fields)
        q = compile_query(node, ctx)
        if q is None:
            return RawResults(collected=0, hits=[], terms=ctx.terms, dropped=ctx.dropped)
        filter_q = None
        if filters:
            fctx = self.context(searcher)
            parts = [p for p in (compile_query(f, fctx) for f in filters) if p is not None]
            filter_q = wq.And(parts) if len(parts) > 1 else (parts[0] if parts else None)
        offset = (page - 1) * limit
        recency = self.config.recency_half_life_days if sort == "score" else None
        wanted = offset + limit
        top = max(wanted, RECENCY_CANDIDATES) if recency else wanted
        # optimize=False: Whoosh's block-quality pruning was seen to drop the best document
        # of an AND query (tests/test_fastpath.py); scoring every match cost no measurable
        # time on the queries that still come here (phrases, prefixes, dates, NOT).
        kwargs: dict[str, Any] = {"limit": max(top, 1), "filter": filter_q, "optimize": False}
        if sort == "date":
            kwargs["sortedby"] = sorting.FieldFacet("date", reverse=True)
        fast = None
        allowed = filter_sets(filter_q)
        if sort == "score":
            try:
                fast = top_k(
                    searcher,
                    q,
                    kwargs["limit"],
                    seconds=self.config.search_timeout_s,
                    allowed=allowed,
                )
            except TooSlow:
                raise self._too_slow() from None
        count: Callable[[], int] | None = None

        @functools.cache
        def matches() -> list[tuple[Any, set[int]]] | None:
            """Every match per segment, shared by the total and the facets, or None when
            only Whoosh's matchers can find them."""
            if fast is not None and fast.segments is not None:  # the fast path saw them all
                return [(reader, set(docs)) for reader, docs in fast.segments]
            return self._match_sets(q, filter_q)

        if fast is not None:
            scored, matched = fast.scored, fast.matched
            collected = len(scored)
            if collected >= kwargs["limit"]:  # more may match
                count = (
                    (lambda: matched)
                    if matched is not None
                    else lambda: self._count(q, filter_q, matches())
                )
        else:
            results = self._run(searcher, q, kwargs)
            collected = results.scored_length()
            if collected >= kwargs["limit"]:  # more may match: count only if someone asks
                count = lambda: self._count(q, filter_q, matches())  # noqa: E731
            scored = [(results.score(i) or 0.0, results.docnum(i)) for i in range(collected)]
        if recency:
            scored = _recency_rerank(searcher, scored, recency)
        hits = [
            RawHit(docnum=docnum, score=score, stored=dict(searcher.stored_fields(docnum)))
            for score, docnum in scored[offset:wanted]
        ]
        return RawResults(
            collected=collected,
            hits=hits,
            count=count,
            facets=lambda: self._facets(q, filter_q, matches()),
            terms=ctx.terms,
            dropped=ctx.dropped,
        )

    def _run(self, searcher: Searcher, q: wq.Query, kwargs: dict[str, Any]) -> Any:
        collector = searcher.collector(**kwargs)
        _set_deadline(collector, self.config.search_timeout_s)
        try:
            searcher.search_with_collector(q, collector)
        except TimeLimit:
            raise self._too_slow() from None
        return collector.results()

    def _too_slow(self) -> QueryError:
        return QueryError(
            f"the search took longer than {self.config.search_timeout_s:g} s and was stopped",
            hint="make the query more specific, or raise limits.search_timeout_s",
        )

    def _count(
        self, q: wq.Query, filter_q: wq.Query | None, matches: list[tuple[Any, set[int]]] | None
    ) -> int:
        """Every match: from ``matches`` when known, else counted unscored by Whoosh on this
        thread's current searcher."""
        if matches is not None:
            return sum(len(found) for _, found in matches)
        return len(self._run(self._searcher(), q, {"limit": 1, "filter": filter_q}))

    def _match_sets(
        self, q: wq.Query, filter_q: wq.Query | None
    ) -> list[tuple[Any, set[int]]] | None:
        try:
            return match_sets(
                self._searcher(),
                q,
                seconds=self.config.search_timeout_s,
                allowed=filter_sets(filter_q),
            )
        except TooSlow:
            raise self._too_slow() from None

    def _facets(
        self, q: wq.Query, filter_q: wq.Query | None, matches: list[tuple[Any, set[int]]] | None
    ) -> dict[str, dict[str, int]]:
        """Counts by category and source over every document the query matches."""
        names = [name for name in FACET_FIELDS if name in self.keyword_fields]
        if not names:
            return {}
        if matches is not None:
            return facet_counts(matches, names)
        groupedby = {name: sorting.FieldFacet(name, maptype=sorting.Count) for name in names}
        results = self._run(
            self._searcher(), q, {"limit": 1, "filter": filter_q, "groupedby": groupedby}
        )
        counts = {}
        for name in names:
            pairs = ((str(k), int(v)) for k, v in results.groups(name).items() if k)
            counts[name] = dict(sorted(pairs, key=lambda kv: (-kv[1], kv[0])))
        return counts

    def posting_field(self, name: str) -> str:
        """The field whose postings answer for ``name`` (body lives in the combined field)."""
        return COMBINED_FIELD if self.combined and name == COMBINED_ONLY else name

    def similar(self, doc_id: str, limit: int) -> RawResults | None:
        """Documents sharing the most distinctive terms (tf x idf) of ``doc_id``."""
        searcher = self._searcher()
        docnum = searcher.document_number(id=doc_id)
        if docnum is None:
            return None
        stored = searcher.stored_fields(docnum)
        field = self.posting_field("body")
        analyzer = self.schema[field].analyzer
        counts: dict[str, int] = {}
        for name in ("title", "body"):
            text = stored.get(name)
            if isinstance(text, str):
                for token in analyzer(text):
                    counts[token.text] = counts.get(token.text, 0) + 1
        total = max(searcher.doc_count_all(), 1)
        scored = []
        for term, tf in counts.items():
            df = searcher.doc_frequency(field, term)
            if 1 < df < total:  # shared with some document, but not with every one
                scored.append((tf * math.log(total / df), term))
        keywords = sorted(scored, reverse=True)[:SIMILAR_TERMS]
        q = wq.Or([wq.Term(field, term, boost=weight) for weight, term in keywords])
        results = searcher.search(q, limit=limit, mask=wq.Term("id", doc_id))
        hits = [
            RawHit(docnum=hit.docnum, score=hit.score or 0.0, stored=dict(hit.fields()))
            for hit in results
        ]
        terms = {term for _, term in keywords}
        return RawResults(collected=len(hits), hits=hits, terms={"body": terms, "title": terms})

    def suggest(self, word: str, fieldname: str = "body") -> str | None:
        """The closest indexed term to ``word`` (already analyzed), if any is close."""
        field = self.posting_field(fieldname)
        if field not in self.text_fields:
            return None
        return closest_term(self._searcher().reader(), field, word)

    def doc_frequency(self, fieldname: str, term: str) -> int:
        return self._searcher().doc_frequency(self.posting_field(fieldname), term)

    def stats(self) -> dict[str, Any]:
        searcher = self._searcher()
        reader = searcher.reader()
        size = sum(p.stat().st_size for p in self.path.iterdir() if p.is_file())
        segments = len(self._ix._segments()) if hasattr(self._ix, "_segments") else None
        terms = {
            name: sum(1 for _ in reader.lexicon(name))
            for name in sorted(self.text_fields)
            if self.schema[name].indexed
        }
        return {
            "documents": searcher.doc_count(),
            "deleted": searcher.doc_count_all() - searcher.doc_count(),
            "segments": segments,
            "size_bytes": size,
            "terms": terms,
            "generation": self._ix.latest_generation(),
            "last_modified": datetime.fromtimestamp(self._ix.last_modified()).isoformat(
                timespec="seconds"
            ),
        }


def _commit(writer: Any, path: Path, **options: Any) -> None:
    """Commit; a commit that fails releases the lock (and an OSError becomes StorageError)."""
    try:
        writer.commit(**options)
    except OSError as error:
        abandon(writer)
        raise StorageError(
            f"could not commit to the index at {path}: {error}",
            hint="the index keeps its last complete commit (free disk space and retry)",
        ) from error
    except BaseException:
        abandon(writer)
        raise


def _set_deadline(collector: Collector, seconds: float) -> None:
    """Stop the search with TimeLimit once ``seconds`` have passed.

    Whoosh's own TimeLimitCollector needs SIGALRM (main thread only), starts a thread per
    search and skips the filter of the collector it wraps; checking the clock every 256
    matches in the innermost collector costs nothing measurable and works in any thread.
    """
    inner = collector
    while hasattr(inner, "child"):
        inner = inner.child
    deadline = time.monotonic() + seconds
    matches = inner.matches

    def timed_matches() -> Iterator[int]:
        for n, docnum in enumerate(matches()):
            if not n & 255 and time.monotonic() > deadline:
                raise TimeLimit
            yield docnum

    inner.matches = timed_matches


def _recency_rerank(
    searcher: Searcher, scored: list[tuple[float, int]], half_life: float
) -> list[tuple[float, int]]:
    """score x (1 + 0.5^(age/half_life)): today's news up to twice as strong; old news keeps
    its BM25 score, so relevance still decides among old articles."""
    now = time.time()
    out = []
    reader = searcher.reader()
    column = reader.column_reader("date") if reader.has_column("date") else None
    for score, docnum in scored:
        boost = 1.0
        if column is not None:
            value = column[docnum]
            if isinstance(value, datetime):
                age_days = max(0.0, (now - value.timestamp()) / 86400.0)
                boost = 1.0 + 0.5 ** (age_days / half_life)
        out.append((score * boost, docnum))
    out.sort(key=lambda sd: -sd[0])
    return out
