"""`GET /c/<code>`: where the link in every reminder SMS leads.

The remote check-in page (camera, liveness) comes with a later issue; until then the link
still answers, in Thai and English, with the office to report to and the due date. The code
is 72 random bits, so the page needs no login; it shows no name and no case details.
"""

from __future__ import annotations

import html
import re
from typing import Annotated

from litestar import Controller, Response, get
from litestar.enums import MediaType
from litestar.params import PathParameter
from litestar.status_codes import HTTP_200_OK, HTTP_404_NOT_FOUND

from reporting_api.store import reminders as store
from reporting_api.thai_dates import format_english_date, format_thai_date

CODE = re.compile(r"^[A-Za-z0-9_-]{12,24}$")
PAGE = """<!doctype html>
<html lang="th"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>รายงานตัว / Check-in</title></head>
<body style="font-family: sans-serif; max-width: 32rem; margin: 1rem auto; padding: 0 1rem">
{body}
</body></html>"""


def _page(body: str, status: int) -> Response[str]:
    return Response(
        PAGE.format(body=body),
        media_type=MediaType.HTML,
        status_code=status,
        headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"},
    )


class CheckInLinkController(Controller):
    path = "/c"
    include_in_schema = False

    @get("/{code:str}", exclude_from_auth=True)
    async def link(self, code: Annotated[str, PathParameter(max_length=64)]) -> Response[str]:
        row = await store.check_in_for_link(code) if CODE.match(code) else None
        if row is None:
            return _page(
                "<p>ไม่พบลิงก์นี้ โปรดตรวจสอบข้อความ SMS หรือติดต่อสำนักงานยุติธรรมจังหวัด</p>"
                "<p>This link is not valid. Check the SMS or call your Justice office.</p>",
                HTTP_404_NOT_FOUND,
            )
        office_th, office_en = (
            html.escape(row["office_name_th"]),
            html.escape(row["office_name_en"]),
        )
        phone = html.escape(row["office_phone"] or "")
        call_th = f" โทร {phone}" if phone else ""
        call_en = f" (phone {phone})" if phone else ""
        return _page(
            f"<h1>รายงานตัว</h1><p>กำหนดรายงานตัว {format_thai_date(row['due_date'])} "
            f"กับ{office_th}</p><p>การรายงานตัวผ่านโทรศัพท์จะเปิดให้ใช้เร็ว ๆ นี้ ระหว่างนี้"
            f"โปรดรายงานตัวที่สำนักงาน หรือติดต่อเจ้าหน้าที่{call_th}</p>"
            f"<h1 lang='en'>Check-in</h1><p lang='en'>Your check-in with {office_en} is due "
            f"on {format_english_date(row['due_date'])}. Checking in from your phone opens "
            f"soon; until then please report at the office or call your officer{call_en}.</p>",
            HTTP_200_OK,
        )
