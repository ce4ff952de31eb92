"""Pausing Python's cyclic garbage collector during bulk work.

A rebuild or an import creates millions of short-lived objects (decoded events, rows, dicts)
that reference counting frees as it goes; none of them form cycles. The cyclic collector
still runs every few hundred allocations and walks the ever larger heap of live objects:
measured, a quarter of a rebuild's time. While :func:`gc_paused` holds, it does not run; at
the end it is switched back on (unless it was off already, or another pause still holds)
and collects once.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["gc_paused"]

_lock = threading.Lock()
_holders = 0
_was_enabled = False


@contextmanager
def gc_paused() -> Iterator[None]:
    global _holders, _was_enabled
    with _lock:
        if _holders == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _holders += 1
    try:
        yield
    finally:
        with _lock:
            _holders -= 1
            resume = _holders == 0 and _was_enabled
            if resume:
                gc.enable()
        if resume:
            gc.collect()
