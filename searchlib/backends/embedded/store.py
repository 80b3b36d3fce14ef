"""WhooshStore: the embedded implementation of searchlib's storage interface."""

from __future__ import annotations

import functools
import os
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from whoosh import index as windex
from whoosh import query as wq
from whoosh import sorting
from whoosh.collectors import Collector, TimeLimit
from whoosh.searching import Searcher
from whoosh.writing import LockError

from searchlib.backends.base import Processes, RawHit, RawResults, TermStatistics, Transaction
from searchlib.backends.embedded.bulk_writer import BulkWriter
from searchlib.backends.embedded.codec import EmbeddedCodec
from searchlib.backends.embedded.compile import CompileContext, plan_search, whoosh_query
from searchlib.backends.embedded.damage import guarded, reading, reads
from searchlib.backends.embedded.leftovers import live_files, tidy
from searchlib.backends.embedded.matchsets import facet_counts, filter_sets, match_sets
from searchlib.backends.embedded.memory import TRIM_AFTER, release_freed_memory
from searchlib.backends.embedded.metadata import META_FILE, FormatUpgrade
from searchlib.backends.embedded.parallel import BATCH, PARALLEL_AFTER, Helper, helper_allowed
from searchlib.backends.embedded.pickles import vet_latest_toc
from searchlib.backends.embedded.plan import Plan, own_terms
from searchlib.backends.embedded.schema import COMBINED_FIELD, COMBINED_ONLY, build_schema
from searchlib.backends.embedded.scoring import BM25, Heading, HeadingBM25
from searchlib.backends.embedded.signature_column import (
    SignatureReader,
    match_signatures,
    signed,
)
from searchlib.backends.embedded.spelling import closest_term
from searchlib.backends.embedded.spellings import spellings
from searchlib.backends.embedded.term_lists import TooSlow
from searchlib.backends.embedded.topk import TopK, top_k
from searchlib.backends.permissions import writing
from searchlib.config import Config
from searchlib.errors import IndexLockedError, QueryError, StorageError
from searchlib.facet_labels import labelled
from searchlib.query import Node
from searchlib.ranking import combined_fields, heading_field

#: Directory mtimes are coarse on some filesystems (1 s on ext3 and NFS), so two commits
#: in one tick can leave the same stamp; a stamp younger than this is not trusted.
RACY_NS = 2_000_000_000
#: Per segment, its reader and the numbers of the documents that match.
_Matches = list[tuple[Any, set[int]]]


class _WhooshTransaction(Transaction):
    def __init__(self, store: WhooshStore, writer: Any, processes: Processes) -> None:
        self.path = store.path  # for the read boundary (@reads)
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
        self._parallel = helper_allowed(processes)
        #: Documents upserted so far.
        self.added = 0
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
            self._add(fields)
        self._batch = []
        helper, self._helper = self._helper, None
        if helper is not None and helper.used:
            # The helper writes its segment while the parent's commit writes its own.
            helper.request_finish()
            self._writer.helpers.append(helper)
        elif helper is not None:
            helper.discard()

    @reads
    def exists(self, doc_id: str) -> bool:
        return not self._empty and self._searcher.document_number(id=doc_id) is not None

    def upsert(self, doc: dict[str, Any], *, existed: bool) -> None:
        if existed:
            with reading(self.path):
                self._writer.delete_by_term("id", doc["id"], searcher=self._searcher)
        fields: dict[str, Any] = {}
        for name, value in doc.items():
            if value is None or value == "" or value == []:
                continue
            # Keyword values are indexed lowercased (matched case-insensitively) and stored,
            # like the column, as written (searchlib.facet_labels).
            if name in self._lists:
                values = [v for v in (str(v).strip() for v in value) if v]
                fields[name] = ",".join(v.lower().replace(",", " ") for v in values)
                fields["_stored_" + name] = values
            elif name in self._keywords:
                fields[name] = str(value).strip().lower()
                fields["_stored_" + name] = str(value).strip()
            else:
                fields[name] = value
        if self._combined:
            fields[COMBINED_FIELD] = [
                (doc[name], boost) for name, boost in self._combined if doc.get(name)
            ]
        self.added += 1
        if self._parallel and self.added > PARALLEL_AFTER:
            self._batch.append(fields)
            if len(self._batch) >= BATCH:
                self._offer_batch()
            return
        self._add(fields)

    def _add(self, fields: dict[str, Any]) -> None:
        # Stored fields are written as documents arrive: a full disk can fail any add.
        with disk_errors(self.path):
            self._writer.add_document(**signed(fields))

    def _offer_batch(self) -> None:
        if self._helper is None:
            self._helper = Helper(self._path)
        batch, self._batch = self._batch, []
        if not self._helper.offer(batch):
            for fields in batch:
                self._add(fields)

    @reads
    def delete(self, doc_id: str) -> bool:
        if not self.exists(doc_id):
            return False
        self._writer.delete_by_term("id", doc_id, searcher=self._searcher)
        return True


class WhooshStore:
    """One Whoosh index directory. Safe to search from many threads at once."""

    def __init__(
        self, path: Path, config: Config, ix: windex.Index, upgrade: FormatUpgrade | None = None
    ) -> None:
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
        self.heading = _heading(config, ix.schema) if self.combined else None
        self._weighting = BM25(B=config.bm25_b, K1=config.bm25_k1)
        self._local = threading.local()
        self._all_searchers: list[Searcher] = []
        self._lock = threading.Lock()
        self._upgrade = upgrade

    # -- lifecycle ------------------------------------------------------------------------

    @classmethod
    def create(cls, path: Path, config: Config) -> WhooshStore:
        with writing(path, creating=True):
            path.mkdir(parents=True, exist_ok=True)
            return cls(path, config, windex.create_in(str(path), build_schema(config)))

    @classmethod
    def open(
        cls,
        path: Path,
        config: Config,
        *,
        written_with: Config | None = None,
        upgrade: FormatUpgrade | None = None,
    ) -> WhooshStore:
        """The index at ``path``, searched with ``config``. Whoosh is given the schema of
        ``written_with``, the config the index was created with (default: ``config``), and
        so never unpickles the one stored in the index (see ``build_schema``)."""
        schema = build_schema(written_with or config)
        try:
            with reading(path):
                vet_latest_toc(path)
                ix = windex.open_dir(str(path), schema=schema)
                tidy(ix)
        except (windex.EmptyIndexError, OSError) as error:
            raise StorageError(f"cannot open the index at {path}: {error}") from None
        return cls(path, config, ix, upgrade)

    def close(self) -> None:
        with self._lock:
            for s in self._all_searchers:
                s.close()
            self._all_searchers.clear()
        self._local = threading.local()

    # -- writing --------------------------------------------------------------------------

    @contextmanager
    def transaction(
        self, *, timeout: float, processes: Processes = "auto"
    ) -> Iterator[Transaction]:
        """One atomic commit.

        Not Whoosh's multi-process writer: it forks workers after taking the index lock, so
        a writer killed with SIGKILL left orphaned workers holding the lock forever. A large
        add shares its work with a lock-free helper process instead (``parallel.py``).
        """
        try:
            with writing(self.path), reading(self.path):  # it reads the TOC
                writer = BulkWriter(self._ix, timeout=timeout, delay=0.05, codec=EmbeddedCodec())
        except LockError:
            raise IndexLockedError(
                f"another writer is updating the index at {self.path} (waited {timeout:g} s)",
                hint="wait for it to finish, or pass a longer timeout",
            ) from None
        try:
            with reading(self.path):
                self._before_write()
                tx = _WhooshTransaction(self, writer, processes)
        except BaseException:
            writer.cancel()
            raise
        try:
            try:
                yield tx
                tx.finish()
            except BaseException:
                tx.close()
                writer.cancel()
                raise
            tx.close()
            _commit_writer(writer, self.path, merge=True)
        finally:
            if tx.added >= TRIM_AFTER:
                release_freed_memory()

    def optimize(self, *, timeout: float) -> None:
        """Merge all segments into one (fastest queries; slow on big indexes)."""
        try:
            with writing(self.path):
                writer = BulkWriter(self._ix, timeout=timeout, delay=0.05, codec=EmbeddedCodec())
        except LockError:
            raise IndexLockedError(f"another writer is updating the index at {self.path}") from None
        self._before_write()
        _commit_writer(writer, self.path, optimize=True)

    def _before_write(self) -> None:
        if self._upgrade is not None:
            self._upgrade.before_write()

    # -- reading --------------------------------------------------------------------------

    def _searcher(self) -> Searcher:
        """This thread's searcher, refreshed when another writer has committed."""
        local = self._local
        stamp = os.stat(self.path).st_mtime_ns
        searcher = getattr(local, "searcher", None)
        if searcher is None:
            vet_latest_toc(self.path)
            searcher = self._ix.searcher(weighting=self._weighting)
            with self._lock:
                self._all_searchers.append(searcher)
        elif stamp != local.stamp and not searcher.up_to_date():
            # Not searcher.refresh(): whoosh-reloaded 2.7.5 reuses readers by segment id, so
            # it kept a segment's old deletions and the segments a merge had replaced.
            vet_latest_toc(self.path)
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

    @reads
    def doc_count(self) -> int:
        return self._searcher().doc_count()

    @reads
    def get(self, doc_id: str) -> dict[str, Any] | None:
        s = self._searcher()
        docnum = s.document_number(id=doc_id)
        return None if docnum is None else dict(s.stored_fields(docnum))

    def documents(self) -> Iterator[dict[str, Any]]:
        """Every live document's stored fields, from a searcher of its own (a search on
        this thread meanwhile does not close it) on the commit live when iteration starts."""
        with reading(self.path):
            vet_latest_toc(self.path)
            searcher = self._ix.searcher()
        try:
            with reading(self.path):
                for _docnum, stored in searcher.reader().iter_docs():
                    yield dict(stored)
        finally:
            searcher.close()

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

    @reads
    def search(
        self,
        node: Node,
        *,
        filters: Sequence[Node],
        limit: int,
        page: int,
        sort: str,
        fields: Sequence[str] | None = None,
        dates: bool = False,
        signatures: bool = False,
    ) -> RawResults:
        searcher = self._searcher()
        ctx = self.context(searcher, fields)
        plan = plan_search(node, filters, sort, ctx)
        if plan is None:
            return RawResults(collected=0, hits=[], terms=ctx.terms, dropped=ctx.dropped)
        offset = (page - 1) * limit
        wanted = offset + limit
        scored, count, matches = self._rank(searcher, plan, max(wanted, 1))
        collected = len(scored)
        signed = self._signature_reader(searcher) if signatures else None
        hits = _hits(searcher, scored[offset:wanted], self.path, dates=dates, signatures=signed)
        return RawResults(
            collected=collected,
            hits=hits,
            count=None if count is None else guarded(self.path, count),
            facets=guarded(self.path, lambda: self._facets(plan, matches())),
            terms=ctx.terms,
            dropped=ctx.dropped,
            signatures=functools.partial(self._signatures, matches) if signatures else None,
        )

    def _signature_reader(self, searcher: Searcher) -> SignatureReader:
        """This thread's signature reader for ``searcher`` (kept while it is current)."""
        kept = getattr(self._local, "signatures", None)
        if kept is None or kept[0] is not searcher:
            kept = self._local.signatures = (searcher, SignatureReader(searcher.reader()))
        return kept[1]

    def _signatures(
        self, matches: Callable[[], _Matches | None], n: int
    ) -> list[bytes | None] | None:
        """The story signatures of the first ``n`` matches (see ``RawResults``)."""
        return guarded(self.path, lambda: match_signatures(matches(), n))()

    def _rank(
        self, searcher: Searcher, plan: Plan, limit: int
    ) -> tuple[list[tuple[float, int]], Callable[[], int] | None, Callable[[], _Matches | None]]:
        """The ``limit`` best (score, docnum), best first; what counts every match, or None
        when fewer than ``limit`` match; and every match per segment, shared by the total
        and the facets, or None when only Whoosh's matchers can find them."""
        top = self._top_k(searcher, plan, limit)

        @functools.cache
        def matches() -> _Matches | None:
            if top is not None and top.segments is not None:  # the scorer finds every match
                try:
                    return [(reader, set(docs)) for reader, docs in top.segments()]
                except TooSlow:
                    raise self._too_slow() from None
            return self._match_sets(plan)

        if top is not None:
            scored, matched = top.scored, top.matched
        else:
            # optimize=False: Whoosh's block-quality pruning can drop the best document of
            # an AND query (tests/_synthetic.py); scoring every match costs little next to
            # matching the queries that still come here (phrases, prefixes, NOT).
            options: dict[str, Any] = {"limit": limit, "optimize": False}
            if plan.sort == "date":
                options["sortedby"] = sorting.FieldFacet("date", reverse=True)
            results = self._run(searcher, plan, options, ranked=True)
            collected = results.scored_length()
            scored = [(results.score(i) or 0.0, results.docnum(i)) for i in range(collected)]
            matched = None
        if len(scored) < limit:  # every match was collected
            return scored, None, matches
        if matched is not None:
            return scored, lambda: matched, matches
        return scored, lambda: self._count(plan, matches()), matches

    def _top_k(self, searcher: Searcher, plan: Plan, limit: int) -> TopK | None:
        """The top-k scorer's answer, or None when Whoosh ranks this search."""
        if plan.ranked_words is None:
            return None
        try:
            return top_k(
                searcher,
                plan.ranked_words,
                limit,
                seconds=self.config.search_timeout_s,
                allowed=filter_sets(plan.filter),
                # The heading rule reads the combined field's weights, not a field's own.
                heading=self.heading if plan.ranked_words.field == COMBINED_FIELD else None,
            )
        except TooSlow:
            raise self._too_slow() from None

    def _run(
        self, searcher: Searcher, plan: Plan, options: dict[str, Any], *, ranked: bool = False
    ) -> Any:
        """Whoosh's matchers and collector on ``plan``, with its filter; ``ranked``: the
        scores matter (a count or facets read none)."""
        filter_q = whoosh_query(plan.filter) if plan.filter is not None else None
        collector = searcher.collector(filter=filter_q, **options)
        _set_deadline(collector, self.config.search_timeout_s)
        context = self._heading_context(searcher, plan) if ranked else None
        try:
            searcher.search_with_collector(whoosh_query(plan.match), collector, context)
        except TimeLimit:
            raise self._too_slow() from None
        return collector.results()

    def _heading_context(self, searcher: Searcher, plan: Plan) -> Any:
        """Whoosh's search context with the heading rule, when this search ranks by score
        words of the combined field; None for the searcher's own."""
        if self.heading is None or plan.sort != "score":
            return None
        field = searcher.schema[COMBINED_FIELD]
        terms = frozenset(field.to_bytes(t) for t in own_terms(plan.match, COMBINED_FIELD))
        if not terms:
            return None
        return searcher.context(
            weighting=HeadingBM25(self._weighting, COMBINED_FIELD, self.heading, terms)
        )

    def _too_slow(self) -> QueryError:
        return QueryError(
            f"the search took longer than {self.config.search_timeout_s:g} s and was stopped",
            hint="make the query more specific, or raise limits.search_timeout_s",
        )

    def _count(self, plan: Plan, matches: _Matches | None) -> int:
        """Every match: from ``matches`` when known, else counted unscored by Whoosh on this
        thread's current searcher."""
        if matches is not None:
            return sum(len(found) for _, found in matches)
        # Unscored and unlimited: a top-k collector's count misses the documents its
        # matcher stopped visiting once they could no longer enter its top k.
        return len(self._run(self._searcher(), plan, {"limit": None, "scored": False}))

    def _match_sets(self, plan: Plan) -> _Matches | None:
        """The match-set counter's answer on this thread's current searcher, or None when
        only Whoosh's matchers can find the matches."""
        if plan.words is None:
            return None
        try:
            return match_sets(
                self._searcher(),
                plan.words,
                seconds=self.config.search_timeout_s,
                allowed=filter_sets(plan.filter),
            )
        except TooSlow:
            raise self._too_slow() from None

    def _facets(self, plan: Plan, matches: _Matches | None) -> dict[str, dict[str, int]]:
        """Counts by each facet field's value over every document the query matches,
        labelled with the spelling most documents of the index use."""
        names = [name for name in self.config.facets if name in self.keyword_fields]
        if not names:
            return {}
        if matches is not None:
            counts = facet_counts(matches, names)
        else:
            # A list field (tags) counts a document under each of its values.
            groupedby = {
                name: sorting.FieldFacet(
                    name, allow_overlap=name in self.list_fields, maptype=sorting.Count
                )
                for name in names
            }
            results = self._run(self._searcher(), plan, {"limit": 1, "groupedby": groupedby})
            counts = {
                name: {str(k): int(v) for k, v in results.groups(name).items() if k}
                for name in names
            }
        written = spellings(self._searcher(), names)
        return {name: labelled(counts[name], written[name]) for name in names}

    def posting_field(self, name: str) -> str:
        """The field whose postings answer for ``name`` (body lives in the combined field)."""
        return COMBINED_FIELD if self.combined and name == COMBINED_ONLY else name

    @reads
    def term_statistics(self, fieldname: str, terms: Sequence[str]) -> TermStatistics:
        """Document frequencies counted as Whoosh's idf counts them: over every document in
        the segments, deleted ones included until a merge drops them."""
        searcher = self._searcher()
        field = self.posting_field(fieldname)
        return TermStatistics(
            documents=searcher.doc_count_all(),
            frequencies={term: searcher.doc_frequency(field, term) for term in terms},
        )

    @reads
    def search_terms(
        self, fieldname: str, weighted: Sequence[tuple[float, str]], *, exclude: str, limit: int
    ) -> RawResults:
        searcher = self._searcher()
        field = self.posting_field(fieldname)
        q = wq.Or([wq.Term(field, term, boost=weight) for weight, term in weighted])
        results = searcher.search(q, limit=limit, mask=wq.Term("id", exclude))
        hits = [
            RawHit(docnum=hit.docnum, score=hit.score or 0.0, stored=dict(hit.fields()))
            for hit in results
        ]
        return RawResults(collected=len(hits), hits=hits)

    @reads
    def suggest(self, word: str, fieldname: str = "body") -> str | None:
        """The closest indexed term to ``word`` (already analyzed), if any is close."""
        field = self.posting_field(fieldname)
        if field not in self.text_fields:
            return None
        return closest_term(self._searcher().reader(), field, word)

    @reads
    def doc_frequency(self, fieldname: str, term: str) -> int:
        return self._searcher().doc_frequency(self.posting_field(fieldname), term)

    @reads
    def stats(self) -> dict[str, Any]:
        searcher = self._searcher()
        reader = searcher.reader()
        toc = windex.TOC.read(self._ix.storage, self._ix.indexname)
        # The live generation's files only: not a running writer's work in progress.
        live = live_files(self._ix.storage, self._ix.indexname, toc.generation, toc.segments)
        size = sum(_file_size(self.path / name) for name in live | {META_FILE})
        segments = len(toc.segments)
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
            "generation": toc.generation,
            "last_modified": datetime.fromtimestamp(self._ix.last_modified()).isoformat(
                timespec="seconds"
            ),
        }


def _heading(config: Config, schema: Any) -> Heading | None:
    """The title part of the combined field, when it has postings of its own to read."""
    found = heading_field(config)
    if found is None or found[0] not in schema or not schema[found[0]].scorable:
        return None
    return Heading(*found)


def _commit_writer(writer: BulkWriter, path: Path, **options: Any) -> None:
    """Commit (a commit that fails releases the lock and removes what it wrote)."""
    with disk_errors(path):
        writer.commit(**options)


@contextmanager
def disk_errors(path: Path) -> Iterator[None]:
    """An OSError of a write to the index (a full disk) as a StorageError."""
    try:
        yield
    except OSError as error:
        raise StorageError(
            f"could not write to the index at {path}: {error}",
            hint="the index keeps its last complete commit (free disk space and retry)",
        ) from error


def _file_size(path: Path) -> int:
    """The size of ``path``; 0 when a commit that just finished deleted it."""
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0


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


def _hits(
    searcher: Searcher,
    scored: list[tuple[float, int]],
    root: Path,
    *,
    dates: bool,
    signatures: SignatureReader | None,
) -> list[RawHit]:
    """Hits with their stored fields. With ``dates`` or ``signatures`` (rerank or collapse
    candidates, many more than a page) each hit's date or story signature from its column,
    and the stored fields read only for the hits that are shown (inside the read boundary
    of the index at ``root``, so damage found then names the file)."""
    if not dates and signatures is None:
        return [
            RawHit(docnum=docnum, score=score, stored=dict(searcher.stored_fields(docnum)))
            for score, docnum in scored
        ]
    reader = searcher.reader()
    column = reader.column_reader("date") if dates and reader.has_column("date") else None
    docnums = [docnum for _, docnum in scored]
    signed = [None] * len(docnums) if signatures is None else signatures.many(docnums)
    stored = guarded(root, functools.partial(_stored, searcher))
    hits = []
    for (score, docnum), signature in zip(scored, signed, strict=True):
        value = column[docnum] if column is not None else None
        hits.append(
            RawHit(
                docnum=docnum,
                score=score,
                load=functools.partial(stored, docnum),
                # Stored dates are naive UTC (searchlib.zones), not the machine's local time.
                date=(
                    value.replace(tzinfo=timezone.utc).timestamp()
                    if isinstance(value, datetime)
                    else None
                ),
                signature=signature,
            )
        )
    return hits


def _stored(searcher: Searcher, docnum: int) -> dict[str, Any]:
    return dict(searcher.stored_fields(docnum))
