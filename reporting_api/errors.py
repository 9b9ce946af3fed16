"""Errors that carry a field and a reason a person can act on, in English and Thai."""

from __future__ import annotations


class InvalidInput(ValueError):
    """A value a person supplied breaks a domain rule.

    The API turns it into a 400 response naming ``field`` with both reasons.
    """

    def __init__(self, field: str, reason: str, reason_th: str | None = None) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason
        self.reason_th = reason_th or reason


class Conflict(Exception):
    """The request clashes with data already stored (a 409)."""

    def __init__(self, field: str, reason: str, reason_th: str | None = None) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason
        self.reason_th = reason_th or reason


class TransitionNotAllowed(Exception):
    """A check-in may not move from one status to another (a 409)."""

    def __init__(self, current: str, target: str) -> None:
        super().__init__(f"a check-in cannot go from {current} to {target}")
        self.current = current
        self.target = target


class Refused(Exception):
    """A request the person cannot make now, with its HTTP status (401, 404, 410, 423, 429...).

    Used by the check-in link, where the status tells the page what to show: 401 confirm who
    you are first, 410 the link has expired, 423 the link is locked, 429 too many tries.
    """

    def __init__(self, status: int, field: str, reason: str, reason_th: str | None = None) -> None:
        super().__init__(f"{field}: {reason}")
        self.status = status
        self.field = field
        self.reason = reason
        self.reason_th = reason_th or reason
