"""Building a small world for scheduler tests: staff, a defendant, a case and its plan, made
through the service functions (as the API would), at a chosen ``now``."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any, TypeVar

from reporting_api.access import Principal
from reporting_api.commands import CaseCreate, PlanIn
from reporting_api.db import bind_tables, engine_from_url
from reporting_api.national_id import synthetic_national_id
from reporting_api.runtime import Runtime
from reporting_api.services import cases as case_service
from reporting_api.services import defendants as defendant_service
from reporting_api.services import plans as plan_service
from reporting_api.services.context import Ctx
from reporting_api.settings import SchedulerSettings, Settings, TwilioSettings
from reporting_api.tables import CheckIn, Reminder
from tests.conftest import Staff, _make_staff, id_photo_bytes, settings_for_test, shared_verifier

T = TypeVar("T")
PUBLIC = "https://jf.example.go.th"
# Monday 7 December 2026, 10:00 in Bangkok: office hours, no holiday near.
NOW = datetime(2026, 12, 7, 3, 0, tzinfo=UTC)
_rng = random.Random(11)


def run(awaitable: Awaitable[T]) -> T:
    """Run a coroutine or a Piccolo query to completion on a fresh event loop."""

    async def wait() -> T:
        return await awaitable

    return asyncio.run(wait())


def make_settings(database_url: str, **scheduler: Any) -> Settings:
    return settings_for_test(
        database_url,
        public_base_url=PUBLIC,
        scheduler=replace(SchedulerSettings(), **scheduler),
    )


def with_twilio(settings: Settings, **twilio: Any) -> Settings:
    return replace(settings, twilio=replace(TwilioSettings(), **twilio))


def principal(staff: Staff) -> Principal:
    return Principal(
        id=staff.id,
        username=staff.username,
        display_name=staff.username,
        role=staff.role,
        office_id=staff.office_id,
    )


@dataclass
class World:
    settings: Settings
    staff: dict[str, Staff]

    def ctx(self, now: datetime = NOW, user: str = "officer_bkk") -> Ctx:
        return Ctx(
            principal=principal(self.staff[user]),
            client_address="127.0.0.1",
            now=now,
            settings=self.settings,
            runtime=Runtime.from_settings(self.settings, verifier=shared_verifier()),
        )


def make_world(database_url: str, **scheduler: Any) -> World:
    staff = _make_staff(database_url)
    bind_tables(engine_from_url(database_url))
    return World(make_settings(database_url, **scheduler), staff)


def new_phone() -> str:
    return "+6681" + "".join(str(_rng.randint(0, 9)) for _ in range(7))


async def enrol(
    world: World,
    *,
    now: datetime = NOW,
    phone: str | None = None,
    language: str = "th",
    user: str = "officer_bkk",
) -> dict[str, Any]:
    return await defendant_service.enrol(
        world.ctx(now, user),
        defendant_service.NewDefendant(
            national_id=synthetic_national_id(_rng),
            first_name_th="สมชาย",
            last_name_th="ใจดี",
            date_of_birth=date(1990, 5, 17),
            phone=phone or new_phone(),
            consent=True,
            first_name_en="Somchai",
            last_name_en="Jaidee",
            preferred_language=language,
        ),
        id_photo_bytes(),
    )


async def open_case(
    world: World,
    defendant_id: int,
    *,
    now: datetime = NOW,
    user: str = "officer_bkk",
) -> dict[str, Any]:
    return await case_service.open_case(
        world.ctx(now, user),
        CaseCreate(
            defendant_id=defendant_id,
            court="ศาลอาญา",
            black_case_number="อ.1234/2569",
            charge="ลักทรัพย์",
            bail_amount=Decimal("50000.00"),
            release_date=now.date() - timedelta(days=10),
        ),
    )


def dates_plan(*dates: date, opens: int = 2, grace: int = 1) -> PlanIn:
    return PlanIn(
        kind="dates",
        start_date=min(dates) - timedelta(days=1),
        end_date=max(dates) + timedelta(days=1),
        dates=list(dates),
        window_opens_days_before=opens,
        grace_days=grace,
    )


async def case_with_plan(
    world: World,
    *dates: date,
    now: datetime = NOW,
    phone: str | None = None,
    language: str = "th",
    opens: int = 2,
    grace: int = 1,
) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """A defendant, an active case and a plan on ``dates``; returns (defendant, case, plan)."""
    defendant = await enrol(world, now=now, phone=phone, language=language)
    case = await open_case(world, defendant["id"], now=now)
    plan = await plan_service.set_plan(
        world.ctx(now), case["id"], dates_plan(*dates, opens=opens, grace=grace)
    )
    return defendant, case, plan


async def reminders_of(case_id: int) -> list[dict[str, Any]]:
    return await Reminder.select().where(Reminder.case == case_id).order_by(Reminder.due_at)


async def check_ins_of(case_id: int) -> list[dict[str, Any]]:
    return await CheckIn.select().where(CheckIn.case == case_id).order_by(CheckIn.due_date)


def by_kind(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {row["kind"]: row for row in rows}
