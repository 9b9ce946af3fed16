"""Sex and age group, recorded to measure the face match's error rates by group (issue 18):
face recognition is known to err more for some groups, so the fund watches its rates by age
group and sex instead of assuming them (docs/privacy.md says why these are kept).

Pure: the sex a Thai ID card's title gives (`sex_from_title`), the one recorded
(`recorded_sex`: what the officer chose, else the title's, else "not stated"), and the age
group of a birth date on a day (`age_group`).
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from reporting_api.errors import InvalidInput


class Sex(StrEnum):
    MALE = "male"
    FEMALE = "female"
    NOT_STATED = "not_stated"


MALE_TITLES = frozenset({"นาย", "ด.ช.", "เด็กชาย", "mr", "mr.", "master"})
"""Titles on Thai ID cards (and their English forms) that say male."""
FEMALE_TITLES = frozenset(
    {"นาง", "นางสาว", "น.ส.", "ด.ญ.", "เด็กหญิง", "mrs", "mrs.", "ms", "ms.", "miss"}
)
"""Titles that say female. Ranks, academic and religious titles say neither: chosen."""

AGE_GROUPS = (
    (0, "under 18"),
    (18, "18-24"),
    (25, "25-34"),
    (35, "35-44"),
    (45, "45-54"),
    (55, "55-64"),
    (65, "65+"),
)
"""(the first age of each group, its name), in order."""
AGE_GROUP_NAMES = tuple(name for _, name in AGE_GROUPS)


def sex_from_title(title: str | None) -> Sex:
    """What the title says: นาย male, นาง and นางสาว female; anything else not stated."""
    words = (title or "").strip().lower()
    if words in MALE_TITLES:
        return Sex.MALE
    if words in FEMALE_TITLES:
        return Sex.FEMALE
    return Sex.NOT_STATED


def recorded_sex(chosen: str | None, title: str | None) -> Sex:
    """The officer's choice when they made one, else what the title says."""
    text = (chosen or "").strip()
    if not text:
        return sex_from_title(title)
    try:
        return Sex(text)
    except ValueError:
        raise InvalidInput(
            "sex",
            "must be male, female or not_stated",
            "ต้องเป็น ชาย (male) หญิง (female) หรือไม่ระบุ (not_stated)",
        ) from None


SEX_WORDS = {
    "ชาย": Sex.MALE,
    "male": Sex.MALE,
    "m": Sex.MALE,
    "หญิง": Sex.FEMALE,
    "female": Sex.FEMALE,
    "f": Sex.FEMALE,
    "ไม่ระบุ": Sex.NOT_STATED,
    "not stated": Sex.NOT_STATED,
    "not_stated": Sex.NOT_STATED,
}
"""What a spreadsheet's sex cell may say (Thai or English)."""


def sex_from_cell(text: str | None) -> Sex | None:
    """A spreadsheet cell's sex; None when empty (the title decides)."""
    words = " ".join((text or "").split()).lower()
    if not words:
        return None
    if words not in SEX_WORDS:
        raise InvalidInput(
            "sex",
            "must be ชาย, หญิง or ไม่ระบุ (male, female, not stated), or empty for the title's",
            "ต้องเป็น ชาย หญิง หรือ ไม่ระบุ หรือเว้นว่างเพื่อใช้ตามคำนำหน้า",
        )
    return SEX_WORDS[words]


def age_on(born: date, day: date) -> int:
    """Whole years from ``born`` to ``day`` (a birthday on 29 February counts on 1 March in
    other years); never below 0."""
    years = day.year - born.year - ((day.month, day.day) < (born.month, born.day))
    return max(0, years)


def age_group(born: date, day: date) -> str:
    """The age group of someone born on ``born``, on ``day``."""
    age = age_on(born, day)
    name = AGE_GROUPS[0][1]
    for low, group in AGE_GROUPS:
        if age >= low:
            name = group
    return name
