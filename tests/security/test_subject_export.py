"""Finding 5: a data subject's right of access. An officer of the person's office (or a
manager) produces the person's complete record as one export: JSON (with the photos) from
the API, and on the person's page one ZIP of that JSON and a readable Thai PDF; audited."""

from __future__ import annotations

import base64
import io
import json
import shutil
import subprocess
import zipfile

import pytest

from reporting_api.tables import AuditLog
from tests.checkin.helpers import db
from tests.conftest import id_photo_bytes
from tests.security.person_record import FLAG_NOTE, FRAME, person_with_everything


def test_an_officer_exports_the_persons_whole_record(api):
    world = person_with_everything(api)
    person = world["defendant"]
    response = api.request("officer_bkk", "GET", f"/api/v1/defendants/{person['id']}/export")
    assert response.status_code == 200, response.text
    assert "no-store" in response.headers["cache-control"]
    record = response.json()

    assert record["schema"] == "bail-checkin subject record 1"
    assert record["produced_by"] == "officer_bkk"
    profile = record["person"]
    assert profile["national_id"] == person["national_id"]
    assert profile["phone"] == person["phone"] and profile["first_name_th"] == "สมชาย"
    assert profile["consent_version"] and profile["office_th"]
    assert len(record["face_template"]["encoding"]) == 128
    (case,) = record["cases"]
    assert case["black_case_number"] == world["case"]["black_case_number"]
    assert case["bail_amount"] == "50000.00" and case["plan"]["kind"] == "dates"
    assert [c["id"] for c in record["check_ins"]] == sorted(c["id"] for c in record["check_ins"])
    assert len(record["check_ins"]) == 2 and "code" not in record["check_ins"][0]
    (attempt,) = record["attempts"]
    assert attempt["client"]["location"]["latitude"] == 13.7563
    assert attempt["client_address"] == "203.0.113.7"
    assert attempt["evidence_frames"] == [f"attempt-{world['attempt_id']}-frame-0.jpg"]
    message = next(m for m in record["messages"] if m["id"] == world["message_id"])
    assert message["body"] == world["body"] and message["to_phone"] == "+66812345678"
    assert message["recipient"] == "person" and message["status"] == "delivered"
    assert len(record["messages"]) >= 3  # every reminder planned for the two dates
    assert any(f["acknowledge_note"] == FLAG_NOTE for f in record["flags"])
    assert [t["ok"] for t in record["identification_tries"]] == [False]
    images = {i["name"]: i for i in record["images"]}
    assert base64.b64decode(images["id-card-photo.jpg"]["data"]) == id_photo_bytes()
    assert profile["id_card_photo"] == "id-card-photo.jpg"
    frame = images[attempt["evidence_frames"][0]]
    assert base64.b64decode(frame["data"]) == FRAME
    assert record["not_included"]

    audit = db(
        AuditLog.select().where(AuditLog.action == "defendant.export").output(load_json=True)
    )
    assert len(audit) == 1 and audit[0]["entity_id"] == str(person["id"])
    assert audit[0]["detail"]["counts"]["images"] == 2
    assert person["national_id"] not in json.dumps(audit[0]["detail"])


def test_the_export_is_for_the_persons_office_and_managers_only(api):
    world = person_with_everything(api)
    url = f"/api/v1/defendants/{world['defendant']['id']}/export"
    assert api.request("officer_cnx", "GET", url).status_code == 404
    assert api.request("admin", "GET", url).status_code == 403
    assert api.request("manager", "GET", url).status_code == 200
    assert api.request("officer_bkk", "GET", "/api/v1/defendants/999999/export").status_code == 404


def _pdf_text(content: bytes) -> str:
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext is missing: apt-get install poppler-utils (make test does)")
    done = subprocess.run(
        ["pdftotext", "-raw", "-enc", "UTF-8", "-", "-"],
        input=content,
        capture_output=True,
        check=True,
        timeout=60,
    )
    return done.stdout.decode("utf-8")


def test_the_persons_page_gives_one_zip_of_the_json_and_a_thai_pdf(site):
    from tests.security.person_record import person_with_everything as build

    browser, api = site
    world = build(api)
    person = world["defendant"]
    officer = browser.as_("officer_bkk").client
    page = officer.get(f"/admin/defendants/{person['id']}")
    assert f"/admin/defendants/{person['id']}/export.zip" in page.text
    assert "ข้อมูลส่วนบุคคล (PDPA)" in page.text

    response = officer.get(f"/admin/defendants/{person['id']}/export.zip")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    folder = f"person-{person['id']}"
    assert sorted(archive.namelist()) == [f"{folder}/record.json", f"{folder}/record.pdf"]
    record = json.loads(archive.read(f"{folder}/record.json"))
    assert record["person"]["national_id"] == person["national_id"]
    pdf = archive.read(f"{folder}/record.pdf")
    assert pdf.startswith(b"%PDF")
    text = _pdf_text(pdf)
    squeezed = "".join(text.split())
    for shown in ("บันทึกข้อมูลส่วนบุคคล", "สมชาย", person["national_id"], "ศาลอาญา", FLAG_NOTE):
        assert "".join(shown.split()) in squeezed, shown
    assert world["body"].split()[-1] in text  # the message as sent
    # A manager reads it too; another office's officer does not see the person at all.
    assert (
        browser.as_("manager")
        .client.get(f"/admin/defendants/{person['id']}/export.zip")
        .status_code
        == 200
    )
    assert (
        browser.as_("officer_cnx")
        .client.get(f"/admin/defendants/{person['id']}/export.zip")
        .status_code
        == 404
    )
