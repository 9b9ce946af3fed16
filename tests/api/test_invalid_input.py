"""Every invalid value gets a 4xx naming the field and the reason; nothing stored is lost."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from PIL import Image

from tests.api.helpers import case_payload, enrol, enrol_with_case, interval_plan, new_national_id
from tests.conftest import jpeg_bytes


def _field(response) -> str:
    body = response.json()
    return body["extra"][0]["key"]


def _png_bomb() -> bytes:
    # A 20000 x 20000 one-bit image compresses to a few kilobytes but decodes to 400 MP.
    buffer = io.BytesIO()
    Image.new("1", (20_000, 20_000)).save(buffer, format="PNG")
    return buffer.getvalue()


def _bad_check_digit() -> str:
    good = new_national_id()
    return good[:12] + str((int(good[12]) + 1) % 10)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"national_id": "_bad_check_digit"}, "national_id"),
        ({"national_id": "12345"}, "national_id"),
        ({"national_id": "abcdefghijklm"}, "national_id"),
        ({"phone": "02-123-4567"}, "phone"),  # a Bangkok landline
        ({"phone": "+1 202 555 0100"}, "phone"),  # not Thai
        ({"phone": "hello"}, "phone"),
        ({"first_name_th": "   "}, "first_name_th"),
        ({"date_of_birth": (date.today() + timedelta(days=3)).isoformat()}, "date_of_birth"),
        ({"date_of_birth": "2533-01-01"}, "date_of_birth"),  # a Buddhist-era year typed by mistake
        ({"consent": "false"}, "consent"),
        ({"office_id": "999999"}, "office_id"),
        ({"preferred_language": "fr"}, "preferred_language"),
    ],
)
def test_enrolment_field_errors(api, overrides, field):
    if overrides.get("national_id") == "_bad_check_digit":
        overrides = {"national_id": _bad_check_digit()}
    response = enrol(api, **overrides)
    assert response.status_code == 400, response.text
    assert field in response.text
    body = response.json()
    if body.get("extra") and isinstance(body["extra"], list) and "key" in body["extra"][0]:
        assert body["extra"][0]["key"] == field
        assert body["extra"][0]["message"]


@pytest.mark.parametrize(
    ("photo", "reason"),
    [
        (b"not an image at all", "not a readable JPEG or PNG"),
        (b"", "empty"),
        (jpeg_bytes()[:200], "not a readable JPEG or PNG"),  # truncated
        (jpeg_bytes(40, 40), "at least 64 pixels"),
        ("bomb", "pixels"),
        ("gif", "only JPEG or PNG"),
    ],
)
def test_photo_must_be_a_decodable_jpeg_or_png(api, photo, reason):
    if photo == "bomb":
        photo = _png_bomb()
    elif photo == "gif":
        buffer = io.BytesIO()
        Image.new("RGB", (100, 100)).save(buffer, format="GIF")
        photo = buffer.getvalue()
    response = enrol(api, photo=photo)
    assert response.status_code == 400, response.text
    assert _field(response) == "photo"
    assert reason in response.json()["extra"][0]["message"]


def test_photo_over_10_mb_is_refused(api):
    # Random bytes after a valid JPEG header still make an 11 MB upload.
    big = jpeg_bytes() + b"\0" * (11 * 1024 * 1024)
    response = enrol(api, photo=big)
    assert response.status_code == 400
    assert _field(response) == "photo" and "10 MB" in response.json()["extra"][0]["message"]


def test_body_over_the_request_limit_gets_413(api):
    response = enrol(api, photo=b"\xff" * (13 * 1024 * 1024))
    assert response.status_code == 413


def test_duplicate_national_id_is_409_and_keeps_the_first(api):
    first = enrol(api)
    assert first.status_code == 201
    again = enrol(api, national_id=first.json()["national_id"], first_name_th="อื่น")
    assert again.status_code == 409 and _field(again) == "national_id"
    stored = api.request("officer_bkk", "GET", f"/api/v1/defendants/{first.json()['id']}").json()
    assert stored["first_name_th"] == "สมชาย"


def test_update_rejects_a_landline_and_keeps_the_old_number(api):
    defendant = enrol(api).json()
    response = api.request(
        "officer_bkk",
        "PATCH",
        f"/api/v1/defendants/{defendant['id']}",
        json={"phone": "053-123456"},
    )
    assert response.status_code == 400 and _field(response) == "phone"
    stored = api.request("officer_bkk", "GET", f"/api/v1/defendants/{defendant['id']}").json()
    assert stored["phone"] == defendant["phone"]


def test_unknown_fields_and_wrong_types_are_400(api):
    defendant = enrol(api).json()
    response = api.request(
        "officer_bkk", "PATCH", f"/api/v1/defendants/{defendant['id']}", json={"national_id": "1"}
    )
    assert response.status_code == 400
    response = api.request("officer_bkk", "POST", "/api/v1/cases", json=case_payload("seven"))
    assert response.status_code == 400 and "defendant_id" in response.text


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"bail_amount": "-5"}, "bail_amount"),
        ({"bail_amount": "0"}, "bail_amount"),
        ({"bail_amount": "12.345"}, "bail_amount"),
        ({"bail_amount": "1000000000"}, "bail_amount"),
        ({"release_date": "2600-01-01"}, "release_date"),
        ({"next_court_date": "2020-01-01"}, "next_court_date"),
        ({"officer_id": 999999}, "officer_id"),
        ({"court": ""}, "court"),
    ],
)
def test_case_field_errors(api, overrides, field):
    defendant = enrol(api).json()
    response = api.request(
        "officer_bkk", "POST", "/api/v1/cases", json=case_payload(defendant["id"], **overrides)
    )
    assert response.status_code == 400, response.text
    assert field in response.text


@pytest.mark.parametrize(
    ("plan", "field"),
    [
        (interval_plan(date(2027, 5, 1), date(2027, 1, 1)), "end_date"),
        (interval_plan(date(2027, 1, 1), date(2027, 5, 1), every=0), "every_days"),
        (interval_plan(date(2027, 1, 1), date(2040, 5, 1)), "end_date"),
        (
            {"kind": "dates", "start_date": "2027-01-01", "end_date": "2027-03-01", "dates": []},
            "dates",
        ),
        (
            {
                "kind": "dates",
                "start_date": "2027-01-01",
                "end_date": "2027-03-01",
                "dates": ["2027-06-01"],
            },
            "dates",
        ),
        (interval_plan(date(2027, 1, 1), date(2027, 5, 1), grace_days=-1), "grace_days"),
        (
            interval_plan(
                date(2027, 1, 1),
                date(2036, 5, 1),
                every=1,
                window_opens_days_before=0,
                grace_days=0,
            ),
            "every_days",
        ),
    ],
)
def test_plan_field_errors(api, plan, field):
    _, case = enrol_with_case(api)
    response = api.request("officer_bkk", "PUT", f"/api/v1/cases/{case['id']}/plan", json=plan)
    assert response.status_code == 400, response.text
    assert field in response.text


def test_search_with_a_bad_national_id_names_the_query(api):
    response = api.request("officer_bkk", "GET", "/api/v1/defendants?q=" + _bad_check_digit())
    assert response.status_code == 400 and _field(response) == "q"
    response = api.request("officer_bkk", "GET", "/api/v1/defendants?page_size=1000")
    assert response.status_code == 400 and "page_size" in response.text


def test_closing_twice_is_a_conflict(api):
    _, case = enrol_with_case(api)
    close = {"status": "absconded", "outcome": "หลบหนี ศาลออกหมายจับ"}
    assert (
        api.request(
            "officer_bkk", "POST", f"/api/v1/cases/{case['id']}/close", json=close
        ).status_code
        == 200
    )
    again = api.request("officer_bkk", "POST", f"/api/v1/cases/{case['id']}/close", json=close)
    assert again.status_code == 409
    replan = api.request(
        "officer_bkk",
        "PUT",
        f"/api/v1/cases/{case['id']}/plan",
        json=interval_plan(date.today(), date.today() + timedelta(days=60)),
    )
    assert replan.status_code == 409
