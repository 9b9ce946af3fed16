"""The exports people ask for, on both databases: the caseload as Excel with the page's
filters, and one person's reporting history as a Thai PDF for a court (read back with
openpyxl and pdftotext)."""

from __future__ import annotations

import io
import subprocess
from datetime import date, timedelta

import openpyxl

from admin_ui.i18n import translations
from admin_ui.labels import labels
from reporting_api.clock import utcnow
from reporting_api.tables import CheckIn, CourtHearing, Flag
from reporting_api.thai_dates import bangkok_today, buddhist_year, format_thai_date
from tests.admin.test_officer_pages import audit_rows
from tests.api.helpers import enrol_with_case, interval_plan, set_plan


def squash(text: str) -> str:
    return "".join(text.split())


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


def test_the_excel_is_every_page_of_the_filtered_list_in_its_order(site, monkeypatch):
    """A manager's office filter and 'due' order: the workbook holds exactly the people the
    page lists over all its pages, in the same order, read and written a batch at a time."""
    from admin_ui.exports import caseload as sheet_module
    from reporting_api.services import caseload as service
    from tests.admin.test_officer_pages import ids_in

    browser, api = site
    today = bangkok_today(utcnow())
    names: dict[int, str] = {}
    for n, first in enumerate(("กนกพร", "ขวัญใจ", "คมสัน", "จันทร์เพ็ญ", "ชูชาติ")):
        person, case = enrol_with_case(
            api, "officer_cnx", {"first_name_th": first, "last_name_th": "ทดสอบออก"}
        )
        names[person["id"]] = first
        if n != 2:  # one without a plan: nothing due, listed last
            start = today + timedelta(days=(7 * n) % 11)
            set_plan(
                api, "officer_cnx", case["id"], interval_plan(start, start + timedelta(days=60))
            )
    bangkok, _ = enrol_with_case(api, "officer_bkk", {"first_name_th": "กรุงเทพไม่ใช่"})
    cnx = api.office_id("TH-50")
    batches: list[int] = []
    add = sheet_module.CaseloadSheet.add

    def counted(self, rows):
        batches.append(len(rows))
        add(self, rows)

    monkeypatch.setattr(sheet_module.CaseloadSheet, "add", counted)
    monkeypatch.setattr(service, "EXPORT_BATCH", 2)
    browser.as_("manager")
    listed: list[int] = []
    for page in (1, 2, 3):
        html = browser.client.get(
            "/admin/caseload",
            params={"office_id": cnx, "sort": "due", "page": page, "page_size": 2},
        ).text
        listed += ids_in(html, "person")
    assert sorted(listed) == sorted(names) and bangkok["id"] not in listed
    response = browser.client.get("/admin/caseload.xlsx", params={"office_id": cnx, "sort": "due"})
    assert response.status_code == 200
    people = sheet_rows(response.content)[2:]
    assert [row[0] for row in people] == [f"นาย{names[i]} ทดสอบออก" for i in listed]
    assert batches == [2, 2, 1]
    assert people[-1][7] is None and people[-1][8] is None  # nothing due, last
    first_due = people[0][8]
    assert people[0][7] == format_thai_date(first_due.date())  # B.E. text beside the date
    (audit,) = audit_rows(api, "admin.caseload.export")
    assert audit["detail"]["defendants"] == listed and audit["detail"]["count"] == 5


def test_the_history_for_a_court_says_how_each_check_in_was_done(site, tmp_path):
    """Every check-in with its status and how it was done, a flag with its outcome, dates in
    the Buddhist era; no biometric word beyond the line saying there is none."""
    browser, api = site
    person, case = enrol_with_case(api, "officer_bkk", {"first_name_th": "ประภาพร"})
    today = bangkok_today(utcnow())
    check_ins = set_plan(
        api,
        "officer_bkk",
        case["id"],
        interval_plan(today, today + timedelta(days=60), every=7),
    )
    done = {
        "remote": ("verified", "remote", None),
        "in_person": ("verified", "in_person", "มาที่สำนักงานพร้อมญาติ"),
        "video_call": ("verified", "video_call", "โทรวิดีโอเพราะป่วย"),
        "excused": ("excused", None, "นอนโรงพยาบาล"),
        "missed": ("missed", None, None),
    }
    for check_in, (status, method, note) in zip(check_ins, done.values(), strict=False):
        CheckIn.update(
            {
                CheckIn.status: status,
                CheckIn.method: method,
                CheckIn.note: note,
                CheckIn.completed_at: utcnow() if status == "verified" else None,
            }
        ).where(CheckIn.id == check_in["id"]).run_sync()
    missed = check_ins[4]
    Flag.insert(
        Flag(
            kind="missed_checkin",
            case=case["id"],
            check_in=missed["id"],
            office=api.office_id("TH-10"),
            severity="medium",
            detail="similarity 0.42 liveness",  # not printed: the flag's kind and outcome are
            raised_at=utcnow(),
            resolved_at=utcnow(),
            resolution_note="ติดต่อได้แล้ว มารายงานตัวภายหลัง",
        )
    ).run_sync()
    browser.as_("officer_bkk")
    response = browser.client.get(f"/admin/defendants/{person['id']}/court-record.pdf")
    assert response.status_code == 200
    pdf = tmp_path / "court.pdf"
    pdf.write_bytes(response.content)
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    flat = squash(text)  # pdftotext puts spaces inside some Thai words: compared without
    words = labels("th")
    for check_in in check_ins[:5]:
        assert squash(format_thai_date(date.fromisoformat(check_in["due_date"]))) in flat
    for method in ("remote", "in_person", "video_call"):
        assert squash(words.check_in_method[method]) in flat
    for status in ("verified", "excused", "missed"):
        assert squash(words.check_in_status[status]) in flat
    for _, _, note in done.values():
        assert note is None or squash(note) in flat
    assert squash(words.flag_kind["missed_checkin"]) in flat
    assert squash(words.flag_state["resolved"]) in flat
    assert squash("ติดต่อได้แล้ว มารายงานตัวภายหลัง") in flat
    assert "Resolved" not in flat  # Thai throughout
    disclaimer = squash(
        translations("th").gettext("No photo, face template, recording or score is included.")
    )
    assert disclaimer in flat
    rest = flat.replace(disclaimer, "").lower()
    for word in ("score", "คะแนน", "แม่แบบ", "template", "similarity", "liveness", "0.42",
                 "distance", "frame", "เฟรม", "รูปถ่าย", "photo", "biometric", "ชีวมิติ"):  # fmt: skip
        assert word not in rest, word
    assert "/Subtype /Image" not in response.content.decode("latin-1")  # no picture at all
