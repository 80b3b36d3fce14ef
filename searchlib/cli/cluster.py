"""``searchlib cluster``: local Sphinx/Manticore nodes for development and CI."""

from __future__ import annotations

import json
from pathlib import Path

import click

_DIR = click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
_JSON = click.option("--json", "as_json", is_flag=True, help="Print the outcome as JSON.")


def _report(directory: Path, lines: list[str], as_json: bool) -> None:
    """What start or stop did, a line per node, or as JSON."""
    if as_json:
        click.echo(json.dumps({"directory": str(directory), "nodes": lines}))
        return
    for line in lines:
        click.echo(line)


@click.group()
def cluster() -> None:
    """Run a local search cluster (searchd nodes) for the sphinxql backend."""


@cluster.command("init")
@_DIR
@click.option("--nodes", "-n", type=int, default=2, show_default=True, help="How many nodes.")
@click.option(
    "--base-port",
    type=int,
    default=9306,
    show_default=True,
    help="Node i speaks SphinxQL on base+2i and the agent protocol on base+2i+1.",
)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--config",
    "-c",
    "config_path",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="searchlib.yaml to start from (fields, analyzer, ranking).",
)
@_JSON
def init_cmd(
    directory: Path,
    nodes: int,
    base_port: int,
    host: str,
    config_path: Path | None,
    as_json: bool,
) -> None:
    """Write one searchd config per node under DIRECTORY and DIRECTORY/searchlib.yaml."""
    from searchlib.backends.sphinxql.nodes import init

    target = init(directory, nodes, base_port=base_port, host=host, base_config=config_path)
    if as_json:
        data = {"directory": str(directory), "nodes": nodes, "config": str(target)}
        click.echo(json.dumps(data))
        return
    click.echo(f"wrote {nodes} node configs and {target}")
    click.echo(f"next: searchlib cluster start {directory}")
    click.echo(f"      searchlib index FILE --config {target}")


@cluster.command("start")
@_DIR
@click.option("--node", "number", type=int, help="Only this node (0-based).")
@_JSON
def start_cmd(directory: Path, number: int | None, as_json: bool) -> None:
    """Start the cluster's searchd nodes (waits until each answers)."""
    from searchlib.backends.sphinxql.nodes import start

    _report(directory, start(directory, number), as_json)


@cluster.command("stop")
@_DIR
@click.option("--node", "number", type=int, help="Only this node (0-based).")
@_JSON
def stop_cmd(directory: Path, number: int | None, as_json: bool) -> None:
    """Stop the cluster's searchd nodes (waits until each has exited)."""
    from searchlib.backends.sphinxql.nodes import stop

    _report(directory, stop(directory, number), as_json)


@cluster.command("status")
@_DIR
@_JSON
def status_cmd(directory: Path, as_json: bool) -> None:
    """Show each node's address, whether it answers, and its document count."""
    from searchlib.backends.sphinxql.nodes import status

    data = status(directory)
    if as_json:
        nodes = [{k: n[k] for k in ("address", "up", "docs")} for n in data["nodes"]]
        click.echo(json.dumps({"nodes": nodes}))
        return
    for i, node in enumerate(data["nodes"]):
        state = "up" if node["up"] else "down"
        docs = "" if node["docs"] is None else f", {node['docs']} documents"
        click.echo(f"node {i} {node['address']}: {state}{docs}")
