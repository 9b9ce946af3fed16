"""The exports people ask for, on both databases: the caseload as Excel with the page's
filters, and one person's reporting history as a Thai PDF for a court (read back with
openpyxl and pdftotext)."""

from __future__ import annotations

import io
import subprocess
from datetime import timedelta

import openpyxl

from reporting_api.clock import utcnow
from reporting_api.tables import CheckIn, CourtHearing
from reporting_api.thai_dates import bangkok_today, buddhist_year
from tests.admin.test_officer_pages import audit_rows
from tests.api.helpers import enrol_with_case, interval_plan, set_plan


def sheet_rows(content: bytes) -> list[list[object]]:
    book = openpyxl.load_workbook(io.BytesIO(content))
    return [[c.value for c in row] for row in book.worksheets[0].iter_rows()]


def test_the_caseload_as_excel_holds_what_the_filters_select(site):
    browser, api = site
    malee, _ = enrol_with_case(api, "officer_bkk", {"first_name_th": "มาลีส่งออก"})
    somchai, _ = enrol_with_case(api, "officer_bkk", {"first_name_th": "สมชายส่งออก"})
    hacker, _ = enrol_with_case(
        api, "officer_bkk", {"first_name_th": "=HYPERLINK(1)", "title_th": ""}
    )
    other, _ = enrol_with_case(api, "officer_cnx", {"first_name_th": "เชียงใหม่ส่งออก"})
    browser.as_("officer_bkk")
    page = browser.client.get("/admin/caseload", params={"q": "มาลีส่งออก"}).text
    assert 'id="caseload-xlsx"' in page and "caseload.xlsx?q=" in page
    found = browser.client.get("/admin/caseload.xlsx", params={"q": "มาลีส่งออก"})
    assert found.status_code == 200
    assert found.headers["content-disposition"].startswith('attachment; filename="caseload-')
    rows = sheet_rows(found.content)
    assert rows[1][0] == "ชื่อ-นามสกุล / Name"
    people = rows[2:]
    assert len(people) == 1 and "มาลีส่งออก" in people[0][0]
    assert "x" in people[0][1]  # the national ID masked
    everyone = sheet_rows(browser.client.get("/admin/caseload.xlsx").content)[2:]
    names = " ".join(str(r[0]) for r in everyone)
    assert "มาลีส่งออก" in names and "สมชายส่งออก" in names and "เชียงใหม่ส่งออก" not in names
    # A name that starts like a formula stays text.
    book = openpyxl.load_workbook(io.BytesIO(browser.client.get("/admin/caseload.xlsx").content))
    cells = [
        row[0]
        for row in book.worksheets[0].iter_rows(min_row=3)
        if "HYPERLINK" in str(row[0].value)
    ]
    assert cells and all(c.data_type == "s" and c.quotePrefix for c in cells)
    exports = api.request(
        "admin", "GET", "/api/v1/audit", params={"action": "admin.caseload.export"}
    )
    assert exports.status_code == 200
    assert {malee["id"], somchai["id"], hacker["id"]} <= {
        d for row in exports.json()["items"] for d in row["detail"].get("defendants", [])
    }
    assert other["id"] not in {
        d for row in exports.json()["items"] for d in row["detail"].get("defendants", [])
    }


def test_the_history_for_a_court_is_a_thai_pdf_without_biometric_data(site, tmp_path):
    browser, api = site
    person, case = enrol_with_case(api, "officer_bkk", {"first_name_th": "วันเพ็ญ"})
    today = bangkok_today(utcnow())
    check_ins = set_plan(
        api,
        "officer_bkk",
        case["id"],
        interval_plan(today - timedelta(days=20), today + timedelta(days=90), every=14),
    )
    done = check_ins[0]
    CheckIn.update({CheckIn.opens_at: utcnow() - timedelta(days=1)}).where(
        CheckIn.id == done["id"]
    ).run_sync()
    recorded = api.request(
        "officer_bkk", "POST", f"/api/v1/checkins/{done['id']}/in-person", json={}
    )
    assert recorded.status_code == 200, recorded.text
    hearing = api.request(
        "officer_bkk",
        "POST",
        f"/api/v1/cases/{case['id']}/hearings",
        json={
            "day": (today + timedelta(days=5)).isoformat(),
            "time": "09:30",
            "court": "ศาลอาญาธนบุรี",
        },
    ).json()
    CourtHearing.update({CourtHearing.starts_at: utcnow() - timedelta(hours=2)}).where(
        CourtHearing.id == hearing["id"]
    ).run_sync()
    absent = api.request(
        "officer_bkk", "POST", f"/api/v1/hearings/{hearing['id']}/result", json={"result": "absent"}
    )
    assert absent.status_code == 200, absent.text

    browser.as_("officer_bkk")
    page = browser.client.get(f"/admin/defendants/{person['id']}").text
    assert 'id="court-pdf"' in page
    response = browser.client.get(f"/admin/defendants/{person['id']}/court-record.pdf")
    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
    pdf = tmp_path / "court.pdf"
    pdf.write_bytes(response.content)
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "วันเพ็ญ" in text and case["black_case_number"] in text
    assert str(buddhist_year(today)) in text  # Buddhist-era dates
    assert "ศาลอาญาธนบุรี" in text
    assert "ไม่มาศาล" in text or "ขาด" in text  # the hearing's result
    assert person["national_id"] not in text  # masked
    assert "ไม่มีรูปถ่าย" in text  # it says so
    for biometric in ("distance", "quality", "liveness", "ระยะห่าง", "คุณภาพใบหน้า", ".jpg"):
        assert biometric not in text.lower()
    assert audit_rows(api, "defendant.court_record", person["id"])
    browser.as_("officer_cnx")
    assert (
        browser.client.get(f"/admin/defendants/{person['id']}/court-record.pdf").status_code == 404
    )
    browser.as_("manager")
    assert (
        browser.client.get(f"/admin/defendants/{person['id']}/court-record.pdf").status_code == 200
    )
