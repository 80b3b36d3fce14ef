"""SphinxQL connections (PyMySQL), with every failure turned into an error naming the node."""

from __future__ import annotations

from typing import Any

from searchlib.config import Config
from searchlib.errors import ConfigError, StorageError

CONNECT_TIMEOUT_S = 2.0


class NodeDownError(StorageError):
    """A node did not answer (not running, unreachable, or not a SphinxQL listener)."""

    def __init__(self, address: str, reason: str, *, hint: str | None = None) -> None:
        super().__init__(f"node {address}: {reason}", hint=hint)
        self.address = address


def pymysql_module() -> Any:
    try:
        import pymysql
    except ImportError:
        raise ConfigError(
            "backend sphinxql needs PyMySQL, which is not installed",
            hint="pip install 'searchlib[cluster]'",
        ) from None
    return pymysql


def connect(address: str, *, timeout: float = CONNECT_TIMEOUT_S) -> Any:
    pymysql = pymysql_module()
    host, _, port = address.rpartition(":")
    try:
        return pymysql.connect(
            host=host,
            port=int(port),
            autocommit=True,
            connect_timeout=timeout,
            read_timeout=60,
            write_timeout=60,
            charset="utf8",
            # A search and its SHOW META go in one round trip.
            client_flag=pymysql.constants.CLIENT.MULTI_STATEMENTS,
        )
    except pymysql.err.OperationalError as error:
        reason = _reason(error)
        if reason == "unknown host":  # a wrong address, not a node that is down
            raise StorageError(f"node {address}: {reason}", hint="fix sphinxql.nodes") from None
        raise NodeDownError(address, reason, hint=_hint(error)) from None
    except (pymysql.err.MySQLError, OSError) as error:
        # e.g. the agent port, or another service: it answered, but not in SphinxQL.
        raise StorageError(
            f"node {address}: does not speak SphinxQL ({error})",
            hint="sphinxql.nodes lists each node's mysql41 listen address",
        ) from None


def _reason(error: Exception) -> str:
    args: tuple[Any, ...] = tuple(getattr(error, "args", ()))
    text = str(args[1]) if len(args) > 1 else str(error)
    if "Connection refused" in text:
        return "connection refused (is searchd running there, on this port?)"
    if "Name or service not known" in text or "nodename nor servname" in text:
        return "unknown host"
    if "timed out" in text:
        return "timed out"
    return text


def _hint(error: Exception) -> str | None:
    text = str(error)
    if "Connection refused" in text:
        return "start it (local clusters: searchlib cluster start DIR), or fix sphinxql.nodes"
    return None


def engine_error(address: str, error: Exception) -> StorageError:
    """An error from a statement on ``address`` as one line naming the node."""
    pymysql = pymysql_module()
    if isinstance(error, (pymysql.err.OperationalError, pymysql.err.InterfaceError)):
        return NodeDownError(address, f"lost the connection ({_reason(error)})")
    args: tuple[Any, ...] = tuple(getattr(error, "args", ()))
    message = str(args[1]) if len(args) > 1 else str(error)
    return StorageError(f"node {address}: {message.rstrip(chr(0))}")


def node_status(config: Config, address: str) -> dict[str, Any]:
    """``{"address", "up", "docs"}`` (docs is None when the node is down)."""
    try:
        conn = connect(address, timeout=1.0)
    except StorageError as error:
        return {"address": address, "up": False, "docs": None, "error": str(error)}
    try:
        with conn.cursor() as cur:
            cur.execute(f"SELECT COUNT(*) FROM {config.sphinxql_index}")
            docs = int(cur.fetchone()[0])
    except Exception as error:
        return {"address": address, "up": True, "docs": None, "error": str(error)}
    finally:
        conn.close()
    return {"address": address, "up": True, "docs": docs}
