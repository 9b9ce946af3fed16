"""The managers' risk report (/admin/reports) and its Excel and PDF exports, on both databases.

The world: three active cases in Bangkok (TH-10) and one in Chiang Mai (TH-50) with missed,
late and verified check-ins and flags written through the store, plus two Bangkok cases closed
through the API (one absconded, one concluded) for the backtest.
"""

from __future__ import annotations

import asyncio
import io
import re
import shutil
import subprocess
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from reporting_api.clock import utcnow
from reporting_api.thai_dates import bangkok_today, end_of_local_day_utc, format_thai_date
from tests.api.helpers import case_payload, enrol

ROW = re.compile(r'<tr id="case-(\d+)">')

# (first, last) Thai names; น้ำฝน has SARA AM inside a word, the hardest case for PDF text.
NAMES = {
    "high": ("สมศักดิ์", "ผู้ใหญ่ยิ่ง"),
    "medium": ("ปิ่นแก้ว", "ตั้งมั่นคง"),
    "clean": ("สมใจ", "ดีเสมอ"),
    "cnx": ("น้ำฝน", "คำแก้ว"),
    "absconded": ("หลบ", "หายไป"),
    "concluded": ("จบ", "ด้วยดี"),
}


def _case(api: Any, user: str, key: str, **case: Any) -> dict[str, Any]:
    first, last = NAMES[key]
    response = enrol(api, user, first_name_th=first, last_name_th=last)
    assert response.status_code == 201, response.text
    defendant = response.json()
    response = api.request(
        user, "POST", "/api/v1/cases", json=case_payload(defendant["id"], **case)
    )
    assert response.status_code == 201, response.text
    return {"case": response.json(), "defendant": defendant, "name": f"นาย{first} {last}"}


def _check_ins(case: dict[str, Any], *rows: tuple[date, str, datetime | None]) -> None:
    """Write dated check-ins (due day, status, completed at) for ``case`` through the store."""
    from reporting_api.store import checkins

    now = utcnow()
    values = []
    for due, status, completed_at in rows:
        due_at = end_of_local_day_utc(due)
        values.append(
            {
                "case": case["id"],
                "office": case["office_id"],
                "due_date": due,
                "opens_at": due_at - timedelta(days=3),
                "due_at": due_at,
                "closes_at": due_at + timedelta(days=2),
                "status": status,
                "method": "remote" if status == "verified" else None,
                "completed_at": completed_at,
                "created_at": now,
                "updated_at": now,
            }
        )
    asyncio.run(checkins.insert_check_ins(values))


def _flag(case: dict[str, Any], kind: str, severity: str, check_in_id: int | None = None) -> None:
    from reporting_api.store import flags

    asyncio.run(
        flags.raise_flag(
            {
                "kind": kind,
                "case": case["id"],
                "check_in": check_in_id,
                "office": case["office_id"],
                "severity": severity,
                "detail": "test",
                "dedupe_key": f"{kind}:{case['id']}:{check_in_id}",
                "raised_at": utcnow() - timedelta(days=3),
            }
        )
    )


def _check_in_ids(case: dict[str, Any]) -> list[dict[str, Any]]:
    from reporting_api.store import checkins

    return asyncio.run(checkins.list_for_case(case["id"]))


def build_world(api: Any) -> dict[str, Any]:
    today = bangkok_today(utcnow())
    long_ago = (today - timedelta(days=300)).isoformat()
    recent = (today - timedelta(days=20)).isoformat()

    def ago(days: int) -> date:
        return today - timedelta(days=days)

    def at(day: date, hours: int) -> datetime:
        return end_of_local_day_utc(day) + timedelta(hours=hours)  # + after due: late

    world: dict[str, Any] = {"today": today}
    # 3 missed (45) + unreachable (10) + no verified check-in since release 300 days ago (10)
    # + court date in 5 days (10) + bail 250,000 (10) = 85, high.
    high = _case(
        api,
        "officer_bkk",
        "high",
        bail_amount="250000.00",
        release_date=long_ago,
        next_court_date=(today + timedelta(days=5)).isoformat(),
    )
    _check_ins(
        high["case"],
        (ago(100), "missed", None),
        (ago(70), "missed", None),
        (ago(40), "missed", None),
        (ago(250), "missed", None),  # before the 180-day lookback: not counted
    )
    _flag(high["case"], "unreachable_phone", "high")
    # 1 missed (15) + 2 late (10) + a failed verification still unsettled (10) = 35, medium.
    medium = _case(api, "officer_bkk", "medium", release_date=long_ago)
    _check_ins(
        medium["case"],
        (ago(50), "missed", None),
        (ago(30), "verified", at(ago(30), -30)),
        (ago(20), "verified", at(ago(20), 5)),
        (ago(10), "verified", at(ago(10), 5)),
        (ago(1), "open", None),
    )
    open_one = next(c for c in _check_ins_of(medium) if c["status"] == "open")
    _flag(medium["case"], "failed_verification", "medium", open_one["id"])
    # Verified on time last week; its failed verification was settled by that check-in: 0.
    clean = _case(api, "officer_bkk", "clean", release_date=recent)
    _check_ins(clean["case"], (ago(7), "verified", at(ago(7), -20)))
    settled = _check_ins_of(clean)[0]
    _flag(clean["case"], "failed_verification", "medium", settled["id"])
    # Chiang Mai: 2 missed (30) + bail 120,000 (5) + no verified check-in for 65 days (10) = 45.
    cnx = _case(api, "officer_cnx", "cnx", bail_amount="120000.00", release_date=long_ago)
    _check_ins(
        cnx["case"],
        (ago(65), "verified", at(ago(65), -30)),
        (ago(35), "missed", None),
        (ago(5), "missed", None),
    )
    # Closed today through the API: absconded after 2 missed check-ins and no verified one
    # (30 + 10 = 40, high, as of closing); concluded with nothing against it (0, low).
    gone = _case(api, "officer_bkk", "absconded", release_date=long_ago)
    _check_ins(gone["case"], (ago(60), "missed", None), (ago(30), "missed", None))
    done = _case(api, "officer_bkk", "concluded", release_date=recent)
    for closing, status in ((gone, "absconded"), (done, "concluded")):
        response = api.request(
            "officer_bkk",
            "POST",
            f"/api/v1/cases/{closing['case']['id']}/close",
            json={"status": status, "outcome": "ศาลออกหมายจับ" if status == "absconded" else "จบคดี"},
        )
        assert response.status_code == 200, response.text
    world.update(high=high, medium=medium, clean=clean, cnx=cnx, gone=gone, done=done)
    world["ranked"] = ["high", "cnx", "medium", "clean"]
    world["scores"] = {"high": 85, "cnx": 45, "medium": 35, "clean": 0}
    return world


def _check_ins_of(person: dict[str, Any]) -> list[dict[str, Any]]:
    return _check_in_ids(person["case"])


def ranked_case_ids(html: str) -> list[int]:
    return [int(n) for n in ROW.findall(html)]


def row_html(html: str, case_id: int) -> str:
    start = html.index(f'<tr id="case-{case_id}">')
    return html[start : html.index("</tr>", start)]


@pytest.fixture
def world(site):
    _, api = site
    return build_world(api)


def test_manager_sees_every_office_ranked_highest_first_with_reasons(site, world):
    browser, _ = site
    page = browser.as_("manager").client.get("/admin/reports")
    assert page.status_code == 200, page.text
    expected = [world[k]["case"]["id"] for k in world["ranked"]]
    assert ranked_case_ids(page.text) == expected
    for key, score in world["scores"].items():
        row = row_html(page.text, world[key]["case"]["id"])
        assert f'<td class="num score">{score}</td>' in row, (key, row)
        assert world[key]["name"] in row
    high = row_html(page.text, world["high"]["case"]["id"])
    assert 'class="badge high"' in high
    assert "+45 ไม่มารายงานตัว 3 ครั้งใน 180 วัน" in high
    assert f"ล่าสุดกำหนด {format_thai_date(world['today'] - timedelta(days=40))}" in high
    assert "+10 ติดต่อทางโทรศัพท์ไม่ได้" in high
    assert "+10 นัดศาลครั้งถัดไป" in high and "(อีก 5 วัน)" in high
    assert "+10 เงินประกันของกองทุนที่เสี่ยงสูญเสีย 250,000.00 บาท" in high
    medium = row_html(page.text, world["medium"]["case"]["id"])
    assert 'class="badge medium"' in medium
    assert "+10 รายงานตัวล่าช้า 2 ครั้ง" in medium and "+10 ยืนยันใบหน้าไม่ผ่าน 1 ครั้ง" in medium
    clean = row_html(page.text, world["clean"]["case"]["id"])
    assert "ไม่มีปัจจัยเสี่ยง" in clean  # its failed verification was settled by a check-in
    # Closed cases are not ranked.
    assert world["gone"]["name"] not in page.text.split('id="ranking"')[1].split("</table>")[0]


def test_the_ranking_sql_and_the_python_rules_give_the_same_points(site, world):
    from reporting_api import risk
    from reporting_api.store import backtest, reports, risk_scoring, risk_snapshot

    now = utcnow()
    assert asyncio.run(risk_snapshot.refresh_risk_snapshot(now)) == 4
    snapshot = asyncio.run(reports.snapshot_report(None, 0, 100, date(2000, 1, 1), world["today"]))
    computed_at, page, groups = snapshot.computed_at, snapshot.page, snapshot.groups
    assert computed_at == now
    assert [r["case_id"] for r in page] == [world[k]["case"]["id"] for k in world["ranked"]]
    for row in page:
        assert risk.assess(risk_scoring.facts_of(row), computed_at).points == row["score"]
    closed = asyncio.run(
        backtest.scored_closed_cases(None, now - timedelta(days=1), now + timedelta(days=1))
    )
    assert {r["case_id"]: r["score"] for r in closed} == {
        world["gone"]["case"]["id"]: 40,
        world["done"]["case"]["id"]: 0,
    }
    for row in closed:
        as_of = row["closed_at"]
        if isinstance(as_of, str):  # SQLite hands back expression columns as text
            as_of = datetime.fromisoformat(as_of)
        assert risk.assess(risk_scoring.facts_of(row), as_of).points == row["score"]
    summary = next(g for g in groups if g["dim"] == "all")
    assert (summary["cases"], summary["high"], summary["medium"], summary["low"]) == (4, 2, 1, 1)


def test_officers_see_only_their_office_and_admins_are_refused(site, world):
    browser, api = site
    cnx = browser.as_("officer_cnx").client.get("/admin/reports")
    assert cnx.status_code == 200
    assert ranked_case_ids(cnx.text) == [world["cnx"]["case"]["id"]]
    assert world["high"]["name"] not in cnx.text
    assert "ทุกสำนักงาน" not in cnx.text  # no "all offices" choice for an officer
    bangkok = api.office_id("TH-10")
    other = browser.client.get(f"/admin/reports?office_id={bangkok}")
    assert other.status_code == 404
    export = browser.client.get(f"/admin/reports/export.xlsx?office_id={bangkok}")
    assert export.status_code == 404
    bkk = browser.as_("officer_bkk").client.get("/admin/reports")
    assert ranked_case_ids(bkk.text) == [
        world[k]["case"]["id"] for k in ("high", "medium", "clean")
    ]
    admin = browser.as_("admin").client
    for path in ("/admin/reports", "/admin/reports/export.xlsx", "/admin/reports/export.pdf"):
        assert admin.get(path).status_code == 403, path


def test_the_office_filter_and_the_aggregates(site, world):
    browser, api = site
    manager = browser.as_("manager").client
    cnx_office = api.office_id("TH-50")
    page = manager.get(f"/admin/reports?office_id={cnx_office}")
    assert ranked_case_ids(page.text) == [world["cnx"]["case"]["id"]]
    assert f'<option value="{cnx_office}" selected>' in page.text
    everything = manager.get("/admin/reports").text
    aggregates = everything.split('id="aggregates"')[1]
    # Bangkok: 3 active cases, 1 high, 1 medium, 1 low, 4 missed in 180 days, 1 unreachable.
    bangkok = re.search(
        r"<tr><th scope=\"row\">สำนักงานยุติธรรมกรุงเทพมหานคร</th>(.*?)</tr>", aggregates
    )
    assert bangkok is not None
    numbers = re.findall(r'<td class="num">([^<]*)</td>', bangkok.group(1))
    assert numbers[:5] == ["3", "1", "1", "1", "40.0"]
    assert numbers[5:7] == ["4", "1"]
    assert numbers[7] == f"{Decimal('350000'):,.2f}"  # 250,000 + 50,000 + 50,000
    assert numbers[8] == f"{Decimal('250000'):,.2f}"
    assert "ศาลอาญา" in aggregates  # by court
    assert "officer_cnx" in aggregates  # by officer (display name)


def test_bad_filters_are_shown_beside_their_field_and_keep_what_was_typed(site, world):
    browser, _ = site
    manager = browser.as_("manager").client
    page = manager.get("/admin/reports?date_from=31/02/2569&date_to=2026-01-01")
    assert page.status_code == 400
    assert 'id="date_from-error"' in page.text and "ไม่มีวันที่" in page.text
    assert 'value="31/02/2569"' in page.text
    assert "สำนักงานยุติธรรมจังหวัดเชียงใหม่" in page.text  # the office choice is still there
    backwards = manager.get("/admin/reports?date_from=2026-06-01&date_to=2026-01-01")
    assert backwards.status_code == 400
    assert 'id="date_to-error"' in backwards.text and "ต้องไม่ก่อนวันเริ่มต้น" in backwards.text
    assert 'value="2026-06-01"' in backwards.text
    assert manager.get("/admin/reports?office_id=abc").status_code == 400
    assert manager.get("/admin/reports?office_id=999999").status_code == 400
    assert manager.get("/admin/reports/export.xlsx?date_from=nope").status_code == 400


def test_the_filters_show_and_take_buddhist_era_dates(site, world):
    browser, _ = site
    manager = browser.as_("manager").client
    typed = manager.get("/admin/reports?date_from=01/01/2569&date_to=31/12/2569")
    assert typed.status_code == 200
    # Typed in the Buddhist era, shown in it, and the same report as the Christian-era link.
    assert 'value="01/01/2569"' in typed.text and 'value="31/12/2569"' in typed.text
    assert "(ค.ศ. 2026)" in typed.text
    linked = manager.get("/admin/reports?date_from=2026-01-01&date_to=2026-12-31")
    assert 'value="01/01/2569"' in linked.text
    assert 'type="date"' not in linked.text


def test_the_report_is_paginated_and_each_view_is_audited(site, world):
    browser, api = site
    manager = browser.as_("manager").client
    first = manager.get("/admin/reports?size=2")
    second = manager.get("/admin/reports?size=2&page=2")
    ids = [world[k]["case"]["id"] for k in world["ranked"]]
    assert ranked_case_ids(first.text) == ids[:2]
    assert ranked_case_ids(second.text) == ids[2:]
    assert "page=2" in first.text and 'rel="next"' in first.text
    assert 'rel="prev"' in second.text and 'rel="next"' not in second.text
    audit = api.request("admin", "GET", "/api/v1/audit?action=report.risk").json()["items"]
    shown = [row["detail"]["defendants"] for row in audit]
    defendants = {k: world[k]["defendant"]["id"] for k in world["ranked"]}
    assert [defendants["high"], defendants["cnx"]] in shown
    assert [defendants["medium"], defendants["clean"]] in shown


def test_the_backtest_counts_recorded_outcomes_by_band(site, world):
    browser, _ = site
    page = browser.as_("manager").client.get("/admin/reports").text
    backtest = page.split('id="backtest"')[1]
    assert "คดีที่ปิด 2 · หลบหนี 1 · อัตราหลบหนีโดยรวม 50.0%" in backtest

    def cells(band: str) -> list[str]:
        row = re.search(rf'<tr data-band="{band}">(.*?)</tr>', backtest, re.S)
        assert row is not None
        return re.findall(r'<td class="num">([^<]*)</td>', row.group(1))

    # in band, absconded in band, at or above, absconded at or above, precision, recall
    assert cells("high") == ["1", "1", "1", "1", "100.0%", "100.0%"]
    assert cells("medium") == ["0", "0", "1", "1", "100.0%", "100.0%"]
    assert cells("low") == ["1", "0", "2", "1", "50.0%", "100.0%"]
    # Cases closed outside the date range are left out.
    before = browser.client.get("/admin/reports?date_from=2020-01-01&date_to=2020-12-31").text
    assert "ไม่มีคดีที่ปิด" in before


def test_the_backtest_service_keeps_to_the_callers_reach(site, world):
    from reporting_api.access import Principal
    from reporting_api.errors import Forbidden
    from reporting_api.services import reports
    from reporting_api.services.context import Ctx

    _, api = site

    def ctx(username: str) -> Ctx:
        s = api.staff[username]
        return Ctx(
            Principal(s.id, s.username, s.username, s.role, s.office_id), None, utcnow(), None
        )

    today = world["today"]
    manager = asyncio.run(reports.backtest(ctx("manager"), None, today, today))
    assert (manager["cases"], manager["absconded"]) == (2, 1)
    assert [b["band"] for b in manager["bands"]] == ["high", "medium", "low"]
    # Chiang Mai closed no case; an officer asking for all offices gets their own.
    cnx = asyncio.run(reports.backtest(ctx("officer_cnx"), None, today, today))
    assert (cnx["cases"], cnx["absconded"]) == (0, 0)
    assert all(b["precision"] is None and b["recall"] is None for b in cnx["bands"])
    with pytest.raises(Forbidden):
        asyncio.run(reports.backtest(ctx("admin"), None, today, today))


def test_charts_are_inline_svg_with_titles_and_a_data_table(site, world):
    browser, _ = site
    page = browser.as_("manager").client.get("/admin/reports").text
    assert page.count('<svg class="chart') == 3
    assert page.count('role="img"') == 3
    assert "<title id=" in page and "การรายงานตัวรายเดือน" in page
    assert "<script" not in page.split("<main>")[1]  # drawn on the server
    missed = page.split('id="missed"')[1].split('id="bail"')[0]
    # Missed in the date range, closed cases too: 4 + 1 + 2 (the absconded case).
    assert re.search(r"สำนักงานยุติธรรมกรุงเทพมหานคร</th><td class=\"num\">7</td>", missed)
    assert re.search(r"สำนักงานยุติธรรมจังหวัดเชียงใหม่</th><td class=\"num\">2</td>", missed)
    english = browser.client.get("/admin/reports?lang=en").text
    assert "Check-ins by month" in english and "3 missed check-ins in the last 180 days" in english


def test_the_excel_export_holds_the_page_rows_with_typed_cells(site, world):
    from openpyxl import load_workbook

    browser, _ = site
    manager = browser.as_("manager").client
    page = manager.get("/admin/reports?size=3").text
    response = manager.get("/admin/reports/export.xlsx?size=3")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert "attachment" in response.headers["content-disposition"]
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["อันดับความเสี่ยง", "สรุป", "ทดสอบย้อนหลัง"]
    sheet = book["อันดับความเสี่ยง"]
    header = [c.value for c in sheet[1]]
    assert header[:7] == ["ลำดับ", "ชื่อ", "สำนักงาน", "ศาล", "เจ้าหน้าที่", "คะแนน", "ระดับ"]
    rows = [[c.value for c in r] for r in sheet.iter_rows(min_row=2)]
    page_names = [
        re.search(r'class="person"[^>]*>([^<]+)</a>', row_html(page, case_id)).group(1)
        for case_id in ranked_case_ids(page)
    ]
    assert [r[1] for r in rows] == page_names
    assert [r[1] for r in rows] == [world[k]["name"] for k in world["ranked"][:3]]
    assert [r[0] for r in rows] == [1, 2, 3]
    assert [r[5] for r in rows] == [world["scores"][k] for k in world["ranked"][:3]]
    first = sheet[2]
    assert isinstance(first[5].value, int)
    assert first[7].value == 250000 and first[7].number_format == "#,##0.00"
    court_day = first[8].value
    assert isinstance(court_day, datetime) and court_day.date() == world["today"] + timedelta(
        days=5
    )
    assert first[6].value == "เสี่ยงสูง"
    assert "+45 ไม่มารายงานตัว 3 ครั้ง" in first[9].value
    aggregates = [[c.value for c in r] for r in book["สรุป"].iter_rows()]
    assert ["รายงานความเสี่ยงการหลบหนี"] == aggregates[0][:1]
    assert any(r[0] == "สำนักงานยุติธรรมกรุงเทพมหานคร" and r[1] == 3 for r in aggregates)
    backtest = list(book["ทดสอบย้อนหลัง"].iter_rows())
    assert any([c.value for c in r[:2]] == ["คดีที่ปิด", 2] for r in backtest)
    low = next(r for r in backtest if str(r[0].value).startswith("เสี่ยงต่ำ"))
    assert [c.value for c in low[1:5]] == [1, 0, 2, 1]
    assert low[5].value == 0.5 and low[5].number_format == "0.0%"  # precision
    assert low[6].value == 1 and low[6].number_format == "0.0%"  # recall


def _pdftotext(content: bytes) -> str:
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext is missing: apt-get install poppler-utils (make test does)")
    # -raw keeps the order the text was written in; the default layout mode sorts glyphs by
    # position, which puts Thai marks after the consonant they sit on.
    done = subprocess.run(
        ["pdftotext", "-raw", "-enc", "UTF-8", "-", "-"],
        input=content,
        capture_output=True,
        check=True,
        timeout=60,
    )
    return done.stdout.decode("utf-8")


def _squeeze(text: str) -> str:
    # pdftotext adds a space where a glyph's advance lands after a gap (HarfBuzz splits SARA AM
    # into two glyphs, the first of zero width), so compare without whitespace.
    return re.sub(r"\s+", "", text)


def test_the_pdf_export_contains_the_thai_names_shown_on_the_page(site, world):
    browser, _ = site
    manager = browser.as_("manager").client
    page = manager.get("/admin/reports").text
    response = manager.get("/admin/reports/export.pdf")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    text = _pdftotext(response.content)
    shown = [
        re.search(r'class="person"[^>]*>([^<]+)</a>', row_html(page, case_id)).group(1)
        for case_id in ranked_case_ids(page)
    ]
    assert len(shown) == 4
    for name in shown:
        assert _squeeze(name) in _squeeze(text), name
    for exact in ("รายงานความเสี่ยงการหลบหนี", "ผู้ใหญ่ยิ่ง", "ตั้งมั่นคง", "ปิ่นแก้ว"):
        assert exact in text  # tone marks over upper vowels come out in order
    assert _squeeze("+45 ไม่มารายงานตัว 3 ครั้งใน 180 วัน") in _squeeze(text)
    assert world["gone"]["name"] not in text


def test_an_empty_report_and_its_exports(site):
    from openpyxl import load_workbook

    browser, _ = site
    manager = browser.as_("manager").client
    page = manager.get("/admin/reports")
    assert page.status_code == 200
    assert "ไม่มีคดีที่ดำเนินอยู่ในขอบเขตนี้" in page.text
    assert "ไม่มีคดีที่ปิด" in page.text and "ไม่มีการรายงานตัวที่ครบกำหนดในช่วงนี้" in page.text
    assert ranked_case_ids(page.text) == []
    book = load_workbook(io.BytesIO(manager.get("/admin/reports/export.xlsx").content))
    assert book["อันดับความเสี่ยง"].max_row == 1  # the header alone
    pdf = manager.get("/admin/reports/export.pdf")
    assert pdf.status_code == 200
    assert _squeeze("ไม่มีคดีที่ดำเนินอยู่ในขอบเขตนี้") in _squeeze(_pdftotext(pdf.content))


def test_exports_are_built_off_the_event_loop(site, world, monkeypatch):
    import asyncio

    from admin_ui import exports

    built_on_a_loop = []
    for name in ("report_xlsx", "report_pdf"):
        build = getattr(exports, name)

        def watched(*args, _build=build):
            try:
                asyncio.get_running_loop()
                built_on_a_loop.append(True)
            except RuntimeError:  # no event loop runs in this thread
                built_on_a_loop.append(False)
            return _build(*args)

        monkeypatch.setattr(exports, name, watched)
    browser, _ = site
    manager = browser.as_("manager").client
    for path in ("/admin/reports/export.xlsx", "/admin/reports/export.pdf"):
        assert manager.get(path).status_code == 200, path
    assert built_on_a_loop == [False, False]
