"""The demo's staff logins: an administrator, a manager and one officer per provincial office,
created through the staff store when missing, and the lines that tell a person how to log in."""

from __future__ import annotations

import random
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from reporting_api.demo.world import NamePools
from reporting_api.passwords import hash_password, password_problem, verify_password
from reporting_api.settings import Settings
from reporting_api.store import staff, transaction
from reporting_api.store.bulk_load import OfficeBrief

ADMIN, MANAGER = "admin", "manager"


def officer_username(office_code: str) -> str:
    """The demo officer of an office: ``TH-10`` -> ``officer.th10``."""
    return "officer." + office_code.lower().replace("-", "")


@dataclass(frozen=True)
class Logins:
    usernames: list[str]
    created: list[str]
    password: str | None  # None: the logins already existed and the password is not known
    note: str


@dataclass(frozen=True)
class _Wanted:
    display_name: str
    role: str
    office: int


@dataclass(frozen=True)
class _Account:
    id: int
    role: str
    office: int


def _generated_password() -> str:
    """16 random characters (96 bits), which the password rule always takes."""
    while True:
        password = secrets.token_urlsafe(12)
        if password_problem(password) is None:
            return password


async def ensure_logins(
    settings: Settings,
    offices: Sequence[OfficeBrief],
    seed: int,
    now: datetime,
    names: NamePools,
) -> tuple[Logins, dict[int, int]]:
    """Create the demo logins that are missing; return them and each office's demo officer."""
    central = next(o for o in offices if o.is_central)
    wanted = {
        ADMIN: _Wanted("ผู้ดูแลระบบ (ตัวอย่าง)", "admin", central.id),
        MANAGER: _Wanted("ผู้บริหาร กองทุนยุติธรรม (ตัวอย่าง)", "manager", central.id),
    }
    first_names, _, last_names = names
    for office in offices:
        if not office.is_central:
            rng = random.Random(f"{seed}:staff:{office.code}")
            display = f"{rng.choice(first_names)} {rng.choice(last_names)}"
            wanted[officer_username(office.code)] = _Wanted(display, "officer", office.id)
    async with transaction():  # one connection for the look-ups, not one each
        found = {u: await staff.get_staff_for_login(u) for u in wanted}
    stored = {u: row for u, row in found.items() if row is not None}
    accounts = {u: _Account(r["id"], r["role"], r["office"]) for u, r in stored.items()}
    missing = [u for u in wanted if u not in stored]
    password = settings.demo_password
    if missing:
        problem = password_problem(password) if password is not None else None
        if problem is not None:
            raise ValueError(f"DEMO_PASSWORD {problem[0]}")
        generated = password is None
        password = password or _generated_password()
        password_hash = hash_password(password)  # once: argon2 is slow on purpose
        async with transaction(immediate=True):
            for u in missing:
                created = await staff.create_staff(
                    {
                        "username": u,
                        "display_name": wanted[u].display_name,
                        "role": wanted[u].role,
                        "office": wanted[u].office,
                        "password_hash": password_hash,
                        "active": True,
                        "created_at": now,
                    }
                )
                accounts[u] = _Account(created["id"], created["role"], created["office"])
        note = "generated; set DEMO_PASSWORD to choose it" if generated else "from DEMO_PASSWORD"
        if len(missing) < len(wanted):
            note += f"; it applies to the {len(missing)} logins created now, the others keep theirs"
    elif password is not None and verify_password(stored[ADMIN]["password_hash"], password):
        note = "from DEMO_PASSWORD; the logins already existed"
    else:
        password = None
        note = (
            "unchanged: the demo logins already existed, so the password printed when they "
            "were created still works"
            + (" (DEMO_PASSWORD does not match it)" if settings.demo_password else "")
        )
    officers = {
        account.office: account.id
        for u, account in accounts.items()
        if u.startswith("officer.") and account.role == "officer"
    }
    return Logins(list(wanted), missing, password, note), officers


def print_logins(settings: Settings, logins: Logins) -> None:
    officers = [u for u in logins.usernames if u.startswith("officer.")]
    base = settings.public_base_url
    print()
    print(f"Demo logins at {base} (API docs: {base}/schema/swagger)")
    print(f"  {ADMIN:<14} administrator, central office")
    print(f"  {MANAGER:<14} manager, central office")
    if officers:
        print(f"  {officers[0]:<14} officer, Bangkok; one per provincial office: officer.<code>,")
        print(f"  {'':<14} {', '.join(officers[1:4])}, ... {officers[-1]}")
    if logins.password is not None:
        print(f"  password: {logins.password}   ({logins.note})")
    else:
        print(f"  password {logins.note}")
    print(
        f"  {ADMIN} and {MANAGER} set up two-factor sign-in at their first login: have an "
        "authenticator app ready (Google Authenticator, FreeOTP, ...) to scan the QR code"
    )
