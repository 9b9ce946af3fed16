"""Reading the audit log (managers and administrators), and what a search leaves in it.

Managers read every row as written. Administrators manage accounts and offices and see no
personal data (`access.py`), so they get each row with its personal detail taken out: a
detail keeps only the keys that hold ids, counts, codes or statuses (`ADMIN_DETAIL_KEYS`;
the others are named in `redacted`), and the client address of rows written for a person on
the check-in link is left out.

A search's terms are kept as typed only when they are a name: an ID number or a phone
number is stored masked, with a keyed fingerprint (`Sealer.fingerprint`) by which a holder
of the data key can still tell whether a given number was searched for.
"""

from __future__ import annotations

from typing import Any, Literal

from reporting_api.access import ADMIN, MANAGER, ensure_role
from reporting_api.commands import AuditFilter
from reporting_api.masking import mask_digits, mask_phone
from reporting_api.services.context import Ctx
from reporting_api.services.links import ACTOR as LINK_ACTOR
from reporting_api.store import audit as store
from reporting_api.store.rows import AuditLogRow

SearchKind = Literal["national_id", "national_id_prefix", "phone", "name"]

ADMIN_DETAIL_KEYS = frozenset(
    {
        "fields",
        "role",
        "reference",
        "reporting_mode",
        "card_photo_kept",
        "office_id",
        "returned",
        "defendants",
        "defendant_id",
        "defendant",
        "check_in",
        "attempt",
        "position",
        "bytes",
        "kind",
        "failures",
        "older_than_days",
        "counts",
        "as_of",
        "sort",
        "mode",
        "q_kind",
        "check_ins",
        "reminders",
        "attempts",
        "flags",
        "decision",
    }
)
"""Detail keys whose values are ids, counts, codes or statuses: an administrator sees these."""
STATUS_KEYS = ("from", "to")
"""Shown to administrators only when they hold a status code (a word), not a person's data."""
PERSON_ACTORS = frozenset({LINK_ACTOR})
"""Actors of rows written for a person (their client address is the person's)."""


def search_terms(ctx: Ctx, typed: str, kind: SearchKind | None, value: str) -> dict[str, Any]:
    """The audit detail of a search for ``typed`` (read as ``kind``, normalised to
    ``value``): a name as typed; an ID number, its leading digits or a phone number masked,
    with a fingerprint when the runtime (the data key) is at hand."""
    if kind is None or kind == "name":
        return {"q": typed}
    masked = mask_phone(value) if kind == "phone" else mask_digits(value)
    detail: dict[str, Any] = {"q": masked, "q_kind": kind}
    if ctx.runtime is not None:
        detail["q_fingerprint"] = ctx.runtime.sealer.fingerprint(value, "search")
    return detail


def redact_for_admin(row: AuditLogRow) -> AuditLogRow:
    """``row`` as an administrator may read it: no personal detail, no person's address."""
    kept: dict[str, Any] = {}
    hidden: list[str] = []
    for key, value in row["detail"].items():
        if key in ADMIN_DETAIL_KEYS or (key in STATUS_KEYS and isinstance(value, str)):
            kept[key] = value
        else:
            hidden.append(key)
    if hidden:
        kept["redacted"] = sorted(hidden)
    shown = row.copy()
    shown["detail"] = kept
    if row["actor"] is None and row["actor_username"] in PERSON_ACTORS:
        shown["client_address"] = None
    return shown


async def list_audit(
    ctx: Ctx, where: AuditFilter, offset: int, limit: int
) -> tuple[list[AuditLogRow], int]:
    """Newest first; an administrator's rows without personal detail."""
    ensure_role(ctx.principal, MANAGER, ADMIN)
    rows, total = await store.list_audit(where, offset=offset, limit=limit)
    if ctx.principal.role == ADMIN:
        rows = [redact_for_admin(row) for row in rows]
    return rows, total
