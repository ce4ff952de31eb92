"""``journey verify``: recompute every seal and the log's digest, and name the first record
that does not match: which stream, which version, at which position, and what changed.

The records and their seals are read side by side in position order:

- a seal with no record at its position: the record was **removed**;
- a record with no seal: it was **inserted** (a forged record);
- a record at another record's position, or a version out of its stream's order: the records
  were **reordered**;
- a record whose content does not hash to its seal: it was **altered** (or, if the content
  hashes to the seal of another version of the same stream, **reordered**).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from eventsourcing.persistence import Notification

from journey.gc_pause import gc_paused
from journey.seals import GENESIS, SealRecord, chain, content_digest, stream_key

__all__ = ["Problem", "SealedLog", "Verification", "verify"]

Kind = Literal["altered", "removed", "inserted", "reordered"]


class FastSealedLog(Protocol):
    """What a store may offer to verify faster: the same facts as plain tuples, read with only
    the columns verification needs (no object per row, no timestamps parsed)."""

    def verification_records(
        self, start: int, limit: int, stop: int | None
    ) -> Sequence[tuple[int, str, int, str, bytes]]:
        """(position, stream, version, topic, state) after ``start``, up to ``stop``."""

    def verification_seals(self, start: int, limit: int) -> Sequence[tuple[int, str, int, bytes]]:
        """(position, stream, version, seal) after ``start``."""


class SealedLog(Protocol):
    """What a ledger store offers for verification."""

    def select_notifications(
        self,
        start: int | None,
        limit: int,
        stop: int | None = None,
        topics: Sequence[str] = (),
        *,
        inclusive_of_start: bool = True,
    ) -> Sequence[Notification]: ...

    def select_seals(self, start: int, limit: int) -> list[SealRecord]: ...

    def stream_seals(self, stream: str) -> dict[int, bytes]: ...


@dataclass(frozen=True)
class Problem:
    kind: Kind
    stream: str
    version: int
    position: int
    detail: str

    def __str__(self) -> str:
        return (
            f"{self.kind}: stream {self.stream} version {self.version} at position "
            f"{self.position}: {self.detail}"
        )


@dataclass(frozen=True)
class Verification:
    checked: int  # records whose seal was recomputed and matched
    position: int  # the last position verified
    root: bytes  # the log's digest up to ``position``
    problem: Problem | None
    checkpoint_root: bytes | None = None  # the digest at ``checkpoint``, if it was reached

    @property
    def ok(self) -> bool:
        return self.problem is None


def _pages(fetch: Callable[[int], Sequence[Any]], key: Callable[[Any], int]) -> Iterator[Any]:
    start = 0
    while True:
        page = fetch(start)
        if not page:
            return
        yield from page
        start = key(page[-1])


def verify(
    log: SealedLog,
    *,
    upto: int | None = None,
    checkpoint: int | None = None,
    page_size: int = 5000,
    progress: Callable[[int], None] | None = None,
) -> Verification:
    """Check every record up to position ``upto`` (default: all) against its seal; also
    give the log's digest as it stood at position ``checkpoint``.

    The cyclic garbage collector is paused meanwhile: the rows read are freed by reference
    counting, and its full passes over the growing heap made the cost per record grow with
    the log (measured: 5.6 µs at 10,000 records, 11.5 µs at 100,000; paused, flat)."""
    with gc_paused():
        return _verify(log, upto, checkpoint, page_size, progress)


def _verify(
    log: SealedLog,
    upto: int | None,
    checkpoint: int | None,
    page_size: int,
    progress: Callable[[int], None] | None,
) -> Verification:
    fast: FastSealedLog | None = log if hasattr(log, "verification_records") else None  # type: ignore[assignment]
    if fast is not None:  # plain tuples straight from the driver (see FastSealedLog)
        records: Iterator[Any] = _pages(
            lambda start: fast.verification_records(start, page_size, upto), lambda r: r[0]
        )
        all_seals: Iterator[Any] = _pages(
            lambda start: fast.verification_seals(start, page_size), lambda s: s[0]
        )
    else:
        records = (
            (int(n.id), stream_key(n.originator_id), n.originator_version, n.topic, n.state)
            for n in _pages(
                lambda start: log.select_notifications(
                    start=start, limit=page_size, stop=upto, inclusive_of_start=False
                ),
                lambda n: int(n.id),
            )
        )
        all_seals = (
            (s.position, s.originator_id, s.originator_version, s.seal)
            for s in _pages(lambda start: log.select_seals(start, page_size), lambda s: s.position)
        )
    seals = (s for s in all_seals if upto is None or s[0] <= upto)
    streams: dict[str, tuple[int, bytes]] = {}
    root, checked, position = GENESIS, 0, 0
    at_checkpoint: bytes | None = GENESIS if checkpoint == 0 else None
    # record: (position, stream, version, topic, state); seal: (position, stream, version, seal)
    record: tuple[int, str, int, str, bytes] | None = next(records, None)
    seal: tuple[int, str, int, bytes] | None = next(seals, None)

    def done(problem: Problem | None) -> Verification:
        return Verification(checked, position, root, problem, at_checkpoint)

    while record is not None or seal is not None:
        if record is None or (seal is not None and seal[0] < record[0]):
            assert seal is not None
            return done(
                Problem("removed", seal[1], seal[2], seal[0], "the record sealed here is missing")
            )
        at, stream, version, topic, state = record
        if seal is None or at < seal[0]:
            return done(
                Problem(
                    "inserted",
                    stream,
                    version,
                    at,
                    "this record has no seal: it was not written by the ledger",
                )
            )
        if stream != seal[1] or version != seal[2]:
            return done(
                Problem(
                    "reordered",
                    stream,
                    version,
                    at,
                    f"this position was sealed for stream {seal[1]} version {seal[2]}",
                )
            )
        last_version, last_seal = streams.get(stream, (0, GENESIS))
        if version != last_version + 1:
            kind: Kind = "removed" if version > last_version + 1 else "reordered"
            return done(
                Problem(
                    kind,
                    stream,
                    version,
                    at,
                    f"the stream's previous record is version {last_version}",
                )
            )
        sealed = seal[3]
        if chain(last_seal, content_digest(stream, version, topic, state)) != sealed:
            return done(_mismatch(log, stream, version, at, topic, state))
        streams[stream] = (version, sealed)
        root = chain(root, sealed)
        checked += 1
        position = at
        if position == checkpoint:
            at_checkpoint = root
        if progress is not None and checked % page_size == 0:
            progress(position)
        record, seal = next(records, None), next(seals, None)
    return done(None)


def _mismatch(
    log: SealedLog, stream: str, version: int, at: int, topic: str, state: bytes
) -> Problem:
    """Altered, unless the content is another version's of the same stream (reordered)."""
    sealed = log.stream_seals(stream)
    for other, other_seal in sealed.items():
        if other == version:
            continue
        moved = content_digest(stream, other, topic, state)
        if chain(sealed.get(other - 1, GENESIS), moved) == other_seal:
            return Problem(
                "reordered",
                stream,
                version,
                at,
                f"this record holds the content sealed as version {other}",
            )
    return Problem(
        "altered",
        stream,
        version,
        at,
        "the stored record does not match its seal (topic or state changed)",
    )
