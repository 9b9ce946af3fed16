"""Sex from a Thai ID card's title and age groups from a birth date (issue 18): examples at
the boundaries, and Hypothesis properties (an age is never negative and never falls as the
day moves on; every age lands in exactly one group, in order)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reporting_api.demographics import (
    AGE_GROUP_NAMES,
    Sex,
    age_group,
    age_on,
    recorded_sex,
    sex_from_title,
)
from reporting_api.errors import InvalidInput


@pytest.mark.parametrize(
    ("title", "sex"),
    [
        ("นาย", Sex.MALE),
        (" นาย ", Sex.MALE),
        ("เด็กชาย", Sex.MALE),
        ("นาง", Sex.FEMALE),
        ("นางสาว", Sex.FEMALE),
        ("น.ส.", Sex.FEMALE),
        ("Ms.", Sex.FEMALE),
        ("ร.ต.อ.", Sex.NOT_STATED),  # a rank says neither
        ("", Sex.NOT_STATED),
        (None, Sex.NOT_STATED),
    ],
)
def test_the_title_says_the_sex_or_nothing(title, sex):
    assert sex_from_title(title) == sex


def test_a_choice_wins_over_the_title_and_a_wrong_one_is_refused_in_both_languages():
    assert recorded_sex("female", "นาย") == Sex.FEMALE
    assert recorded_sex("not_stated", "นาย") == Sex.NOT_STATED
    assert recorded_sex("", "นาย") == Sex.MALE
    with pytest.raises(InvalidInput) as refused:
        recorded_sex("M", "นาย")
    assert refused.value.field == "sex" and "ชาย" in refused.value.reason_th


def test_age_groups_at_their_boundaries():
    born = date(2000, 6, 15)
    assert age_group(born, date(2018, 6, 14)) == "under 18"
    assert age_group(born, date(2018, 6, 15)) == "18-24"
    assert age_group(born, date(2025, 6, 15)) == "25-34"
    assert age_group(born, date(2065, 6, 15)) == "65+"
    # Born on 29 February: a year older on 1 March in other years.
    assert age_on(date(2000, 2, 29), date(2018, 2, 28)) == 17
    assert age_on(date(2000, 2, 29), date(2018, 3, 1)) == 18


days = st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31))


@given(days, days, st.integers(min_value=0, max_value=400))
def test_an_age_never_falls_as_days_pass(born, day, later):
    if day < born:
        born, day = day, born
    after = day + timedelta(days=later)
    assert 0 <= age_on(born, day) <= age_on(born, after)
    groups = list(AGE_GROUP_NAMES)
    assert groups.index(age_group(born, day)) <= groups.index(age_group(born, after))


@given(days, days)
def test_an_age_before_birth_is_zero_and_a_group_is_always_named(born, day):
    assert age_on(born, day) >= 0
    assert age_group(born, day) in AGE_GROUP_NAMES
