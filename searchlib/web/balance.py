"""Keep-alive connections spread evenly over ``searchlib serve``'s worker processes.

The workers share one listening socket, and a keep-alive connection stays with the worker
that accepted it. Clients that connect at once (a proxy's pool, a page's requests, a load
test) are often all accepted by whichever worker woke first: that worker then queues most
requests while another idles, and latency grows though the cores are not all busy.

So each worker counts the connections that sent it a request in the last ``WINDOW``
seconds and publishes the count in a small file every worker maps (:class:`Shares`). A
worker holding more than its fair share (the workers' total over their number, rounded up)
answers one of its connections with ``Connection: close``, at most once per ``PAUSE``
seconds so the other workers' counts catch up first. HTTP/1.1 clients reconnect by
themselves, and the new connection goes to whichever worker accepts it; the shares converge
within a few requests, and a server whose connections are spread evenly closes none.
"""

from __future__ import annotations

import contextlib
import fcntl
import math
import mmap
import os
import struct
import time
from collections.abc import Awaitable, Callable, MutableMapping
from pathlib import Path
from typing import Any

__all__ = ["ENV_SHARES", "PAUSE", "WINDOW", "BalanceConnections", "Shares"]

#: The environment variable naming the :class:`Shares` file to ``serve``'s workers.
ENV_SHARES = "SEARCHLIB_SERVE_SHARES"
#: Seconds without a request after which a connection no longer counts (it is idle).
WINDOW = 2.0
#: Seconds between two connections one worker closes to shed load.
PAUSE = 0.2
#: One worker's slot: its process id (0: free) and its connection count.
_SLOT = struct.Struct("<qq")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]


class Shares:
    """The workers' connection counts in a file of fixed slots, one per live worker."""

    def __init__(self, path: Path) -> None:
        self.path = path
        with open(path, "r+b") as f:
            self._map = mmap.mmap(f.fileno(), 0)
        self.slots = len(self._map) // _SLOT.size
        self.pid = os.getpid()
        self.slot = self._claim()

    @staticmethod
    def create(path: Path, workers: int) -> Path:
        """A file with room for ``workers`` and as many restarted ones."""
        path.write_bytes(bytes(_SLOT.size * 2 * workers))
        return path

    def _claim(self) -> int:
        """A free slot, or one a dead worker left behind, now this process's."""
        with open(self.path, "r+b") as f:
            fcntl.flock(f, fcntl.LOCK_EX)
            try:
                for slot in range(self.slots):
                    pid, _ = _SLOT.unpack_from(self._map, slot * _SLOT.size)
                    if pid == 0 or not _alive(pid):
                        _SLOT.pack_into(self._map, slot * _SLOT.size, self.pid, 0)
                        return slot
            finally:
                fcntl.flock(f, fcntl.LOCK_UN)
        raise RuntimeError(f"no free worker slot in {self.path}")

    def publish(self, connections: int) -> None:
        _SLOT.pack_into(self._map, self.slot * _SLOT.size, self.pid, connections)

    def fair_share(self, mine: int) -> int:
        """The connections each worker would hold if they were spread evenly, this one
        holding ``mine``."""
        counts = [
            mine if slot == self.slot else n
            for slot, (pid, n) in enumerate(_SLOT.iter_unpack(self._map))
            if pid
        ]
        return math.ceil(sum(counts) / len(counts))

    def release(self) -> None:
        with contextlib.suppress(ValueError):  # already closed
            _SLOT.pack_into(self._map, self.slot * _SLOT.size, 0, 0)
            self._map.close()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, PermissionError):  # gone, or the id is someone else's now
        return False
    return True


class BalanceConnections:
    """ASGI middleware: counts this worker's connections and closes one when it holds
    more than its fair share of :class:`Shares`."""

    def __init__(self, app: App, shares: Shares, clock: Callable[[], float] = time.monotonic):
        self.app = app
        self.shares = shares
        self._clock = clock
        self._seen: dict[Any, float] = {}
        self._pruned = self._closed = -math.inf

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        client = scope.get("client")
        if scope["type"] != "http" or not client or not self.sheds(tuple(client)):
            await self.app(scope, receive, send)
            return

        async def send_closing(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [*message.get("headers", ()), (b"connection", b"close")]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_closing)

    def sheds(self, client: Any) -> bool:
        """Note a request on ``client``'s connection; True: answer it and close it."""
        now = self._clock()
        seen = self._seen
        seen[client] = now
        if now - self._pruned > WINDOW / 4:
            for idle in [c for c, last in seen.items() if now - last > WINDOW]:
                del seen[idle]
            self._pruned = now
        mine = len(seen)
        shed = now - self._closed >= PAUSE and mine > max(1, self.shares.fair_share(mine))
        if shed:
            del seen[client]
            self._closed = now
        self.shares.publish(len(seen))
        return shed
