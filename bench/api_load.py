"""The HTTP API under load on loopback, next to a trivial and a naive FastAPI endpoint served
the same way in the same run (issue 9).

Servers (uvicorn, as `journey serve` runs it; one worker unless said):

- trivial: a FastAPI app whose POST answers a constant (the cost of HTTP + FastAPI alone);
- naive: a FastAPI app whose POST inserts one row into SQLite (WAL, synchronous=FULL) per
  request, one transaction each (the base of the issue's write target);
- ledger: `journey serve` on a fresh SQLite ledger of 1,000 participants, read models followed
  in-process: POST /participants/{id}/events (an OutcomeReported with an Idempotency-Key,
  spread over the participants), GET /participants/{id} and GET /cohorts/{id}/register (the
  cohort's 1,000 rows); with 1 and 2 workers.

Load: wrk (C, so the client takes little of the two cores; `apt-get install wrk` on Debian),
closed loop, N connections = N clients, for --seconds per cell after a 1 s warm-up; a Lua
script gives each request its own key and reports p50/p95/p99 from wrk's latency histogram.

Targets: ledger writes at 16 clients >= 1.0x the naive endpoint's throughput, p99 <= 60 ms; at
64 clients p99 <= 1.5x the trivial endpoint's; two workers no worse than one.

    python bench/api_load.py [--clients 1,10,16,50,64] [--seconds 5] [--no-write]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from report import write_section

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
JOURNEY = str(Path(sys.executable).with_name("journey"))
PARTICIPANTS = 1000

BASES = textwrap.dedent(
    '''
    """Two base servers for bench/api_load.py: trivial and naive (see its docstring)."""
    import sqlite3, sys, threading
    from fastapi import FastAPI
    from pydantic import BaseModel

    kind, db = sys.argv[1], sys.argv[2]
    app = FastAPI()
    local = threading.local()

    class Event(BaseModel):
        type: str
        category: str
        detail: str
        source: str
        occurred_on: str

    def connection():
        if not hasattr(local, "c"):
            c = sqlite3.connect(db, isolation_level=None, check_same_thread=False)
            c.execute("PRAGMA journal_mode=WAL")
            c.execute("PRAGMA synchronous=FULL")
            c.execute("PRAGMA busy_timeout=10000")
            local.c = c
        return local.c

    if kind == "naive":
        c = connection()
        c.execute("CREATE TABLE IF NOT EXISTS events (id INTEGER PRIMARY KEY, "
                  "participant TEXT, body TEXT)")

    @app.post("/participants/{pid}/events", status_code=201)
    def record(pid: str, event: Event):
        if kind == "naive":
            c = connection()
            c.execute("BEGIN IMMEDIATE")
            c.execute("INSERT INTO events (participant, body) VALUES (?, ?)",
                      (pid, event.model_dump_json()))
            c.execute("COMMIT")
        return {"participant_id": pid, "version": 1}

    @app.get("/participants/{pid}")
    def read(pid: str):
        return {"participant_id": pid}

    if __name__ == "__main__":
        import uvicorn
        uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[4]), log_level="warning",
                    access_log=False)
    '''
)

LUA = textwrap.dedent(
    """
    local counter = 0
    local threads = {}
    local ids = {}
    local token = os.getenv("BENCH_TOKEN") or ""
    local mode = os.getenv("BENCH_MODE") or "write"
    for line in io.lines(os.getenv("BENCH_IDS")) do ids[#ids + 1] = line end

    function setup(thread)
      thread:set("id", #threads + 1)
      table.insert(threads, thread)
    end

    function init(args)
      math.randomseed(id * 7919)
    end

    request = function()
      counter = counter + 1
      local pid = ids[math.random(#ids)]
      local headers = {["Authorization"] = "Bearer " .. token}
      if mode == "read" then
        return wrk.format("GET", "/participants/" .. pid, headers)
      end
      if mode == "register" then
        return wrk.format("GET", "/cohorts/bench/register", headers)
      end
      headers["Content-Type"] = "application/json"
      headers["Idempotency-Key"] = "b" .. id .. "-" .. counter .. "-" .. os.time()
      local body = '{"type":"OutcomeReported","category":"speaking","detail":"Spoke at a ' ..
        'trust board","source":"interview","occurred_on":"2024-05-01"}'
      return wrk.format("POST", "/participants/" .. pid .. "/events", headers, body)
    end

    done = function(summary, latency, requests)
      local errors = summary.errors
      io.write(string.format(
        'JSON{"requests":%d,"seconds":%f,"p50":%f,"p95":%f,"p99":%f,' ..
        '"non2xx":%d,"connect":%d,"read":%d,"write":%d,"timeout":%d}\\n',
        summary.requests, summary.duration / 1e6,
        latency:percentile(50) / 1000, latency:percentile(95) / 1000,
        latency:percentile(99) / 1000, errors.status, errors.connect, errors.read,
        errors.write, errors.timeout))
    end
    """
)


@dataclass
class Cell:
    rps: float
    p50: float
    p95: float
    p99: float
    failed: int


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_healthy(url: str, process: subprocess.Popen[bytes], path: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"server exited with {process.returncode}")
        try:
            httpx.get(url + path, timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    raise SystemExit("server did not start")


def stop(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def prepare_ledger(folder: Path) -> tuple[dict[str, str], str, Path]:
    """A fresh SQLite ledger with one cohort and 1,000 participants, and a staff token."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JOURNEY", "PERSISTENCE"))}
    env.update(JOURNEY_DATA_DIR=str(folder / "data"), PYTHONPATH=str(ROOT / "src"))
    script = textwrap.dedent(
        f"""
        from datetime import date, timedelta
        from api.compose import build_services
        from api.settings import Settings
        from api.auth import TokenStore
        from journey.catalogue import install_catalogue
        from journey.state import PersonalDetails
        s = build_services(Settings())
        install_catalogue(s.ledger, actor="bench")
        days = [date(2024, 1, 8) + timedelta(weeks=i) for i in range(12)]
        s.ledger.schedule_cohort(cohort_id="bench", programme_id="voices-together",
            location="Loopback", session_dates=days, trainers=["t"], actor="bench")
        ids = []
        with s.ledger.staged() as staging:
            for n in range({PARTICIPANTS}):
                ids.append(str(s.ledger.enrol(cohort_id="bench", enrolled_on=date(2024, 1, 2),
                    details=PersonalDetails(name=f"Bench {{n}}"), actor="bench").aggregate_id))
        s.ledger.write(staging)
        s.runner.catch_up()
        tokens = TokenStore(s.engine)
        tokens.setup()
        print(tokens.create(role="staff", subject="bench").token)
        open("{folder / "ids.txt"}", "w").write("\\n".join(ids) + "\\n")
        s.close()
        """
    )
    done = subprocess.run(
        [PYTHON, "-c", script], env=env, capture_output=True, text=True, check=True
    )
    return env, done.stdout.strip().splitlines()[-1], folder / "ids.txt"


def run_wrk(url: str, clients: int, seconds: float, env: dict[str, str], lua: Path) -> Cell:
    threads = 1 if clients == 1 else 2
    base = ["wrk", "-t", str(threads), "-c", str(clients), "-s", str(lua), "--timeout", "10s"]
    subprocess.run([*base, "-d", "1s", url], env=env, capture_output=True, check=True)  # warm
    done = subprocess.run(
        [*base, "-d", f"{max(1, round(seconds))}s", url],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    line = next(x for x in done.stdout.splitlines() if x.startswith("JSON"))
    data = json.loads(line[4:])
    failed = data["non2xx"] + data["connect"] + data["read"] + data["write"] + data["timeout"]
    return Cell(data["requests"] / data["seconds"], data["p50"], data["p95"], data["p99"], failed)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clients", default="1,10,16,50,64")
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--no-write", action="store_true", help="print only; leave the docs alone")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed: apt-get install wrk (Debian), or brew install wrk")
    clients = [int(c) for c in args.clients.split(",")]

    folder = Path(tempfile.mkdtemp())
    (folder / "bases.py").write_text(BASES)
    lua = folder / "load.lua"
    lua.write_text(LUA)
    env, token, ids = prepare_ledger(folder)
    wrk_env = {**os.environ, "BENCH_TOKEN": token, "BENCH_IDS": str(ids)}
    results: dict[tuple[str, str, int], Cell] = {}

    def measure(name: str, command: list[str], run_env: dict[str, str], modes: list[str]) -> None:
        port = free_port()
        process = subprocess.Popen(
            [*command, "--port", str(port)],
            env=run_env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            wait_healthy(url, process, "/health" if name.startswith("ledger") else "/docs")
            for mode in modes:
                for n in clients:
                    cell = run_wrk(url, n, args.seconds, {**wrk_env, "BENCH_MODE": mode}, lua)
                    results[(name, mode, n)] = cell
                    print(
                        f"{name:10} {mode:5} {n:3} clients: {cell.rps:8,.0f} req/s  p50 "
                        f"{cell.p50:6.1f}  p95 {cell.p95:6.1f}  p99 {cell.p99:6.1f} ms"
                        f"  failed {cell.failed}",
                        flush=True,
                    )
        finally:
            stop(process)

    base_env = {**os.environ, "PYTHONPATH": str(folder)}
    for kind in ("trivial", "naive"):
        command = [PYTHON, str(folder / "bases.py"), kind, str(folder / f"{kind}.db")]
        measure(kind, command, base_env, ["write", "read"] if kind == "trivial" else ["write"])
    serve = [JOURNEY, "serve", "--host", "127.0.0.1"]
    measure("ledger", serve, env, ["write", "read", "register"])
    measure("ledger-2w", [*serve, "--workers", "2"], env, ["write"])

    def row(name: str, mode: str, label: str) -> str:
        cells = [results.get((name, mode, n)) for n in clients]
        parts = [
            f"{c.rps:,.0f} / {c.p50:.1f} / {c.p95:.1f} / {c.p99:.1f}"
            + (f" ({c.failed} failed)" if c.failed else "")
            if c
            else "-"
            for c in cells
        ]
        return f"| {label} | " + " | ".join(parts) + " |"

    header = "| server, request | " + " | ".join(f"{n} clients" for n in clients) + " |"
    lines = [
        header,
        "|---" * (len(clients) + 1) + "|",
        row("trivial", "write", "trivial FastAPI POST (constant answer)"),
        row("naive", "write", "naive FastAPI POST: one SQLite row, FULL, per request"),
        row("ledger", "write", "ledger: record an event (1 worker)"),
        row("ledger-2w", "write", "ledger: record an event (2 workers)"),
        row("trivial", "read", "trivial FastAPI GET"),
        row("ledger", "read", "ledger: read a participant (1 worker)"),
        row("ledger", "register", "ledger: a cohort's register, 1,000 rows (1 worker)"),
    ]
    verdicts = []
    if 16 in clients:
        ledger, naive = results[("ledger", "write", 16)], results[("naive", "write", 16)]
        two = results[("ledger-2w", "write", 16)]
        verdicts.append(
            f"- writes at 16 clients: {ledger.rps / naive.rps:.2f}x the naive endpoint "
            f"(target >= 1.0x), p99 {ledger.p99:.0f} ms (target <= 60 ms); two workers "
            f"{two.rps / ledger.rps:.2f}x the throughput of one, p99 {two.p99:.0f} ms"
        )
    if 64 in clients:
        ledger, trivial = results[("ledger", "write", 64)], results[("trivial", "write", 64)]
        verdicts.append(
            f"- writes at 64 clients: p99 {ledger.p99:.0f} ms = {ledger.p99 / trivial.p99:.2f}x "
            "the trivial endpoint's (target <= 1.5x)"
        )
    body = (
        f"Loopback, wrk 4 (closed loop, N connections), {args.seconds:.0f} s per cell after a 1 s "
        f"warm-up; uvicorn, one worker unless said; the ledger on SQLite (WAL, FULL) with "
        f"{PARTICIPANTS:,} participants, writes spread over them, each with its own "
        "Idempotency-Key. Each cell: requests per second / p50 / p95 / p99 latency (ms).\n\n"
        + "\n".join(lines)
        + "\n\n"
        + "\n".join(verdicts)
        + "\n"
    )
    print(body)
    if not args.no_write:
        write_section("api-load", "The API under load", body)


if __name__ == "__main__":
    main()
