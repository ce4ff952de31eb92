"""Helpers of the HTTP tests: bodies, a client that remembers what it saw, and a driver."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.app import create_app
from api.auth import ROLES, TokenStore
from api.settings import Settings

__all__ = [
    "COHORT",
    "EVENT_BODIES",
    "OBSERVED",
    "PROGRAMME",
    "TODAY",
    "TODAY_ISO",
    "Api",
    "Course",
    "RecordingClient",
    "route_of",
    "running_api",
    "settings_for",
]

TODAY = date(2024, 6, 1)
TODAY_ISO = TODAY.isoformat()
SESSION_DATES = ["2024-01-03", "2024-01-10", "2024-01-17"]

PROGRAMME: dict[str, Any] = {
    "programme_id": "vt",
    "name": "Voices Together",
    "session_count": 3,
    "attendance_threshold": 2,
    "accreditation": {
        "awarding_body": "Middlesex University",
        "credits": 30,
        "level": 4,
        "essay_formats": ["written", "oral"],
        "max_attempts": 2,
    },
}
COHORT: dict[str, Any] = {
    "cohort_id": "c1",
    "programme_id": "vt",
    "location": "Grays",
    "session_dates": SESSION_DATES,
    "trainers": ["trainer-1"],
}

# One valid body per event type (valid in shape; whether a rule allows it depends on state).
EVENT_BODIES: dict[str, dict[str, Any]] = {
    "Enrolled": {"type": "Enrolled", "cohort_id": "c2", "occurred_on": "2024-05-01"},
    "SessionAttended": {"type": "SessionAttended", "cohort_id": "c1", "session": 1},
    "SessionMissed": {"type": "SessionMissed", "cohort_id": "c1", "session": 2, "reason": "ill"},
    "AccreditationChosen": {"type": "AccreditationChosen", "cohort_id": "c1"},
    "AccreditationDeclined": {"type": "AccreditationDeclined", "cohort_id": "c1"},
    "LogSubmitted": {"type": "LogSubmitted", "cohort_id": "c1", "attempt": 1},
    "EssaySubmitted": {
        "type": "EssaySubmitted",
        "cohort_id": "c1",
        "attempt": 1,
        "format": "oral",
    },
    "Marked": {
        "type": "Marked",
        "cohort_id": "c1",
        "attempt": 1,
        "stage": "first",
        "result": "pass",
        "feedback": "Clear and reflective.",
    },
    "Moderated": {
        "type": "Moderated",
        "cohort_id": "c1",
        "attempt": 1,
        "stage": "internal",
        "result": "pass",
    },
    "CertificateIssued": {"type": "CertificateIssued", "cohort_id": "c1", "kind": "attendance"},
    "Withdrawn": {"type": "Withdrawn", "cohort_id": "c1", "reason": "moved away"},
    "OutcomeReported": {
        "type": "OutcomeReported",
        "category": "chair",
        "detail": "Chairs the service-user forum.",
        "source": "interview",
        "occurred_on": "2024-05-20",
    },
    "FollowUpCompleted": {
        "type": "FollowUpCompleted",
        "method": "telephone_interview",
        "occurred_on": "2024-05-20",
    },
    "FeedbackRecorded": {"type": "FeedbackRecorded", "quote": "It gave me my voice back."},
    "WellbeingMeasured": {
        "type": "WellbeingMeasured",
        "scale": "WEMWBS",
        "score": 50,
        "timepoint": "baseline",
        "occurred_on": "2024-01-03",
    },
    # Version 1 is the registration: corrected by staff (it can be amended, not retracted).
    "EventRetracted": {"type": "EventRetracted", "corrects": 1, "reason": "recorded in error"},
    "EventAmended": {
        "type": "EventAmended",
        "corrects": 1,
        "changes": {"name": "Anne Example"},
        "reason": "misspelt on the form",
    },
}

# (method, route template) -> every status the HTTP tests saw it answer.
OBSERVED: defaultdict[tuple[str, str], set[int]] = defaultdict(set)


def _routes(app: FastAPI) -> list[tuple[re.Pattern[str], str]]:
    # From the OpenAPI paths: routers included into the app are not plain APIRoutes in
    # app.routes on every FastAPI release.
    return [
        (re.compile("^" + re.sub(r"\{[^/}]+\}", "[^/]+", path) + "$"), path)
        for path in app.openapi()["paths"]
    ]


def route_of(app: FastAPI, path: str) -> str | None:
    for pattern, template in _routes(app):
        if pattern.match(path):
            return template
    return None


class RecordingClient(TestClient):
    """A TestClient that notes the status of every answer against its route template."""

    def request(  # type: ignore[override]
        self, method: str, url: Any, **kwargs: Any
    ) -> httpx.Response:
        response = super().request(method, url, **kwargs)
        template = route_of(self.app, httpx.URL(str(url)).path)  # type: ignore[arg-type]
        if template is not None:
            OBSERVED[(method.lower(), template)].add(response.status_code)
        return response


@dataclass(frozen=True)
class Course:
    programme_id: str
    cohort_id: str
    participant_id: str


@dataclass
class Api:
    """The client with a token for every role, made on first use: ``staff``, ``marker``, ...,
    ``admin`` (subjects ``<role>-1``), and second ones ``staff2``, ``marker2``,
    ``moderator2`` (subjects ``<role>-2``)."""

    client: TestClient
    store: TokenStore
    tokens: dict[str, str] = field(default_factory=dict)

    def token(self, who: str) -> str:
        if who not in self.tokens:
            role = who.rstrip("2")
            assert role in ROLES, f"no token named {who!r}; add it with add_token"
            self.add_token(who, role, f"{role}-{'2' if who.endswith('2') else '1'}")
        return self.tokens[who]

    def add_token(self, name: str, role: Any, subject: str) -> str:
        issued = self.store.create(role=role, subject=subject)
        self.tokens[name] = issued.token
        return issued.token

    def auth(self, who: str, **headers: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(who)}", **headers}

    def post(self, path: str, body: Any, who: str, **headers: str) -> httpx.Response:
        return self.client.post(path, json=body, headers=self.auth(who, **headers))

    def get(self, path: str, who: str, **params: Any) -> httpx.Response:
        return self.client.get(path, params=params, headers=self.auth(who))

    def event(
        self, pid: str, body: dict[str, Any], who: str = "staff", **headers: str
    ) -> httpx.Response:
        return self.post(f"/participants/{pid}/events", body, who, **headers)

    def ok_event(self, pid: str, body: dict[str, Any], who: str = "staff") -> int:
        response = self.event(pid, body, who)
        assert response.status_code == 201, response.text
        version: int = response.json()["version"]
        return version

    def enrol(self, cohort_id: str = "c1", **extra: Any) -> str:
        body = {"cohort_id": cohort_id, "enrolled_on": "2024-01-01", "name": "Ann Example"}
        response = self.post("/participants", {**body, **extra}, "staff")
        assert response.status_code == 201, response.text
        pid: str = response.json()["participant_id"]
        return pid

    def course(self, *, programme: dict[str, Any] | None = None) -> Course:
        """A programme (accredited), a cohort of three days and one enrolled participant."""
        programme = programme or PROGRAMME
        response = self.post("/programmes", programme, "admin")
        assert response.status_code == 201, response.text
        cohort = {**COHORT, "programme_id": programme["programme_id"]}
        response = self.post("/cohorts", cohort, "admin")
        assert response.status_code == 201, response.text
        return Course(programme["programme_id"], cohort["cohort_id"], self.enrol())

    def submitted(self, pid: str, cohort_id: str = "c1") -> None:
        """Attend two days, choose accreditation and submit attempt 1 (log and oral essay)."""
        for body in (
            {"type": "SessionAttended", "cohort_id": cohort_id, "session": 1},
            {"type": "SessionAttended", "cohort_id": cohort_id, "session": 2},
            {"type": "AccreditationChosen", "cohort_id": cohort_id, "occurred_on": "2024-01-20"},
            {
                "type": "LogSubmitted",
                "cohort_id": cohort_id,
                "attempt": 1,
                "occurred_on": "2024-02-01",
            },
            {
                "type": "EssaySubmitted",
                "cohort_id": cohort_id,
                "attempt": 1,
                "format": "oral",
                "occurred_on": "2024-02-01",
            },
        ):
            self.ok_event(pid, body)

    @staticmethod
    def mark(stage: str, result: str = "pass", feedback: str = "Good work.") -> dict[str, Any]:
        return {
            "type": "Marked",
            "cohort_id": "c1",
            "attempt": 1,
            "stage": stage,
            "result": result,
            "feedback": feedback,
            "occurred_on": "2024-03-01",
        }

    @staticmethod
    def moderation(stage: str, result: str = "pass") -> dict[str, Any]:
        return {
            "type": "Moderated",
            "cohort_id": "c1",
            "attempt": 1,
            "stage": stage,
            "result": result,
            "occurred_on": "2024-03-05",
        }


def settings_for(data_dir: Path) -> Settings:
    """Every store setting given explicitly, so no JOURNEY_* variable can change it."""
    url = f"sqlite:///{data_dir / 'journey.db'}"
    return Settings(
        data_dir=data_dir,
        database_url=url,
        views_url=url,
        research_secret="a study secret for the API tests",
    )


@contextmanager
def running_api(data_dir: Path, **client_options: bool) -> Iterator[Api]:
    """An app on a SQLite ledger in ``data_dir`` with the fixed clock, started, with tokens."""
    app = create_app(settings_for(data_dir), clock=lambda: TODAY)
    with RecordingClient(app, **client_options) as client:
        yield Api(client, TokenStore(app.state.services.engine))
