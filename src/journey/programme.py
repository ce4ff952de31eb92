"""Programmes and cohorts: the courses participants enrol on.

A programme defines a course (its training days, themes, attendance threshold and optional
accreditation); a cohort is one run of a programme at a place, with dated training days and its
trainers. Both are data: nothing about a particular programme is written in code.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import date
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from journey.aggregate import LedgerAggregate
from journey.errors import InvalidValue
from journey.values import MAX_ID, Accreditation, CohortPlan, ProgrammeTerms, require_text

__all__ = ["Cohort", "Programme"]


def _natural_id(kind: str, key: str) -> UUID:
    return uuid5(NAMESPACE_URL, f"journey-ledger:{kind}:{key}")


class Programme(LedgerAggregate):
    """A course definition. Its id derives from ``programme_id``, so the store refuses a
    second programme with the same id (no check-then-act race)."""

    class Defined(LedgerAggregate.Created):
        programme_id: str
        name: str
        session_count: int
        attendance_threshold: int
        themes: tuple[str, ...]
        accreditation: Accreditation | None
        # How long personal fields are kept after a participant's last event (None: no
        # limit). Absent from programmes defined before it existed, which read None.
        retention_months: int | None = None

        def apply(self, aggregate: Any) -> None:
            assert isinstance(aggregate, Programme)
            aggregate.retention_months = self.retention_months
            aggregate.programme_id = self.programme_id
            aggregate.name = self.name
            aggregate.session_count = self.session_count
            aggregate.attendance_threshold = self.attendance_threshold
            aggregate.themes = tuple(self.themes)
            aggregate.accreditation = self.accreditation

    programme_id: str
    name: str
    session_count: int
    attendance_threshold: int
    themes: tuple[str, ...]
    accreditation: Accreditation | None
    retention_months: int | None

    @staticmethod
    def id_for(programme_id: str) -> UUID:
        return _natural_id("programme", programme_id)

    @classmethod
    def define(
        cls,
        *,
        programme_id: str,
        name: str,
        session_count: int,
        attendance_threshold: int,
        themes: Sequence[str] = (),
        accreditation: Accreditation | None,
        retention_months: int | None = None,
        recorded_by: str,
    ) -> Programme:
        programme_id = require_text("programme_id", programme_id, max_length=MAX_ID)
        name = require_text("name", name, max_length=200)
        if not 1 <= session_count <= 100:
            raise InvalidValue("session_count", "must be between 1 and 100")
        if not 0 <= attendance_threshold <= session_count:
            raise InvalidValue(
                "attendance_threshold", f"must be between 0 and session_count ({session_count})"
            )
        clean_themes = tuple(require_text("themes", t, max_length=200) for t in themes)
        if retention_months is not None and not 1 <= retention_months <= 1200:
            raise InvalidValue("retention_months", "must be between 1 and 1200 (100 years)")
        return cls._create(
            cls.Defined,
            id=cls.id_for(programme_id),
            recorded_by=recorded_by,
            programme_id=programme_id,
            name=name,
            session_count=session_count,
            attendance_threshold=attendance_threshold,
            themes=clean_themes,
            accreditation=accreditation,
            retention_months=retention_months,
        )

    @property
    def terms(self) -> ProgrammeTerms:
        return ProgrammeTerms(
            programme_id=self.programme_id,
            session_count=self.session_count,
            attendance_threshold=self.attendance_threshold,
            accreditation=self.accreditation,
        )


class Cohort(LedgerAggregate):
    """One run of a programme. Its id derives from ``cohort_id``."""

    class Scheduled(LedgerAggregate.Created):
        cohort_id: str
        programme_id: str
        location: str
        session_dates: tuple[date, ...]
        trainers: tuple[str, ...]

        def apply(self, aggregate: Any) -> None:
            assert isinstance(aggregate, Cohort)
            aggregate.cohort_id = self.cohort_id
            aggregate.programme_id = self.programme_id
            aggregate.location = self.location
            aggregate.session_dates = tuple(self.session_dates)
            aggregate.trainers = tuple(self.trainers)

    cohort_id: str
    programme_id: str
    location: str
    session_dates: tuple[date, ...]
    trainers: tuple[str, ...]

    @staticmethod
    def id_for(cohort_id: str) -> UUID:
        return _natural_id("cohort", cohort_id)

    @classmethod
    def schedule(
        cls,
        *,
        cohort_id: str,
        programme: Programme,
        location: str,
        session_dates: Sequence[date],
        trainers: Sequence[str],
        recorded_by: str,
    ) -> Cohort:
        cohort_id = require_text("cohort_id", cohort_id, max_length=MAX_ID)
        location = require_text("location", location, max_length=200)
        dates = tuple(session_dates)
        if len(dates) != programme.session_count:
            raise InvalidValue(
                "session_dates",
                f"programme {programme.programme_id!r} has {programme.session_count} training "
                f"days; {len(dates)} dates were given",
            )
        if any(later <= earlier for earlier, later in itertools.pairwise(dates)):
            raise InvalidValue("session_dates", "must be distinct and in order")
        names = tuple(require_text("trainers", t, max_length=MAX_ID) for t in trainers)
        if not names:
            raise InvalidValue("trainers", "a cohort needs at least one trainer")
        if len(set(names)) != len(names):
            raise InvalidValue("trainers", "must not repeat a trainer")
        return cls._create(
            cls.Scheduled,
            id=cls.id_for(cohort_id),
            recorded_by=recorded_by,
            cohort_id=cohort_id,
            programme_id=programme.programme_id,
            location=location,
            session_dates=dates,
            trainers=names,
        )

    def plan(self, programme: Programme) -> CohortPlan:
        return CohortPlan(
            cohort_id=self.cohort_id,
            programme=programme.terms,
            session_dates=self.session_dates,
            trainers=self.trainers,
        )
