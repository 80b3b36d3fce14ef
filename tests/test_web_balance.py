"""``searchlib serve --workers N`` spreads keep-alive connections evenly over its workers."""

from __future__ import annotations

import asyncio
import http.client
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from searchlib.web.balance import PAUSE, WINDOW, BalanceConnections, Shares


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def workers(tmp_path: Path, count: int, clock: Clock) -> list[BalanceConnections]:
    path = Shares.create(tmp_path / "shares", count)
    return [BalanceConnections(None, Shares(path), clock=clock) for _ in range(count)]  # type: ignore[arg-type]


def test_an_overloaded_worker_sheds_connections_until_the_split_is_even(tmp_path):
    """Fourteen connections landed on one worker and two on the other: the first closes
    one at a time (a pause apart), each client reconnects to the other, until 8 and 8;
    then nobody closes anything."""
    clock = Clock()
    a, b = workers(tmp_path, 2, clock)
    on = {**{("10.0.0.1", port): a for port in range(14)}, **{("10.0.0.2", p): b for p in range(2)}}
    closed = 0
    for _ in range(200):  # rounds of one request per connection
        for client, worker in list(on.items()):
            clock.now += 0.001
            if worker.sheds(client):
                closed += 1
                del on[client]
                on[("10.0.0.3", 1000 + closed)] = b  # it reconnects; the other accepts
    assert closed == 6
    assert sorted(list(on.values()).count(w) for w in (a, b)) == [8, 8]
    assert not any(w.sheds(c) for c, w in on.items())


def test_a_worker_closes_at_most_one_connection_per_pause(tmp_path):
    clock = Clock()
    a, _ = workers(tmp_path, 2, clock)
    shed = [a.sheds(("h", port)) for port in range(10)]  # at one instant
    assert shed.count(True) == 1  # 10 against a fair share of 5, then the pause
    clock.now += PAUSE
    assert a.sheds(("h", 2)) is True
    clock.now += PAUSE * 0.6
    assert a.sheds(("h", 3)) is False
    clock.now += PAUSE * 0.6
    assert a.sheds(("h", 3)) is True


def test_idle_connections_stop_counting(tmp_path):
    """A connection that sent nothing for WINDOW seconds (a browser's idle keep-alive)
    does not count, so a worker is not asked to shed what costs it nothing."""
    clock = Clock()
    a, b = workers(tmp_path, 2, clock)
    for port in range(6):
        a.sheds(("h", port))
    b.sheds(("g", 0))
    clock.now += WINDOW + 1
    b.sheds(("g", 0))
    assert a.sheds(("h", 0)) is False  # a holds 1 now, not 6
    assert b.shares.fair_share(1) == 1  # a published 1, not 6


def test_a_lone_connection_is_never_closed(tmp_path):
    clock = Clock()
    (a,) = workers(tmp_path, 1, clock)
    assert not any(a.sheds(("h", 0)) for _ in range(5))


def test_a_dead_worker_s_slot_is_taken_by_its_replacement(tmp_path):
    path = Shares.create(tmp_path / "shares", 1)  # two slots
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    with open(path, "r+b") as f:  # slot 0: the dead worker, holding 7 connections
        f.write(dead.pid.to_bytes(8, "little") + (7).to_bytes(8, "little"))
    first, second = Shares(path), Shares(path)
    assert (first.slot, second.slot) == (0, 1)
    assert second.fair_share(0) == 0  # not the dead worker's 7
    with pytest.raises(RuntimeError, match="no free worker slot"):
        Shares(path)
    first.release()
    assert Shares(path).slot == 0


def test_the_closing_response_says_connection_close(tmp_path):
    clock = Clock()
    path = Shares.create(tmp_path / "shares", 2)
    sent: list[dict] = []

    async def app(scope, receive, send):
        await send({"type": "http.response.start", "status": 200, "headers": [(b"x", b"1")]})
        await send({"type": "http.response.body", "body": b"ok"})

    async def send(message):
        sent.append(message)

    async def receive():
        return {"type": "http.request"}

    middleware = BalanceConnections(app, Shares(path), clock=clock)
    Shares(path)  # an idle second worker: the fair share of two connections is one
    for port in range(2):
        asyncio.run(middleware({"type": "http", "client": ("h", port)}, receive, send))
    starts = [m for m in sent if m["type"] == "http.response.start"]
    assert [(b"connection", b"close") in m["headers"] for m in starts] == [False, True]
    assert all((b"x", b"1") in m["headers"] for m in starts)
    assert [m["body"] for m in sent if m["type"] == "http.response.body"] == [b"ok"] * 2


def _established(port: int, pid: int) -> int:
    """Established TCP connections on local ``port`` whose socket ``pid`` holds (Linux)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == "01":
                inodes.add(fields[9])
    held = 0
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        held += target.startswith("socket:[") and target[8:-1] in inodes
    return held


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="reads Linux's /proc")
def test_sixteen_keep_alive_clients_end_up_eight_per_worker():
    pytest.importorskip("uvicorn")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "searchlib", "serve", "--port", str(port), "--workers", "2"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, "no server"
                time.sleep(0.2)
        # The clients keep searching until the split has been even for a moment (on a busy
        # machine the shedding, a pause apart, takes longer), at most 30 s.
        stop = [time.monotonic() + 30]

        def client() -> None:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            while time.monotonic() < stop[0]:
                conn.request("GET", "/api/search?q=harga+beras")
                assert conn.getresponse().read()
            conn.request("GET", "/healthz")  # the connection stays open for the count
            conn.getresponse().read()
            held.append(conn)

        def counts() -> list[int]:
            children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text()
            return sorted(_established(port, int(pid)) for pid in children.split())[-2:]

        held: list[http.client.HTTPConnection] = []
        threads = [threading.Thread(target=client) for _ in range(16)]
        for t in threads:
            t.start()
        time.sleep(2)
        even = 0
        while time.monotonic() < stop[0] and even < 3:
            split = counts()
            even = even + 1 if sum(split) >= 14 and split[-1] <= 9 else 0
            time.sleep(0.5)
        stop[0] = 0.0
        for t in threads:
            t.join(60)
        split = counts()
        for conn in held:
            conn.close()
        # A client whose last answer was a shed one is closed, not reconnected: 14-16 open.
        assert len(held) == 16 and sum(split) >= 14 and split[-1] <= 9, split
    finally:
        server.terminate()
        server.wait(30)
