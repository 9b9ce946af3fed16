"""The absconding-risk score: each factor, its cap, the bands and the explanations."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reporting_api import risk
from reporting_api.risk import Band, CaseFacts, assess, band_of

# 10:00 in Bangkok on 1 Nov 2026: the Bangkok day is 2026-11-01.
AS_OF = datetime(2026, 11, 1, 3, 0, tzinfo=UTC)
TODAY = date(2026, 11, 1)


def facts(**changes) -> CaseFacts:
    """A case with nothing against it: released a week ago, small bail."""
    values = {"release_date": TODAY - timedelta(days=7), "bail_amount": Decimal("50000.00")}
    return CaseFacts(**(values | changes))


def factor(f: CaseFacts, name: str) -> risk.Factor | None:
    return next((x for x in assess(f, AS_OF).factors if x.factor == name), None)


def test_a_case_with_nothing_against_it_scores_zero_and_is_low():
    result = assess(facts(), AS_OF)
    assert (result.points, result.band, result.factors) == (0, Band.LOW, ())


@pytest.mark.parametrize(("count", "points"), [(1, 15), (2, 30), (3, 45), (4, 45), (9, 45)])
def test_missed_check_ins_count_15_each_up_to_45(count, points):
    f = facts(missed=count, last_missed_due=date(2026, 10, 12))
    found = factor(f, "missed_checkin")
    assert found is not None and found.points == points
    assert assess(f, AS_OF).points == points


def test_one_missed_check_in_names_its_due_day_in_both_calendars():
    found = factor(facts(missed=1, last_missed_due=date(2026, 10, 12)), "missed_checkin")
    assert found is not None
    assert found.explanation_th == "ไม่มารายงานตัวตามกำหนด 12 ต.ค. 2569"
    assert found.explanation_en == "missed check-in due 12 Oct 2026"


def test_several_missed_check_ins_give_the_count_the_latest_day_and_the_cap():
    found = factor(facts(missed=5, last_missed_due=date(2026, 10, 12)), "missed_checkin")
    assert found is not None
    assert "5 ครั้ง" in found.explanation_th and "12 ต.ค. 2569" in found.explanation_th
    assert "สูงสุด 45 คะแนน" in found.explanation_th
    assert "capped at 45" in found.explanation_en
    two = factor(facts(missed=2, last_missed_due=date(2026, 10, 12)), "missed_checkin")
    assert two is not None and "capped" not in two.explanation_en


@pytest.mark.parametrize(("count", "points"), [(1, 5), (3, 15), (5, 15)])
def test_late_check_ins_count_5_each_up_to_15(count, points):
    found = factor(facts(late=count, last_late_due=date(2026, 9, 3)), "late_checkin")
    assert found is not None and found.points == points
    assert "3 ก.ย. 2569" in found.explanation_th


@pytest.mark.parametrize(
    ("field", "name", "each", "cap"),
    [
        ("failed_verifications", "failed_verification", 10, 20),
        ("suspicious_verifications", "suspicious_verification", 15, 30),
        ("identity_lockouts", "identity_lockout", 10, 10),
    ],
)
def test_verification_flags_count_each_up_to_their_cap(field, name, each, cap):
    assert factor(facts(**{field: 0}), name) is None
    one = factor(facts(**{field: 1}), name)
    assert one is not None and one.points == each
    many = factor(facts(**{field: 5}), name)
    assert many is not None and many.points == cap
    assert one.explanation_th and one.explanation_en


def test_an_unreachable_phone_adds_10_once():
    found = factor(facts(unreachable_phone=True), "unreachable_phone")
    assert found is not None and found.points == 10
    assert "ติดต่อทางโทรศัพท์ไม่ได้" in found.explanation_th
    assert factor(facts(unreachable_phone=False), "unreachable_phone") is None


@pytest.mark.parametrize(
    ("days_ago", "points"), [(0, 0), (30, 0), (31, 5), (60, 5), (61, 10), (150, 10)]
)
def test_days_since_the_last_verified_check_in(days_ago, points):
    f = facts(
        release_date=TODAY - timedelta(days=400), last_verified_on=TODAY - timedelta(days=days_ago)
    )
    found = factor(f, "no_verified_checkin")
    assert (found.points if found else 0) == points
    if found:
        assert f"{days_ago} วัน" in found.explanation_th
        assert f"{days_ago} days since the last verified check-in" in found.explanation_en


def test_without_a_verified_check_in_the_days_count_from_release():
    recent = factor(facts(release_date=TODAY - timedelta(days=20)), "no_verified_checkin")
    assert recent is None  # a new case is not quiet yet
    released = TODAY - timedelta(days=45)
    found = factor(facts(release_date=released), "no_verified_checkin")
    assert found is not None and found.points == 5
    assert "ตั้งแต่ปล่อยตัว 17 ก.ย. 2569 (45 วัน)" in found.explanation_th
    old = factor(facts(release_date=TODAY - timedelta(days=400)), "no_verified_checkin")
    assert old is not None and old.points == 10
    assert old.explanation_en == "no verified check-in in the last 180 days"


@pytest.mark.parametrize(
    ("days_ahead", "points"), [(-1, 0), (0, 10), (14, 10), (15, 5), (30, 5), (31, 0)]
)
def test_the_next_court_date(days_ahead, points):
    found = factor(facts(next_court_date=TODAY + timedelta(days=days_ahead)), "court_date")
    assert (found.points if found else 0) == points
    if found and days_ahead:
        assert f"อีก {days_ahead} วัน" in found.explanation_th


@pytest.mark.parametrize(
    ("amount", "points"),
    [("99999.99", 0), ("100000.00", 5), ("199999.99", 5), ("200000.00", 10), ("5000000", 10)],
)
def test_the_bail_amount_at_risk(amount, points):
    found = factor(facts(bail_amount=Decimal(amount)), "bail_amount")
    assert (found.points if found else 0) == points
    if found:
        assert f"{Decimal(amount):,.2f} บาท" in found.explanation_th


def test_the_court_date_counts_days_in_bangkok_not_utc():
    # 20:00 UTC on 31 Oct is already 1 Nov in Bangkok: a court date on 15 Nov is 14 days off.
    evening = datetime(2026, 10, 31, 20, 0, tzinfo=UTC)
    result = assess(facts(next_court_date=date(2026, 11, 15)), evening)
    assert [f.points for f in result.factors] == [10]


@pytest.mark.parametrize(
    ("points", "band"),
    [(0, "low"), (19, "low"), (20, "medium"), (39, "medium"), (40, "high"), (160, "high")],
)
def test_bands_have_their_edges(points, band):
    assert band_of(points) == Band(band)


def test_the_score_adds_every_factor_and_lists_them_in_a_fixed_order():
    f = facts(
        missed=2,
        last_missed_due=date(2026, 10, 12),
        late=1,
        last_late_due=date(2026, 9, 3),
        failed_verifications=1,
        suspicious_verifications=1,
        identity_lockouts=1,
        unreachable_phone=True,
        release_date=TODAY - timedelta(days=300),
        last_verified_on=TODAY - timedelta(days=70),
        next_court_date=TODAY + timedelta(days=3),
        bail_amount=Decimal("250000"),
    )
    result = assess(f, AS_OF)
    assert [x.factor for x in result.factors] == [
        "missed_checkin",
        "late_checkin",
        "failed_verification",
        "suspicious_verification",
        "identity_lockout",
        "unreachable_phone",
        "no_verified_checkin",
        "court_date",
        "bail_amount",
    ]
    assert result.points == 30 + 5 + 10 + 15 + 10 + 10 + 10 + 10 + 10
    assert result.points == sum(x.points for x in result.factors)
    assert result.band == Band.HIGH
    for x in result.factors:  # each factor is (factor, points, explanation_en, explanation_th)
        name, points, en, th = x
        assert points > 0 and en and th and en != th


def test_every_rule_is_described_from_the_constants():
    text = " ".join(en for _, en, _ in risk.describe_rules())
    for value in (risk.MISSED_POINTS, risk.MISSED_CAP, risk.HIGH_FROM, risk.MEDIUM_FROM):
        assert str(value) in text
    assert {name for name, _, _ in risk.describe_rules()} >= {
        f.factor
        for f in assess(
            facts(
                missed=1,
                late=1,
                failed_verifications=1,
                suspicious_verifications=1,
                identity_lockouts=1,
                unreachable_phone=True,
                release_date=TODAY - timedelta(days=300),
                next_court_date=TODAY,
                bail_amount=Decimal("300000"),
            ),
            AS_OF,
        ).factors
    }


def test_as_of_must_be_an_aware_instant():
    with pytest.raises(ValueError):
        assess(facts(), datetime(2026, 11, 1, 10, 0))


_facts = st.builds(
    CaseFacts,
    release_date=st.dates(TODAY - timedelta(days=400), TODAY),
    bail_amount=st.sampled_from([Decimal(v) for v in (0, 99999, 100000, 199999.99, 200000, 5e5)]),
    missed=st.integers(0, 6),
    late=st.integers(0, 6),
    failed_verifications=st.integers(0, 4),
    suspicious_verifications=st.integers(0, 4),
    identity_lockouts=st.integers(0, 3),
    unreachable_phone=st.booleans(),
    last_verified_on=st.none() | st.dates(TODAY - timedelta(days=200), TODAY),
    next_court_date=st.none() | st.dates(TODAY - timedelta(days=5), TODAY + timedelta(days=45)),
)
_weights = st.builds(
    risk.Weights,
    *(st.integers(-30, 30) for _ in risk.UNIT_NAMES),
    medium_from=st.integers(-10, 40),
    high_from=st.integers(41, 90),
)


@given(_facts)
def test_the_units_times_the_hand_set_points_are_the_score(f):
    """The factors the fitted model weighs (risk.Units) are the ones the points read."""
    assert risk.points_of(risk.units(f, TODAY), risk.HAND_SET) == assess(f, AS_OF).points


@given(_facts, _weights)
def test_any_weights_version_explains_its_score_row_by_row(f, weights):
    scored = assess(f, AS_OF, weights)
    assert scored.points == risk.points_of(risk.units(f, TODAY), weights)
    assert scored.band == band_of(scored.points, weights)
    assert all(x.points != 0 and x.explanation_en and x.explanation_th for x in scored.factors)
    rules = risk.describe_rules(weights)
    assert f"{weights.missed:+d} " in rules[0][1] and f"{weights.missed:+d} " in rules[0][2]


def test_the_hand_set_rules_read_as_before():
    assert (
        risk.describe_rules()[0][1] == "+15 each missed check-in in the last 180 days (at most 45)"
    )
    assert risk.describe_rules()[-1][1] == "medium from 20 points, high from 40"
