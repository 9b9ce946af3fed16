"""Words people read, from gettext catalogs: Thai first, English.

Each part of the service with pages keeps its own catalog beside its code
(``<package>/locale/<lang>/LC_MESSAGES/messages.po``; docs/translating.md). The `.po` files are
compiled in memory the first time a language is asked for and kept for the life of the
process: no `.mo` file is generated or committed, so what runs is always what the `.po` says.

Templates get ``_``, ``gettext``, ``ngettext``, ``pgettext`` and ``npgettext`` in their context
(`template_callables`), and the Jinja engine gets the ``jinja2.ext.i18n`` extension
(`add_i18n_extension`) for ``{% trans %}`` blocks.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

if TYPE_CHECKING:  # only the app's template config hands one in: no web framework here
    from litestar.plugins.jinja import JinjaTemplateEngine

LANGUAGES = ("th", "en")
"""The languages every catalog carries, Thai (the default) first."""
DEFAULT_LANGUAGE = "th"
DOMAIN = "messages"
LANGUAGE_NAMES = {"th": "ภาษาไทย", "en": "English"}
"""Each language's name in itself, as the switch to it reads in every language: data, not a
message (no catalog translates it)."""


def N_(message: str) -> str:
    """Marks ``message`` for extraction into the catalog without translating it yet (its
    translation is looked up where it is shown)."""
    return message


def known_language(lang: str | None) -> str:
    """``lang`` when the catalogs carry it, else Thai."""
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


def other_language(lang: str) -> str:
    """The language a page's switch goes to."""
    return "en" if lang == "th" else "th"


def po_path(locale_dir: Path, lang: str) -> Path:
    return locale_dir / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


class Messages(Translations):
    """A compiled catalog: Babel's `Translations`, with `pgettext` and `npgettext` declared as
    returning what they return, a string (Babel declares ``str | object``)."""

    def pgettext(self, context: str, message: str) -> str:
        return str(super().pgettext(context, message))

    def npgettext(self, context: str, singular: str, plural: str, num: int) -> str:
        return str(super().npgettext(context, singular, plural, num))


@functools.cache
def load(locale_dir: Path, lang: str) -> Messages:
    """The catalog of ``lang`` under ``locale_dir``, compiled from its `.po` file once.

    Fuzzy entries are left out (as `msgfmt` does): a word a translator has not confirmed shows
    in English rather than as a guess; tests/unit/test_catalogs.py keeps catalogs free of them.
    """
    with po_path(locale_dir, lang).open("rb") as po:
        catalog = read_po(po, locale=lang, domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Messages(compiled, domain=DOMAIN)


@functools.cache
def template_callables(translations: Messages) -> dict[str, Callable[..., str]]:
    """The gettext functions a template calls, for one language.

    As with Jinja's "newstyle" gettext, keyword arguments fill the message's ``%(name)s``
    placeholders: ``_("Page %(page)s of %(pages)s", page=2, pages=5)``. Unlike it, the result
    is plain text, escaped like any other value: a translation is words, never markup.
    """

    def gettext(message: str, /, **variables: Any) -> str:
        return translations.gettext(message) % variables

    def ngettext(singular: str, plural: str, num: int, /, **variables: Any) -> str:
        return translations.ngettext(singular, plural, num) % {"num": num, **variables}

    def pgettext(context: str, message: str, /, **variables: Any) -> str:
        return translations.pgettext(context, message) % variables

    def npgettext(context: str, singular: str, plural: str, num: int, /, **variables: Any) -> str:
        return translations.npgettext(context, singular, plural, num) % {"num": num, **variables}

    return {
        "_": gettext,
        "gettext": gettext,
        "ngettext": ngettext,
        "pgettext": pgettext,
        "npgettext": npgettext,
    }


def add_i18n_extension(engine: JinjaTemplateEngine) -> None:
    """The `TemplateConfig.engine_callback`: ``{% trans %}`` blocks, which call the context's
    gettext functions with their variables as keyword arguments (newstyle)."""
    environment = engine.engine
    environment.add_extension("jinja2.ext.i18n")
    # An attribute the extension adds to the environment (install_gettext_callables sets it).
    setattr(environment, "newstyle_gettext", True)  # noqa: B010
