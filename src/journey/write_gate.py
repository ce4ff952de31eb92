"""One writer at a time on a SQLite file, handed over at once instead of by polling.

SQLite lets one connection write at a time. A connection that finds the file locked does not
queue: its busy handler sleeps and tries again, with sleeps growing from 1 ms to 100 ms. With
the events, the access log and the read models in one file, written by request threads, the
projection follower and (with ``journey serve --workers``) other processes, those sleeps were
the tail of the API's latency. A :class:`WriteGate` is taken around each of those write
transactions instead: a thread lock inside the process and an ``flock`` on a lock file beside
the database across processes. Waiters block in the kernel and the next one runs as soon as
the holder commits; a killed holder's lock goes with its process.

Writers that do not take the gate (rare ones: set-up, tokens, erasure) still work: they and
the gated ones meet in SQLite's own busy handler, as before.
"""

from __future__ import annotations

import fcntl
import logging
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["WriteGate", "gate_for"]

log = logging.getLogger(__name__)

_GATES: dict[str, WriteGate] = {}
_GATES_LOCK = threading.Lock()


class WriteGate:
    """Exclusive turns at writing the SQLite database at ``path``."""

    def __init__(self, path: str | None) -> None:
        self.path = path  # None: a database no other process can open (nothing to gate)
        self._threads = threading.Lock()
        self._fd: int | None = None
        self._opened = False
        self._pid = os.getpid()

    @contextmanager
    def turn(self) -> Iterator[None]:
        """Hold the gate for the body (one write transaction)."""
        if self.path is None:
            yield
            return
        with self._threads:
            fd = self._lock_file()
            if fd is not None:
                fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                yield
            finally:
                if fd is not None:
                    fcntl.flock(fd, fcntl.LOCK_UN)

    def _lock_file(self) -> int | None:
        if self._pid != os.getpid():  # forked: the parent's descriptor shares its lock
            self._fd, self._opened, self._pid = None, False, os.getpid()
        if not self._opened:
            self._opened = True
            try:
                self._fd = os.open(f"{self.path}-writer.lock", os.O_RDWR | os.O_CREAT, 0o600)
            except OSError as exc:  # a read-only folder: SQLite's busy handler still works
                log.warning("no write gate beside the database (%s)", type(exc).__name__)
                self._fd = None
        return self._fd


_NO_GATE = WriteGate(None)


def gate_for(path: str | None) -> WriteGate:
    """The process's gate for the SQLite file at ``path`` (one that does nothing for an
    in-memory database)."""
    if not path or path == ":memory:" or "mode=memory" in path or path.startswith("file:"):
        return _NO_GATE
    key = os.path.realpath(path)
    with _GATES_LOCK:
        gate = _GATES.get(key)
        if gate is None:
            gate = _GATES[key] = WriteGate(key)
        return gate
