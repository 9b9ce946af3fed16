"""What every admin page shares: the language, the CSRF token, navigation, rendering.

CSRF: every form and every HTMX request carries a token derived from the session (SHA-256 of
a fixed label and the HttpOnly session token: a page can show it, a foreign site cannot
compute it); `csrf_guard` refuses any POST under /admin whose token is missing or stale. The
login form, which has no session yet, uses a double-submit cookie instead.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import quote, urlencode

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.datastructures import UploadFile
from litestar.exceptions import PermissionDeniedException
from litestar.handlers import BaseRouteHandler
from litestar.response import Template

from admin_ui.charts import STYLE as CHART_STYLE
from admin_ui.i18n import LANGUAGES, translations
from admin_ui.labels import labels
from reporting_api.access import ADMIN, MANAGER, OFFICER, Principal
from reporting_api.errors import InvalidInput
from reporting_api.http.security_headers import content_security_policy, style_hash
from reporting_api.http.sessions import token_from
from reporting_api.i18n import LANGUAGE_NAMES, other_language, template_callables
from reporting_api.thai_dates import (
    BANGKOK,
    format_english_date,
    format_thai_date,
    format_thai_datetime,
    input_date_text,
    parse_date_input,
)

LANG_COOKIE = "bc_lang"
LOGIN_CSRF_COOKIE = "bc_login_csrf"
CSRF_FIELD = "_csrf"
CSRF_HEADER = "x-csrf-token"

PAGE_POLICY = content_security_policy(
    style_sources=[style_hash(CHART_STYLE.removeprefix("<style>").removesuffix("</style>"))]
)
"""The pages' Content-Security-Policy: the service's strict one, plus the one inline style
they carry (the charts' colours, inside each SVG; admin_ui/charts.py)."""


class CsrfRefused(PermissionDeniedException):
    """A POST without the page's CSRF token (or with a stale one)."""


def language(request: ASGIConnection[Any, Any, Any, Any]) -> str:
    lang = request.query_params.get("lang") or request.cookies.get(LANG_COOKIE) or "th"
    return lang if lang in LANGUAGES else "th"


def csrf_token(session_token: str | None) -> str:
    if not session_token:
        return ""
    return hashlib.sha256(f"bail-checkin csrf:{session_token}".encode()).hexdigest()[:40]


def new_login_csrf() -> str:
    return secrets.token_urlsafe(24)


async def csrf_guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """Refuse unsafe requests whose CSRF token does not match the session's."""
    if not isinstance(connection, Request) or connection.method in ("GET", "HEAD", "OPTIONS"):
        return
    sent = connection.headers.get(CSRF_HEADER)
    form = None
    if not sent:
        form = await connection.form()
        value = form.get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    session = token_from(connection)
    if session is not None:
        expected = csrf_token(session)
    else:  # the login form: double-submit cookie
        expected = connection.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not sent or not expected or not hmac.compare_digest(sent, expected):
        if form is not None:
            # Litestar closes uploaded files only after the guards passed.
            for _name, field in form.multi_items():
                if isinstance(field, UploadFile):
                    await field.close()
        raise CsrfRefused(detail="missing or stale CSRF token: reload the page and try again")


@dataclass(frozen=True)
class NavItem:
    key: str
    href: str


NAV: Mapping[str, tuple[NavItem, ...]] = {
    OFFICER: (
        NavItem("nav_today", "/admin/"),
        NavItem("nav_caseload", "/admin/caseload"),
        NavItem("nav_enrol", "/admin/enrol"),
        NavItem("nav_import", "/admin/import"),
        NavItem("nav_review", "/admin/review"),
        NavItem("nav_requests", "/admin/requests"),
        NavItem("nav_flags", "/admin/flags"),
        NavItem("nav_outbox", "/admin/outbox"),
    ),
    MANAGER: (
        NavItem("nav_reports", "/admin/reports"),
        NavItem("nav_quality", "/admin/quality"),
        NavItem("nav_caseload", "/admin/caseload"),
        NavItem("nav_requests", "/admin/requests"),
        NavItem("nav_flags", "/admin/flags"),
    ),
    ADMIN: (
        NavItem("nav_staff", "/admin/staff"),
        NavItem("nav_offices", "/admin/offices"),
        NavItem("nav_holidays", "/admin/holidays"),
    ),
}


PAGE_SIZE = 20
"""Rows a page of a list unless the address asks for another number (reporting_api.http.context)."""


def list_link(
    path: str, params: Mapping[str, Any], defaults: Mapping[str, Any] | None = None
) -> Callable[..., str]:
    """The link maker of a list page: ``link(page=2)`` is this list's address with that
    change. Empty parameters and those at their default are left out of the address."""
    defaults = {"page": 1, "page_size": PAGE_SIZE, **(defaults or {})}

    def link(**change: Any) -> str:
        merged = {**params, **change}
        # Filters first, then the page: the addresses read the same on every list.
        order = [k for k in merged if k not in ("page", "page_size")] + ["page", "page_size"]
        kept = {
            k: merged[k]
            for k in order
            if merged.get(k) not in (None, "") and merged[k] != defaults.get(k)
        }
        return path + ("?" + urlencode(kept) if kept else "")

    return link


def home_for(principal: Principal) -> str:
    return NAV[principal.role][0].href


def date_text(lang: str, value: Any) -> str:
    """A date as people read it: Buddhist era in Thai, Common Era in English."""
    if value is None:
        return ""
    return format_thai_date(value) if lang == "th" else format_english_date(value)


def input_date(value: Any) -> str:
    """What a date input shows: a date as ``15/01/2570`` (Buddhist era), text as it was typed."""
    if isinstance(value, date):
        return input_date_text(value)
    return "" if value is None else str(value)


def date_field(form: Any, name: str, *, required: bool) -> date | None:
    """A date from a form or query string, typed ``dd/mm/yyyy`` (Buddhist or Christian era) or
    ``yyyy-mm-dd``; None when empty and not required; InvalidInput naming ``name`` otherwise."""
    value = form.get(name) if form is not None else None
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        if required:
            raise InvalidInput(name, "is required", "ต้องกรอก")
        return None
    return parse_date_input(text[:40], name)


def datetime_text(lang: str, value: Any) -> str:
    """An instant in Bangkok time, Buddhist era in Thai."""
    if value is None:
        return ""
    if lang == "th":
        return format_thai_datetime(value)
    local = value.astimezone(BANGKOK)
    return f"{format_english_date(local.date())} {local:%H:%M}"


def render(
    request: Request[Any, Any, Any],
    template: str,
    *,
    status_code: int = 200,
    **context: Any,
) -> Template:
    """A page: the template with the user, navigation, CSRF token and the words of the
    request's language (``_``, ``pgettext``, ... and `admin_ui.labels`) filled in."""
    lang = language(request)
    user: Principal | None = request.scope.get("user")
    session = token_from(request)
    return Template(
        template_name=template,
        status_code=status_code,
        headers={
            "Cache-Control": "no-store",
            "Referrer-Policy": "same-origin",
            "Content-Security-Policy": PAGE_POLICY,
        },
        context={
            "lang": lang,
            **template_callables(translations(lang)),
            "labels": labels(lang),
            "other_language": LANGUAGE_NAMES[other_language(lang)],
            "user": user,
            "nav": NAV.get(user.role, ()) if user else (),
            "path": request.url.path,
            "here": quote(
                str(request.url.path) + ("?" + request.url.query if request.url.query else "")
            ),
            "csrf": csrf_token(session),
            "csrf_field": CSRF_FIELD,
            "date_text": lambda value: date_text(lang, value),
            "input_date": input_date,
            "datetime_text": lambda value: datetime_text(lang, value),
            **context,
        },
    )


def fields_of(result: Any) -> dict[str, Any]:
    """A service's result (a dataclass) as template variables, one per field (not copied)."""
    return {f.name: getattr(result, f.name) for f in dataclasses.fields(result)}


def field_errors(*errors: Any) -> dict[str, dict[str, str]]:
    """`InvalidInput`/`Conflict` errors as the forms macros show them beside their field."""
    return {e.field: {"en": e.reason, "th": e.reason_th} for e in errors}
