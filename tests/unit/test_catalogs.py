"""The message catalogs against the code: every word the code and templates ask for is in the
Thai and the English catalog, confirmed (neither empty nor fuzzy) and with the msgid's
placeholders; no catalog keeps words nobody asks for any more (`make messages` prunes them).

The extraction is the one `make messages` runs (babel.cfg), done in-process.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from admin_ui.i18n import LOCALE_DIR as ADMIN_LOCALE_DIR
from reporting_api import i18n
from reporting_api.checkin_page import LOCALE_DIR as CHECKIN_LOCALE_DIR
from tests.conftest import ROOT

CATALOGS = {"admin_ui": ADMIN_LOCALE_DIR, "checkin_page": CHECKIN_LOCALE_DIR}
PLACEHOLDER = re.compile(r"%(?:\((\w+)\))?[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]")

Key = tuple[str | None, str]  # (msgctxt, msgid)


def extracted(locale_dir: Path) -> dict[Key, list[str]]:
    """What the code and templates beside ``locale_dir`` ask for, with where they ask."""
    with (ROOT / "babel.cfg").open() as mapping:
        method_map, options_map = parse_mapping_cfg(mapping)
    found: dict[Key, list[str]] = {}
    for filename, lineno, message, _, context in extract_from_dir(
        locale_dir.parent, method_map, options_map, keywords=DEFAULT_KEYWORDS
    ):
        msgid = message if isinstance(message, str) else message[0]
        found.setdefault((context, msgid), []).append(f"{filename}:{lineno}")
    return found


def catalog(locale_dir: Path, lang: str) -> Catalog:
    with i18n.po_path(locale_dir, lang).open("rb") as po:
        return read_po(po, locale=lang)


def entries(cat: Catalog) -> dict[Key, object]:
    return {(m.context, m.id if isinstance(m.id, str) else m.id[0]): m for m in cat if m.id}


def placeholders(text: str) -> list[str]:
    return sorted(match.group(0) for match in PLACEHOLDER.finditer(text.replace("%%", "")))


@pytest.fixture(scope="module", params=sorted(CATALOGS))
def locale_dir(request: pytest.FixtureRequest) -> Path:
    return CATALOGS[request.param]


@pytest.fixture(scope="module")
def asked_for(locale_dir: Path) -> dict[Key, list[str]]:
    found = extracted(locale_dir)
    assert found, f"nothing extracted beside {locale_dir}: is babel.cfg right?"
    return found


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_every_word_the_code_asks_for_is_in_the_catalog(locale_dir, asked_for, lang):
    have = entries(catalog(locale_dir, lang))
    missing = {key: where for key, where in asked_for.items() if key not in have}
    assert not missing, f"not in {i18n.po_path(locale_dir, lang)} (run `make messages`): {missing}"


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_the_catalog_keeps_no_words_nobody_asks_for(locale_dir, asked_for, lang):
    unused = set(entries(catalog(locale_dir, lang))) - set(asked_for)
    assert not unused, f"{i18n.po_path(locale_dir, lang)} (run `make messages`): {unused}"


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_every_entry_is_translated_and_confirmed(locale_dir, lang):
    cat = catalog(locale_dir, lang)
    assert not cat.fuzzy, "the catalog's header is marked fuzzy"
    empty = [key for key, m in entries(cat).items() if not m.string]
    fuzzy = [key for key, m in entries(cat).items() if m.fuzzy]
    assert not empty, f"empty in {i18n.po_path(locale_dir, lang)}: {empty}"
    assert not fuzzy, f"fuzzy in {i18n.po_path(locale_dir, lang)}: {fuzzy}"


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_translations_keep_the_placeholders_of_their_msgid(locale_dir, lang):
    cat = catalog(locale_dir, lang)
    differ = {
        key: (m.id, m.string)
        for key, m in entries(cat).items()
        if isinstance(m.id, str)
        and isinstance(m.string, str)
        and placeholders(m.id) != placeholders(m.string)
    }
    assert not differ, f"placeholders differ in {i18n.po_path(locale_dir, lang)}: {differ}"
    assert not [error for _, errors in cat.check() for error in errors]


def test_catalogs_compile_and_translate():
    from admin_ui.i18n import translations
    from reporting_api.checkin_page.messages import script_messages

    assert translations("th").gettext("Log in") == "เข้าสู่ระบบ"
    assert translations("en").gettext("Log in") == "Log in"
    assert translations("xx").gettext("Log in") == "เข้าสู่ระบบ"  # unknown: Thai
    assert translations("th").pgettext("check-in status", "Missed") == "ไม่มารายงานตัว"
    assert translations("th").pgettext("compliance", "Missed") == "ไม่มา"
    assert script_messages("th")["verified"] == "รายงานตัวสำเร็จ"
    assert script_messages("en")["verified"] == "You have checked in."


def test_placeholders_are_found():
    assert placeholders("Page %(page)s of %(pages)s") == ["%(page)s", "%(pages)s"]
    assert placeholders("หน้า %(pages)s %(page)s") == ["%(page)s", "%(pages)s"]
    assert placeholders("100%% sure, %d") == ["%d"]


def test_the_english_catalog_says_each_msgid_itself(locale_dir):
    """English msgstr = msgid, as every entry has it: a fuzzy match `pybabel update` guessed
    from a neighbour ("Versions" -> "Person") is caught here, not by a reader."""
    for m in catalog(locale_dir, "en"):
        if m.id and isinstance(m.id, str):
            assert m.string == m.id, (m.context, m.id, m.string)
