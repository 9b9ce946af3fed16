"""Queries of one person's history: check-ins, reminders, recordings and flags of every case,
and their answers to reminders."""

from __future__ import annotations

from datetime import date, datetime
from typing import TypedDict

from reporting_api.store import rows_as
from reporting_api.store.attempts import COLUMNS as ATTEMPT_COLUMNS
from reporting_api.store.rows import AttemptRow, BailCaseRow, CheckInFields, FlagRow
from reporting_api.tables import (
    BailCase,
    CheckIn,
    CheckInAnswer,
    Flag,
    Reminder,
    VerificationAttempt,
)

LIMIT = 1000
"""Rows of one kind on one person's page (years of monthly check-ins fit many times over)."""


class HistoryCaseRow(BailCaseRow):
    officer_name: str | None
    office_name_th: str
    office_name_en: str


class HistoryCheckInRow(CheckInFields):
    recorded_by_name: str | None
    black_case_number: str


class HistoryReminderRow(TypedDict):
    """A message to the person (SMS or LINE), or a staff alert about their case."""

    id: int
    check_in: int | None
    case: int
    defendant: int | None
    staff: int | None
    flag: int | None
    kind: str
    status: str
    attempts: int
    due_at: datetime
    to_phone: str | None
    body: str | None
    error_code: int | None
    error_message: str | None
    sent_at: datetime | None
    delivered_at: datetime | None
    updated_at: datetime
    staff_name: str | None
    channel: str
    """`sms`, `line` (sent on LINE) or `email` (a staff alert)."""


class HistoryAttemptRow(AttemptRow):
    due_date: date
    reviewed_by_name: str | None


class HistoryFlagRow(FlagRow):
    due_date: date | None
    escalated_to_name: str | None


class HistoryAnswerRow(TypedDict):
    """The person's answer to a check-in's reminder ("I'll come", on LINE)."""

    id: int
    check_in: int
    answer: str
    via: str
    at: datetime
    due_date: date


async def cases_of(defendant_id: int) -> list[HistoryCaseRow]:
    rows = (
        await BailCase.select(
            *BailCase.all_columns(),
            BailCase.officer._.display_name.as_alias("officer_name"),
            BailCase.office._.name_th.as_alias("office_name_th"),
            BailCase.office._.name_en.as_alias("office_name_en"),
        )
        .where(BailCase.defendant == defendant_id)
        .order_by(BailCase.id, ascending=False)
        .limit(LIMIT)
    )
    return rows_as(HistoryCaseRow, rows)


async def check_ins_of(defendant_id: int) -> list[HistoryCheckInRow]:
    rows = (
        await CheckIn.select(
            *(c for c in CheckIn.all_columns() if c._meta.name != "code"),
            CheckIn.recorded_by._.display_name.as_alias("recorded_by_name"),
            CheckIn.case._.black_case_number.as_alias("black_case_number"),
        )
        .where(CheckIn.case._.defendant == defendant_id)
        .order_by(CheckIn.due_date)
        .order_by(CheckIn.id)
        .limit(LIMIT)
    )
    return rows_as(HistoryCheckInRow, rows)


async def reminders_of(defendant_id: int) -> list[HistoryReminderRow]:
    """The person's SMS and the staff alerts raised about their cases."""
    rows = (
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
            Reminder.channel,
            Reminder.staff._.display_name.as_alias("staff_name"),
        )
        .where(Reminder.case._.defendant == defendant_id)
        .order_by(Reminder.due_at)
        .order_by(Reminder.id)
        .limit(LIMIT)
    )
    return rows_as(HistoryReminderRow, rows)


async def attempts_of(defendant_id: int) -> list[HistoryAttemptRow]:
    rows = (
        await VerificationAttempt.select(
            *ATTEMPT_COLUMNS,
            VerificationAttempt.check_in._.due_date.as_alias("due_date"),
            VerificationAttempt.reviewed_by._.display_name.as_alias("reviewed_by_name"),
        )
        .where(VerificationAttempt.case._.defendant == defendant_id)
        .order_by(VerificationAttempt.id)
        .output(load_json=True)
        .limit(LIMIT)
    )
    return rows_as(HistoryAttemptRow, rows)


async def flags_of(defendant_id: int) -> list[HistoryFlagRow]:
    rows = (
        await Flag.select(
            *Flag.all_columns(),
            Flag.check_in._.due_date.as_alias("due_date"),
            Flag.escalated_to._.display_name.as_alias("escalated_to_name"),
        )
        .where(Flag.case._.defendant == defendant_id)
        .order_by(Flag.id)
        .limit(LIMIT)
    )
    return rows_as(HistoryFlagRow, rows)


async def answers_of(defendant_id: int) -> list[HistoryAnswerRow]:
    rows = (
        await CheckInAnswer.select(
            CheckInAnswer.id,
            CheckInAnswer.check_in,
            CheckInAnswer.answer,
            CheckInAnswer.via,
            CheckInAnswer.at,
            CheckInAnswer.check_in._.due_date.as_alias("due_date"),
        )
        .where(CheckInAnswer.defendant == defendant_id)
        .order_by(CheckInAnswer.id)
        .limit(LIMIT)
    )
    return rows_as(HistoryAnswerRow, rows)
