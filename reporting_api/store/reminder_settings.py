"""An office's own reminder days and hour (none stored: the default policy applies)."""

from __future__ import annotations

from datetime import datetime
from typing import TypedDict

from reporting_api.store import columns, row_as, rows_as
from reporting_api.store.rows import OfficeReminderSettingsRow
from reporting_api.tables import OfficeReminderSettings


class ReminderSettingsValues(TypedDict):
    """What an admin sets for an office."""

    offsets_days: list[int]
    send_hour: int
    follow_up_missed: bool
    updated_at: datetime
    hearing_offsets_days: list[int] | None
    review_deadline_hours: int | None
    request_deadline_hours: int | None
    reschedule_max_days: int | None


async def get_office_settings(office_id: int) -> OfficeReminderSettingsRow | None:
    return row_as(
        OfficeReminderSettingsRow,
        await OfficeReminderSettings.select()
        .where(OfficeReminderSettings.office == office_id)
        .output(load_json=True)
        .first(),
    )


async def save_office_settings(office_id: int, values: ReminderSettingsValues) -> None:
    """Insert the office's settings or replace the ones it has."""
    query = OfficeReminderSettings.exists().where(OfficeReminderSettings.office == office_id)
    if await query:
        await OfficeReminderSettings.update(columns(values)).where(
            OfficeReminderSettings.office == office_id
        )
    else:
        await OfficeReminderSettings.insert(OfficeReminderSettings(office=office_id, **values))


class OfficeSendHour(TypedDict):
    """An office that set its own reminder hour."""

    office: int
    code: str
    name_th: str
    send_hour: int


async def send_hours() -> list[OfficeSendHour]:
    """Every office's own reminder hour (offices without settings use the default)."""
    rows = await OfficeReminderSettings.select(
        OfficeReminderSettings.office,
        OfficeReminderSettings.office.code.as_alias("code"),
        OfficeReminderSettings.office.name_th.as_alias("name_th"),
        OfficeReminderSettings.send_hour,
    ).order_by(OfficeReminderSettings.office)
    return rows_as(OfficeSendHour, rows)


async def review_deadline_hours() -> dict[int, int]:
    """Offices that set their own review deadline: office id -> working hours."""
    rows = await OfficeReminderSettings.select(
        OfficeReminderSettings.office, OfficeReminderSettings.review_deadline_hours
    ).where(OfficeReminderSettings.review_deadline_hours.is_not_null())
    return {int(r["office"]): int(r["review_deadline_hours"]) for r in rows}
