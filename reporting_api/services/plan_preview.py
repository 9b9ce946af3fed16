"""What a plan edit would do, before it is saved: each check-in (new, moved, removed, kept, as
it was), the holiday or weekend a date moved for, each reminder that would be added, moved or
cancelled, and the plan's notes. Nothing is written; the officer's page shows it and the same
values are then saved through `plans.set_plan`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from reporting_api.commands import PlanIn
from reporting_api.planning import ExistingCheckIn, PlanNote, is_frozen, replan
from reporting_api.reminder_schedule import PlannedReminder, plan_reminders
from reporting_api.services import cases, plans
from reporting_api.services import reminders as reminder_service
from reporting_api.services.context import Ctx
from reporting_api.services.enrolment import reason_in_thai
from reporting_api.statuses import CheckInStatus
from reporting_api.store import checkins as checkin_store
from reporting_api.store import outbox as outbox_store
from reporting_api.store.outbox import ReminderTime

UNSENT = "queued"


@dataclass(frozen=True)
class ReminderChange:
    """One reminder of a previewed check-in: `added`, `moved` (from ``was``), `cancelled` or
    `unchanged`, with its Bangkok send time (UTC here)."""

    kind: str
    change: str
    at: datetime
    was: datetime | None = None


@dataclass(frozen=True)
class PreviewRow:
    """One check-in as the new plan would leave it."""

    due_date: date
    change: str  # new | unchanged | window | removed | kept
    nominal_date: date | None
    moved_reason: str | None
    status: str | None
    reminders: list[ReminderChange]

    @property
    def moved_reason_th(self) -> str | None:
        return reason_in_thai(self.moved_reason, self.nominal_date)

    @property
    def moved(self) -> bool:
        return self.moved_reason is not None and self.nominal_date != self.due_date


@dataclass(frozen=True)
class PlanPreview:
    rows: list[PreviewRow]
    notes: list[PlanNote]
    created: int
    removed: int

    @property
    def reminder_changes(self) -> int:
        return sum(1 for r in self.rows for m in r.reminders if m.change != "unchanged")


async def preview_plan(ctx: Ctx, case_id: int, data: PlanIn) -> PlanPreview:
    """The check-ins and reminders the plan ``data`` would give the case, against what is
    stored; refusals as `plans.set_plan` would give them. Writes nothing."""
    case = await cases.load_for_change(ctx, case_id)
    spec = plans.spec_from(data)
    expansion = await plans.expand_for(ctx, spec)
    stored = await checkin_store.list_for_case(case_id)
    existing = [
        ExistingCheckIn(r["id"], r["due_date"], CheckInStatus(r["status"]), r["opens_at"])
        for r in stored
    ]
    plans.check_history_kept(existing, expansion.check_ins, spec, ctx.now)
    result = replan(existing, expansion.check_ins, ctx.now)
    policy = await reminder_service.office_policy(case["office"])
    quiet = reminder_service.quiet_hours(ctx.settings)
    times: dict[int, dict[str, ReminderTime]] = {}
    for r in await outbox_store.reminder_times([e.id for e in existing]):
        if r["check_in"] is not None:
            times.setdefault(r["check_in"], {})[r["kind"]] = r
    by_id = {r["id"]: r for r in stored}
    rows: list[PreviewRow] = []
    for row in stored:
        if is_frozen(
            ExistingCheckIn(
                row["id"], row["due_date"], CheckInStatus(row["status"]), row["opens_at"]
            ),
            ctx.now,
        ):
            rows.append(
                PreviewRow(
                    row["due_date"], "kept", row["nominal_date"], row["moved_reason"],
                    row["status"], [],
                )
            )  # fmt: skip
    for check_in_id in result.delete_ids:
        row = by_id[check_in_id]
        cancelled = [
            ReminderChange(kind, "cancelled", r["due_at"])
            for kind, r in sorted(times.get(check_in_id, {}).items())
            if r["status"] == UNSENT
        ]
        rows.append(
            PreviewRow(
                row["due_date"], "removed", row["nominal_date"], row["moved_reason"],
                row["status"], cancelled,
            )
        )  # fmt: skip
    horizon = reminder_service.planning_horizon(ctx.now)
    for check_in_id, planned in result.update:
        old = times.get(check_in_id, {})
        # Beyond the horizon with none written yet: housekeeping writes them, nothing changes.
        later = planned.due_date > horizon and not old
        wanted = (
            [] if later else _reminders(planned.due_date, planned.closes_at, ctx.now, policy, quiet)
        )
        changes = _compare(wanted, old)
        row = by_id[check_in_id]
        same_window = (row["opens_at"], row["closes_at"]) == (planned.opens_at, planned.closes_at)
        rows.append(
            PreviewRow(
                planned.due_date,
                "unchanged" if same_window else "window",
                planned.nominal_date,
                planned.moved_reason,
                row["status"],
                changes,
            )
        )
    for planned in result.create:
        wanted = _reminders(planned.due_date, planned.closes_at, ctx.now, policy, quiet)
        rows.append(
            PreviewRow(
                planned.due_date,
                "new",
                planned.nominal_date,
                planned.moved_reason,
                None,
                [ReminderChange(p.kind, "added", p.due_at) for p in wanted],
            )
        )
    rows.sort(key=lambda r: (r.due_date, r.change != "removed"))
    return PlanPreview(rows, expansion.notes, len(result.create), len(result.delete_ids))


def _reminders(
    due_date: date,
    closes_at: datetime,
    now: datetime,
    policy: reminder_service.ReminderPolicy,
    quiet: reminder_service.QuietHours,
) -> list[PlannedReminder]:
    return plan_reminders(
        due_date=due_date, closes_at=closes_at, now=now, policy=policy, quiet=quiet
    )


def _compare(wanted: list[PlannedReminder], old: dict[str, ReminderTime]) -> list[ReminderChange]:
    changes: list[ReminderChange] = []
    for p in wanted:
        row = old.get(p.kind)
        if row is None:
            changes.append(ReminderChange(p.kind, "added", p.due_at))
        elif row["status"] != UNSENT or row["attempts"]:
            continue  # tried already: never planned again
        elif row["due_at"] != p.due_at:
            changes.append(ReminderChange(p.kind, "moved", p.due_at, row["due_at"]))
        else:
            changes.append(ReminderChange(p.kind, "unchanged", p.due_at))
    kinds = {p.kind for p in wanted}
    changes += [
        ReminderChange(kind, "cancelled", row["due_at"])
        for kind, row in sorted(old.items())
        if kind not in kinds and row["status"] == UNSENT
    ]
    return changes
