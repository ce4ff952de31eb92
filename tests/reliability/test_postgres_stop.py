"""PostgreSQL stopped abruptly under load (issue 9), in a private throwaway cluster on its own
port, never the shared server: `pg_ctl stop -m immediate` (what `pg_ctlcluster ... stop -m
immediate` runs) while `journey serve` takes about 100 writes a second. While it is down every
client gets 503 with Retry-After, never a 500; when it is back writes resume; nothing
acknowledged is lost and the retried requests are recorded once."""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from reliability_support import (
    Load,
    Server,
    check_nothing_lost_or_doubled,
    free_port,
    prepare,
    retry_unanswered,
    run_until,
    seed,
)

pytestmark = pytest.mark.postgres
REQUIRED = os.environ.get("JOURNEY_REQUIRE_POSTGRES", "") not in ("", "0", "false", "no")
BINARIES = sorted(glob.glob("/usr/lib/postgresql/*/bin"))


class Cluster:
    def __init__(self, root: Path) -> None:
        self.bin = Path(BINARIES[-1])
        self.data = root / "pgdata"
        self.sockets = root / "sockets"
        self.port = free_port()
        self.log = root / "postgres.log"
        self.as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str) -> None:
        done = subprocess.run(
            [*self.as_postgres, *args], capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0, done.stdout + done.stderr

    def create(self) -> None:
        self.sockets.mkdir()
        if self.as_postgres:  # initdb refuses root: the cluster belongs to the postgres user
            owner = pwd.getpwnam("postgres")
            for path in (self.data.parent, self.sockets):
                os.chown(path, owner.pw_uid, owner.pw_gid)
        self._run(str(self.bin / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres")

    def start(self) -> None:
        options = f"-p {self.port} -k {self.sockets} -c listen_addresses=127.0.0.1"
        self._run(
            str(self.bin / "pg_ctl"),
            "-D",
            str(self.data),
            "-o",
            options,
            "-l",
            str(self.log),
            "-w",
            "start",
        )

    def stop_immediately(self) -> None:
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop")

    def stop(self) -> None:
        subprocess.run(
            [
                *self.as_postgres,
                str(self.bin / "pg_ctl"),
                "-D",
                str(self.data),
                "-m",
                "fast",
                "stop",
            ],
            capture_output=True,
            timeout=60,
        )


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    usable = BINARIES and (os.geteuid() != 0 or shutil.which("runuser"))
    if not usable:
        message = "no PostgreSQL server binaries (initdb, pg_ctl) for a throwaway cluster"
        if REQUIRED:
            pytest.fail(message + " (required: JOURNEY_REQUIRE_POSTGRES is set)")
        pytest.skip(message)
    # Not under pytest's own temporary folder: that is private to this user, and the cluster
    # belongs to the postgres user.
    root = Path(tempfile.mkdtemp(prefix="journey-pg-"))
    made = Cluster(root)
    try:
        made.create()
        made.start()
        yield made
    finally:
        made.stop()
        shutil.rmtree(root, ignore_errors=True)


def test_postgres_stopped_abruptly_under_load_gives_503_and_loses_nothing(
    cluster: Cluster, tmp_path: Path
) -> None:
    ledger = prepare(tmp_path / "data", JOURNEY_DATABASE_URL=cluster.url)
    server = Server(ledger.env, tmp_path / "serve.log")
    server.start()
    try:
        seed(server, ledger, people=16)
        load = Load(server.url, ledger, rate=100)
        load.start("pg")
        time.sleep(1.0)
        cluster.stop_immediately()
        down_from = len(load.operations)
        assert run_until(
            lambda: sum(op.status == 503 for op in load.operations[down_from:]) >= 20, 20
        ), "no 503 while PostgreSQL was down"
        cluster.start()
        back_from = len(load.operations)
        assert run_until(
            lambda: sum(op.status == 201 for op in load.operations[back_from:]) >= 20, 30
        ), "writes did not resume after PostgreSQL came back"
        load.stop()
        statuses = {op.status for op in load.operations}
        assert statuses <= {201, 503}, statuses
        refused = [op for op in load.operations if op.status == 503]
        assert all(op.headers.get("retry-after") for op in refused)
        assert all("Traceback" not in op.body for op in refused)
        retry_unanswered(server.url, ledger, load)
        totals = check_nothing_lost_or_doubled(server.url, ledger, load)
    finally:
        server.stop()
    print(
        f"PostgreSQL stopped -m immediate under load: {totals['requests']} requests, "
        f"{len(refused)} answered 503 while it was down, all {totals['events']} events once"
    )
    assert "Traceback" not in (tmp_path / "serve.log").read_text()
