"""The researcher's view through HTTP: canaries (names, contact details, free text, ledger ids)
seeded into the ledger appear in no byte of any researcher response (JSON, CSV, Parquet, the
dictionary, PNG and SVG); researchers get suppressed tables with receipts, staff exact ones;
without a study secret the dataset is refused, saying how to set one."""

from __future__ import annotations

import io
import struct
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.auth import TokenStore
from api.settings import Settings
from projections.equality import DIMENSIONS

from .research_support import CANARY_TEXTS, COHORT, PROGRAMME, TODAY, person, seed

SECRET = "a study secret for the HTTP tests"


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, dict[str, str]]]:
    data: Path = tmp_path_factory.mktemp("http-research")
    url = f"sqlite:///{data / 'journey.db'}"
    settings = Settings(
        data_dir=data, database_url=url, views_url=url, research_secret=SECRET,
        wellbeing_min_pairs=5,
    )  # fmt: skip
    app = create_app(settings, clock=lambda: TODAY, follow=False)
    with TestClient(app) as test_client:
        seed(app.state.services.ledger)
        tokens = TokenStore(app.state.services.engine)
        headers = {
            role: f"Bearer {tokens.create(role=role, subject=f'{role}-1').token}"
            for role in ("researcher", "staff", "auditor")
        }
        yield test_client, headers


def researcher_urls() -> list[str]:
    urls = []
    for table in ("participants", "timeline"):
        for fmt in ("json", "csv", "parquet"):
            urls.append(f"/research/{table}?format={fmt}")
            urls.append(f"/research/{table}?format={fmt}&cohort_id={COHORT}")
    urls += ["/research/dictionary", f"/research/dictionary?programme_id={PROGRAMME}"]
    for scope in ("", f"?cohort_id={COHORT}", f"?programme_id={PROGRAMME}"):
        urls += [f"/research/{view}{scope}" for view in
                 ("outcome-curves", "first-outcome", "funnel-by-group", "wellbeing")]  # fmt: skip
    urls += [f"/research/funnel-by-group?dimension={d}" for d in DIMENSIONS]
    for fmt in ("png", "svg"):
        urls += [
            f"/reports/plots/funnel?format={fmt}&cohort_id={COHORT}",
            f"/reports/plots/outcome-curves?format={fmt}&programme_id={PROGRAMME}",
            f"/reports/cohorts/{COHORT}/outcome-timeline?format={fmt}",
        ]
    return urls


def canaries() -> list[bytes]:
    ids = [person(i) for i in range(12)]
    found = [text.lower().encode() for text in CANARY_TEXTS]
    found += [str(pid).encode() for pid in ids] + [pid.hex.encode() for pid in ids]
    return found


def png_chunks(body: bytes) -> list[bytes]:
    assert body[:8] == b"\x89PNG\r\n\x1a\n"
    chunks, at = [], 8
    while at < len(body):
        (length,) = struct.unpack(">I", body[at : at + 4])
        chunks.append(body[at + 4 : at + 8])
        at += 12 + length
    return chunks


def readable_text(body: bytes, content_type: str) -> bytes:
    """What a reader of the response could see: the bytes, plus for Parquet every value and
    every metadata entry decoded (the pages are compressed)."""
    if "parquet" not in content_type:
        return body
    parquet = pq.ParquetFile(io.BytesIO(body))
    table = parquet.read()
    parts = [str(table.to_pylist()), str(parquet.metadata.metadata), str(table.schema)]
    return body + " ".join(parts).encode()


def test_no_canary_leaves_in_any_researcher_response(
    client: tuple[TestClient, dict[str, str]],
) -> None:
    test_client, headers = client
    seen: dict[str, int] = {}
    for url in researcher_urls():
        response = test_client.get(url, headers={"Authorization": headers["researcher"]})
        assert response.status_code == 200, (url, response.text)
        kind = response.headers["content-type"]
        text = readable_text(response.content, kind).lower()
        for canary in canaries():
            assert canary not in text, (url, canary)
        if kind.startswith("image/png"):
            assert set(png_chunks(response.content)) <= {b"IHDR", b"IDAT", b"IEND", b"pHYs"}
        if kind.startswith("image/svg"):
            assert b"<metadata" not in response.content  # no creator, date or title
            assert b"<text" in response.content  # text is kept as text, so searched above
        seen[kind.split(";")[0]] = seen.get(kind.split(";")[0], 0) + 1
    assert set(seen) == {
        "application/json", "text/csv", "application/vnd.apache.parquet", "text/markdown",
        "image/png", "image/svg+xml",
    }  # fmt: skip
    # The canaries are there to be found: staff reading the record do see them.
    staff = test_client.get(
        f"/participants/{person(1)}", headers={"Authorization": headers["staff"]}
    )
    assert b"canarysmith1" in staff.content.lower()


def test_researchers_are_refused_named_records(client: tuple[TestClient, dict[str, str]]) -> None:
    test_client, headers = client
    for url in (f"/participants/{person(1)}", "/reports/pass-rates", "/reports/outcomes"):
        response = test_client.get(url, headers={"Authorization": headers["researcher"]})
        assert response.status_code == 403, url
        assert str(person(1)).encode() not in response.content


def _table(client: TestClient, role: str, url: str) -> Any:
    response = client.get(url, headers={"Authorization": role})
    assert response.status_code == 200, response.text
    return response.json()


def test_researchers_get_suppressed_tables_staff_and_auditors_exact_ones(
    client: tuple[TestClient, dict[str, str]],
) -> None:
    test_client, headers = client
    url = f"/research/funnel-by-group?cohort_id={COHORT}"
    published = _table(test_client, headers["researcher"], url)
    assert published["receipt"]["rule_set"] == "standard"
    assert published["receipt"]["suppressed"] > 0
    counts = [v for row in published["rows"] for k, v in row.items()
              if k != "group" and "_of_" not in k]  # fmt: skip
    assert "*" in counts
    assert all(v == "*" or (v % 5 == 0 and not 1 <= v <= 7) for v in counts)
    for role in ("staff", "auditor"):
        exact = _table(test_client, headers[role], url)
        assert exact["receipt"]["rule_set"] == "exact"
        assert exact["receipt"]["suppressed"] == 0
        (everyone,) = [r for r in exact["rows"] if r["group"] == "All"]
        assert (everyone["enrolled"], everyone["passed"], everyone["referred"]) == (12, 4, 1)


def test_wellbeing_change_through_http(client: tuple[TestClient, dict[str, str]]) -> None:
    test_client, headers = client
    table = _table(test_client, headers["staff"], f"/research/wellbeing?cohort_id={COHORT}")
    (change,) = [r for r in table["rows"] if r["measure"] == "change baseline to end"]
    assert (change["pairs"], change["improved"], change["mean_change"]) == (10, 9, 4.6)
    (later,) = [r for r in table["rows"] if r["measure"] == "change baseline to follow_up"]
    assert "fewer than 5 paired responses" in later["refused"]


def test_an_unknown_scope_is_404(client: tuple[TestClient, dict[str, str]]) -> None:
    test_client, headers = client
    for url in ("/research/participants?cohort_id=nope", "/research/wellbeing?programme_id=nope",
                "/reports/cohorts/nope/outcome-timeline"):  # fmt: skip
        response = test_client.get(url, headers={"Authorization": headers["researcher"]})
        assert response.status_code == 404, (url, response.text)


def test_without_a_study_secret_the_dataset_is_refused_saying_how(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'journey.db'}"
    app = create_app(
        Settings(data_dir=tmp_path, database_url=url, views_url=url), clock=lambda: TODAY,
        follow=False,
    )  # fmt: skip
    with TestClient(app) as test_client:
        token = TokenStore(app.state.services.engine).create(role="researcher", subject="r")
        auth = {"Authorization": f"Bearer {token.token}"}
        refused = test_client.get("/research/participants", headers=auth)
        assert refused.status_code == 503
        assert refused.json()["code"] == "study-secret-missing"
        assert "JOURNEY_RESEARCH_SECRET" in refused.json()["message"]
        assert test_client.get("/research/outcome-curves", headers=auth).status_code == 200


def test_no_canary_in_any_file_of_an_export(seeded: Any, tmp_path: Path) -> None:
    from projections.pseudonyms import Study
    from projections.research_dataset import read_dataset
    from projections.research_export import write_export
    from projections.suppression import RULE_SETS

    for dates in ("shift", "month"):
        study = Study("canary-study", SECRET.encode(), dates=dates)  # type: ignore[arg-type]
        dataset = read_dataset(
            seeded.engine, study, rule=RULE_SETS["standard"], scales=seeded.scales
        )
        files = write_export(dataset, tmp_path / dates, exported_on=TODAY)
        assert len(files) == 5
        for path in files:
            kind = "parquet" if path.suffix == ".parquet" else "text"
            text = readable_text(path.read_bytes(), kind).lower()
            for canary in canaries():
                assert canary not in text, (path.name, canary)
        assert dataset.equality_values_hidden >= 1  # the lone free-text and unstated groups
