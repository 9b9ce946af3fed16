"""`/c/<code>`: the check-in page the SMS links to, and the few JSON calls it makes.

No staff login here: the link's random code names one check-in, and the person proves who
they are (date of birth, last four ID digits) to get a session cookie scoped to that link.
The page shows no name and no case details before that, and nothing personal after either.
"""

from __future__ import annotations

import base64
import binascii
from typing import TYPE_CHECKING, Annotated, Any

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.datastructures import Cookie, UploadFile
from litestar.enums import MediaType
from litestar.params import HeaderParameter, JSONBody, PathParameter
from litestar.response import Template
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED, HTTP_202_ACCEPTED
from markupsafe import Markup

from reporting_api.checkin_page.messages import script_messages_json, translations
from reporting_api.checkin_page.request_words import request_words_json
from reporting_api.errors import InvalidInput, Refused
from reporting_api.http.context import PathId, client_address, now_of
from reporting_api.i18n import LANGUAGE_NAMES, known_language, other_language, template_callables
from reporting_api.qr import svg_inline
from reporting_api.services import attempts, links, receipts, uploads
from reporting_api.services.links import LinkState, Visit, link_state
from reporting_api.thai_dates import (
    EARLIEST_DATE,
    ENGLISH_MONTHS_LONG,
    FIRST_BUDDHIST_YEAR,
    THAI_MONTHS_LONG,
    format_english_date,
    format_thai_date,
)

if TYPE_CHECKING:
    from reporting_api.store.links import LinkRow

# Any length reaches the handler, which answers a malformed code with the same 404 page.
Code = Annotated[str, PathParameter(max_length=2048)]
COOKIE = "bc_link"
# Bodies above this are refused unread (413); below it, MAX_UPLOAD_BYTES decides (also 413).
UPLOAD_CEILING_BYTES = 64 * 1024 * 1024
# A challenge request's body: the camera's picture in base64 (uploads.MAX_FRAME_BYTES, 4/3).
CHALLENGE_BODY_BYTES = 1024 * 1024
NO_STORE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}


class IdentifyIn(msgspec.Struct, forbid_unknown_fields=True):
    date_of_birth: str
    national_id_last4: str


class ChallengeIn(msgspec.Struct, forbid_unknown_fields=True):
    frame: str | None = None  # the camera's picture, base64 (a data: URL is fine)


class PreferencesIn(msgspec.Struct, forbid_unknown_fields=True):
    sms_opt_out: bool | None = None
    language: str | None = None


def _visit(request: Request[Any, Any, Any], code: str) -> Visit:
    return Visit(
        code=code,
        client_address=client_address(request),
        now=now_of(request),
        settings=request.app.state.settings,
        runtime=request.app.state.runtime,
    )


def _language(request: Request[Any, Any, Any], default: str | None) -> str:
    return known_language(request.query_params.get("lang") or default)


def _json(body: Any, status: int = HTTP_200_OK, **kwargs: Any) -> Response[Any]:
    return Response(body, status_code=status, headers=NO_STORE, **kwargs)


class CheckInLinkController(Controller):
    path = "/c"
    tags = ["check-in link"]
    opt = {"exclude_from_auth": True}

    @get("/{code:str}", media_type=MediaType.HTML)
    async def page(self, request: Request[Any, Any, Any], code: Code) -> Template:
        visit = _visit(request, code)
        try:
            row = await links.find(visit)
        except Refused as refused:
            # Unknown, malformed or outside its valid time: one page, in both languages (the
            # person's own is not known), whichever the code was.
            lang = _language(request, None)
            context = _context(code, lang, None, refused, line=visit.settings.line.invitation)
            context["notice_other"] = refused.reason if lang == "th" else refused.reason_th
            return Template(
                template_name="checkin.html",
                context=context,
                status_code=refused.status,
                headers=NO_STORE,
            )
        lang = _language(request, row["preferred_language"])
        state = link_state(row, visit.now)
        notice = None if state == LinkState.OPEN else links.refusal(row, state)
        # Gone (410) and locked (423) say so in the status too; done, with an officer or not
        # open yet are ordinary pages that explain themselves.
        return Template(
            template_name="checkin.html",
            context=_context(
                code,
                lang,
                row,
                notice,
                done=state == LinkState.DONE,
                line=visit.settings.line.invitation,
            ),
            status_code=notice.status if notice and notice.status in (410, 423) else HTTP_200_OK,
            headers=NO_STORE,
        )

    @post("/{code:str}/identify", status_code=HTTP_200_OK)
    async def identify(
        self, request: Request[Any, Any, Any], code: Code, data: JSONBody[IdentifyIn]
    ) -> Response[Any]:
        visit = _visit(request, code)
        token = await links.identify(visit, data.date_of_birth, data.national_id_last4)
        minutes = visit.settings.checkin.session_minutes
        cookie = Cookie(
            key=COOKIE,
            value=token,
            path=f"/c/{code}",
            max_age=minutes * 60,
            httponly=True,
            samesite="strict",
            secure=visit.settings.public_base_url.startswith("https://"),
        )
        return _json({"ok": True, "expires_in": minutes * 60}, cookies=[cookie])

    @post(
        "/{code:str}/challenge",
        status_code=HTTP_201_CREATED,
        request_max_body_size=CHALLENGE_BODY_BYTES,
    )
    async def challenge(self, request: Request[Any, Any, Any], code: Code) -> Response[Any]:
        """A challenge; the body may carry the camera's picture (`{"frame": base64 JPEG}`),
        checked for a mask or dark glasses first (422)."""
        visit = _visit(request, code)
        row = await links.identified(visit, request.cookies.get(COOKIE), require_open=True)
        frame = _challenge_frame(await request.body())
        return _json(await uploads.issue_challenge(visit, row, frame), HTTP_201_CREATED)

    @post("/{code:str}/attempts", request_max_body_size=UPLOAD_CEILING_BYTES)
    async def upload(
        self,
        request: Request[Any, Any, Any],
        code: Code,
        idempotency_key: Annotated[str | None, HeaderParameter(name="Idempotency-Key")] = None,
    ) -> Response[Any]:
        visit = _visit(request, code)
        row = await links.identified(visit, request.cookies.get(COOKIE))
        limit = visit.settings.checkin.max_upload_bytes
        form = await request.form()
        clip = form.get("clip")
        frames = (
            [f for f in form.getall("frames") if isinstance(f, UploadFile)]
            if "frames" in form
            else []
        )
        if isinstance(clip, UploadFile) and frames:
            raise InvalidInput(
                "clip", "send a clip or frames, not both", "ส่งวิดีโอหรือภาพอย่างใดอย่างหนึ่ง"
            )
        if isinstance(clip, UploadFile):
            media_kind, media = "clip", await clip.read()
            uploads.check_clip(media, limit)
        elif frames:
            media_kind = "frames"
            media = uploads.check_frames([(f.filename, await f.read()) for f in frames], limit)
        else:
            raise InvalidInput("clip", "no recording was sent (clip or frames)", "ไม่มีวิดีโอที่ส่งมา")
        client = uploads.clean_client(_text(form.get("client")))
        attempt, created = await uploads.submit(
            visit,
            row,
            idempotency_key,
            _text(form.get("challenge_id")) or "",
            media_kind,
            media,
            client,
        )
        return _json(
            {"attempt_id": attempt["id"], "state": attempt["state"]},
            HTTP_202_ACCEPTED if created else HTTP_200_OK,
        )

    @get("/{code:str}/attempts/{attempt_id:int}")
    async def attempt(
        self, request: Request[Any, Any, Any], code: Code, attempt_id: PathId
    ) -> Response[Any]:
        visit = _visit(request, code)
        row = await links.identified(visit, request.cookies.get(COOKIE))
        lang = _language(request, row["preferred_language"])
        return _json(await attempts.status(visit, row, attempt_id, lang))

    @get("/{code:str}/receipt")
    async def receipt(self, request: Request[Any, Any, Any], code: Code) -> Response[Any]:
        """The verified check-in's receipt, for the identified person (401 before; 404 while
        the check-in is not verified)."""
        visit = _visit(request, code)
        row = await links.identified(visit, request.cookies.get(COOKIE))
        lang = _language(request, row["preferred_language"])
        return _json(await receipts.for_link(row, lang))

    @post("/{code:str}/preferences", status_code=HTTP_200_OK)
    async def preferences(
        self, request: Request[Any, Any, Any], code: Code, data: JSONBody[PreferencesIn]
    ) -> Response[Any]:
        changed = await links.set_preferences(
            _visit(request, code), request.cookies.get(COOKIE), data.sms_opt_out, data.language
        )
        return _json({"ok": True, "changed": changed})

    @post("/{code:str}/not-me", status_code=HTTP_200_OK)
    async def not_me(self, request: Request[Any, Any, Any], code: Code) -> Response[Any]:
        await links.not_me(_visit(request, code))
        return _json({"ok": True})


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _challenge_frame(body: bytes) -> bytes | None:
    """The camera picture of a challenge request's body (none: an empty body or no frame)."""
    if not body.strip():
        return None
    try:
        data = msgspec.json.decode(body, type=ChallengeIn)
    except msgspec.ValidationError as error:
        raise InvalidInput(
            "frame", f'the body is not {{"frame": base64}}: {error}', "รูปแบบข้อมูลไม่ถูกต้อง"
        ) from None
    except msgspec.DecodeError:
        raise InvalidInput("frame", "the body is not JSON", "ข้อมูลไม่ใช่ JSON") from None
    if data.frame is None:
        return None
    text = data.frame.split(",", 1)[1] if data.frame.startswith("data:") else data.frame
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidInput(
            "frame", "the camera picture is not base64", "ภาพจากกล้องไม่ได้เข้ารหัสแบบ base64"
        ) from None


def _context(
    code: str,
    lang: str,
    row: LinkRow | None,
    notice: Refused | None,
    *,
    done: bool = False,
    line: str | None = None,
) -> dict[str, Any]:
    context: dict[str, Any] = {
        "code": code,
        "lang": lang,
        **template_callables(translations(lang)),
        "other_language": LANGUAGE_NAMES[other_language(lang)],
        "messages_json": script_messages_json(lang),
        "notice": (notice.reason_th if lang == "th" else notice.reason) if notice else None,
        "notice_other": None,
        "open": row is not None and notice is None,
        # A working, unlocked link: the person may identify to send or follow requests.
        "can_request": row is not None and (notice is None or notice.status != 423),
        "request_words_json": request_words_json(lang),
        # Verified or excused: once identified, the person sees the receipt (checkin.js).
        "done": done,
        "birth_months": THAI_MONTHS_LONG if lang == "th" else ENGLISH_MONTHS_LONG,
        "first_buddhist_year": FIRST_BUDDHIST_YEAR,
        "earliest_birth_year": EARLIEST_DATE.year,
        "office_name": "",
        "office_phone": "",
        "due_date_text": "",
        # The fund's LINE Official Account, to add (only while LINE is on and its add-friend
        # link is set): the reminders then come on LINE once the person links it.
        "line_add_friend": line,
        "line_qr": Markup(svg_inline(line)) if line else None,
    }
    if row is not None:
        context |= {
            "office_name": row["office_name_th"] if lang == "th" else row["office_name_en"],
            "office_phone": row["office_phone"] or "",
            "due_date_text": (
                format_thai_date(row["due_date"])
                if lang == "th"
                else format_english_date(row["due_date"])
            ),
        }
    return context
