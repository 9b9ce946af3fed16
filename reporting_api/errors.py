"""What a service says when it will not do something: the field it concerns and a reason a
person can act on, in English and Thai.

Services raise these and nothing else (never a web framework's exceptions); each edge maps
them to its medium in one place: the JSON API in `reporting_api/http/errors.py` (400, 403,
404, 409, or a `Refused`'s own status), the officers' pages in `admin_ui/app.py`, the CLI as
a message and a non-zero exit.
"""

from __future__ import annotations


class ServiceError(Exception):
    """An operation refused: ``field`` names what it concerns, with the reason in English
    and Thai."""

    def __init__(self, field: str, reason: str, reason_th: str | None = None) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason
        self.reason_th = reason_th or reason

    @property
    def detail(self) -> str:
        return f"{self.field}: {self.reason}"


class InvalidInput(ServiceError, ValueError):
    """A value a person supplied breaks a domain rule (the API answers 400)."""


class Conflict(ServiceError):
    """The request clashes with data already stored (409)."""


class TransitionNotAllowed(Conflict):
    """A check-in may not move from one status to another (409)."""

    def __init__(self, current: str, target: str) -> None:
        super().__init__(
            "status",
            f"a check-in that is {current} cannot become {target}",
            f"สถานะ {current} เปลี่ยนเป็น {target} ไม่ได้",
        )
        self.current = current
        self.target = target


THINGS_TH = {
    "defendant": "ผู้ได้รับการปล่อยชั่วคราว",
    "case": "คดี",
    "check-in": "นัดรายงานตัว",
    "flag": "การแจ้งเตือน",
    "office": "สำนักงาน",
    "staff user": "เจ้าหน้าที่",
    "verification attempt": "การยืนยันตัวตน",
    "evidence frame": "ภาพหลักฐาน",
    "upload": "ไฟล์ที่ส่ง",
    "attachment": "ไฟล์แนบ",
}
"""The records a `NotFound` names, in Thai."""


class NotFound(ServiceError):
    """No such record, or none the caller may see: an officer asking for another office's
    record is told the same as for one that does not exist, so its existence does not leak
    (404)."""

    def __init__(self, what: str, reason: str | None = None, reason_th: str | None = None) -> None:
        super().__init__(
            what.replace(" ", "_").replace("-", "_"),
            reason or f"no such {what}",
            reason_th or f"ไม่พบ{THINGS_TH.get(what, what)}",
        )
        self.what = what

    @property
    def detail(self) -> str:
        return self.reason


ROLES_TH = {"officer": "เจ้าหน้าที่", "manager": "ผู้บริหาร", "admin": "ผู้ดูแลระบบ"}


class Forbidden(ServiceError):
    """The caller's role may not do this at all (403)."""

    def __init__(self, needed: tuple[str, ...], role: str) -> None:
        needed_th = " หรือ ".join(ROLES_TH.get(r, r) for r in needed)
        super().__init__(
            "role",
            f"this needs the role {' or '.join(needed)}; you are {role}",
            f"ต้องมีบทบาท{needed_th} บทบาทของท่านคือ{ROLES_TH.get(role, role)}",
        )
        self.needed = needed
        self.role = role

    @property
    def detail(self) -> str:
        return self.reason


class Refused(ServiceError):
    """A request the person cannot make now on the check-in link, with the HTTP status that
    tells the page what to show: 401 confirm who you are first, 404 no such link, 410 the
    link has expired, 423 the link is locked, 429 too many tries."""

    def __init__(self, status: int, field: str, reason: str, reason_th: str | None = None) -> None:
        super().__init__(field, reason, reason_th)
        self.status = status
