"""``searchlib serve``: the search page and JSON API over HTTP (Starlette + uvicorn).

Thin on purpose: options, the same index resolution as ``searchlib query``, then the app
from :mod:`searchlib.web`. Starlette, Jinja2 and uvicorn are imported only when the command
runs, so other commands (and ``import searchlib``) do not pay for them.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path
from typing import Any

import click

from searchlib import Index
from searchlib._sample import sample_path
from searchlib.cli._options import index_options, open_for_reading

TOKEN_ENV = "SEARCHLIB_TOKEN"
WEB_EXTRA = "pip install 'searchlib[web]'"
LOOPBACK = ("127.0.0.1", "localhost", "::1")


def cores() -> int:
    """The cores this process may run on (a container's or taskset's limit included)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def default_threads(workers: int) -> int:
    """Searches at once per worker when ``--threads`` is not given: one per process when
    several processes share the cores (the server's best latency, docs/serve.md), two for
    a lone process so one slow query does not hold up every other."""
    return 1 if workers > 1 else 2


def check_listen(host: str, port: int) -> None:
    """Fail with one line if ``host:port`` cannot be listened on (a busy port, a host name
    that does not resolve, an address not on this machine), before any banner is printed.
    Binds like uvicorn (``SO_REUSEADDR``) and lets go at once."""
    # The address family uvicorn picks: IPv6 when the host has a colon, else IPv4.
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        infos = socket.getaddrinfo(host, port, family, socket.SOCK_STREAM)
    except socket.gaierror as error:
        raise click.ClickException(f"cannot listen on {host}:{port}: {error.strerror}") from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as error:
            reason = error.strerror or str(error)
            raise click.ClickException(f"cannot listen on {host}:{port}: {reason}") from None


@click.command()
@index_options
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on (loopback only unless you say otherwise).",
)
@click.option(
    "--port", default=8080, show_default=True, type=click.IntRange(1, 65535), help="TCP port."
)
@click.option(
    "--allow-writes",
    is_flag=True,
    help=f"Enable POST /api/docs and DELETE /api/docs/ID for requests with "
    f"'Authorization: Bearer ${TOKEN_ENV}' (refuses to start without that variable).",
)
@click.option(
    "--max-body-mb",
    default=16,
    show_default=True,
    type=click.IntRange(1, 1024),
    help="Largest POST body accepted, in MiB (larger: 413).",
)
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    help=f"Server processes, each with the index open (default: the number of cores, "
    f"{cores()} here).",
)
@click.option(
    "--threads",
    type=click.IntRange(1, 64),
    help="Searches run at once per worker (default: 1 with several workers, else 2; more "
    "only contend for Python's GIL).",
)
@click.option("--access-log", is_flag=True, help="Log every request (off by default).")
def serve(
    index_path: Path | None,
    config_path: Path | None,
    host: str,
    port: int,
    allow_writes: bool,
    max_body_mb: int,
    workers: int | None,
    threads: int | None,
    access_log: bool,
) -> None:
    """Serve a search page at / and a JSON API under /api/ (needs the web extra).

    With no index configured it serves the built-in sample, like `searchlib query`.
    """
    workers = workers or cores()
    threads = threads or default_threads(workers)
    try:
        import uvicorn

        from searchlib.web import app as web_app
        from searchlib.web.workers import run_workers
    except ImportError as error:
        missing = error.name or "a web dependency"
        raise click.ClickException(
            f"searchlib serve needs the web extra ({missing} is not installed): {WEB_EXTRA}"
        ) from None
    token = _write_token(allow_writes)
    check_listen(host, port)
    index = open_for_reading(index_path, config_path)
    try:
        if allow_writes and index.path.resolve() == sample_path().resolve():
            raise click.ClickException(
                "--allow-writes needs an index of your own (--index DIR): "
                "the built-in sample is read-only"
            )
        options = _uvicorn_options(host, port, access_log=access_log)
        max_body = max_body_mb * 1024 * 1024
        try:
            app = web_app.create_app(
                index,
                allow_writes=allow_writes,
                token=token,
                max_body_bytes=max_body,
                search_threads=threads,
            )
        except ValueError as error:
            raise click.ClickException(f"{error} (set {TOKEN_ENV})") from None
        _announce(index.path, host, port, allow_writes=allow_writes, workers=workers)
        if workers == 1:
            uvicorn.run(app, **options)
            return
        # Several processes: uvicorn starts each from an import string, so the settings
        # travel in the environment and every worker opens the index itself.
        os.environ.update(_worker_environment(index, allow_writes, max_body, threads))
        index.close()
        run_workers("searchlib.web.app:app_from_environment", workers, **options)
    finally:
        index.close()


def _uvicorn_options(host: str, port: int, *, access_log: bool) -> dict[str, Any]:
    """uvicorn's settings, the same for one process and for several."""
    return {
        "host": host,
        "port": port,
        "log_level": "warning",
        "access_log": access_log,
        "server_header": False,
    }


def _write_token(allow_writes: bool) -> str | None:
    """The bearer token from the environment; required when writes are enabled."""
    token = os.environ.get(TOKEN_ENV) or None
    if allow_writes and not token:
        raise click.ClickException(
            f"--allow-writes needs a write token: set {TOKEN_ENV} (at least 16 characters)"
        )
    return token


def _announce(path: Path, host: str, port: int, *, allow_writes: bool, workers: int) -> None:
    """What is served where, on stderr, with a warning when the token leaves the machine."""
    if allow_writes and host not in LOOPBACK:
        click.echo(
            "warning: the write token crosses the network in clear text over plain HTTP; "
            "put a TLS proxy in front of this server",
            err=True,
        )
    writes = "writes enabled" if allow_writes else "read-only"
    click.echo(
        f"searchlib serve: {path} ({writes}, {workers} worker"
        f"{'s' if workers > 1 else ''}) on http://{host}:{port}/ (Ctrl+C to stop)",
        err=True,
    )


def _worker_environment(
    index: Index, allow_writes: bool, max_body: int, threads: int
) -> dict[str, str]:
    """The settings each worker process reads back in ``app_from_environment``."""
    from searchlib.web import app as web_app

    found = index.config.source_file
    return {
        web_app.ENV_INDEX: str(index.path.resolve()),
        web_app.ENV_CONFIG: str(Path(found).resolve()) if found else "",
        web_app.ENV_WRITES: "1" if allow_writes else "",
        web_app.ENV_MAX_BODY: str(max_body),
        web_app.ENV_THREADS: str(threads),
    }
