"""What we say on LINE, as plain values: a text, an optional button to a link on our domain,
and quick-reply buttons whose postbacks come back to the webhook.

Pure: the dispatcher (`scheduler/line_sender.py`) and the webhook's replies turn these into
the Messaging API's messages; the webhook reads postbacks back with `parse_postback`.
Postback data is `action=<action>&check_in=<id>`: what the person pressed and the check-in
the message was about; who pressed it is the LINE user the event came from, never the data.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import parse_qs, urlencode

BUTTON_TEXT_MAX = 160
"""LINE's limit on a buttons template's text (without a title or image)."""
TEXT_MAX = 5000
"""LINE's limit on a text message."""
LABEL_MAX = 20
"""LINE's limit on an action's label."""
POSTBACK_MAX = 300
"""LINE's limit on a postback's data."""


class PostbackAction(StrEnum):
    COME = "come"  # I'll come
    CANT_COME = "cant_come"  # I can't come
    CALL_ME = "call_me"  # Call me


@dataclass(frozen=True)
class QuickReply:
    """A quick-reply button: ``label`` shown, ``data`` sent back in the postback, and
    ``display_text`` shown in the chat as if the person had typed it."""

    label: str
    data: str
    display_text: str


@dataclass(frozen=True)
class LineText:
    """One LINE message: ``text``; with ``link``, a button labelled ``link_label`` opening it
    (a buttons template whose alternative text is ``text``); ``quick`` buttons under it."""

    text: str
    link: str | None = None
    link_label: str = ""
    quick: tuple[QuickReply, ...] = ()


@dataclass(frozen=True)
class Postback:
    action: PostbackAction
    check_in_id: int


def postback_data(action: PostbackAction, check_in_id: int) -> str:
    return urlencode({"action": action.value, "check_in": check_in_id})


def parse_postback(data: str) -> Postback | None:
    """What a postback asks for; None for data we did not make (or made differently)."""
    if len(data) > POSTBACK_MAX:
        return None
    fields = parse_qs(data, strict_parsing=False)
    action, check_in = fields.get("action", [""])[0], fields.get("check_in", [""])[0]
    # isascii too: isdecimal accepts Thai and other digits ("๑"), which int() reads.
    if action not in PostbackAction.__members__.values() or not (
        check_in.isascii() and check_in.isdecimal()
    ):
        return None
    if len(check_in) > 18:
        return None
    return Postback(PostbackAction(action), int(check_in))


REMINDER_BUTTONS_TH = (
    (PostbackAction.COME, "จะไปตามนัด", "จะไปรายงานตัวตามนัด"),
    (PostbackAction.CANT_COME, "ไปไม่ได้", "ไปรายงานตัวตามนัดไม่ได้"),
    (PostbackAction.CALL_ME, "ให้โทรหา", "ขอให้เจ้าหน้าที่โทรหา"),
)
REMINDER_BUTTONS_EN = (
    (PostbackAction.COME, "I'll come", "I'll come as planned"),
    (PostbackAction.CANT_COME, "I can't come", "I can't come as planned"),
    (PostbackAction.CALL_ME, "Call me", "Please call me"),
)
CHECK_IN_LABEL = {"th": "รายงานตัว", "en": "Check in"}


def reminder_message(text: str, link: str, check_in_id: int, language: str) -> LineText:
    """A check-in reminder on LINE: its text, a button to the check-in link and the three
    answers a person can give without typing."""
    buttons = REMINDER_BUTTONS_EN if language == "en" else REMINDER_BUTTONS_TH
    return LineText(
        text=text,
        link=link,
        link_label=CHECK_IN_LABEL["en" if language == "en" else "th"],
        quick=tuple(
            QuickReply(label, postback_data(action, check_in_id), shown)
            for action, label, shown in buttons
        ),
    )


LINK_LABEL = "ยืนยันตัวตน / Confirm"


def link_invitation(url: str) -> list[LineText]:
    """The answer to someone who added the Official Account (or wrote to it) before linking:
    what linking does and what they will be asked, then the button to our page."""
    return [
        LineText(
            "กองทุนยุติธรรม: ผูกบัญชี LINE นี้กับการรายงานตัว เพื่อรับข้อความเตือนและลิงก์รายงานตัว"
            "ทาง LINE แทน SMS กดปุ่มด้านล่าง แล้วกรอกลิงก์จาก SMS ล่าสุดของกองทุน วันเกิด "
            "และเลขบัตรประชาชน 4 ตัวท้าย (ปุ่มใช้ได้ 10 นาที)\n\n"
            "Justice Fund: link this LINE account to your reporting to get reminders and your "
            "check-in link here instead of by SMS. Tap the button, then enter the link from "
            "the fund's latest SMS, your date of birth and the last 4 digits of your ID card "
            "(the button works for 10 minutes)."
        ),
        LineText(
            "ผูกบัญชี LINE กับการรายงานตัว / Link LINE to your reporting",
            link=url,
            link_label=LINK_LABEL,
        ),
    ]


def link_not_available() -> list[LineText]:
    return [
        LineText(
            "ขออภัย ตอนนี้ยังผูกบัญชีไม่ได้ โปรดส่งข้อความใดก็ได้มาอีกครั้งภายหลัง\n"
            "Sorry, linking is not available right now. Send us any message later to try again."
        )
    ]


def linked_confirmation() -> list[LineText]:
    return [
        LineText(
            "ผูกบัญชีเรียบร้อย ข้อความเตือนรายงานตัวจะส่งมาทาง LINE นี้ หากบล็อกบัญชีนี้ "
            "ข้อความจะกลับไปส่งทาง SMS\n"
            "Linked. Your check-in reminders will come on this LINE account; if you block "
            "the account, they go back to SMS."
        )
    ]


def link_failed() -> list[LineText]:
    return [
        LineText(
            "การผูกบัญชียังไม่สำเร็จ ส่งข้อความใดก็ได้มาเพื่อรับปุ่มใหม่\n"
            "Linking did not complete. Send us any message to get a new button."
        )
    ]
