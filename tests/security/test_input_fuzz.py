"""Finding 8: inputs that used to answer 500 with a traceback, and the whole class around them.

Each named input is sent as a client would send it and must get a 4xx naming the field (or be
taken, where it is a real value): a birth date in year 2404 on the identify step, a real
29 February typed in a Buddhist-era year (taken), plan dates in year 9999 or year 1, a frame
file name with hundreds (or thousands) of digits, a deeply nested `client` JSON field. The
pure parsers behind them get hypothesis properties; schemathesis over every route lives in
tests/api/test_openapi_fuzz.py.
"""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from reporting_api.errors import InvalidInput
from reporting_api.planning import PlanSpec, expand_plan
from reporting_api.services.uploads import MAX_FRAMES, check_frames, clean_client
from reporting_api.statuses import PlanKind
from reporting_api.thai_dates import EARLIEST_DATE, LATEST_DATE, parse_date_either_era
from tests.api.helpers import dates_plan, enrol_with_case, interval_plan
from tests.checkin.helpers import identify, open_check_in, upload
from tests.conftest import jpeg_bytes

_JPEG = jpeg_bytes(8, 8)


def _refused(response, status: int, field: str) -> dict:
    assert response.status_code == status, response.text
    [extra] = response.json()["extra"]
    assert extra["key"] == field
    assert extra["message"] and extra["message_th"]
    return extra


# --- the identify step: birth dates -------------------------------------------------------


@pytest.mark.parametrize("typed", ["2404-02-29", "2404-01-01", "9999-12-31", "0001-01-01"])
def test_an_impossible_birth_date_is_400_naming_it(api, typed):
    world = open_check_in(api)
    _refused(identify(api.client, world, birth=typed), 400, "date_of_birth")


def test_a_real_29_february_typed_in_the_buddhist_era_is_taken(api):
    # 2543 B.E. is 2000 C.E., a leap year; 2543 itself is not one in the Christian calendar.
    world = open_check_in(api, date_of_birth="2000-02-29")
    assert identify(api.client, world, birth="2543-02-29").status_code == 200
    assert identify(api.client, world, birth="2000-02-29").status_code == 200


def test_29_february_of_a_buddhist_year_that_had_none_is_400(api):
    world = open_check_in(api)  # 2544 B.E. = 2001 C.E., no 29 February
    extra = _refused(identify(api.client, world, birth="2544-02-29"), 400, "date_of_birth")
    assert "2544" in extra["message"] or "date" in extra["message"]


# --- plans: dates far outside any bail -----------------------------------------------------


@pytest.mark.parametrize(
    ("plan", "field"),
    [
        (interval_plan(date(9999, 12, 1), date(9999, 12, 31), every=7), "start_date"),
        (interval_plan(date(2026, 1, 1), date(9999, 12, 31), every=7), "end_date"),
        (interval_plan(date(1, 1, 1), date(1, 1, 31), every=7), "start_date"),
        (dates_plan([date(1, 1, 1)], date(1, 1, 2)), "start_date"),
        (dates_plan([date(2026, 1, 5), date(9999, 12, 31)], date(2026, 3, 1)), "dates"),
    ],
)
def test_plan_dates_out_of_any_sane_range_are_400_naming_them(api, plan, field):
    _, case = enrol_with_case(api)
    response = api.request("officer_bkk", "PUT", f"/api/v1/cases/{case['id']}/plan", json=plan)
    _refused(response, 400, field)


@pytest.mark.parametrize("field", ["release_date", "next_court_date"])
@pytest.mark.parametrize("year", [1, 9999])
def test_case_dates_out_of_range_are_400_naming_them(api, field, year):
    from tests.api.helpers import case_payload, enrol

    person = enrol(api).json()
    payload = case_payload(person["id"], **{field: date(year, 12, 31).isoformat()})
    _refused(api.request("officer_bkk", "POST", "/api/v1/cases", json=payload), 400, field)


# --- the upload: frame names and the client field ------------------------------------------


def _challenge(api, world) -> str:
    assert identify(api.client, world).status_code == 200
    response = api.client.post(f"/c/{world['code']}/challenge")
    assert response.status_code == 201, response.text
    return response.json()["id"]


def test_a_frame_name_with_hundreds_of_digits_is_taken(api):
    world = open_check_in(api)
    challenge = _challenge(api, world)
    frames = [(f"frame-{'9' * 400}.jpg", jpeg_bytes()), ("frame-80.jpg", jpeg_bytes())]
    response = upload(api.client, world["code"], challenge, None, frames=frames)
    # A name that is not a plausible time is ignored (the frame's place gives its time).
    assert response.status_code == 202, response.text


def test_a_deeply_nested_client_field_is_400_naming_it(api):
    world = open_check_in(api)
    challenge = _challenge(api, world)
    deep = '{"location": ' + "[" * 2000 + "]" * 2000 + "}"
    response = upload(api.client, world["code"], challenge, client_json=deep)
    _refused(response, 400, "client")


def test_a_deeply_nested_json_body_is_400_not_500(api):
    _, case = enrol_with_case(api)
    deep = '{"kind": "dates", "dates": ' + "[" * 5000 + "]" * 5000 + "}"
    response = api.request(
        "officer_bkk",
        "PUT",
        f"/api/v1/cases/{case['id']}/plan",
        content=deep,
        headers={"Content-Type": "application/json"},
    )
    assert 400 <= response.status_code < 500, response.text


# --- the pure parsers, by hypothesis: any input is a value or a named refusal ----------------

FUZZ = settings(max_examples=300, deadline=None, derandomize=True)


@FUZZ
@given(st.one_of(st.text(max_size=40), st.dates(min_value=date(1, 1, 1)).map(str)))
def test_any_typed_birth_date_is_a_date_in_range_or_refused_by_name(text):
    try:
        value = parse_date_either_era(text, "date_of_birth")
    except InvalidInput as refused:
        assert refused.field == "date_of_birth" and refused.reason and refused.reason_th
    else:
        assert EARLIEST_DATE <= value <= LATEST_DATE


@FUZZ
@given(st.dates(min_value=EARLIEST_DATE, max_value=LATEST_DATE))
@example(date(2000, 2, 29))
@example(date(2024, 2, 29))
def test_a_buddhist_era_date_is_the_same_day_543_years_on(day):
    # A B.E. year Y has 29 February exactly when Y - 543 does.
    typed = f"{day.year + 543:04d}-{day.month:02d}-{day.day:02d}"
    assert parse_date_either_era(typed, "date_of_birth") == day


@FUZZ
@given(
    st.one_of(
        st.text(max_size=100),
        st.integers(min_value=0).map(lambda n: f"frame-{n}.jpg"),
        st.integers(min_value=1, max_value=6000).map(lambda n: f"frame-{'9' * n}.jpg"),
    ),
    st.integers(min_value=0, max_value=MAX_FRAMES - 1),
)
def test_any_frame_name_gives_a_time_or_the_frames_place(name, index):
    frames = [("frame-0.jpg", _JPEG)] * index + [(name, _JPEG)]
    check_frames(frames, 10**9)  # never raises for a name


@FUZZ
@given(
    st.one_of(
        st.text(max_size=200),
        st.recursive(
            st.none() | st.booleans() | st.floats() | st.integers() | st.text(max_size=10),
            lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner),
            max_leaves=30,
        ).map(lambda v: json.dumps({"location": v, "screen": v, "user_agent": v})),
        st.integers(min_value=1, max_value=4000).map(lambda n: "[" * n + "]" * n),
    )
)
def test_any_client_field_is_cleaned_or_refused_by_name(text):
    try:
        client = clean_client(text)
    except InvalidInput as refused:
        assert refused.field == "client"
    else:
        json.dumps(client, allow_nan=False)  # storable as JSON on both databases


@FUZZ
@given(
    st.dates(),
    st.integers(min_value=-5, max_value=3700),
    st.lists(st.dates(), max_size=5),
    st.sampled_from([PlanKind.INTERVAL, PlanKind.DATES]),
    st.integers(min_value=1, max_value=365),
)
@example(date(9999, 12, 1), 30, [], PlanKind.INTERVAL, 7)
@example(date(1, 1, 1), 30, [], PlanKind.INTERVAL, 7)
@example(date(2026, 1, 1), 30, [date(1, 1, 1)], PlanKind.DATES, 7)
def test_any_plan_dates_expand_or_are_refused_by_name(start, span, dates, kind, every):
    try:
        end = start + timedelta(days=span)
    except OverflowError:
        end = date.max
    spec = PlanSpec(
        kind=kind,
        start_date=start,
        end_date=end,
        every_days=every,
        dates=tuple(dates),
        window_opens_days_before=60,
        grace_days=30,
    )
    try:
        planned = expand_plan(spec)
    except InvalidInput as refused:
        # grace_days: a window and grace (60 + 30 days) no shorter than the interval.
        assert refused.field in ("start_date", "end_date", "dates", "grace_days")
    else:
        assert all(start <= p.nominal_date <= end for p in planned)
