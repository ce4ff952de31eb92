"""What the projection tests share: opening a ledger and its views, catching up in random
batches with restarts, and rebuilding into a separate database.

Imported by name (``from projection_support import ...``): pytest puts this folder on
``sys.path`` for its test modules (the folder has no ``__init__.py``, which would make it a
package named ``projections`` and hide the real one).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from datetime import date
from pathlib import Path

import pytest
from history_walk import TODAY, Chooser, HistoryWalk, SeededChooser, chance, pick
from sqlalchemy import Engine
from view_snapshots import Scope, assert_same, snapshot

from journey.application import JourneyLedger
from journey.persistence import store_env
from projections import runner as runner_module
from projections.database import views_engine
from projections.runner import ProjectionRunner

__all__ = [
    "ENV_PREFIXES",
    "LIBRARY_KEYS",
    "RandomCatchUp",
    "assert_equal_views",
    "clean_env",
    "ledger_on",
    "rebuild_batches",
    "rebuilt_elsewhere",
    "scratch",
    "sqlite_url",
    "views_on",
    "walk_and_follow",
]

# The keys tests/conftest.py cleans, and the library's own keys it does not yet clean (see
# tests/integration/conftest.py): a stray one in the shell would change the store used.
ENV_PREFIXES = ("JOURNEY", "PERSISTENCE_MODULE", "SQLITE_", "POSTGRES_", "CIPHER_", "COMPRESSOR_")
LIBRARY_KEYS = (
    "IS_SNAPSHOTTING_ENABLED",
    "AGGREGATE_CACHE_",
    "DEEPCOPY_FROM_AGGREGATE_CACHE",
    "CREATE_TABLE",
    "TRANSCODER_TOPIC",
    "MAPPER_TOPIC",
    "ORIGINATOR_ID_TYPE",
    "SINGLE_ROW_TRACKING",
    "APPLICATION_RECORDER_TOPIC",
    "TRACKING_RECORDER_TOPIC",
    "PROCESS_RECORDER_TOPIC",
    "INFRASTRUCTURE_FACTORY",
    "FACTORY_TOPIC",
)


def clean_env(**extra: str) -> dict[str, str]:
    """os.environ without any store or library setting, plus ``extra`` (for subprocesses)."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(ENV_PREFIXES + LIBRARY_KEYS) and not k.endswith("_PERSISTENCE_MODULE")
    }
    env.update(extra)
    return env


@contextmanager
def ledger_on(url: str, *, today: date = TODAY) -> Iterator[JourneyLedger]:
    ledger = JourneyLedger(store_env(url, prefix="JOURNEYLEDGER"), clock=lambda: today)
    try:
        yield ledger
    finally:
        ledger.close()


@contextmanager
def views_on(url: str) -> Iterator[Engine]:
    engine = views_engine(url)
    try:
        yield engine
    finally:
        engine.dispose()


def sqlite_url(directory: str | Path, name: str) -> str:
    return f"sqlite:///{Path(directory) / name}"


def scratch() -> tempfile.TemporaryDirectory[str]:
    """A temporary directory, in memory (/dev/shm) where there is one: SQLite's fsync on
    every commit costs milliseconds on a disk, and these tests commit thousands of times.
    Durability against power loss is not what they test; a killed process is."""
    shm = Path("/dev/shm")
    in_memory = shm.is_dir() and os.access(shm, os.W_OK)
    return tempfile.TemporaryDirectory(prefix="journey-views-", dir=shm if in_memory else None)


class RandomCatchUp:
    """Keeps ``engine``'s views up to date the way a worker does, with random interruptions:
    each :meth:`maybe` may catch up (all projections or only some), throw the runner away and
    start a NEW one (a restart) with another small page size, or rebuild one projection."""

    def __init__(
        self,
        ledger: JourneyLedger,
        engine: Engine,
        chooser: Chooser,
        *,
        max_page: int = 7,
        every: int = 15,
    ) -> None:
        self.ledger = ledger
        self.engine = engine
        self.chooser = chooser
        self.max_page = max_page
        self.every = every
        self.restarts = 0
        self.catch_ups = 0
        self.runner = self._start()

    def _start(self) -> ProjectionRunner:
        runner = ProjectionRunner(
            self.ledger, self.engine, page_size=self.chooser.integer(1, self.max_page)
        )
        runner.setup()
        return runner

    def maybe(self) -> None:
        if chance(self.chooser, self.every):
            self.now()

    def now(self) -> None:
        if chance(self.chooser, 30):
            self.runner = self._start()
            self.restarts += 1
        names = self.runner.names()
        self.catch_ups += 1
        if chance(self.chooser, 5):
            self.runner.rebuild([pick(self.chooser, names)])
        elif chance(self.chooser, 70):
            self.runner.catch_up()
        else:
            self.runner.catch_up([n for n in names if chance(self.chooser, 50)])

    def finish(self) -> None:
        self.runner.catch_up()
        assert self.runner.catch_up() == 0, "a second catch-up found more to read"
        head = self.ledger.recorder.max_notification_id() or 0
        assert {s.position for s in self.runner.status()} == {head}


@contextmanager
def rebuild_batches(page: int, commit_every: int) -> Iterator[None]:
    """Rebuild in pages of ``page`` events, committing every ``commit_every`` events.

    A rebuild reads pages of at least ``runner.REBUILD_PAGE_SIZE`` (5,000) events and commits
    every ``REBUILD_COMMIT_EVERY`` (50,000), whatever the runner's page size: the histories
    here would be one page and one commit. These tests shrink both, to rebuild across pages
    and commits (and to stop a rebuild between them)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(runner_module, "REBUILD_PAGE_SIZE", page, raising=False)
        patch.setattr(runner_module, "REBUILD_COMMIT_EVERY", commit_every, raising=False)
        yield


def rebuilt_elsewhere(
    ledger: JourneyLedger,
    url: str,
    scope: Scope,
    *,
    page: int | None = None,
    commit_every: int | None = None,
) -> dict[str, object]:
    """Every view of ``ledger`` rebuilt from scratch into the (empty) database at ``url``,
    in batches of the given sizes if any (see :func:`rebuild_batches`)."""
    batches = rebuild_batches(page, commit_every or page) if page else nullcontext()
    with views_on(url) as engine, batches:
        runner = ProjectionRunner(ledger, engine, page_size=page or 1000)
        runner.setup()
        runner.rebuild()
        return snapshot(engine, scope)


def walk_and_follow(
    ledger: JourneyLedger,
    engine: Engine,
    chooser: Chooser,
    *,
    steps: int,
    cohorts: int = 2,
    check: Callable[[HistoryWalk], None] | None = None,
    check_every: int = 25,
    staff_share: int = 0,
) -> tuple[HistoryWalk, RandomCatchUp]:
    """Write a random history of ``steps`` commands, catching up at random moments; if
    ``check`` is given, also call it every ``check_every`` steps (after catching up) and at
    the end. Checking draws nothing, so the history is the same with or without it. With
    ``staff_share``, that percentage of steps are staff-training commands."""
    walk = HistoryWalk(ledger, chooser, staff_share=staff_share)
    walk.set_up(cohorts=cohorts)
    # A seeded history's follower draws from its own generator, so that the walk's commands stay
    # the same when projections are added; hypothesis's data serves both (failures shrink).
    follows = chooser.fork() if isinstance(chooser, SeededChooser) else chooser
    follower = RandomCatchUp(ledger, engine, follows)
    for number in range(1, steps + 1):
        walk.step()
        follower.maybe()
        if check is not None and number % check_every == 0:
            follower.runner.catch_up()
            check(walk)
    follower.finish()
    if check is not None:
        check(walk)
    return walk, follower


def assert_equal_views(
    actual: dict[str, object], expected: dict[str, object], walk: HistoryWalk, what: str
) -> None:
    """:func:`assert_same`, with the history that led there if they differ."""
    try:
        assert_same(actual, expected, context=what)
    except AssertionError as exc:
        history = "\n  ".join(walk.log)
        raise AssertionError(f"{exc}\nhistory ({len(walk.log)} commands):\n  {history}") from None
