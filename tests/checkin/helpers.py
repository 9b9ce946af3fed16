"""Building blocks for the check-in link tests: a person with an open check-in, and clips."""

from __future__ import annotations

import asyncio
import random
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

from liveness.samples import sample_photos
from liveness.synth import read_photo, render, write_clip
from liveness.types import Action, Challenge, Step
from reporting_api.clock import utcnow
from reporting_api.thai_dates import bangkok_today
from tests.api.helpers import dates_plan, enrol_with_case, set_plan
from tests.conftest import Api

BIRTH = "1990-05-17"  # tests.api.helpers.defendant_form's date of birth


def open_check_in(api: Api, username: str = "officer_bkk", **defendant: Any) -> dict[str, Any]:
    """Enrol a person with a real face photo and a plan due today, or on the next working day
    (window open either way); return the defendant, case, the open check-in and its code."""
    person, case = enrol_with_case(api, username, defendant)
    today = bangkok_today(utcnow())
    # Today may be a weekend or a holiday in Bangkok (5 December is both in 2026): the plan
    # moves the date to the next working day, up to a week on, so the window opens 7 days
    # before it to be open now whatever the day.
    plan = dates_plan(
        [today, today + timedelta(days=30)],
        today + timedelta(days=31),
        window_opens_days_before=7,
    )
    first = set_plan(api, username, case["id"], plan)[0]
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


# --- link tests: identify, upload, wait, read rows, other apps (appended for issue 5 tests) ---

# A file that starts like an mp4 (an `ftyp` box) and a WebM (EBML magic) but decodes to nothing.
FAKE_MP4 = b"\x00\x00\x00\x18ftypisom" + bytes(range(256)) * 8
FAKE_WEBM = b"\x1a\x45\xdf\xa3" + bytes(range(255, -1, -1)) * 8
_CLIPS: dict[tuple[str, str], bytes] = {}


def identify(client: Any, world: dict[str, Any], birth: str = BIRTH, last4: str | None = None):
    """POST /c/<code>/identify with the person's answers (or the ones given)."""
    nid = world["defendant"]["national_id"]
    return client.post(
        f"/c/{world['code']}/identify",
        json={"date_of_birth": birth, "national_id_last4": nid[-4:] if last4 is None else last4},
    )


def wrong_last4(world: dict[str, Any]) -> str:
    return f"{(int(world['defendant']['national_id'][-4:]) + 1) % 10000:04d}"


def upload(
    client: Any,
    code: str,
    challenge_id: str,
    clip: bytes | None = FAKE_MP4,
    *,
    key: str | None = "",
    filename: str = "clip.mp4",
    frames: list[tuple[str, bytes]] | None = None,
    client_json: str | None = None,
):
    """POST /c/<code>/attempts; ``key=""`` makes a fresh idempotency key, ``None`` sends none."""
    headers = {} if key is None else {"Idempotency-Key": key or uuid.uuid4().hex}
    data = {"challenge_id": challenge_id}
    if client_json is not None:
        data["client"] = client_json
    files: list[tuple[str, tuple[str, bytes, str]]] = []
    if clip is not None:
        files.append(("clip", (filename, clip, "video/mp4")))
    for name, jpeg in frames or []:
        files.append(("frames", (name, jpeg, "image/jpeg")))
    return client.post(f"/c/{code}/attempts", data=data, files=files, headers=headers)


def wait_done(client: Any, code: str, attempt_id: int, lang: str = "th", timeout: float = 90):
    """Poll the attempt as the page does until it is done; its body."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        response = client.get(f"/c/{code}/attempts/{attempt_id}?lang={lang}")
        assert response.status_code == 200, response.text
        if response.json()["state"] == "done":
            return response.json()
        time.sleep(0.2)
    raise AssertionError(f"attempt {attempt_id} still processing after {timeout} s")


def cached_clip(challenge: Challenge, kind: str = "genuine") -> bytes:
    """clip_bytes, rendered once per (challenge, kind) in a run (seeded apps repeat challenges)."""
    key = (challenge.to_json(), kind)
    if key not in _CLIPS:
        _CLIPS[key] = clip_bytes(challenge, kind)
    return _CLIPS[key]


def db(query: Any) -> Any:
    """Run one Piccolo query from the test thread (the app runs on its own loop)."""

    async def run() -> Any:
        return await query

    return asyncio.run(run())


def set_check_in(check_in_id: int, **values: Any) -> None:
    from reporting_api.tables import CheckIn

    db(CheckIn.update(values).where(CheckIn.id == check_in_id))


def due_today(check_in_id: int) -> None:
    """Make an open check-in due today in Bangkok, as a plan makes it on a working day (the end
    of the day, two grace days), whatever day today is (a plan moves a weekend or holiday)."""
    from datetime import UTC, datetime

    from reporting_api.thai_dates import BANGKOK

    today = bangkok_today(utcnow())
    day_end = datetime(today.year, today.month, today.day, tzinfo=BANGKOK) + timedelta(days=1)
    set_check_in(
        check_in_id,
        due_date=today,
        due_at=day_end.astimezone(UTC),
        closes_at=(day_end + timedelta(days=2)).astimezone(UTC),
    )


def check_in_row(check_in_id: int) -> dict[str, Any]:
    from reporting_api.tables import CheckIn

    return db(CheckIn.select().where(CheckIn.id == check_in_id).first())


def flags_of(check_in_id: int, kind: str) -> list[dict[str, Any]]:
    from reporting_api.tables import Flag

    return db(Flag.select().where((Flag.check_in == check_in_id) & (Flag.kind == kind)))


def attempts_of(check_in_id: int) -> list[dict[str, Any]]:
    from reporting_api.tables import VerificationAttempt as A

    return db(A.select().where(A.check_in == check_in_id).order_by(A.id).output(load_json=True))


def audit_rows(entity_id: int, action: str, entity: str = "check_in") -> list[dict[str, Any]]:
    from reporting_api.tables import AuditLog

    return db(
        AuditLog.select()
        .where(
            (AuditLog.entity == entity)
            & (AuditLog.entity_id == str(entity_id))
            & (AuditLog.action == action)
        )
        .order_by(AuditLog.id)
        .output(load_json=True)
    )


def later_check_in(api: Api, world: dict[str, Any]) -> dict[str, Any]:
    """The world's second check-in (due in about 30 days, window not open yet), with its code."""
    case_id = world["case"]["id"]
    rows = api.request("officer_bkk", "GET", f"/api/v1/cases/{case_id}/checkins").json()
    second = sorted(rows, key=lambda c: c["due_date"])[1]
    return second | {"code": code_of(second["id"])}


@contextmanager
def link_client(
    database_url: str, *, seed: int | None = None, verifier: Any = None, **checkin: Any
) -> Iterator[Any]:
    """Another app on the same database, for the link only: a seeded challenge generator,
    another verifier, or other CheckInSettings (``max_upload_bytes=200_000``...)."""
    from litestar.testing import TestClient

    from reporting_api.app import create_app
    from tests.conftest import settings_for_test, shared_verifier

    base = settings_for_test(database_url)
    settings = replace(base, checkin=replace(base.checkin, **checkin))
    app = create_app(
        settings,
        challenge_rng=None if seed is None else random.Random(seed),
        verifier=verifier or shared_verifier(),
    )
    with TestClient(app=app) as client:
        yield client


def burst_post(
    database_url: str, requests: list[tuple[str, dict[str, Any]]], **checkin: Any
) -> list[Any]:
    """POST every (path, json body) at once, from one address, to an app on the database
    served by uvicorn (other CheckInSettings as ``checkin``); the responses in order."""
    import httpx

    from reporting_api.app import create_app
    from tests.conftest import settings_for_test, shared_verifier
    from tests.e2e.live import serve

    base = settings_for_test(database_url)
    settings = replace(base, db_pool_size=8, checkin=replace(base.checkin, **checkin))

    async def run(url: str) -> list[Any]:
        async with httpx.AsyncClient(base_url=url, timeout=60) as client:
            return list(
                await asyncio.gather(*(client.post(path, json=body) for path, body in requests))
            )

    with serve(lambda url: create_app(settings, verifier=shared_verifier())) as url:
        return asyncio.run(run(url))
