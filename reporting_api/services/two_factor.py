"""Two-factor sign-in: TOTP (RFC 6238, `pyotp`) and one-time recovery codes.

The secret is made here, shown once as a QR code drawn locally (`segno`, SVG; no outside
service sees it) and as text, and kept sealed (`reporting_api.sealing`, as face templates
are). It counts only once confirmed with a first code. A code is good once: the last time
step used is kept and a code of that step or an earlier one is refused. Recovery codes are
79-bit random (16 of 31 letters and digits), shown once, kept as salted SHA-256 (ASVS 2.6.2), each good once.
Managers and administrators must use it (`needs_two_factor`), officers may;
`REQUIRE_TWO_FACTOR` makes it everyone's.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime

import pyotp
import segno

from reporting_api.access import ADMIN, MANAGER, Principal, ensure_role
from reporting_api.errors import InvalidInput, NotFound
from reporting_api.sealing import Sealer
from reporting_api.services.context import Ctx
from reporting_api.settings import Settings
from reporting_api.store import staff as store
from reporting_api.store.audit import record as record_audit
from reporting_api.store.rows import StaffUserRow

ISSUER = "Justice Fund bail check-in"
STEP_SECONDS = 30
DRIFT_STEPS = 1
"""A code of the step before or after now is taken too (a phone's clock a little off)."""
RECOVERY_CODES = 10
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
RECOVERY_LENGTH = 16
"""16 characters of 31: 79 bits each."""


@dataclass(frozen=True)
class Setup:
    """What a person needs to add the account to an authenticator app."""

    secret: str
    otpauth_uri: str
    qr_svg: str


def needs_two_factor(role: str, settings: Settings) -> bool:
    return role in (MANAGER, ADMIN) or settings.sign_in.require_two_factor


def _context(staff_id: int) -> str:
    return f"staff_user:{staff_id}:totp"


def _step(now: datetime) -> int:
    return int(now.timestamp()) // STEP_SECONDS


def _setup(secret: str, username: str) -> Setup:
    uri = pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=ISSUER)
    qr = segno.make(uri, error="m").svg_inline(scale=4, dark="#000", light="#fff")
    return Setup(secret=secret, otpauth_uri=uri, qr_svg=qr)


async def begin(sealer: Sealer, staff_id: int, username: str) -> Setup:
    """A new secret for the account, waiting for its first code (a secret already in use
    stays in use until the new one is confirmed)."""
    secret = pyotp.random_base32()
    await store.set_totp_pending(staff_id, sealer.seal(secret.encode(), _context(staff_id)))
    return _setup(secret, username)


async def waiting_or_new(sealer: Sealer, user: StaffUserRow) -> Setup:
    """The secret waiting for its first code, shown again (a reloaded page shows the QR
    code already scanned), or a new one if none is waiting."""
    if user["totp_pending"] is None:
        return await begin(sealer, user["id"], user["username"])
    secret = sealer.open(user["totp_pending"], _context(user["id"])).decode()
    return _setup(secret, user["username"])


def _matching_step(secret: str, code: str, now: datetime) -> int | None:
    totp = pyotp.TOTP(secret)
    current = _step(now)
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def _normal(code: str) -> str:
    return "".join(code.split()).replace("-", "").lower()


def _hash_recovery(code: str, salt: bytes) -> str:
    return salt.hex() + "$" + hashlib.sha256(salt + code.encode()).hexdigest()


def _new_recovery_codes() -> tuple[list[str], list[str]]:
    """Codes to show once (grouped by four) and what is stored of them."""
    shown, stored = [], []
    for _ in range(RECOVERY_CODES):
        code = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_LENGTH))
        shown.append("-".join(code[i : i + 4] for i in range(0, RECOVERY_LENGTH, 4)))
        stored.append(_hash_recovery(code, secrets.token_bytes(16)))
    return shown, stored


async def confirm(sealer: Sealer, user: StaffUserRow, code: str, now: datetime) -> list[str]:
    """The waiting secret becomes the account's when ``code`` is its current code; returns
    new recovery codes (shown once). Refuses a wrong code naming the field."""
    if user["totp_pending"] is None:
        raise InvalidInput(
            "code",
            "no two-factor set-up is waiting; start again",
            "ไม่มีการตั้งค่าการยืนยันสองขั้นตอนที่รออยู่ โปรดเริ่มใหม่",
        )
    secret = sealer.open(user["totp_pending"], _context(user["id"])).decode()
    step = _matching_step(secret, _normal(code), now)
    if step is None or not await store.enable_totp(user["id"], now, step):
        raise InvalidInput(
            "code",
            "that is not the code the app shows now; enter the 6 digits it shows",
            "รหัสไม่ตรงกับที่แอปแสดงอยู่ โปรดกรอกตัวเลข 6 หลักที่แอปแสดงในขณะนี้",
        )
    shown, stored = _new_recovery_codes()
    await store.replace_recovery_codes(user["id"], stored, now)
    return shown


async def check_code(sealer: Sealer, user: StaffUserRow, code: str, now: datetime) -> str | None:
    """``totp`` or ``recovery`` if ``code`` signs the user in (and is spent), else None."""
    typed = _normal(code)
    if user["totp_secret"] is None or not typed:
        return None
    if typed.isdigit() and len(typed) == 6:
        secret = sealer.open(user["totp_secret"], _context(user["id"])).decode()
        step = _matching_step(secret, typed, now)
        if step is not None and await store.use_totp_step(user["id"], step):
            return "totp"
        return None
    if len(typed) != RECOVERY_LENGTH:
        return None
    for row in await store.unused_recovery_codes(user["id"]):
        salt_hex, _, _ = row["code_hash"].partition("$")
        expected = _hash_recovery(typed, bytes.fromhex(salt_hex))
        if hmac.compare_digest(expected, row["code_hash"]):
            return "recovery" if await store.use_recovery_code(row["id"], now) else None
    return None


async def remaining_recovery_codes(principal: Principal) -> int:
    return len(await store.unused_recovery_codes(principal.id))


async def new_recovery_codes(ctx: Ctx, code: str) -> list[str]:
    """Fresh recovery codes for the signed-in user (the old ones stop working); a current
    one-time code proves it is them."""
    user = await store.get_staff_for_login(ctx.principal.username)
    if user is None or await check_code(ctx.rt.sealer, user, code, ctx.now) is None:
        raise InvalidInput(
            "code",
            "wrong or already used one-time code",
            "รหัสใช้ครั้งเดียวไม่ถูกต้องหรือถูกใช้ไปแล้ว",
        )
    shown, stored = _new_recovery_codes()
    await store.replace_recovery_codes(ctx.principal.id, stored, ctx.now)
    await ctx.audit("auth.recovery_codes_renewed", "staff_user", ctx.principal.id)
    return shown


async def reset(ctx: Ctx, staff_id: int) -> None:
    """An administrator turns off someone's two-factor (a lost phone and lost codes): their
    sessions end and they set it up again at their next sign-in."""
    ensure_role(ctx.principal, ADMIN)
    if await store.get_staff(staff_id) is None:
        raise NotFound("staff user")
    await store.disable_totp(staff_id)
    await store.revoke_tokens_of(staff_id)
    await ctx.audit("auth.two_factor_reset", "staff_user", staff_id)


async def audit_enabled(user: StaffUserRow, now: datetime, client: str | None) -> None:
    await record_audit(
        actor_id=user["id"],
        actor_username=user["username"],
        action="auth.two_factor_enabled",
        entity="staff_user",
        entity_id=user["id"],
        at=now,
        client_address=client,
    )
