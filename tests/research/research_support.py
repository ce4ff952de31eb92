"""A small cohort whose research figures are known by hand, seeded with canaries: names,
contact details and free-text phrases that must never leave the ledger for researchers.

Cohort ``vt-alpha-2022`` (Voices Together, last training day 23 March 2022), twelve people:

- 0-5 White British, 6-9 Black British, 10 a free-text ethnicity (a canary), 11 none given;
- 0-3 pass, 4 is referred (final), 5-7 decline, 8-10 stay undecided, 11 withdraws;
- follow-up contacts: 0-7 at 7 months after the course, 0-3 again at 14 months;
- outcomes: 0 chair from 3 months, ended at 10; 1 speaking from 5; 2 employment from 12;
  8 volunteering from 2 (and never contacted);
- WEMWBS: everyone at baseline (40 + i); 0-9 at the end (+5, but 9 only +1); 0-3 at follow-up.
"""

from __future__ import annotations

from datetime import date, timedelta
from uuid import UUID, uuid5

from journey.application import JourneyLedger
from journey.catalogue import install_catalogue
from journey.state import PersonalDetails

TODAY = date(2024, 6, 1)
COHORT = "vt-alpha-2022"
PROGRAMME = "voices-together"
DAYS = tuple(date(2022, 1, 5) + timedelta(weeks=i) for i in range(12))
END = DAYS[-1]  # 2022-03-23
NAMESPACE = UUID("0c1a2b3c-4d5e-5f60-8a7b-9c0d1e2f3a4b")

CANARY_TEXTS = (
    "Zebediah",
    "Canarysmith",
    "canary-mail",
    "07700 900",
    "Quollish",  # a free-text ethnicity
    "missed for a canary reason",
    "withdrew for a canary reason",
    "canary detail of an outcome",
    "canary words in a quote",
    "canary marking feedback",
    "Spoke at the Canary Wharf AGM",
)


def person(i: int) -> UUID:
    return uuid5(NAMESPACE, f"person-{i}")


def months_after(day: date, months: int) -> date:
    month = day.month - 1 + months
    return day.replace(year=day.year + month // 12, month=month % 12 + 1)


def _details(i: int) -> PersonalDetails:
    ethnicity = (
        "White British"
        if i <= 5
        else "Black British"
        if i <= 9
        else "Quollish"
        if i == 10
        else None
    )
    return PersonalDetails(
        name=f"Zebediah Canarysmith{i}",
        email=f"z{i}@canary-mail.example",
        phone=f"07700 900{i:03d}",
        ethnicity=ethnicity,
        gender="Female" if i % 2 else "Male",
        age_band="35-44",
        disability="No",
    )


def seed(ledger: JourneyLedger) -> list[UUID]:
    install_catalogue(ledger, actor="admin")
    ledger.schedule_cohort(
        cohort_id=COHORT,
        programme_id=PROGRAMME,
        location="Canaryton",
        session_dates=DAYS,
        trainers=["trainer-a", "trainer-b"],
        actor="admin",
    )
    ids = []
    for i in range(12):
        pid = person(i)
        ids.append(pid)
        ledger.enrol(
            cohort_id=COHORT,
            enrolled_on=date(2021, 12, 1),
            details=_details(i),
            actor="staff",
            participant_id=pid,
        )
        _course(ledger, i, pid)
        _after(ledger, i, pid)
    return ids


def _course(ledger: JourneyLedger, i: int, pid: UUID) -> None:
    c = COHORT
    ledger.measure_wellbeing(
        participant_id=pid, scale="WEMWBS", score=40 + i, timepoint="baseline",
        occurred_on=DAYS[0], actor="staff",
    )  # fmt: skip
    for n in range(1, 12):
        missed = n == 11
        ledger.record_session(
            participant_id=pid, cohort_id=c, session=n, status="missed" if missed else "attended",
            reason="missed for a canary reason" if missed else None, actor="trainer-a",
        )  # fmt: skip
    if i <= 4:
        ledger.decide_accreditation(
            participant_id=pid, cohort_id=c, choose=True, occurred_on=DAYS[2], actor="staff"
        )
        result = "pass" if i <= 3 else "refer"
        on = date(2022, 4, 10)
        ledger.submit_log(participant_id=pid, cohort_id=c, attempt=1, occurred_on=on, actor="s")
        ledger.submit_essay(
            participant_id=pid, cohort_id=c, attempt=1, essay_format="written", occurred_on=on,
            actor="staff",
        )  # fmt: skip
        for stage, marker, day in (("first", "m1", 20), ("second", "m2", 25)):
            ledger.record_mark(
                participant_id=pid, cohort_id=c, attempt=1, stage=stage, result=result,
                feedback="canary marking feedback", occurred_on=date(2022, 4, day), actor=marker,
            )  # fmt: skip
        for stage, moderator, day in (
            ("internal", "mod-i", date(2022, 5, 5)),
            ("external", "mod-e", date(2022, 5, 20)),
        ):
            ledger.record_moderation(
                participant_id=pid, cohort_id=c, attempt=1, stage=stage, result=result,
                occurred_on=day, actor=moderator,
            )  # fmt: skip
    elif i <= 7:
        ledger.decide_accreditation(
            participant_id=pid, cohort_id=c, choose=False, occurred_on=DAYS[2], actor="staff"
        )
    if i <= 9:
        score = 40 + i + (1 if i == 9 else 5)
        ledger.measure_wellbeing(
            participant_id=pid, scale="WEMWBS", score=score, timepoint="end", occurred_on=END,
            actor="staff",
        )  # fmt: skip
    if i == 11:
        ledger.withdraw(
            participant_id=pid, cohort_id=c, occurred_on=DAYS[10] + timedelta(days=1),
            reason="withdrew for a canary reason", actor="staff",
        )  # fmt: skip


def _after(ledger: JourneyLedger, i: int, pid: UUID) -> None:
    outcomes = {
        0: ("chair", 3, 10),
        1: ("speaking", 5, None),
        2: ("employment", 12, None),
        8: ("volunteering", 2, None),
    }
    if i in outcomes:
        category, start, end = outcomes[i]
        ledger.report_outcome(
            participant_id=pid, category=category,  # type: ignore[arg-type]
            detail="Spoke at the Canary Wharf AGM" if i == 1 else "canary detail of an outcome",
            source="interview", occurred_on=months_after(END, start),
            ended_on=months_after(END, end) if end else None, actor="staff",
        )  # fmt: skip
    contacts = (7, 14) if i <= 3 else (7,) if i <= 7 else ()
    for months in contacts:
        ledger.complete_follow_up(
            participant_id=pid, method="telephone_interview",
            occurred_on=months_after(END, months), actor="interviewer",
        )  # fmt: skip
    if i <= 3:
        ledger.record_feedback(
            participant_id=pid, quote="canary words in a quote", category="confidence",
            cohort_id=COHORT, occurred_on=months_after(END, 7), actor="interviewer",
        )  # fmt: skip
        ledger.measure_wellbeing(
            participant_id=pid, scale="WEMWBS", score=50, timepoint="follow_up",
            occurred_on=months_after(END, 14), actor="interviewer",
        )  # fmt: skip
