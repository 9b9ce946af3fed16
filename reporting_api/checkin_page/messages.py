"""The check-in page's words: its catalog in reporting_api/checkin_page/locale, Thai first.

The template says ``{{ _("Online check-in") }}``; checkin.js reads the words it shows from a
JSON island on the page (`script_messages_json`), by the names it looks them up with.
"""

from __future__ import annotations

import functools
import json

from reporting_api import i18n
from reporting_api.checkin_page import LOCALE_DIR
from reporting_api.i18n import Messages, known_language


def translations(lang: str) -> Messages:
    """The page's catalog in ``lang`` (Thai when the page does not have it)."""
    return i18n.load(LOCALE_DIR, known_language(lang))


def script_messages(lang: str) -> dict[str, str]:
    """The words checkin.js shows, by the names it looks them up with."""
    _ = translations(lang).gettext
    return {
        "no_camera": _("This phone cannot open its camera. Please contact your officer."),
        "camera_denied": _("Camera permission was refused. Allow it in the browser and try again."),
        "too_dark": _("Too dark: please move to a brighter place"),
        "not_centred": _("Please put your face inside the oval"),
        "ready": _("Ready: press the button to start"),
        "hold_still": _("Look at the camera"),
        # "action_" + the challenge step's action (liveness.challenge).
        "action_turn_left": _("Turn your head left"),
        "action_turn_right": _("Turn your head right"),
        "action_blink": _("Blink"),
        "action_open_mouth": _("Open your mouth"),
        "retrying": _("The connection dropped; trying again…"),
        "checking": _("Checking your video…"),
        "still_checking": _(
            "Still checking: this can take a minute. Keep this page open; if you close it, "
            "open your link again later to see the result."
        ),
        "check_later": _(
            "The check is taking longer than usual. Your video is kept: open your link again "
            "later to see the result, or call your officer."
        ),
        "network_error": _("Could not connect. Please try again."),
        "verified": _("You have checked in."),
        "next_due": _("Next check-in:"),
        "last_one": _("This was your last check-in."),
        "review": _("Passed to an officer, who will contact you if anything more is needed."),
        "try_again": _("Not verified yet:"),
        "tries_left": _("tries left:"),
        "saved": _("Saved"),
        # The date of birth, checked before it is sent (checkin.js).
        "birth_day_missing": _("Choose the day you were born"),
        "birth_month_missing": _("Choose the month you were born"),
        "birth_year_digits": _("Type the year you were born in 4 digits, e.g. 2533"),
        "birth_year_range": _("The year of birth must be from %(first)s to %(last)s (B.E.)"),
        "no_such_day": _("%(date)s is not in the calendar: check the day and the month"),
        "birth_future": _("The date of birth cannot be in the future"),
        "ce_year": _("%(ce)s C.E. is %(be)s B.E.: %(be)s will be used"),
        # The receipt of a verified check-in.
        "accepted_after_review": _("Accepted by an officer on %(time)s"),
    }


@functools.cache
def script_messages_json(lang: str) -> str:
    """`script_messages` as JSON that is safe inside a <script> element."""
    return json.dumps(script_messages(lang), ensure_ascii=False).replace("</", "<\\/")
