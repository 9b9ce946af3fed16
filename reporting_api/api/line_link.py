"""`/line/link`: the page LINE's account-link invitation opens (issue 17).

A person who added the fund's Official Account gets a button here with LINE's link token.
They prove who they are as on the check-in page: the link from the fund's latest SMS (its
code names one check-in and shows they have the phone), their date of birth and the last four
digits of their ID, under the same limits (the link locks after the same wrong answers, and a
connection is limited across links). Then they are sent on to LINE's account-link dialog
with a fresh nonce, and LINE's `accountLink` event brings the nonce back to the webhook.
A plain form, no script: it works in LINE's own browser on any phone. With LINE off, 404.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.enums import MediaType, RequestEncodingType
from litestar.exceptions import NotFoundException
from litestar.params import Body
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_200_OK, HTTP_303_SEE_OTHER, HTTP_400_BAD_REQUEST

from reporting_api.checkin_page.messages import translations
from reporting_api.errors import Refused, ServiceError
from reporting_api.http.context import client_address, now_of
from reporting_api.i18n import LANGUAGE_NAMES, known_language, other_language, template_callables
from reporting_api.services import line_webhook
from reporting_api.services.links import CODE, Visit
from reporting_api.settings import Settings
from reporting_api.thai_dates import ENGLISH_MONTHS_LONG, FIRST_BUDDHIST_YEAR, THAI_MONTHS_LONG

LINK_TOKEN = re.compile(r"^[A-Za-z0-9_-]{8,128}$")
NO_STORE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
FIELD_MAX = 2048


def code_from(text: str) -> str | None:
    """The check-in code in what the person pasted or typed: the SMS's whole link (with or
    without `https://`, the host and anything after the code) or the code alone."""
    words = text.strip()
    if "/c/" in words:
        words = words.split("/c/", 1)[1]
    words = re.split(r"[/?#\s]", words, maxsplit=1)[0]
    return words if CODE.fullmatch(words) else None


def birth_date_text(day: str, month: str, year: str) -> str:
    """`YYYY-MM-DD` from the form's parts (a Buddhist-era year is taken back by the
    identification's parser); parts that are not numbers give text it refuses."""
    parts = [p.strip() for p in (year, month, day)]
    if not all(p.isdecimal() and len(p) <= 4 for p in parts):
        return "-"
    return f"{int(parts[0]):04d}-{int(parts[1]):02d}-{int(parts[2]):02d}"


class LineLinkController(Controller):
    path = "/line/link"
    include_in_schema = False
    opt = {"exclude_from_auth": True}

    @get("/", media_type=MediaType.HTML)
    async def page(self, request: Request[Any, Any, Any]) -> Template:
        _line_on(request)
        lang = known_language(request.query_params.get("lang"))
        token = request.query_params.get("linkToken", "")
        if not LINK_TOKEN.fullmatch(token):
            return _page(lang, "", _no_token(), HTTP_400_BAD_REQUEST)
        return _page(lang, token, None, HTTP_200_OK)

    @post("/", media_type=MediaType.HTML, status_code=HTTP_303_SEE_OTHER)
    async def link(
        self,
        request: Request[Any, Any, Any],
        data: Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)],
    ) -> Response[Any]:
        _line_on(request)
        fields = {k: str(v)[:FIELD_MAX] for k, v in data.items() if isinstance(v, str)}
        lang = known_language(fields.get("lang"))
        token = fields.get("linkToken", "")
        if not LINK_TOKEN.fullmatch(token):
            return _page(lang, "", _no_token(), HTTP_400_BAD_REQUEST)
        code = code_from(fields.get("link", ""))
        if code is None:
            problem = ServiceError(
                "link",
                "paste the whole link from the fund's latest SMS (it has /c/ in it)",
                "โปรดวางลิงก์ทั้งหมดจาก SMS ล่าสุดของกองทุน (มี /c/ อยู่ในลิงก์)",
            )
            return _page(lang, token, problem, HTTP_400_BAD_REQUEST, fields)
        visit = Visit(
            code=code,
            client_address=client_address(request),
            now=now_of(request),
            settings=request.app.state.settings,
            runtime=request.app.state.runtime,
        )
        born = birth_date_text(
            fields.get("birth_day", ""), fields.get("birth_month", ""), fields.get("birth_year", "")
        )
        try:
            target = await line_webhook.identify_for_line(
                visit, born, fields.get("national_id_last4", ""), token
            )
        except Refused as refused:
            return _page(lang, token, refused, refused.status, fields)
        except ServiceError as problem:
            return _page(lang, token, problem, HTTP_400_BAD_REQUEST, fields)
        return Redirect(target, status_code=HTTP_303_SEE_OTHER, headers=NO_STORE)


def _line_on(request: Request[Any, Any, Any]) -> None:
    settings: Settings = request.app.state.settings
    if not settings.line.configured:
        raise NotFoundException()


def _no_token() -> ServiceError:
    return ServiceError(
        "linkToken",
        "open this page from the button the fund's LINE account sent you",
        "โปรดเปิดหน้านี้จากปุ่มที่บัญชี LINE ของกองทุนส่งให้",
    )


def _page(
    lang: str,
    token: str,
    problem: ServiceError | None,
    status: int,
    fields: dict[str, str] | None = None,
) -> Template:
    kept = fields or {}
    return Template(
        template_name="line_link.html",
        context={
            "lang": lang,
            **template_callables(translations(lang)),
            "other_language": LANGUAGE_NAMES[other_language(lang)],
            "other_lang": other_language(lang),
            "link_token": token,
            "error": (problem.reason_th if lang == "th" else problem.reason) if problem else None,
            "error_other": (problem.reason if lang == "th" else problem.reason_th)
            if problem
            else None,
            "error_field": problem.field if problem else None,
            # What the person typed comes back, except the ID digits.
            "link": kept.get("link", ""),
            "birth_day": kept.get("birth_day", ""),
            "birth_month": kept.get("birth_month", ""),
            "birth_year": kept.get("birth_year", ""),
            "birth_months": THAI_MONTHS_LONG if lang == "th" else ENGLISH_MONTHS_LONG,
            "first_buddhist_year": FIRST_BUDDHIST_YEAR,
        },
        status_code=status,
        headers=NO_STORE,
    )
