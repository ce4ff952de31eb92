"""Writes a benchmark's figures into its own section of docs/benchmarks.md.

Each section sits between ``<!-- bench:NAME -->`` and ``<!-- /bench:NAME -->`` and is replaced
whole by the next run, with the machine, the date and the command that produced it.
"""

from __future__ import annotations

import os
import platform
import re
import sys
from datetime import UTC, datetime
from pathlib import Path

DOC = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"
HEADER = """# Benchmarks

Every figure here was produced by a script in `bench/`, with the raw database's own figure for
the same work measured in the same run beside it, so that the ratio holds on a noisy machine.
Regenerate a section with the command shown under it, or all of them with `scripts/bench`.
"""


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores ({cpu}), "
        f"Python {platform.python_version()}"
    )


def write_section(name: str, title: str, body: str) -> None:
    command = "python " + " ".join([os.path.relpath(sys.argv[0]), *sys.argv[1:]])
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    section = (
        f"<!-- bench:{name} -->\n## {title}\n\n{body.rstrip()}\n\n"
        f"Machine: {machine()}. Run: {stamp}. Command: `{command}`\n<!-- /bench:{name} -->"
    )
    DOC.parent.mkdir(parents=True, exist_ok=True)
    text = DOC.read_text() if DOC.exists() else HEADER
    pattern = re.compile(
        rf"<!-- bench:{re.escape(name)} -->.*?<!-- /bench:{re.escape(name)} -->", re.S
    )
    text = (
        pattern.sub(lambda _: section, text)
        if pattern.search(text)
        else text.rstrip() + "\n\n" + section + "\n"
    )
    DOC.write_text(text)
    print(f"wrote section {name!r} of {DOC}")
