"""Data and a live server for the admin pages' browser test.

The data is made the way the service makes it: people, cases and plans through the JSON API,
a missed check-in raised by the scheduler's sweep (its plan set through the plan service at an
earlier ``now``, so the window closed days ago), a check-in waiting for review from three
still-photo recordings through the real upload flow and verifier.
"""

from __future__ import annotations

import asyncio
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from reporting_api.access import Principal
from reporting_api.app import create_app
from reporting_api.clock import utcnow
from reporting_api.commands import PlanIn
from reporting_api.services import plans as plan_service
from reporting_api.services.context import Ctx
from reporting_api.services.sweep import sweep
from reporting_api.thai_dates import BANGKOK, bangkok_today
from tests.api.helpers import case_payload, enrol, interval_plan
from tests.checkin.helpers import open_check_in
from tests.checkin.test_review import _identify, _record_static
from tests.conftest import Api, settings_for_test, shared_verifier
from tests.e2e.live import serve


@dataclass(frozen=True)
class Person:
    defendant: dict[str, Any]
    case: dict[str, Any]
    check_in: dict[str, Any] | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def name_th(self) -> str:
        d = self.defendant
        return f"{d['title_th']}{d['first_name_th']} {d['last_name_th']}"


@dataclass(frozen=True)
class OfficeDay:
    """What the officer of TH-10 finds in the morning, and one case of another office."""

    missed: Person  # a check-in whose window closed: the sweep flagged it
    missed_flag_id: int
    waiting: Person | None  # a check-in waiting for an officer's review (None: not made)
    others: list[Person]


def _person(
    api: Api,
    username: str,
    name: tuple[str, str, str, str, str],
    phone: str,
    **case: Any,
) -> Person:
    title, first, last, first_en, last_en = name
    response = enrol(
        api,
        username,
        title_th=title,
        first_name_th=first,
        last_name_th=last,
        first_name_en=first_en,
        last_name_en=last_en,
        phone=phone,
    )
    assert response.status_code == 201, response.text
    defendant = response.json()
    response = api.request(
        username, "POST", "/api/v1/cases", json=case_payload(defendant["id"], **case)
    )
    assert response.status_code == 201, response.text
    return Person(defendant, response.json())


def _principal(api: Api, username: str) -> Principal:
    staff = api.staff[username]
    return Principal(staff.id, staff.username, staff.username, staff.role, staff.office_id)


def missed_check_in(api: Api, database_url: str, now: datetime) -> tuple[Person, int]:
    """A high-risk person (large bail, court soon, released long ago) whose check-in ten days
    ago was never made: planned two weeks ago, flagged by the sweep at ``now``."""
    today = bangkok_today(now)
    person = _person(
        api,
        "officer_bkk",
        ("นางสาว", "มาลี", "ศรีสุข", "Malee", "Srisuk"),
        "081-234-5601",
        bail_amount="250000.00",
        release_date=(today - timedelta(days=90)).isoformat(),
        next_court_date=(today + timedelta(days=10)).isoformat(),
        black_case_number="อ.2101/2569",
    )
    due = today - timedelta(days=10)
    planned_at = datetime.combine(today - timedelta(days=14), datetime.min.time(), BANGKOK)
    settings = settings_for_test(database_url)
    ctx = Ctx(_principal(api, "officer_bkk"), "127.0.0.1", planned_at, settings)
    plan = PlanIn(
        kind="dates",
        start_date=due - timedelta(days=1),
        end_date=today + timedelta(days=40),
        dates=[due, today + timedelta(days=30)],
        window_opens_days_before=2,
        grace_days=1,
    )

    async def plan_then_sweep() -> dict[str, Any]:
        result = await plan_service.set_plan(ctx, person.case["id"], plan)
        report = await sweep(now, settings)
        assert report.missed >= 1 and report.flags >= 1, report
        return min(result.check_ins, key=lambda c: c["due_date"])

    first = asyncio.run(plan_then_sweep())
    flags = api.request(
        "officer_bkk",
        "GET",
        "/api/v1/flags",
        params={"state": "open", "kind": "missed_checkin", "case_id": person.case["id"]},
    )
    assert flags.status_code == 200, flags.text
    [flag] = flags.json()["items"]
    assert flag["check_in_id"] == first["id"], flag
    return Person(person.defendant, person.case, first), flag["id"]


def waiting_for_review(api: Api) -> Person:
    """A person whose three still-photo recordings today were rejected: the check-in waits
    for an officer (tests/checkin/test_review.py's flow)."""
    world = open_check_in(
        api,
        title_th="นาย",
        first_name_th="สมศักดิ์",
        last_name_th="ใจกล้า",
        first_name_en="Somsak",
        last_name_en="Jaiklah",
        phone="081-234-5602",
    )
    response = _identify(api.client, world)
    assert response.status_code == 200, response.text
    results = [_record_static(api.client, world["code"]) for _ in range(3)]
    api.client.cookies.clear()
    assert [r["outcome"] for r in results] == ["retry", "retry", "review"], results
    return Person(
        world["defendant"],
        world["case"],
        world["check_in"],
        {"attempt_id": results[-1]["attempt_id"], "code": world["code"]},
    )


def other_cases(api: Api, now: datetime) -> list[Person]:
    """Two more active cases with some risk (bail, a court date near): one in TH-10, one in
    Chiang Mai (TH-50), each with a plan whose first window is still ahead."""
    today = bangkok_today(now)
    people = [
        _person(
            api,
            "officer_bkk",
            ("นาง", "วันเพ็ญ", "ทองดี", "Wanphen", "Thongdee"),
            "081-234-5603",
            bail_amount="150000.00",
            release_date=(today - timedelta(days=45)).isoformat(),
            next_court_date=(today + timedelta(days=20)).isoformat(),
            black_case_number="อ.2102/2569",
        ),
        _person(
            api,
            "officer_cnx",
            ("นาย", "ประเสริฐ", "บุญมา", "Prasert", "Boonma"),
            "081-234-5604",
            court="ศาลจังหวัดเชียงใหม่",
            bail_amount="120000.00",
            release_date=(today - timedelta(days=20)).isoformat(),
            black_case_number="อ.2103/2569",
        ),
    ]
    for person, username in zip(people, ("officer_bkk", "officer_cnx"), strict=True):
        plan = interval_plan(today + timedelta(days=5), today + timedelta(days=120))
        response = api.request(
            username, "PUT", f"/api/v1/cases/{person.case['id']}/plan", json=plan
        )
        assert response.status_code == 200, response.text
    return people


def office_day(api: Api, database_url: str, *, review: bool = True) -> OfficeDay:
    now = utcnow()
    missed, flag_id = missed_check_in(api, database_url, now)
    waiting = waiting_for_review(api) if review else None
    return OfficeDay(missed, flag_id, waiting, other_cases(api, now))


def open_flags(api: Api, username: str) -> int:
    """How many open flags the JSON API counts for the user's office."""
    response = api.request(username, "GET", "/api/v1/flags", params={"state": "open"})
    assert response.status_code == 200, response.text
    return response.json()["total"]


def admin_server(database_url: str) -> AbstractContextManager[str]:
    """The API and the /admin pages in one app, as `bail-checkin serve` composes them, on a
    free port."""
    from admin_ui import admin_parts

    parts = admin_parts()
    return serve(
        lambda base: create_app(
            settings_for_test(database_url, public_base_url=base),
            extra_routes=parts.routes,
            template_dirs=parts.template_dirs,
            verifier=shared_verifier(),
        )
    )
