"""Local searchd nodes for development and CI: configs, start, stop, status.

``init`` writes one searchd config per node under DIR (``DIR/node<i>/searchd.conf``, data in
``DIR/node<i>/data``) and ``DIR/searchlib.yaml`` listing the nodes; node ``i`` speaks SphinxQL
on ``base_port + 2i`` and the engine's agent protocol (what distributed indexes use) on
``base_port + 2i + 1``. A production cluster is configured by its operator instead
(docs/cluster.md).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from searchlib.backends.sphinxql.schema import engine_schema, index_sections
from searchlib.config import Config, load_config
from searchlib.errors import ConfigError, StorageError

SEARCHD_ENV = "SEARCHLIB_SEARCHD"
CONFIG_NAME = "searchlib.yaml"
NODE_CONF = "searchd.conf"
DEFAULT_BASE_PORT = 9306
START_TIMEOUT_S = 15.0


@dataclass(frozen=True)
class LocalNode:
    number: int
    directory: Path
    host: str
    port: int  # SphinxQL

    @property
    def conf(self) -> Path:
        return self.directory / NODE_CONF

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    @property
    def pid_file(self) -> Path:
        return self.directory / "searchd.pid"


def find_searchd() -> str:
    """The searchd binary: $SEARCHLIB_SEARCHD, else the one on PATH."""
    configured = os.environ.get(SEARCHD_ENV)
    if configured:
        if Path(configured).is_file() and os.access(configured, os.X_OK):
            return configured
        raise ConfigError(f"{SEARCHD_ENV}={configured} is not an executable file")
    found = shutil.which("searchd")
    if found is None:
        raise ConfigError(
            "searchd (Sphinx or Manticore Search) is not installed",
            hint="Debian/Ubuntu: sudo apt-get install sphinxsearch; or install Manticore "
            f"(https://manticoresearch.com/install/); or set {SEARCHD_ENV}=/path/to/searchd",
        )
    return found


def init(
    directory: Path,
    nodes: int,
    *,
    base_port: int = DEFAULT_BASE_PORT,
    host: str = "127.0.0.1",
    base_config: Path | None = None,
) -> Path:
    """Write the node configs and ``DIR/searchlib.yaml``; returns the latter's path."""
    if not 1 <= nodes <= 64:
        raise ConfigError(f"--nodes must be between 1 and 64, got {nodes}")
    if not 1024 <= base_port <= 65535 - 2 * nodes:
        raise ConfigError(f"--base-port {base_port} leaves no room for {nodes} nodes")
    directory = directory.resolve()
    target = directory / CONFIG_NAME
    if target.exists():
        raise StorageError(
            f"{target} exists: {directory} already holds a cluster",
            hint="use another directory, or stop the cluster and delete this one",
        )
    data = _cluster_data(directory, nodes, base_port, host, base_config)
    config = load_config(data)
    for i in range(nodes):
        node_dir = directory / f"node{i}"
        (node_dir / "data").mkdir(parents=True, exist_ok=True)
        text = _node_conf(config, node_dir, i, nodes, base_port, host)
        (node_dir / NODE_CONF).write_text(text, encoding="utf-8")
    header = "# searchlib cluster config (written by searchlib cluster init)\n"
    body = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    target.write_text(header + body, encoding="utf-8")
    return target


def _cluster_data(
    directory: Path, nodes: int, base_port: int, host: str, base_config: Path | None
) -> dict[str, Any]:
    """The cluster's searchlib.yaml: the base config (validated) pointed at the nodes."""
    data: dict[str, Any] = {}
    if base_config is not None:
        load_config(base_config)  # validates
        data = yaml.safe_load(base_config.read_text(encoding="utf-8")) or {}
    data["backend"] = "sphinxql"
    data["index_path"] = str(directory)
    addresses = [f"{host}:{base_port + 2 * i}" for i in range(nodes)]
    data["sphinxql"] = {
        "nodes": addresses,
        "index": (data.get("sphinxql") or {}).get("index", "searchlib"),
    }
    return data


def _node_conf(
    config: Config, node_dir: Path, i: int, nodes: int, base_port: int, host: str
) -> str:
    """searchd.conf of node ``i``: its index sections, with the other nodes as agents."""
    schema = engine_schema(config, config.sphinxql_index)
    timeout_ms = int(config.search_timeout_s * 1000)
    agents = [f"{host}:{base_port + 2 * j + 1}" for j in range(nodes) if j != i]
    return "\n".join(
        [
            f"# searchd config for node {i} of a {nodes}-node searchlib cluster",
            "# (written by searchlib cluster init; the index schema follows searchlib.yaml)",
            "",
            index_sections(
                schema, str(node_dir / "data"), agents, agent_query_timeout_ms=timeout_ms
            ),
            "searchd",
            "{",
            f"    listen = {host}:{base_port + 2 * i}:mysql41",
            f"    listen = {host}:{base_port + 2 * i + 1}",
            f"    log = {node_dir}/searchd.log",
            f"    query_log = {node_dir}/query.log",
            f"    pid_file = {node_dir}/searchd.pid",
            f"    binlog_path = {node_dir}/data",
            "    workers = threads",
            "    max_packet_size = 128M",
            "    persistent_connections_limit = 8",
            f"    expansion_limit = {config.max_expansions}",
            "}",
            "",
        ]
    )


def cluster_config(directory: Path) -> Config:
    path = directory / CONFIG_NAME
    if not path.is_file():
        raise ConfigError(
            f"{directory} is not a searchlib cluster directory (no {CONFIG_NAME})",
            hint=f"create one with: searchlib cluster init {directory} --nodes 2",
        )
    return load_config(path)


def local_nodes(directory: Path) -> list[LocalNode]:
    """The nodes of a cluster directory made by :func:`init`, in shard order."""
    config = cluster_config(directory)
    nodes = []
    for i, address in enumerate(config.sphinxql_nodes):
        host, _, port = address.rpartition(":")
        node = LocalNode(i, directory.resolve() / f"node{i}", host, int(port))
        if not node.conf.is_file():
            raise ConfigError(f"{node.conf} is missing: {directory} is not a local cluster")
        nodes.append(node)
    return nodes


def listening(host: str, port: int, timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def start(directory: Path, number: int | None = None) -> list[str]:
    """Start the cluster's nodes (or one); returns a line per node."""
    searchd = find_searchd()
    report = []
    for node in _chosen(directory, number):
        if _running(node):
            report.append(f"node {node.number} ({node.address}): already running")
            continue
        if listening(node.host, node.port):
            raise StorageError(
                f"node {node.number} ({node.address}): the port is in use by another process",
                hint="stop it, or init the cluster with another --base-port",
            )
        proc = subprocess.run(
            [searchd, "--config", str(node.conf)],
            capture_output=True,
            text=True,
            check=False,
            cwd=node.directory,
        )
        deadline = time.monotonic() + START_TIMEOUT_S
        while proc.returncode == 0 and not listening(node.host, node.port):
            if time.monotonic() > deadline:
                break
            time.sleep(0.05)
        if proc.returncode != 0 or not listening(node.host, node.port):
            why = _last_error(proc.stdout + proc.stderr, node.directory / "searchd.log")
            raise StorageError(f"node {node.number} ({node.address}) did not start: {why}")
        report.append(f"node {node.number} ({node.address}): started")
    return report


def _running(node: LocalNode) -> bool:
    """Whether this node's own searchd (by its pid file) is alive."""
    try:
        pid = int(node.pid_file.read_text().strip())
        os.kill(pid, 0)
    except (OSError, ValueError):
        return False
    return True


def stop(directory: Path, number: int | None = None) -> list[str]:
    """Stop the cluster's nodes (or one) and wait until each has exited."""
    searchd = find_searchd()
    report = []
    for node in _chosen(directory, number):
        if not _running(node):
            report.append(f"node {node.number} ({node.address}): not running")
            continue
        subprocess.run(
            [searchd, "--config", str(node.conf), "--stopwait"],
            capture_output=True,
            text=True,
            check=False,
            cwd=node.directory,
        )
        deadline = time.monotonic() + START_TIMEOUT_S
        while listening(node.host, node.port) and time.monotonic() < deadline:
            time.sleep(0.05)
        if listening(node.host, node.port):
            raise StorageError(f"node {node.number} ({node.address}) did not stop")
        report.append(f"node {node.number} ({node.address}): stopped")
    return report


def status(directory: Path) -> dict[str, Any]:
    """``{"nodes": [{"address", "up", "docs"}]}`` for the cluster in ``directory``."""
    from searchlib.backends.sphinxql.client import node_status

    config = cluster_config(directory)
    return {"nodes": [node_status(config, address) for address in config.sphinxql_nodes]}


def _chosen(directory: Path, number: int | None) -> list[LocalNode]:
    nodes = local_nodes(directory)
    if number is None:
        return nodes
    if not 0 <= number < len(nodes):
        raise ConfigError(f"--node {number}: the cluster has nodes 0 to {len(nodes) - 1}")
    return [nodes[number]]


def _last_error(output: str, log: Path) -> str:
    lines = [line.strip() for line in output.splitlines() if "FATAL" in line or "ERROR" in line]
    if not lines and log.is_file():
        tail = log.read_text(encoding="utf-8", errors="replace").splitlines()[-20:]
        lines = [line.strip() for line in tail if "FATAL" in line or "ERROR" in line]
    return lines[-1] if lines else "no error message (see its searchd.log)"


def free_base_port(nodes: int, *, host: str = "127.0.0.1") -> int:
    """A base port with ``2 * nodes`` consecutive free ports (for throwaway clusters)."""
    import random

    rng = random.Random()
    for _ in range(200):
        base = rng.randrange(20000, 60000, 2)
        if all(_bindable(host, base + k) for k in range(2 * nodes)):
            return base
    raise StorageError(f"found no {2 * nodes} consecutive free ports on {host}")


def _bindable(host: str, port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


@contextmanager
def temporary_cluster(
    directory: Path, nodes: int = 2, *, base_config: Path | None = None
) -> Iterator[Path]:
    """A cluster started in ``directory`` (new), stopped on exit even after an error;
    yields the path of its searchlib.yaml."""
    target = init(directory, nodes, base_port=free_base_port(nodes), base_config=base_config)
    try:
        start(directory)
        yield target
    finally:
        stop(directory)
