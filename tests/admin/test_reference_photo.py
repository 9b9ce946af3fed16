"""No one shut out by a poor ID-card photo (issue 13): a reference photo taken at the office,
or in-person reporting only, at enrolment and later from the person's page; both with their
reason on the page and in the audit, the card photo kept sealed for comparison by eye, and
the card photo in the person's export and gone after anonymisation."""

from __future__ import annotations

import asyncio
import io
import json
import zipfile
from typing import Any

import cv2
import numpy as np

from tests.admin.test_enrol import ENROL, _error_beside, _form
from tests.conftest import id_photo_bytes

REASON = "รูปบัตรเบลอ ถ่ายใหม่ที่สำนักงาน"


def blurry_card_photo() -> bytes:
    """The ID photo blurred until the face library refuses it as not sharp enough."""
    image = cv2.imdecode(np.frombuffer(id_photo_bytes(), np.uint8), cv2.IMREAD_COLOR)
    blurred = cv2.GaussianBlur(image, (0, 0), 4)
    return cv2.imencode(".jpg", blurred)[1].tobytes()


def _post(browser: Any, data: dict[str, Any], **files: bytes) -> Any:
    parts = {name: (f"{name}.jpg", body, "image/jpeg") for name, body in files.items()}
    return browser.post_form(ENROL, ENROL, data, files=parts)


def _person(national_id: str) -> dict[str, Any]:
    from reporting_api.tables import Defendant

    async def read() -> dict[str, Any]:
        return await Defendant.select().where(Defendant.national_id == national_id).first()

    return asyncio.run(read())


def _audit(api: Any, action: str) -> list[dict[str, Any]]:
    rows = api.request("manager", "GET", "/api/v1/audit", params={"action": action}).json()
    return rows["items"]


def test_a_blurry_card_photo_is_refused_and_the_page_offers_the_ways_on(site):
    browser, _ = site
    browser.as_("officer_bkk")
    form = _form()
    response = _post(browser, form, photo=blurry_card_photo())
    assert response.status_code == 400
    assert "sharp" in _error_beside(response.text, "photo")
    # The ways on are open beside the refused photo.
    assert '<details id="photo-ways" class="photo-ways" open>' in response.text
    assert 'value="office_camera"' in response.text and 'value="in_person"' in response.text
    assert "/admin/static/office_camera.js" in response.text


def test_enrol_with_a_photo_taken_at_the_office(site):
    browser, api = site
    browser.as_("officer_bkk")
    form = _form(route="office_camera", reference_reason=REASON)
    card = blurry_card_photo()
    response = _post(browser, form, photo=card, office_photo=id_photo_bytes())
    assert response.status_code == 303, response.text
    person = _person(form["national_id"])
    assert person["reference_source"] == "office_camera"
    assert person["reference_reason"] == REASON
    assert person["reporting_mode"] == "remote"
    assert person["face_template"] and person["id_photo_sealed"]
    # The card photo is kept sealed, under its own context (not the face reference's).
    assert person["card_photo_sealed"] and card not in person["card_photo_sealed"]
    [row] = _audit(api, "defendant.create")
    assert row["detail"]["reference"] == "office_camera"
    assert row["detail"]["reason"] == REASON and row["detail"]["card_photo_kept"] is True
    assert "photo" not in json.dumps(row["detail"]).replace("card_photo_kept", "")
    # The page shows the office photo, the card photo beside it, and why.
    page = browser.client.get(f"/admin/defendants/{person['id']}").text
    assert 'id="card-photo"' in page and REASON in page
    kept = browser.client.get(f"/admin/defendants/{person['id']}/card-photo")
    assert kept.status_code == 200 and kept.content == card
    assert _audit(api, "defendant.card_photo.read")


def test_the_office_photo_goes_through_the_same_check_and_needs_a_reason(site):
    browser, _ = site
    browser.as_("officer_bkk")
    form = _form(route="office_camera", reference_reason="")
    response = _post(browser, form, photo=blurry_card_photo(), office_photo=blurry_card_photo())
    assert response.status_code == 400
    assert "sharp" in _error_beside(response.text, "office_photo")
    assert "ต้องกรอก" in _error_beside(response.text, "reference_reason")
    assert _person(form["national_id"]) is None


def test_enrol_for_in_person_reporting_only(site):
    browser, api = site
    browser.as_("officer_bkk")
    form = _form(route="in_person", reference_reason="ไม่มีรูปบัตรที่ใช้ได้")
    response = _post(browser, form, photo=blurry_card_photo())
    assert response.status_code == 303, response.text
    person = _person(form["national_id"])
    assert person["reporting_mode"] == "in_person"
    assert person["face_template"] is None and person["id_photo_sealed"] is None
    assert person["card_photo_sealed"]  # kept for an officer's eyes
    [row] = _audit(api, "defendant.create")
    assert row["detail"]["reporting_mode"] == "in_person"
    assert row["detail"]["reason"] == "ไม่มีรูปบัตรที่ใช้ได้"
    page = browser.client.get(f"/admin/defendants/{person['id']}").text
    assert "ไม่มีรูปบัตรที่ใช้ได้" in page and 'id="reference"' in page
    # In person with no photo at all, and a reason required.
    bare = _form(route="in_person", reference_reason="")
    response = browser.post_form(ENROL, ENROL, bare)
    assert response.status_code == 400
    assert "ต้องกรอก" in _error_beside(response.text, "reference_reason")
    response = browser.post_form(ENROL, ENROL, bare | {"reference_reason": "ไม่มีบัตร"})
    assert response.status_code == 303, response.text


def test_later_from_the_persons_page_an_office_photo_then_in_person_only(site):
    browser, api = site
    browser.as_("officer_bkk")
    form = _form()
    card = id_photo_bytes()
    assert _post(browser, form, photo=card).status_code == 303
    person = _person(form["national_id"])
    page_url = f"/admin/defendants/{person['id']}"
    # No reason: refused beside the field, nothing changed.
    response = browser.post_form(
        page_url,
        f"{page_url}/office-photo",
        {"reference_reason": ""},
        files={"office_photo": ("o.jpg", id_photo_bytes(), "image/jpeg")},
    )
    assert response.status_code == 400
    assert "ต้องกรอก" in _error_beside(response.text, "reference_reason")
    response = browser.post_form(
        page_url,
        f"{page_url}/office-photo",
        {"reference_reason": REASON},
        files={"office_photo": ("o.jpg", id_photo_bytes(), "image/jpeg")},
    )
    assert response.status_code == 303, response.text
    after = _person(form["national_id"])
    assert after["reference_source"] == "office_camera" and after["reference_reason"] == REASON
    assert browser.client.get(f"{page_url}/card-photo").content == card
    [row] = _audit(api, "defendant.photo.office")
    assert row["detail"] == {
        "reference": "office_camera",
        "reason": REASON,
        "card_photo_kept": True,
    }
    response = browser.post_form(
        page_url, f"{page_url}/in-person-only", {"reference_reason": "ไม่มีโทรศัพท์"}
    )
    assert response.status_code == 303, response.text
    assert _person(form["national_id"])["reporting_mode"] == "in_person"
    [row] = _audit(api, "defendant.reporting_mode")
    assert row["detail"] == {"from": "remote", "to": "in_person", "reason": "ไม่มีโทรศัพท์"}
    assert "ไม่มีโทรศัพท์" in browser.client.get(page_url).text


def test_the_card_photo_is_exported_and_anonymisation_removes_it(site):
    browser, api = site
    browser.as_("officer_bkk")
    form = _form(route="office_camera", reference_reason=REASON)
    card = blurry_card_photo()
    assert _post(browser, form, photo=card, office_photo=id_photo_bytes()).status_code == 303
    person = _person(form["national_id"])
    export = browser.client.get(f"/admin/defendants/{person['id']}/export.zip")
    assert export.status_code == 200
    with zipfile.ZipFile(io.BytesIO(export.content)) as archive:
        [record_name] = [n for n in archive.namelist() if n.endswith("/record.json")]
        record = json.loads(archive.read(record_name))
        names = archive.namelist()
    profile = record["person"]
    assert profile["reference_source"] == "office_camera"
    assert profile["reference_reason"] == REASON
    assert profile["kept_card_photo"] == "id-card-photo-kept.jpg"
    assert profile["id_card_photo"] == "office-reference-photo.jpg"
    images = {i["name"] for i in record["images"]}
    assert {"office-reference-photo.jpg", "id-card-photo-kept.jpg"} <= images, names

    from reporting_api.tables import BailCase

    async def close_cases() -> None:
        await BailCase.update({BailCase.status: "closed"}).where(BailCase.defendant == person["id"])

    asyncio.run(close_cases())
    response = api.request(
        "officer_bkk",
        "POST",
        f"/api/v1/defendants/{person['id']}/erasure",
        json={"mode": "anonymise", "reason": "คำขอของเจ้าของข้อมูล"},
    )
    assert response.status_code in (200, 204), response.text
    from reporting_api.tables import Defendant

    async def read() -> dict[str, Any]:
        return await Defendant.select().where(Defendant.id == person["id"]).first()

    gone = asyncio.run(read())
    assert gone["anonymised_at"] is not None
    assert (gone["card_photo_sealed"], gone["card_photo_mime"], gone["reference_reason"]) == (
        None,
        None,
        None,
    )


def test_a_person_switched_to_in_person_only_is_told_to_come_to_the_office(api):
    """The check-in link gives no camera challenge to a person who reports in person only,
    even with a usable photo on file: it says to come to the office."""
    from reporting_api.tables import Defendant
    from tests.checkin.helpers import identify, open_check_in

    world = open_check_in(api)
    assert identify(api.client, world).status_code == 200
    assert api.client.post(f"/c/{world['code']}/challenge").status_code == 201
    Defendant.update({Defendant.reporting_mode: "in_person"}).where(
        Defendant.id == world["defendant"]["id"]
    ).run_sync()
    refused = api.client.post(f"/c/{world['code']}/challenge")
    assert refused.status_code == 409
    assert "สำนักงาน" in refused.text
