"""Several uvicorn worker processes sharing one listening socket.

uvicorn 0.54 binds the socket it hands to its workers with ``proto`` 0. Accepted
connections inherit it, and asyncio turns Nagle's algorithm off (``TCP_NODELAY``) only on
sockets that say ``IPPROTO_TCP``; so with ``--workers 2`` every keep-alive response's
second segment would wait for the client's delayed ACK, with one client as with sixteen
(uvicorn issue #3149). The listener here says what it is.
"""

from __future__ import annotations

import socket
from typing import Any

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
    from :func:`tcp_listener`."""
    import uvicorn
    from uvicorn.supervisors import Multiprocess

    config = uvicorn.Config(target, factory=True, workers=workers, **options)
    listener = tcp_listener(config.bind_socket())
    try:
        Multiprocess(config, sockets=[listener]).run()
    except KeyboardInterrupt:
        pass
    finally:
        listener.close()
