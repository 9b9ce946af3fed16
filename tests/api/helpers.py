"""Building blocks for API tests: valid payloads and quick enrolment."""

from __future__ import annotations

import random
from datetime import date
from typing import Any

from reporting_api.national_id import synthetic_national_id
from tests.conftest import Api, id_photo_bytes

_rng = random.Random(7)


def new_national_id() -> str:
    return synthetic_national_id(_rng)


def defendant_form(**overrides: Any) -> dict[str, Any]:
    form = {
        "national_id": new_national_id(),
        "title_th": "นาย",
        "first_name_th": "สมชาย",
        "last_name_th": "ใจดี",
        "first_name_en": "Somchai",
        "last_name_en": "Jaidee",
        "date_of_birth": "1990-05-17",
        "phone": "081-234-5678",
        "consent": "true",
        "preferred_language": "th",
    }
    form.update(overrides)
    return form


def enrol(
    api: Api, username: str = "officer_bkk", photo: bytes | None = None, **overrides: Any
) -> Any:
    return api.request(
        username,
        "POST",
        "/api/v1/defendants",
        data=defendant_form(**overrides),
        files={"photo": ("id.jpg", photo if photo is not None else id_photo_bytes(), "image/jpeg")},
    )


def case_payload(defendant_id: int, **overrides: Any) -> dict[str, Any]:
    payload = {
        "defendant_id": defendant_id,
        "court": "ศาลอาญา",
        "black_case_number": "อ.1234/2569",
        "charge": "ลักทรัพย์",
        "bail_amount": "50000.00",
        "release_date": "2026-10-01",
        "fund_request_ref": "JF-2569-0001",
        "conditions": "ห้ามออกนอกเขตจังหวัด",
    }
    payload.update(overrides)
    return payload


def enrol_with_case(
    api: Api, username: str = "officer_bkk", defendant: dict[str, Any] | None = None, **case: Any
) -> tuple[dict, dict]:
    response = enrol(api, username, **(defendant or {}))
    assert response.status_code == 201, response.text
    person = response.json()
    response = api.request(
        username, "POST", "/api/v1/cases", json=case_payload(person["id"], **case)
    )
    assert response.status_code == 201, response.text
    return person, response.json()


def interval_plan(start: date, end: date, every: int = 30, **overrides: Any) -> dict[str, Any]:
    plan = {
        "kind": "interval",
        "start_date": start.isoformat(),
        "end_date": end.isoformat(),
        "every_days": every,
        "window_opens_days_before": 2,
        "grace_days": 2,
    }
    plan.update(overrides)
    return plan


def dates_plan(dates: list[date], end: date, **overrides: Any) -> dict[str, Any]:
    plan = {
        "kind": "dates",
        "dates": [d.isoformat() for d in dates],
        "start_date": min(dates).isoformat(),
        "end_date": end.isoformat(),
        "window_opens_days_before": 2,
        "grace_days": 2,
    }
    plan.update(overrides)
    return plan


def set_plan(api: Api, username: str, case_id: int, plan: dict[str, Any]) -> list[dict[str, Any]]:
    """Set the case's plan through the API; returns its check-ins, earliest first."""
    response = api.request(username, "PUT", f"/api/v1/cases/{case_id}/plan", json=plan)
    assert response.status_code == 200, response.text
    response = api.request(username, "GET", f"/api/v1/cases/{case_id}/checkins")
    assert response.status_code == 200, response.text
    return sorted(response.json(), key=lambda c: c["due_date"])
