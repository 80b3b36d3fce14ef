"""A second process that builds part of a large add as its own segment.

A large add is CPU-bound Python (analysis, gathering postings, writing
blocks), so one process uses one core. Past ``PARALLEL_AFTER`` documents the transaction
starts a helper process that indexes whole batches into a segment of its own; the parent
keeps indexing the batches the helper has no room for, so the two share the work whatever
their speeds, and the parent's commit publishes both segments in one generation.

Unlike Whoosh's own multiprocessing writer, the helper never holds the index lock and is
a fresh interpreter (no fork of a threaded server, no re-run of the application's script).
If the parent dies, the helper sees its pipe close and exits; the files it wrote belong to
no generation and the next commit's clean-up deletes them. If the helper dies, the add
fails with StorageError and nothing of it is committed.
"""

from __future__ import annotations

import contextlib
import os
import queue
import signal
import subprocess
import sys
import threading
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from searchlib.errors import StorageError

try:
    import fcntl
except ImportError:  # not on Windows, where no helper starts
    fcntl = None  # type: ignore[assignment]

__all__ = ["PARALLEL_AFTER", "Helper", "helper_allowed"]

#: Documents a bulk add indexes alone before starting the helper. Its start takes ~0.5 s
#: of the other core, during which this process goes on alone; a helper that was never
#: given a batch is stopped at once (the add was short) rather than waited for.
PARALLEL_AFTER = 1_000
#: Documents per batch sent to the helper.
BATCH = 32
#: Batches the helper may have queued: more and the parent indexes the batch itself.
OUTSTANDING = 4
#: The pipe to the helper: room for ``OUTSTANDING`` batches (Linux's default
#: pipe-max-size for an unprivileged process).
PIPE_BYTES = 1 << 20


def helper_allowed(processes: int | str) -> bool:
    """Whether an add with the ``processes`` setting may start a helper: ``1`` never; ``2``
    wherever a fresh interpreter can be started; ``"auto"`` also needs a second core."""
    if processes == 1 or os.name != "posix" or not sys.executable:
        return False
    return processes != "auto" or (os.cpu_count() or 1) >= 2


def _work(path: str, inbox: Any, outbox: Any) -> None:
    from whoosh import index as windex

    from searchlib.backends.embedded.bulk_writer import BulkWriter
    from searchlib.backends.embedded.codec import EmbeddedCodec
    from searchlib.backends.embedded.signature_column import signed

    writer = None
    try:
        writer = BulkWriter(windex.open_dir(path), lock=False, codec=EmbeddedCodec())
        outbox.send(("ready", None))
        # A thread keeps the pipe drained, so the parent's send never waits for a batch
        # to be indexed (it blocks once the pipe's 64 KB buffer is full).
        batches: queue.SimpleQueue[Any] = queue.SimpleQueue()
        threading.Thread(target=_receive, args=(inbox, batches), daemon=True).start()
        while True:
            batch = batches.get()
            if batch is None:
                break
            if isinstance(batch, BaseException):
                raise batch
            for fields in batch:
                writer.add_document(**signed(fields))
            outbox.send(("done", None))
        segment = writer.finish_segment()
        writer.finish()
        outbox.send(("segment", segment))
    except EOFError:  # the parent is gone or gave up: leave nothing behind
        if writer is not None:
            writer.cancel()
    except BaseException as error:  # reported to the parent, which fails the add
        if writer is not None:
            with contextlib.suppress(Exception):
                writer.cancel()
        with contextlib.suppress(OSError):
            outbox.send(("error", f"{type(error).__name__}: {error}"))


def _receive(inbox: Any, batches: queue.SimpleQueue[Any]) -> None:
    try:
        while True:
            batch = inbox.recv()
            batches.put(batch)
            if batch is None:
                return
    except BaseException as error:  # EOFError: the parent is gone
        batches.put(error)


def main() -> None:
    """The helper process: ``python -c '...main()' INBOX_FD OUTBOX_FD INDEX_PATH``."""
    # Ctrl-C in a terminal reaches the whole process group: the parent decides, and a
    # helper whose parent gave up sees its pipe close.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    inbox_fd, outbox_fd, path = sys.argv[1:4]
    inbox = Connection(int(inbox_fd), writable=False)
    outbox = Connection(int(outbox_fd), readable=False)
    try:
        _work(path, inbox, outbox)
    finally:
        inbox.close()
        outbox.close()


def _widen(fd: int) -> None:
    """Let the pipe hold the batches the helper may have queued. At the default 64 KB a
    batch (~100 KB) blocks the parent's send until the helper's receiving thread gets the
    GIL from its indexing thread, which can take a switch interval per chunk. Linux only;
    elsewhere the send waits as before."""
    setsize = getattr(fcntl, "F_SETPIPE_SZ", None) if fcntl is not None else None
    if setsize is not None:
        with contextlib.suppress(OSError):  # above the system's pipe-max-size
            fcntl.fcntl(fd, setsize, PIPE_BYTES)


class Helper:
    """The parent's side: offers batches; at commit, asks for the helper's segment, writes
    its own meanwhile, then collects it (``BulkWriter.helpers``)."""

    def __init__(self, path: str) -> None:
        # A plain subprocess, not multiprocessing: its "spawn" re-imports the application's
        # __main__ (a script without a main guard would run again in the helper) and
        # "fork" is unsafe in a threaded server.
        inbox_r, inbox_w = os.pipe()
        outbox_r, outbox_w = os.pipe()
        _widen(inbox_w)
        root = str(Path(__file__).resolve().parents[2])
        # The helper imports the searchlib the parent runs, installed or not.
        env = dict(
            os.environ,
            PYTHONPATH=os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")])),
        )
        code = f"from {__name__} import main; main()"
        try:
            self._proc = subprocess.Popen(
                [sys.executable, "-c", code, str(inbox_r), str(outbox_w), path],
                pass_fds=(inbox_r, outbox_w),
                stdin=subprocess.DEVNULL,
                env=env,
            )
        finally:
            os.close(inbox_r)
            os.close(outbox_w)
        self._to = Connection(inbox_w, readable=False)
        self._from = Connection(outbox_r, writable=False)
        self._ready = False
        self._outstanding = 0
        #: Whether a batch was sent: a helper given none has nothing to contribute.
        self.used = False

    def _drain(self) -> None:
        while self._from.poll():
            kind, _ = self._recv()
            if kind == "ready":
                self._ready = True
            elif kind == "done":
                self._outstanding -= 1

    def _recv(self) -> tuple[str, Any]:
        try:
            kind, detail = self._from.recv()
        except (EOFError, OSError):
            raise StorageError(
                f"the indexing helper process stopped (exit code {self._proc.wait()})",
                hint="nothing of this add was committed; "
                "retry with processes=1 (CLI: --processes 1)",
            ) from None
        if kind == "error":
            raise StorageError(f"the indexing helper process failed: {detail}")
        return kind, detail

    def offer(self, batch: list[dict[str, Any]]) -> bool:
        """Send ``batch`` to the helper if it has room; False: index it yourself."""
        self._drain()
        if not self._ready or self._outstanding >= OUTSTANDING:
            return False
        self._to.send(batch)
        self._outstanding += 1
        self.used = True
        return True

    def request_finish(self) -> None:
        """No more batches: the helper writes its segment (while the parent writes its own)."""
        with contextlib.suppress(OSError):  # it died: segment() says so
            self._to.send(None)

    def segment(self) -> Any:
        """The helper's finished segment (None if it indexed nothing); waits for it."""
        try:
            while True:
                kind, detail = self._recv()
                if kind == "segment":
                    return detail
        finally:
            self._close()

    def abort(self) -> None:
        self._close()

    def discard(self) -> None:
        """Stop a helper that was given no batch, without waiting for it to start (it has
        written nothing the commit's clean-up does not remove)."""
        with contextlib.suppress(OSError):
            self._proc.kill()
        self._close()

    def _close(self) -> None:
        if self._to.closed:
            return
        self._to.close()
        self._from.close()
        try:
            self._proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()
