"""The Justice offices that hold bail cases: the central office and one per province.

The list ships as ``data/offices.json``. Codes are ISO 3166-2:TH (``TH-10`` is Bangkok);
regions follow the six-region system of the National Geographical Committee (1977), in
which the lower northern provinces (e.g. Phitsanulok, Nakhon Sawan) are central.

Each office also has a short name (``short_th``, ``short_en``: ``ยุติธรรมจังหวัดเชียงใหม่``,
``Chiang Mai Justice Office``), which an SMS uses instead of the full one when the full one
would cost a third segment (`sms_templates`). A message names the office as the database has
it, perhaps edited by an administrator: `short_office_name` finds the shipped short name of a
shipped name, and shortens any other by the same rule.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from importlib import resources

CENTRAL_CODE = "central"
THAI_OFFICE_PREFIX = "สำนักงาน"
"""What a Thai office name starts with and its short name leaves out ("office")."""
ENGLISH_PROVINCIAL = " Provincial Justice Office"
"""What an English provincial office name ends with; the short name says " Justice Office"."""
REGIONS = frozenset({"north", "northeast", "central", "east", "west", "south"})


@dataclass(frozen=True)
class OfficeData:
    """One office as shipped with the service."""

    code: str
    name_th: str
    name_en: str
    province_th: str | None
    province_en: str | None
    region: str
    short_th: str = ""
    """The name an SMS uses when the full one would not fit (``""``: by the rule)."""
    short_en: str = ""

    @property
    def is_central(self) -> bool:
        """Say whether this is the central Justice Fund office."""
        return self.code == CENTRAL_CODE


def load_offices() -> list[OfficeData]:
    """Return the shipped offices, the central office first, then provinces by ISO code."""
    text = (
        resources.files("reporting_api").joinpath("data/offices.json").read_text(encoding="utf-8")
    )
    offices = [OfficeData(**entry) for entry in json.loads(text)]
    for office in offices:
        # A typo in the shipped file should stop the service at start-up, not mislabel reports.
        if office.region not in REGIONS:
            raise ValueError(f"office {office.code} has unknown region {office.region!r}")
    return offices


@functools.cache
def _shipped_short_names() -> dict[tuple[str, str], str]:
    names: dict[tuple[str, str], str] = {}
    for office in load_offices():
        names["th", office.name_th] = office.short_th or _shortened(office.name_th, "th")
        names["en", office.name_en] = office.short_en or _shortened(office.name_en, "en")
    return names


def _shortened(name: str, language: str) -> str:
    if language == "en":
        if name.endswith(ENGLISH_PROVINCIAL) and len(name) > len(ENGLISH_PROVINCIAL):
            return name[: -len(ENGLISH_PROVINCIAL)] + " Justice Office"
        return name
    rest = name.removeprefix(THAI_OFFICE_PREFIX).strip()
    return rest or name


def short_office_name(name: str, language: str) -> str:
    """The office's short name in ``language`` ("th" or "en"): the shipped one for a shipped
    name, else ``name`` without its leading "สำนักงาน" (Thai) or with "Provincial Justice
    Office" said as "Justice Office" (English); never longer than ``name``."""
    name = " ".join(name.split())
    short = _shipped_short_names().get((language, name)) or _shortened(name, language)
    return short if len(short) <= len(name) else name
