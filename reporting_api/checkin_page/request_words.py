"""The words requests.js shows (the person's requests on the link page), from the page's
catalog, as a JSON island: statuses, kinds, month names and the few sentences it builds."""

from __future__ import annotations

import functools
import json

from reporting_api.checkin_page.messages import translations
from reporting_api.thai_dates import THAI_MONTHS_LONG

ENGLISH_MONTHS = (
    "January February March April May June July August September October November December"
).split()


def request_words(lang: str) -> dict[str, object]:
    _ = translations(lang).gettext
    pgettext = translations(lang).pgettext
    return {
        "status": {
            "submitted": pgettext("request status", "Submitted"),
            "awaiting_contact": pgettext("request status", "Awaiting officer contact"),
            "approved": pgettext("request status", "Approved by the officer"),
            "rejected": pgettext("request status", "Rejected"),
            "in_progress": pgettext("request status", "In progress"),
            "completed": pgettext("request status", "Completed"),
        },
        "kind": {
            "cant_come": _("I can't come"),
            "call_me": _("Please call me"),
            "need_help": _("I need help getting there"),
            "away": _("I will be away"),
            "phone_changed": _("My phone number changed"),
            "message": _("Write a message"),
        },
        "months": list(THAI_MONTHS_LONG) if lang == "th" else ENGLISH_MONTHS,
        "choose_kind": _("Choose what you need"),
        "bad_date": _("This day does not exist in the calendar"),
        "between": _("Between %(first)s and %(last)s"),
        "sent": _("Sent. Your officer will answer; you will get an SMS at each step."),
        "new_date": _("New reporting date:"),
        "officer_note": _("Officer:"),
        "network_error": _("Could not connect. Please try again."),
        "none_yet": _("No requests yet"),
        "uploading": _("Sending the file…"),
        "uploaded": _("File attached"),
        "reconnecting": _("Connection lost: the file will go on from where it stopped…"),
        "wait_upload": _("Please wait until the file is sent"),
        "files": _("Files:"),
    }


@functools.cache
def request_words_json(lang: str) -> str:
    """`request_words` as JSON that is safe inside a <script> element."""
    return json.dumps(request_words(lang), ensure_ascii=False).replace("</", "<\\/")
