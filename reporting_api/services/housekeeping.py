"""Nightly housekeeping: expired logins go, personal data past retention goes, ID photos
still stored in clear are sealed, check-ins made before the outbox existed (or loaded in bulk
by the demo seeder) get their link code and their reminders, and the risk report's snapshot
is rebuilt."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from reporting_api.reminder_schedule import QuietHours, ReminderPolicy
from reporting_api.runtime import DataKeyMissing, load_sealer
from reporting_api.services import faces, retention
from reporting_api.services import reminders as reminder_service
from reporting_api.services import risk_snapshot as snapshot_service
from reporting_api.settings import Settings
from reporting_api.store import staff as staff_store
from reporting_api.store import sweeps as store
from reporting_api.store import transaction

BATCH = 500


@dataclass
class HousekeepingReport:
    expired_tokens: int = 0
    codes: int = 0
    reminders: int = 0
    purged: retention.PurgeReport | None = None
    photos_sealed: int = 0
    """ID-card photos stored in clear (before photos were sealed) sealed tonight."""
    risk_snapshot: snapshot_service.SnapshotRefresh | None = None


async def housekeeping(
    now: datetime, settings: Settings, *, max_batches: int = 200
) -> HousekeepingReport:
    """One night's housekeeping at ``now``; idempotent, bounded by ``max_batches``."""
    report = HousekeepingReport(
        expired_tokens=await staff_store.delete_expired_tokens(now),
        purged=await retention.purge(now, settings),
    )
    try:
        report.photos_sealed = await faces.seal_clear_photos(load_sealer(settings))
    except DataKeyMissing:
        pass  # nothing can be sealed without a key; the API refuses to run without one too
    for _ in range(max_batches):
        ids = await store.check_ins_without_code(BATCH)
        for check_in_id in ids:
            await store.set_code(check_in_id, reminder_service.new_check_in_code())
        report.codes += len(ids)
        if len(ids) < BATCH:
            break
    quiet = QuietHours(*settings.scheduler.quiet_hours)
    policies: dict[int, ReminderPolicy] = {}
    # Check-ins that came within the planning horizon since last night get their reminders.
    until = reminder_service.planning_horizon(now)
    after_id = 0
    for _ in range(max_batches):
        rows = await store.outstanding_without_reminders(now, until, after_id, BATCH)
        if rows:
            after_id = rows[-1]["id"]
        for row in rows:
            if row["office"] not in policies:
                policies[row["office"]] = await reminder_service.office_policy(row["office"])
        async with transaction(immediate=True):
            for row in rows:
                report.reminders += await reminder_service.plan_for_new_check_ins(
                    case={
                        "id": row["case"],
                        "office": row["office"],
                        "defendant": row["defendant_id"],
                    },
                    check_ins=[row],
                    policy=policies[row["office"]],
                    quiet=quiet,
                    now=now,
                )
        if len(rows) < BATCH:
            break
    report.risk_snapshot = await snapshot_service.refresh_risk_snapshot(now)
    return report
