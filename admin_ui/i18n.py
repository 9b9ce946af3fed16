"""The officers' pages' words: the gettext catalogs in admin_ui/locale, Thai first, English.

Templates say ``{{ _("Log in") }}`` (English msgid, translated per request by `web.render`);
Python code takes its words from `translations(lang)` or, for a code such as a check-in's
status, from `admin_ui.labels`. docs/translating.md says how a translator edits a `.po` file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from reporting_api import i18n
from reporting_api.i18n import LANGUAGES, N_, Messages, known_language

LOCALE_DIR = Path(__file__).parent / "locale"

__all__ = ["LANGUAGES", "LOCALE_DIR", "N_", "in_both", "translations"]


def translations(lang: str) -> Messages:
    """The catalog of ``lang`` (Thai when the pages do not have it)."""
    return i18n.load(LOCALE_DIR, known_language(lang))


def in_both(message: str, **variables: Any) -> tuple[str, str]:
    """(English, Thai) of ``message``, a msgid marked with `N_`: the reason of a form error,
    which the pages show in both languages (``InvalidInput(field, *in_both(N_("...")))``)."""
    english, thai = (translations(lang).gettext(message) % variables for lang in ("en", "th"))
    return english, thai
