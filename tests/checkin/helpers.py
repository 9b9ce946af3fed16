"""Building blocks for the check-in link tests: a person with an open check-in, and clips."""

from __future__ import annotations

import asyncio
import random
import tempfile
from datetime import timedelta
from pathlib import Path
from typing import Any

from liveness.samples import sample_photos
from liveness.synth import read_photo, render, write_clip
from liveness.types import Action, Challenge, Step
from reporting_api.clock import utcnow
from reporting_api.thai_dates import bangkok_today
from tests.api.helpers import enrol, case_payload
from tests.conftest import Api

BIRTH = "1990-05-17"  # tests.api.helpers.defendant_form's date of birth


def open_check_in(api: Api, username: str = "officer_bkk", **defendant: Any) -> dict[str, Any]:
    """Enrol a person with a real face photo and a plan due today (window open); return the
    defendant, case, the open check-in and its link code."""
    response = enrol(api, username, **defendant)
    assert response.status_code == 201, response.text
    person = response.json()
    response = api.request(username, "POST", "/api/v1/cases", json=case_payload(person["id"]))
    assert response.status_code == 201, response.text
    case = response.json()
    today = bangkok_today(utcnow())
    plan = {
        "kind": "dates",
        "dates": [today.isoformat(), (today + timedelta(days=30)).isoformat()],
        "start_date": today.isoformat(),
        "end_date": (today + timedelta(days=31)).isoformat(),
        "window_opens_days_before": 2,
        "grace_days": 2,
    }
    response = api.request(username, "PUT", f"/api/v1/cases/{case['id']}/plan", json=plan)
    assert response.status_code == 200, response.text
    check_ins = api.request(username, "GET", f"/api/v1/cases/{case['id']}/checkins").json()
    first = min(check_ins, key=lambda c: c["due_date"])
    return {"defendant": person, "case": case, "check_in": first, "code": code_of(first["id"])}


def code_of(check_in_id: int) -> str:
    from reporting_api.tables import CheckIn

    async def read() -> str:
        row = await CheckIn.select(CheckIn.code).where(CheckIn.id == check_in_id).first()
        return row["code"]

    return asyncio.run(read())


def challenge_of(body: dict[str, Any]) -> Challenge:
    return Challenge(
        id=body["id"],
        steps=tuple(Step(Action(s["action"]), s["start_s"], s["end_s"]) for s in body["steps"]),
    )


def clip_bytes(challenge: Challenge, kind: str = "genuine", seed: int = 1) -> bytes:
    """An mp4 of a synthetic clip of ``kind`` answering ``challenge``."""
    photos = sample_photos()
    frames = render(
        read_photo(photos["obama"]),
        challenge,
        kind,
        random.Random(seed),
        other_photo=read_photo(photos["biden"]) if kind == "impostor" else None,
    )
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "clip.mp4"
        write_clip(frames, path)
        return path.read_bytes()
