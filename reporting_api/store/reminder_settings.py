"""An office's own reminder days and hour (none stored: the default policy applies)."""

from __future__ import annotations

from datetime import datetime
from typing import TypedDict

from reporting_api.store import columns, row_as
from reporting_api.store.rows import OfficeReminderSettingsRow
from reporting_api.tables import OfficeReminderSettings


class ReminderSettingsValues(TypedDict):
    """What an admin sets for an office."""

    offsets_days: list[int]
    send_hour: int
    follow_up_missed: bool
    updated_at: datetime


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
