"""SphinxStore: searchlib's storage interface over a cluster of Sphinx 2.2 / Manticore nodes.

Writes go to the node that owns the document (a stable hash of its id), in one engine
transaction per node with multi-row REPLACEs; searches go to a node's distributed index,
which asks every shard and merges. Ranking is the engine's BM25F over the same weighted
fields as the embedded index (title weight and k1/b from the config), with plain
``log(N/n)`` IDF computed per shard: documents are spread by a hash, so every shard is a
random sample of the archive and its term statistics are close to the whole's
(docs/cluster.md compares the answers with the embedded backend's).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from datetime import datetime
from typing import Any

from searchlib._version import __version__
from searchlib.analysis import get_analyzer
from searchlib.backends.base import Processes, RawHit, RawResults, TermStatistics, Transaction
from searchlib.backends.sphinxql.client import NodeDownError, connect, engine_error, pymysql_module
from searchlib.backends.sphinxql.compile import Analyze, Compiled, compile_query
from searchlib.backends.sphinxql.documents import DocumentCodec
from searchlib.backends.sphinxql.ids import doc_key, encode_term, shard_of
from searchlib.backends.sphinxql.schema import (
    ALL_FIELD,
    NO_DATE,
    EngineSchema,
    engine_schema,
    ftname,
)
from searchlib.backends.sphinxql.writer import SphinxTransaction
from searchlib.config import Config
from searchlib.errors import (
    ConfigError,
    IndexMismatchError,
    IndexNotFoundError,
    QueryError,
    StorageError,
)
from searchlib.facet_labels import labelled
from searchlib.query import Node
from searchlib.ranking import combined_fields

#: WEIGHT() is an integer: BM25F (a float) is scaled by 1000x this; scores are WEIGHT()
#: divided by this.
SCORE_SCALE = 1_000_000
META_ID = 1
#: Documents read per query when all are read (export, reindex).
PAGE = 1000


class SphinxStore:
    def __init__(self, config: Config, schema: EngineSchema) -> None:
        self.config = config
        self.schema = schema
        self.nodes = list(config.sphinxql_nodes)
        self._analyzers: dict[str, Analyze] = {
            f.name: get_analyzer(config.analyzer_spec(f.analyzer)).terms
            for f in config.fields
            if f.type == "text"
        }
        self._keywords = frozenset(schema.keyword_fields)
        self._dates = frozenset(schema.date_fields)
        self.codec = DocumentCodec(config, schema, self._analyzers)
        self._combined = combined_fields(config)
        weights = []
        for f in config.fields:
            if f.type == "text":
                weights.append(f"{ftname(f.name)}={f.boost:g}")
            elif f.name in self._keywords:
                weights.append(f"{ftname(f.name)}=0")  # filters restrict, never score
        weights.append(f"{ALL_FIELD}=0")
        bm25f = f"bm25f({config.bm25_k1:g},{config.bm25_b:g},{{{','.join(weights)}}})"
        # Sphinx's bm25f() is 0.5 plus a small sum: keep the sum, scaled to WEIGHT()'s
        # integer range.
        ranker = f"{SCORE_SCALE * 1000}*({bm25f}-0.5)"
        self._options = f"ranker=expr('{ranker}'), idf='plain,tfidf_unnormalized'"
        self._local = threading.local()

    # -- lifecycle ------------------------------------------------------------------------

    @classmethod
    def attach(cls, config: Config, *, create: bool, overwrite: bool = False) -> SphinxStore:
        """Check every node against ``config`` (schema, shard number, analysis fingerprint).

        ``create`` marks empty nodes as this index's shards (every node must be up);
        ``overwrite`` empties them first. Opening tolerates down nodes (searches then
        report partial results) but not nodes that hold something else.
        """
        store = cls(config, engine_schema(config, config.sphinxql_index))
        down: list[NodeDownError] = []
        for shard, address in enumerate(store.nodes):
            try:
                conn = store._conn(address)
            except NodeDownError as error:
                if create:
                    raise
                down.append(error)
                continue
            store._check_schema(address, conn)
            meta = store._read_meta(address, conn)
            where = config.source_file or "the config"
            if meta is not None and (meta.get("shard"), meta.get("shards")) != (
                shard,
                len(store.nodes),
            ):
                raise ConfigError(
                    f"node {address} holds shard {meta.get('shard')} of {meta.get('shards')}, "
                    f"but {where} lists it as node {shard} of {len(store.nodes)}",
                    hint="list sphinxql.nodes in shard order, every node once",
                )
            fingerprint = None if meta is None else meta.get("fingerprint")
            if meta is not None and fingerprint != config.index_fingerprint() and not overwrite:
                raise IndexMismatchError(
                    f"node {address}: {where} analyzes text differently from the index "
                    f"built there (searchlib {meta.get('searchlib_version')})",
                    hint="rebuild it: searchlib index SOURCE... --config CONFIG --rebuild",
                )
            if meta is None and not create:
                raise IndexNotFoundError(
                    f"node {address} holds no searchlib index yet",
                    hint="build one with: searchlib index FILE --config CONFIG",
                )
            if create and (overwrite or meta is None):
                store._execute(address, f"TRUNCATE RTINDEX {store.schema.rt_index}")
                store._write_meta(address, shard)
        if len(down) == len(store.nodes):
            raise down[0]
        return store

    def _check_schema(self, address: str, conn: Any) -> None:
        rows = self._run(address, conn, f"DESCRIBE {self.schema.rt_index}")
        fulltext = set(self.schema.fulltext())
        # Sphinx lists index_field_lengths' <field>_len attributes; Manticore says "text"
        # where Sphinx says "field".
        found = [
            (str(r[0]), "field" if str(r[1]) in ("field", "text") else str(r[1]))
            for r in rows
            if not (str(r[0]).endswith("_len") and str(r[0])[:-4] in fulltext)
        ]
        expected = self.schema.describe()
        if not found:
            raise StorageError(f"node {address} has no RT index {self.schema.rt_index!r}")
        # Engines order attributes their own way (Sphinx: numbers before strings).
        if sorted(found) != sorted(expected):
            missing = [n for n, _ in expected if n not in dict(found)]
            extra = [n for n, _ in found if n not in dict(expected)]
            detail = "; ".join(
                part
                for part in (
                    f"missing {', '.join(missing)}" if missing else "",
                    f"unexpected {', '.join(extra)}" if extra else "",
                )
                if part
            )
            raise IndexMismatchError(
                f"node {address}: index {self.schema.rt_index} does not have the schema "
                f"the config needs ({detail or 'columns differ in type'})",
                hint="regenerate the node's index section from this config "
                "(searchlib cluster init) and rebuild",
            )

    def _read_meta(self, address: str, conn: Any) -> dict[str, Any] | None:
        rows = self._run(
            address, conn, f"SELECT value FROM {self.schema.meta_index} WHERE id = {META_ID}"
        )
        if not rows:
            return None
        try:
            meta = json.loads(rows[0][0])
        except ValueError:
            raise StorageError(f"node {address}: unreadable searchlib metadata") from None
        return meta if isinstance(meta, dict) else None

    def _write_meta(self, address: str, shard: int) -> None:
        meta = {
            "fingerprint": self.config.index_fingerprint(),
            "searchlib_version": __version__,
            "shard": shard,
            "shards": len(self.nodes),
            "created": datetime.now().isoformat(timespec="seconds"),
        }
        self._execute(
            address,
            f"REPLACE INTO {self.schema.meta_index} (id, unused, value) VALUES (%s, '', %s)",
            (META_ID, json.dumps(meta)),
        )

    def close(self) -> None:
        conns = getattr(self._local, "conns", {})
        for conn in conns.values():
            with suppress(Exception):
                conn.close()
        self._local = threading.local()

    # -- connections ----------------------------------------------------------------------

    def _conn(self, address: str) -> Any:
        """This thread's connection to ``address`` (pymysql connections are not shared)."""
        conns = self._local.__dict__.setdefault("conns", {})
        conn = conns.get(address)
        if conn is None:
            conn = conns[address] = connect(address)
        return conn

    def _drop(self, address: str) -> None:
        conn = self._local.__dict__.setdefault("conns", {}).pop(address, None)
        if conn is not None:
            with suppress(Exception):
                conn.close()

    def _run(self, address: str, conn: Any, sql: str, args: Any = None) -> list[Any]:
        pymysql = pymysql_module()
        try:
            with conn.cursor() as cur:
                cur.execute(sql, args)
                return list(cur.fetchall())
        except pymysql.err.MySQLError as error:
            if isinstance(error, (pymysql.err.OperationalError, pymysql.err.InterfaceError)):
                self._drop(address)
            raise engine_error(address, error) from None

    def _execute(self, address: str, sql: str, args: Any = None) -> list[Any]:
        return self._run(address, self._conn(address), sql, args)

    def _node_for(self, doc_id: str) -> tuple[int, str]:
        key = doc_key(doc_id)
        return key, self.nodes[shard_of(key, len(self.nodes))]

    def _search_sql(self, sql: str, args: Any = None) -> tuple[list[Any], dict[str, str], str]:
        """Run a search on the first node that answers; rows, its SHOW META, the node."""
        last: StorageError | None = None
        pymysql = pymysql_module()
        for address in self.nodes:
            try:
                conn = self._conn(address)
                with conn.cursor() as cur:
                    cur.execute(sql + "; SHOW META", args)
                    rows = list(cur.fetchall())
                    cur.nextset()
                    meta: dict[str, str] = {}
                    for name, value in cur.fetchall():
                        key = str(name)
                        meta[key] = f"{meta[key]}; {value}" if key in meta else str(value)
                return rows, meta, address
            except NodeDownError as error:
                last = error
            except (pymysql.err.OperationalError, pymysql.err.InterfaceError) as error:
                self._drop(address)
                last = engine_error(address, error)
            except pymysql.err.MySQLError as error:
                message = str(engine_error(address, error))
                if "syntax error" in message or "non-computable" in message:
                    raise QueryError(
                        f"the engine cannot run this query ({message})",
                        hint="a query of only exclusions inside OR is not supported by "
                        "this backend",
                    ) from None
                raise engine_error(address, error) from None
        assert last is not None
        raise last

    # -- writing --------------------------------------------------------------------------

    @contextmanager
    def transaction(
        self, *, timeout: float, processes: Processes = "auto"
    ) -> Iterator[Transaction]:
        """One transaction per node; the nodes index, so ``processes`` does not apply."""
        tx = SphinxTransaction(self)
        try:
            yield tx
        except BaseException:
            tx.rollback()
            raise
        tx.commit()

    def optimize(self, *, timeout: float) -> None:
        for address in self.nodes:
            self._execute(address, f"OPTIMIZE INDEX {self.schema.rt_index}")

    # -- reading --------------------------------------------------------------------------

    def _compile(
        self, node: Node, filters: Sequence[Node], fields: Sequence[str] | None
    ) -> Compiled:
        return compile_query(
            node,
            filters,
            analyzers=self._analyzers,
            keyword_fields=self._keywords,
            date_fields=self._dates,
            default_fields=fields or self.config.default_fields,
            combined=self._combined,
        )

    def _select(
        self, compiled: Compiled, columns: str, tail: str, *, extra_where: str = ""
    ) -> tuple[list[Any], dict[str, str], str]:
        select = [columns]
        where = []
        args: list[Any] = []
        if compiled.match is not None:
            where.append("MATCH(%s)")
            args.append(compiled.match)
        for i, condition in enumerate(compiled.conditions):
            select.append(f"{condition} AS _c{i}")
            where.append(f"_c{i} = 1")
        if extra_where:
            where.append(extra_where)
        sql = f"SELECT {', '.join(select)} FROM {self.schema.dist_index}"
        if where:
            sql += " WHERE " + " AND ".join(where)
        return self._search_sql(sql + " " + tail, args)

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
        # Every hit's stored article comes with the rows, signature included (each hit
        # reads it from there): ``signatures`` asks for nothing more.
        compiled = self._compile(node, filters, fields)
        if compiled.empty:
            return RawResults(collected=0, hits=[], terms=compiled.terms, dropped=compiled.dropped)
        first, count = (page - 1) * limit, limit
        order = "ORDER BY w DESC, id ASC"
        if sort == "date" and "date" in self._dates:
            order = "ORDER BY d_date DESC, id ASC"
        timeout_ms = int(self.config.search_timeout_s * 1000)
        # max_matches is what every shard sends back, stored article included: no more than
        # the page needs (the default 1000 made each search ship up to 1000 articles).
        tail = (
            f"{order} LIMIT {first}, {count} OPTION {self._options}, "
            f"max_matches={first + count}, max_query_time={timeout_ms}"
        )
        date_col = ", d_date" if dates and "date" in self._dates else ""
        rows, meta, _address = self._select(compiled, f"id, WEIGHT() AS w, doc{date_col}", tail)
        warnings = _warnings(meta)
        if any("max_query_time" in w or "time limit" in w for w in warnings):
            raise QueryError(
                f"the search took longer than {self.config.search_timeout_s:g} s and was stopped",
                hint="make the query more specific, or raise limits.search_timeout_s",
            )
        hits = [
            RawHit(
                docnum=int(r[0]),
                score=int(r[1]) / SCORE_SCALE,
                stored=self.codec.decode(r[2]),
                date=_posix_date(r[3]) if date_col else None,
            )
            for r in rows
        ]
        return RawResults(
            collected=int(meta.get("total_found", len(rows))),
            hits=hits,
            facets=lambda: self._facets(compiled),
            terms=self._expanded(compiled, hits),
            dropped=compiled.dropped,
            warnings=warnings,
        )

    def _expanded(self, compiled: Compiled, hits: list[RawHit]) -> dict[str, set[str]]:
        """The query's terms plus every term of the hits that a prefix matched.

        The embedded backend highlights a prefix's expansions from the whole index; only
        those in a hit's own text can be marked in its snippet, so these are the same
        marks."""
        if not compiled.prefixes:
            return compiled.terms
        terms = {name: set(found) for name, found in compiled.terms.items()}
        for name, prefixes in compiled.prefixes.items():
            analyze = self._analyzers.get(name)
            starts = tuple(prefixes)
            for hit in hits:
                value = hit.stored.get(name)
                if isinstance(value, list):
                    candidates = [str(v) for v in value]
                elif analyze is not None and isinstance(value, str):
                    candidates = analyze(value)
                elif isinstance(value, str):
                    candidates = [value]
                else:
                    continue
                found = {t for t in candidates if t.startswith(starts)}
                if found:
                    terms.setdefault(name, set()).update(found)
        return terms

    def _facets(self, compiled: Compiled) -> dict[str, dict[str, int]]:
        counts = {}
        for name in self.schema.facet_fields:
            rows, _meta, _ = self._select(
                compiled,
                f"f_{name}, COUNT(*) AS n",
                f"GROUP BY f_{name} ORDER BY n DESC LIMIT 1000 OPTION max_matches=1000",
            )
            counts[name] = labelled({str(k): int(v) for k, v in rows if k})
        return counts

    def get(self, doc_id: str) -> dict[str, Any] | None:
        key, address = self._node_for(doc_id)
        rows = self._execute(
            address, f"SELECT sid, doc FROM {self.schema.rt_index} WHERE id = {key}"
        )
        if not rows or rows[0][0] != doc_id:
            return None
        return self.codec.decode(rows[0][1])

    def documents(self) -> Iterator[dict[str, Any]]:
        """Every document as stored (the article each row keeps), node by node, in pages
        by engine id."""
        for address in self.nodes:
            last = 0  # engine ids start above it
            while True:
                rows = self._execute(
                    address,
                    f"SELECT id, doc FROM {self.schema.rt_index} WHERE id > {last} "
                    f"ORDER BY id ASC LIMIT 0, {PAGE} OPTION max_matches={PAGE}",
                )
                for row in rows:
                    yield self.codec.decode(row[1])
                if len(rows) < PAGE:
                    break
                last = int(rows[-1][0])

    def node_counts(self) -> list[int]:
        return [
            int(self._execute(a, f"SELECT COUNT(*) FROM {self.schema.rt_index}")[0][0])
            for a in self.nodes
        ]

    def doc_count(self) -> int:
        return sum(self.node_counts())

    def term_statistics(self, fieldname: str, terms: Sequence[str]) -> TermStatistics:
        """Frequencies over all shards; every field's terms share the engine's one
        dictionary (terms are encoded, not prefixed by field)."""
        found = self._doc_frequencies(list(terms))
        return TermStatistics(
            documents=self.doc_count(),
            frequencies={term: found.get(encode_term(term), 0) for term in terms},
        )

    def search_terms(
        self, fieldname: str, weighted: Sequence[tuple[float, str]], *, exclude: str, limit: int
    ) -> RawResults:
        """Any of the terms, ranked by the engine's BM25F: Sphinx 2.2's MATCH has no
        per-term weight, so the terms' order (best first) is all the weights decide."""
        fields = list(self._combined or (fieldname,))
        cols = ",".join(ftname(n) for n in fields)
        match = f"@({cols}) ({' | '.join(encode_term(t) for _, t in weighted)})"
        rows, meta, _ = self._select(
            Compiled(match),
            "id, WEIGHT() AS w, doc",
            f"ORDER BY w DESC, id ASC LIMIT 0, {limit} OPTION {self._options}, max_matches={limit}",
            extra_where=f"id != {doc_key(exclude)}",
        )
        hits = [RawHit(int(r[0]), int(r[1]) / SCORE_SCALE, self.codec.decode(r[2])) for r in rows]
        return RawResults(collected=len(hits), hits=hits, warnings=_warnings(meta))

    def _doc_frequencies(self, terms: list[str]) -> dict[str, int]:
        """Documents per encoded term over all shards (CALL KEYWORDS with statistics)."""
        found: dict[str, int] = {}
        text = " ".join(encode_term(t) for t in terms)
        for address in self.nodes:
            rows = self._execute(address, "CALL KEYWORDS(%s, %s, 1)", (text, self.schema.rt_index))
            for row in rows:
                found[str(row[2])] = found.get(str(row[2]), 0) + int(row[3])
        return found

    def suggest(self, word: str, fieldname: str = "body") -> str | None:
        # Sphinx 2.2 has no term-list API to find near spellings (Manticore's CALL SUGGEST
        # is not in Sphinx): no did-you-mean on this backend.
        return None

    def doc_frequency(self, fieldname: str, term: str) -> int:
        return self._doc_frequencies([term]).get(encode_term(term), 0)

    def stats(self) -> dict[str, Any]:
        from searchlib.backends.sphinxql.client import node_status

        nodes = [node_status(self.config, a) for a in self.nodes]
        complete = all(n["docs"] is not None for n in nodes)
        return {
            "documents": sum(n["docs"] for n in nodes) if complete else None,
            "shards": len(nodes),
            "index": self.schema.rt_index,
            "nodes": {n["address"]: n["docs"] if n["up"] else "down" for n in nodes},
        }


def _warnings(meta: dict[str, str]) -> list[str]:
    warning = meta.get("warning")
    return [w.strip() for w in warning.split("; ")] if warning else []


def _posix_date(value: Any) -> float | None:
    """The engine's date attribute as POSIX seconds (None: the document has no date)."""
    return None if int(value) == NO_DATE else float(int(value))
