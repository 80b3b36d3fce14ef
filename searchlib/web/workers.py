"""Several uvicorn worker processes sharing one listening socket.

uvicorn 0.54 binds the socket it hands to its workers with ``proto`` 0. Accepted
connections inherit it, and asyncio turns Nagle's algorithm off (``TCP_NODELAY``) only on
sockets that say ``IPPROTO_TCP``; so with ``--workers 2`` every keep-alive response's
second segment would wait for the client's delayed ACK, with one client as with sixteen
(uvicorn issue #3149). The listener here says what it is.

The workers also share a small file of connection counts (:mod:`searchlib.web.balance`),
named to them in the environment, so that keep-alive connections end up spread evenly.
"""

from __future__ import annotations

import os
import socket
import tempfile
from pathlib import Path
from typing import Any

from searchlib.web.balance import ENV_SHARES, Shares

__all__ = ["run_workers", "tcp_listener"]


def tcp_listener(sock: socket.socket) -> socket.socket:
    """``sock``, an internet stream socket, as one whose ``proto`` is ``IPPROTO_TCP``."""
    if sock.family not in (socket.AF_INET, socket.AF_INET6) or sock.proto:
        return sock
    fixed = socket.socket(sock.family, sock.type, socket.IPPROTO_TCP, fileno=sock.detach())
    fixed.set_inheritable(True)
    return fixed


def run_workers(target: str, workers: int, **options: Any) -> None:
    """``uvicorn.run(target, factory=True, workers=workers, **options)`` on a listener
    from :func:`tcp_listener`, the workers' shared counts in a temporary file."""
    import uvicorn
    from uvicorn.supervisors import Multiprocess

    config = uvicorn.Config(target, factory=True, workers=workers, **options)
    listener = tcp_listener(config.bind_socket())
    try:
        with tempfile.TemporaryDirectory(prefix="searchlib-serve-") as shared:
            os.environ[ENV_SHARES] = str(Shares.create(Path(shared) / "shares", workers))
            Multiprocess(config, sockets=[listener]).run()
    except KeyboardInterrupt:
        pass
    finally:
        os.environ.pop(ENV_SHARES, None)
        listener.close()
