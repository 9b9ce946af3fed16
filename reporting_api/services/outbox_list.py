"""An office's SMS outbox for officers: every reminder and staff alert, newest first, with the
text sent, the (masked) number, the delivery state and Twilio's error code."""

from __future__ import annotations

from dataclasses import dataclass

from reporting_api.access import office_scope
from reporting_api.services.context import Ctx
from reporting_api.store import outbox as outbox_store
from reporting_api.store import outbox_list as store
from reporting_api.store.outbox_list import OutboxListRow

STATUSES = (
    outbox_store.QUEUED,
    outbox_store.SENDING,
    outbox_store.SENT,
    outbox_store.DELIVERED,
    outbox_store.UNDELIVERED,
    outbox_store.FAILED,
    outbox_store.SKIPPED,
    outbox_store.CANCELLED,
)


def mask_phone(e164: str | None) -> str:
    """``+66812345678`` -> ``08x-xxx-5678``: enough to tell numbers apart, not to dial one."""
    if not e164:
        return ""
    digits = "".join(ch for ch in e164 if ch.isdigit())
    if e164.startswith("+66"):
        digits = "0" + digits[2:]
    if len(digits) < 6:
        return "x" * len(digits)
    return f"{digits[:2]}x-xxx-{digits[-4:]}"


def mask_email(address: str | None) -> str:
    """``somsri.k@jfo.go.th`` -> ``so…@jfo.go.th``: whose mailbox, not the address to copy."""
    if not address:
        return ""
    local, _, domain = address.rpartition("@")
    return f"{local[:2]}…@{domain}"


class OutboxEntry(OutboxListRow):
    recipient: str
    """"staff" (an alert) or "defendant" (a reminder)."""
    to_masked: str
    to_recorded: bool
    """False: not sent yet, the number shown is the one on file now."""


@dataclass(frozen=True)
class OutboxPage:
    rows: list[OutboxEntry]
    total: int
    counts: dict[str, int]
    status: str | None
    office_id: int | None


def _entry(row: OutboxListRow) -> OutboxEntry:
    recipient = "staff" if row["staff"] is not None else "defendant"
    if row["channel"] == "email":  # a staff alert by e-mail: the address, not a number
        return OutboxEntry(
            **row,
            recipient=recipient,
            to_masked=mask_email(row["to_email"] or row["staff_email"]),
            to_recorded=row["to_email"] is not None,
        )
    current = row["staff_phone"] if recipient == "staff" else row["defendant_phone"]
    return OutboxEntry(
        **row,
        recipient=recipient,
        to_masked=mask_phone(row["to_phone"] or current),
        to_recorded=row["to_phone"] is not None,
    )


async def outbox(
    ctx: Ctx, *, office_id: int | None, status: str | None, offset: int, limit: int
) -> OutboxPage:
    """One page of the office's reminders in ``status`` (all when None or unknown)."""
    scope = office_scope(ctx.principal, office_id)
    status = status if status in STATUSES else None
    rows, total = await store.list_outbox(
        office_id=scope, status=status, offset=offset, limit=limit
    )
    counts = await store.count_by_status(scope)
    await ctx.audit(
        "admin.outbox",
        "office",
        scope,
        {
            "status": status,
            "reminders": [r["id"] for r in rows],
            "defendants": sorted({r["defendant"] for r in rows if r["defendant"] is not None}),
        },
    )
    return OutboxPage([_entry(r) for r in rows], total, counts, status, scope)
