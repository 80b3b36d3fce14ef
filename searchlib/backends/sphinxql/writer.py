"""Writes to the cluster: each node's share of a batch in one engine transaction."""

from __future__ import annotations

from contextlib import suppress
from typing import TYPE_CHECKING, Any

from searchlib.backends.sphinxql.ids import doc_key
from searchlib.errors import StorageError
from searchlib.signatures import SIGNATURE_FIELD, document_signature

if TYPE_CHECKING:
    from searchlib.backends.sphinxql.store import SphinxStore

#: Rows per multi-row REPLACE, and the bytes at which a batch is sent early (well under
#: the node's max_packet_size of 128 MB, and under Sphinx's 8 MB default for other nodes).
BATCH_ROWS = 500
BATCH_BYTES = 4_000_000


class SphinxTransaction:
    """Writes buffered per node and sent in multi-row REPLACEs inside one engine
    transaction per node; committed node by node at the end.

    A node that is down fails the write that is routed to it, before anything is
    committed anywhere. Sphinx has no two-phase commit: if a node dies between the
    first node's COMMIT and its own, the error says which nodes committed; running the
    same batch again completes it (REPLACE is idempotent).
    """

    def __init__(self, store: SphinxStore) -> None:
        self._store = store
        self._begun: list[str] = []
        self._rows: dict[str, list[tuple[Any, ...]]] = {}
        self._bytes: dict[str, int] = {}
        self._deletes: dict[str, list[int]] = {}
        self._keys: dict[int, str] = {}
        self._checked_empty: dict[str, bool] = {}
        self._sql = f"REPLACE INTO {store.schema.rt_index} ({store.codec.columns}) VALUES "
        self._width = len(store.codec.columns.split(", "))

    def _begin(self, address: str) -> None:
        if address not in self._begun:
            self._store._execute(address, "BEGIN")
            self._begun.append(address)

    def _empty(self, address: str) -> bool:
        if address not in self._checked_empty:
            rows = self._store._execute(
                address, f"SELECT COUNT(*) FROM {self._store.schema.rt_index}"
            )
            self._checked_empty[address] = int(rows[0][0]) == 0
        return self._checked_empty[address]

    def _stored_id(self, key: int, address: str) -> str | None:
        if self._empty(address):  # a new shard (the common bulk build): no lookups
            return None
        rows = self._store._execute(
            address, f"SELECT sid FROM {self._store.schema.rt_index} WHERE id = {key}"
        )
        return str(rows[0][0]) if rows else None

    def _key(self, doc_id: str) -> tuple[int, str]:
        key, address = self._store._node_for(doc_id)
        other = self._keys.setdefault(key, doc_id)
        if other != doc_id:
            raise StorageError(_collision(doc_id, other))
        return key, address

    def exists(self, doc_id: str) -> bool:
        key, address = self._key(doc_id)
        stored = self._stored_id(key, address)
        if stored is not None and stored != doc_id:
            raise StorageError(_collision(doc_id, stored))
        return stored is not None and key not in self._deletes.get(address, ())

    def upsert(self, doc: dict[str, Any], *, existed: bool) -> None:
        key, address = self._key(doc["id"])
        row = self._store.codec.row({**doc, SIGNATURE_FIELD: document_signature(doc)}, key)
        self._begin(address)
        rows = self._rows.setdefault(address, [])
        rows.append(row)
        size = self._bytes.get(address, 0) + sum(len(v) for v in row if isinstance(v, str))
        self._bytes[address] = size
        if len(rows) >= BATCH_ROWS or size >= BATCH_BYTES:
            self._flush(address)

    def delete(self, doc_id: str) -> bool:
        key, address = self._key(doc_id)
        if self._stored_id(key, address) != doc_id:
            return False
        self._begin(address)
        self._flush(address)
        self._store._execute(address, f"DELETE FROM {self._store.schema.rt_index} WHERE id = {key}")
        self._deletes.setdefault(address, []).append(key)
        return True

    def _flush(self, address: str) -> None:
        rows = self._rows.get(address)
        if not rows:
            return
        one = "(" + ", ".join(["%s"] * self._width) + ")"
        sql = self._sql + ", ".join([one] * len(rows))
        self._store._execute(address, sql, [v for row in rows for v in row])
        self._rows[address] = []
        self._bytes[address] = 0

    def commit(self) -> None:
        try:
            for address in self._begun:
                self._flush(address)
        except BaseException:
            self.rollback()
            raise
        committed: list[str] = []
        for address in self._begun:
            try:
                self._store._execute(address, "COMMIT")
            except StorageError as error:
                self._begun = [a for a in self._begun if a not in committed]
                self.rollback()
                done = ", ".join(committed) or "none"
                raise StorageError(
                    f"{error}; nodes that committed this batch: {done}",
                    hint="run the same batch again when the node is back (upserts are idempotent)"
                    if committed
                    else None,
                ) from None
            committed.append(address)
        self._begun = []

    def rollback(self) -> None:
        for address in self._begun:
            # A node that went away has dropped its transaction with the connection.
            with suppress(StorageError):
                self._store._execute(address, "ROLLBACK")
        self._begun = []


def _collision(doc_id: str, other: str) -> str:
    return (
        f"ids {doc_id!r} and {other!r} map to the same engine document id "
        f"({doc_key(doc_id)}); not overwriting {other!r}"
    )
