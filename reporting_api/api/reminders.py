"""Reminders: what a case's SMS said and what became of them; an office's reminder days."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Literal

from litestar import Controller, get, put
from litestar.params import JSONBody
from msgspec import Meta, Struct

from reporting_api.api.convert import page_of
from reporting_api.api.schemas import Page
from reporting_api.http.context import CtxDep, PagingDep, PathId
from reporting_api.services import reminders as service
from reporting_api.services.reminders import OfficeReminderSettings
from reporting_api.statuses import ReminderStatusName

if TYPE_CHECKING:
    from reporting_api.store.rows import ReminderRow


class ReminderOut(Struct):
    id: int
    case_id: int
    check_in_id: int | None
    kind: str
    recipient: Literal["defendant", "staff"]
    due_at: datetime
    status: ReminderStatusName
    attempts: int
    next_attempt_at: datetime
    to_phone: str | None
    body: str | None
    language: str | None
    message_sid: str | None
    error_code: int | None
    error_message: str | None
    sent_at: datetime | None
    delivered_at: datetime | None


class ReminderSettingsIn(Struct, forbid_unknown_fields=True):
    offsets_days: Annotated[
        list[Annotated[int, Meta(ge=0, le=30)]], Meta(min_length=0, max_length=5)
    ]
    send_hour: Annotated[int, Meta(ge=0, le=23)] = 9
    follow_up_missed: bool = True
    hearing_offsets_days: (
        Annotated[list[Annotated[int, Meta(ge=1, le=30)]], Meta(min_length=0, max_length=5)] | None
    ) = None
    """Days before a court hearing (null: the default 7, 3 and 1)."""
    review_deadline_hours: int | None = None
    """Working hours (1 to 80) a recording may wait for review before it goes to a manager
    (null: the default 8)."""
    request_deadline_hours: int | None = None
    """Working hours (1 to 80) a person's request may wait for a decision before it goes to a
    manager (null: the review deadline)."""
    reschedule_max_days: int | None = None
    """Days (1 to 60) after a check-in's date a person may ask to move it to (null: 14)."""


class ReminderSettingsOut(Struct):
    office_id: int
    offsets_days: list[int]
    send_hour: int
    follow_up_missed: bool
    updated_at: datetime | None
    hearing_offsets_days: list[int]
    review_deadline_hours: int
    request_deadline_hours: int | None
    reschedule_max_days: int


def reminder_out(row: ReminderRow) -> ReminderOut:
    return ReminderOut(
        id=row["id"],
        case_id=row["case"],
        check_in_id=row["check_in"],
        kind=row["kind"],
        recipient="staff" if row["staff"] is not None else "defendant",
        due_at=row["due_at"],
        status=row["status"],
        attempts=row["attempts"],
        next_attempt_at=row["next_attempt_at"],
        to_phone=row["to_phone"],
        body=row["body"],
        language=row["language"],
        message_sid=row["message_sid"],
        error_code=row["error_code"],
        error_message=row["error_message"],
        sent_at=row["sent_at"],
        delivered_at=row["delivered_at"],
    )


def settings_out(settings: OfficeReminderSettings) -> ReminderSettingsOut:
    return ReminderSettingsOut(
        office_id=settings.office_id,
        offsets_days=list(settings.policy.offsets_days),
        send_hour=settings.policy.send_hour,
        follow_up_missed=settings.policy.follow_up_missed,
        updated_at=settings.updated_at,
        hearing_offsets_days=list(settings.hearing_offsets_days),
        review_deadline_hours=settings.review_deadline_hours,
        request_deadline_hours=settings.request_deadline_hours,
        reschedule_max_days=settings.reschedule_max_days,
    )


class ReminderController(Controller):
    path = "/cases/{case_id:int}/reminders"
    tags = ["reminders"]

    @get("/")
    async def list_reminders(
        self, case_id: PathId, ctx: CtxDep, paging: PagingDep
    ) -> Page[ReminderOut]:
        """The case's SMS, planned and sent: text, number, status, Twilio's error if any."""
        rows, total = await service.list_for_case(ctx, case_id, paging.offset, paging.page_size)
        return page_of(paging, rows, total, reminder_out)


class OfficeReminderSettingsController(Controller):
    path = "/offices/{office_id:int}/reminder-settings"
    tags = ["offices"]

    @get("/")
    async def get_settings(self, office_id: PathId, ctx: CtxDep) -> ReminderSettingsOut:
        """Days before the due date (0 = the due day) and the hour reminders go out."""
        return settings_out(await service.get_office_settings(ctx, office_id))

    @put("/")
    async def set_settings(
        self, office_id: PathId, data: JSONBody[ReminderSettingsIn], ctx: CtxDep
    ) -> ReminderSettingsOut:
        """Admins only. Check-ins planned or re-planned from now on follow the new days."""
        return settings_out(
            await service.set_office_settings(
                ctx,
                office_id,
                data.offsets_days,
                data.send_hour,
                data.follow_up_missed,
                hearing_offsets_days=data.hearing_offsets_days,
                review_deadline_hours=data.review_deadline_hours,
                request_deadline_hours=data.request_deadline_hours,
                reschedule_max_days=data.reschedule_max_days,
            )
        )
