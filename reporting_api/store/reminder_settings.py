"""An office's own reminder days and hour (none stored: the default policy applies)."""

from __future__ import annotations

from typing import Any

from reporting_api.tables import OfficeReminderSettings


async def get_office_settings(office_id: int) -> dict[str, Any] | None:
    return (
        await OfficeReminderSettings.select()
        .where(OfficeReminderSettings.office == office_id)
        .first()
    )


async def save_office_settings(office_id: int, values: dict[str, Any]) -> None:
    """Insert the office's settings or replace the ones it has."""
    query = OfficeReminderSettings.exists().where(OfficeReminderSettings.office == office_id)
    if await query:
        await OfficeReminderSettings.update(values).where(
            OfficeReminderSettings.office == office_id
        )
    else:
        await OfficeReminderSettings.insert(OfficeReminderSettings(office=office_id, **values))
