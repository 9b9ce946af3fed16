"""How messages reach a person, as officers see it on the person's page (issue 17): on LINE
since the account was linked, else by SMS; and an officer's unlinking of the account.

Nothing here answers while LINE is off (`LineSettings.configured`): no page mentions LINE
then. Reading follows the person's page (officers their own office, managers every office);
unlinking is a change (an officer of the person's office only), audited as `line.unlinked`
with ``{"why": "officer"}``, as LINE's own `unfollow` is with ``{"why": "unfollow"}``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from reporting_api.access import ensure_can_change_office, ensure_can_read_office
from reporting_api.errors import Conflict, NotFound
from reporting_api.services.context import Ctx
from reporting_api.store import defendants as defendant_store
from reporting_api.store import line_events as store

LINE, SMS = "line", "sms"
UNLINKED_BY_OFFICER = "officer"
"""The audit row's ``why`` when an officer unlinked the account."""


@dataclass(frozen=True)
class MessageChannel:
    """How the person's messages go now: `line` (``linked_at``: since when) or `sms`."""

    channel: str
    linked_at: datetime | None = None
    can_unlink: bool = False
    """Whether this user may unlink it (an officer of the person's office)."""


async def _office_of(defendant_id: int) -> int:
    office = await defendant_store.get_defendant_office(defendant_id)
    if office is None:
        raise NotFound("defendant")
    return office


async def channel_of(ctx: Ctx, defendant_id: int) -> MessageChannel | None:
    """The person's channel; None while LINE is off. Part of the person's page, whose
    reading is audited there."""
    if not ctx.settings.line.configured:
        return None
    office = await _office_of(defendant_id)
    ensure_can_read_office(ctx.principal, office, "defendant")
    account = await store.line_account_of(defendant_id)
    if account is None:
        return MessageChannel(SMS)
    can_unlink = ctx.principal.is_officer and ctx.principal.office_id == office
    return MessageChannel(LINE, account["linked_at"], can_unlink)


async def unlink_by_officer(ctx: Ctx, defendant_id: int) -> None:
    """Remove the person's LINE link: their messages go by SMS from now on, until they link
    again. Audited (`line.unlinked`, the officer as actor). 404 while LINE is off; 409 when
    the person has no linked account (another officer, or the person, unlinked it first)."""
    if not ctx.settings.line.configured:
        raise NotFound("line_account", "LINE is not in use", "ไม่ได้ใช้งาน LINE")
    ensure_can_change_office(ctx.principal, await _office_of(defendant_id), "defendant")
    if await store.unlink_person(defendant_id) is None:
        raise Conflict(
            "line_account",
            "this person has no linked LINE account (it may have been unlinked already); "
            "reload the page",
            "บุคคลนี้ไม่ได้เชื่อมบัญชี LINE ไว้ (อาจถูกยกเลิกไปแล้ว) โปรดโหลดหน้านี้ใหม่",
        )
    await ctx.audit("line.unlinked", "defendant", defendant_id, {"why": UNLINKED_BY_OFFICER})
