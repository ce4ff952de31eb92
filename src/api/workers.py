"""`journey serve --workers N`: N uvicorn processes, each listening on its own socket.

uvicorn's own ``workers`` share one listening socket, and whichever worker's event loop wakes
first accepts: a burst of new connections (a client pool opening its keep-alive connections)
often lands on one worker alone. Measured with 16 clients on two workers, half the runs had
all 16 connections on one worker, which then served no more than a single worker does. Here
each worker binds its own socket with ``SO_REUSEPORT`` and the kernel spreads connections over
the workers by address hash. The parent only supervises: a worker that dies is started again,
and SIGTERM or SIGINT stops them all (uvicorn's graceful shutdown in each).

Where the platform has no ``SO_REUSEPORT`` (not Linux or a BSD), uvicorn's own workers are
used instead.
"""

from __future__ import annotations

import logging
import multiprocessing
import signal
import socket
import time
from multiprocessing.connection import wait
from multiprocessing.process import BaseProcess
from types import FrameType

import uvicorn

from api.http_protocol import NoDelayH11Protocol

__all__ = ["REUSE_PORT", "serve_workers"]

log = logging.getLogger("journey.api")

REUSE_PORT = hasattr(socket, "SO_REUSEPORT")
APP = "api.app:create_app"
_GIVE_UP_AFTER = 5  # workers that die within a few seconds of starting, in a row


def listening_socket(host: str, port: int) -> socket.socket:
    """A socket bound to ``host:port`` that other sockets may share (``SO_REUSEPORT``)."""
    family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    try:
        sock.bind(address)
    except OSError:
        sock.close()
        raise
    return sock


def _worker(host: str, port: int) -> None:
    # As in the single process: a file-size limit fails the write (503), not the process.
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    sock = listening_socket(host, port)
    sock.listen(2048)
    config = uvicorn.Config(
        APP,
        factory=True,
        http=NoDelayH11Protocol,
        log_level="warning",
        access_log=False,
    )
    uvicorn.Server(config).run(sockets=[sock])


def serve_workers(host: str, port: int, workers: int) -> int:
    """Run ``workers`` worker processes on ``host:port`` until SIGTERM or SIGINT; return the
    exit status (1 if the workers kept dying at start)."""
    listening_socket(host, port).close()  # the address is usable: say so now, not N times
    context = multiprocessing.get_context("spawn")
    stopping = False

    def stop(_signum: int, _frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True

    previous = {s: signal.signal(s, stop) for s in (signal.SIGTERM, signal.SIGINT)}

    def start() -> tuple[BaseProcess, float]:
        process = context.Process(target=_worker, args=(host, port), name="journey-worker")
        process.start()
        return process, time.monotonic()

    running = [start() for _ in range(workers)]
    early_deaths = 0
    try:
        while not stopping:
            wait([p.sentinel for p, _ in running], timeout=0.5)
            for index, (process, started) in enumerate(running):
                if process.is_alive() or stopping:
                    continue
                early = time.monotonic() - started < 5
                early_deaths = early_deaths + 1 if early else 0
                log.warning(
                    "worker %s exited with %s; starting another", process.pid, process.exitcode
                )
                if early_deaths >= _GIVE_UP_AFTER:
                    log.error("workers keep exiting at start; stopping")
                    return 1
                running[index] = start()
        return 0
    finally:
        for process, _ in running:
            if process.is_alive():
                process.terminate()  # SIGTERM: uvicorn finishes the requests in flight
        for process, _ in running:
            process.join(timeout=30)
            if process.is_alive():
                process.kill()
                process.join()
        for signum, handler in previous.items():
            signal.signal(signum, handler)
