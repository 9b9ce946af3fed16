"""Queries of one person's history: check-ins, reminders, recordings and flags of every case."""

from __future__ import annotations

from typing import Any

from reporting_api.store.attempts import COLUMNS as ATTEMPT_COLUMNS
from reporting_api.tables import BailCase, CheckIn, Flag, Reminder, VerificationAttempt

LIMIT = 1000
"""Rows of one kind on one person's page (years of monthly check-ins fit many times over)."""


async def cases_of(defendant_id: int) -> list[dict[str, Any]]:
    return (
        await BailCase.select(
            *BailCase.all_columns(),
            BailCase.officer.display_name.as_alias("officer_name"),
            BailCase.office.name_th.as_alias("office_name_th"),
            BailCase.office.name_en.as_alias("office_name_en"),
        )
        .where(BailCase.defendant == defendant_id)
        .order_by(BailCase.id, ascending=False)
        .limit(LIMIT)
    )


async def check_ins_of(defendant_id: int) -> list[dict[str, Any]]:
    return (
        await CheckIn.select(
            *(c for c in CheckIn.all_columns() if c._meta.name != "code"),
            CheckIn.recorded_by.display_name.as_alias("recorded_by_name"),
            CheckIn.case.black_case_number.as_alias("black_case_number"),
        )
        .where(CheckIn.case.defendant == defendant_id)
        .order_by(CheckIn.due_date)
        .order_by(CheckIn.id)
        .limit(LIMIT)
    )


async def reminders_of(defendant_id: int) -> list[dict[str, Any]]:
    """The person's SMS and the staff alerts raised about their cases."""
    return (
        await Reminder.select(
            Reminder.id,
            Reminder.check_in,
            Reminder.case,
            Reminder.defendant,
            Reminder.staff,
            Reminder.flag,
            Reminder.kind,
            Reminder.status,
            Reminder.attempts,
            Reminder.due_at,
            Reminder.to_phone,
            Reminder.body,
            Reminder.error_code,
            Reminder.error_message,
            Reminder.sent_at,
            Reminder.delivered_at,
            Reminder.updated_at,
            Reminder.staff.display_name.as_alias("staff_name"),
        )
        .where(Reminder.case.defendant == defendant_id)
        .order_by(Reminder.due_at)
        .order_by(Reminder.id)
        .limit(LIMIT)
    )


async def attempts_of(defendant_id: int) -> list[dict[str, Any]]:
    return (
        await VerificationAttempt.select(
            *ATTEMPT_COLUMNS,
            VerificationAttempt.check_in.due_date.as_alias("due_date"),
            VerificationAttempt.reviewed_by.display_name.as_alias("reviewed_by_name"),
        )
        .where(VerificationAttempt.case.defendant == defendant_id)
        .order_by(VerificationAttempt.id)
        .output(load_json=True)
        .limit(LIMIT)
    )


async def flags_of(defendant_id: int) -> list[dict[str, Any]]:
    return (
        await Flag.select(
            *Flag.all_columns(),
            Flag.check_in.due_date.as_alias("due_date"),
            Flag.escalated_to.display_name.as_alias("escalated_to_name"),
        )
        .where(Flag.case.defendant == defendant_id)
        .order_by(Flag.id)
        .limit(LIMIT)
    )


async def person_of_check_in(check_in_id: int) -> dict[str, Any] | None:
    """The check-in's office and the person it belongs to."""
    return (
        await CheckIn.select(
            CheckIn.id,
            CheckIn.office,
            CheckIn.case.defendant.as_alias("defendant_id"),
        )
        .where(CheckIn.id == check_in_id)
        .first()
    )
