"""Who may see and change what: the role rules in one place.

An officer reads and changes only their own office's people and cases; a manager reads
everything and changes nothing; an admin manages staff and offices and sees no personal data.
A record of another office answers 404, not 403, so its existence does not leak.
"""

from __future__ import annotations

from dataclasses import dataclass

from reporting_api.errors import Forbidden, NotFound
from reporting_api.statuses import RoleName

OFFICER, MANAGER, ADMIN = "officer", "manager", "admin"


@dataclass(frozen=True)
class Principal:
    """The logged-in staff user a request acts for."""

    id: int
    username: str
    display_name: str
    role: RoleName
    office_id: int

    @property
    def is_officer(self) -> bool:
        return self.role == OFFICER


def ensure_role(principal: Principal, *roles: str) -> None:
    if principal.role not in roles:
        raise Forbidden(roles, principal.role)


def ensure_can_read_office(principal: Principal, office_id: int, what: str = "record") -> None:
    """Managers read every office; officers only theirs; admins no personal data."""
    ensure_role(principal, OFFICER, MANAGER)
    if principal.is_officer and principal.office_id != office_id:
        raise NotFound(what)


def ensure_can_change_office(principal: Principal, office_id: int, what: str = "record") -> None:
    """Only an officer of the record's own office changes it."""
    ensure_role(principal, OFFICER)
    if principal.office_id != office_id:
        raise NotFound(what)


def office_scope(principal: Principal, requested_office_id: int | None) -> int | None:
    """The office a list is limited to: an officer's own, or what a manager asked for."""
    ensure_role(principal, OFFICER, MANAGER)
    if principal.is_officer:
        if requested_office_id not in (None, principal.office_id):
            raise NotFound("office", "no such office in your reach", "ไม่พบสำนักงานนี้ในขอบเขตของท่าน")
        return principal.office_id
    return requested_office_id
