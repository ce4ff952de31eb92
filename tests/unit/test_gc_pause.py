"""journey.gc_pause: the cyclic collector is off while any pause holds, back on after the
last (unless it was off before), and what became garbage meanwhile is collected then."""

from __future__ import annotations

import gc
import weakref

from journey.gc_pause import gc_paused


class _Node:
    def __init__(self) -> None:
        self.me = self  # a cycle: only the cyclic collector frees it


def test_paused_inside_nested_pauses_and_resumed_after_the_last() -> None:
    assert gc.isenabled()
    with gc_paused():
        assert not gc.isenabled()
        with gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the outer pause still holds
    assert gc.isenabled()


def test_cycles_made_while_paused_are_collected_at_the_end() -> None:
    with gc_paused():
        node = _Node()
        gone = weakref.ref(node)
        del node
        assert gone() is not None  # nothing collects the cycle meanwhile
    assert gone() is None


def test_a_collector_switched_off_before_stays_off() -> None:
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
