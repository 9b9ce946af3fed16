"""Plans into check-ins, the office's day, in-person and excused check-ins, flags, audit."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta

from reporting_api.clock import utcnow
from reporting_api.store import checkins as checkin_store
from reporting_api.store import flags as flag_store
from reporting_api.thai_dates import bangkok_today
from tests.api.helpers import enrol_with_case, interval_plan


def _put_plan(api, case_id, plan, user="officer_bkk"):
    response = api.request(user, "PUT", f"/api/v1/cases/{case_id}/plan", json=plan)
    assert response.status_code == 200, response.text
    return response.json()


def test_explicit_dates_move_off_holidays_and_weekends(api):
    _, case = enrol_with_case(api)
    plan = {
        "kind": "dates",
        "start_date": "2027-01-01",
        "end_date": "2027-12-31",
        # Songkran (Tue 13 Apr 2027), a Saturday (6 Mar 2027), an ordinary Wednesday (19 May).
        "dates": ["2027-04-13", "2027-03-06", "2027-05-19"],
        "window_opens_days_before": 3,
        "grace_days": 2,
    }
    body = _put_plan(api, case["id"], plan)
    assert body["created"] == 3
    dues = {c["nominal_date"]: c for c in body["check_ins"]}
    assert dues["2027-03-06"]["due_date"] == "2027-03-08"
    assert dues["2027-03-06"]["moved_reason"] == "weekend"
    assert dues["2027-04-13"]["due_date"] == "2027-04-16"  # after Songkran 13-15 April
    assert (
        dues["2027-05-19"]["due_date"] == "2027-05-19"
        and dues["2027-05-19"]["moved_reason"] is None
    )
    songkran = dues["2027-04-13"]
    assert songkran["due_date_th"] == "16 เม.ย. 2570"
    # Window instants in UTC: opens 00:00 Bangkok three days before, closes end of grace.
    assert songkran["opens_at"].startswith("2027-04-12T17:00:00")
    assert songkran["due_at"].startswith("2027-04-16T17:00:00")
    assert songkran["closes_at"].startswith("2027-04-18T17:00:00")
    assert {c["status"] for c in body["check_ins"]} == {"upcoming"}
    stored = api.request("officer_bkk", "GET", f"/api/v1/cases/{case['id']}/plan").json()
    assert stored["dates"] == ["2027-03-06", "2027-04-13", "2027-05-19"]


def test_replanning_keeps_history_and_regenerates_the_future(api):
    _, case = enrol_with_case(api)
    now = utcnow()
    today = bangkok_today(now)
    day = timedelta(days=1)
    # History from an earlier plan: one verified in person, one missed, one open now.
    _insert(
        case,
        due_date=today - 40 * day,
        opens_at=now - 42 * day,
        due_at=now - 40 * day,
        closes_at=now - 38 * day,
        status="verified",
    )
    _insert(
        case,
        due_date=today - 10 * day,
        opens_at=now - 12 * day,
        due_at=now - 10 * day,
        closes_at=now - 8 * day,
        status="missed",
    )
    _insert(
        case,
        due_date=today + 1 * day,
        opens_at=now - 1 * day,
        due_at=now + 1 * day,
        closes_at=now + 3 * day,
        status="open",
    )
    history = api.request("officer_bkk", "GET", f"/api/v1/cases/{case['id']}/checkins").json()
    first = _put_plan(api, case["id"], interval_plan(today - 60 * day, today + 200 * day, every=30))
    assert first["kept"] == 3
    future = [c for c in first["check_ins"] if c["status"] == "upcoming"]
    assert future
    second = _put_plan(
        api, case["id"], interval_plan(today - 60 * day, today + 200 * day, every=14)
    )
    by_id = {c["id"]: c for c in second["check_ins"]}
    for old in history:
        assert by_id[old["id"]] == old, "re-planning changed a past or open check-in"
    assert second["kept"] == len([c for c in first["check_ins"] if c["status"] != "upcoming"])
    new_dates = {c["due_date"] for c in second["check_ins"]}
    removed = [c for c in future if c["due_date"] not in new_dates]
    assert removed and second["deleted"] == len(removed)
    # (SQLite may hand a deleted row's id to a new row, so compare dates, not ids.)
    new_future = [c for c in second["check_ins"] if c["status"] == "upcoming"]
    assert len(new_future) > len(future)
    assert min(c["due_date"] for c in new_future) > (today + day).isoformat()
    due_dates = [c["due_date"] for c in second["check_ins"]]
    assert len(due_dates) == len(set(due_dates)), "two check-ins on one day"
    # The open one is recorded in person; a later re-plan still leaves it alone.
    open_one = next(c for c in history if c["status"] == "open")
    done = api.request(
        "officer_bkk",
        "POST",
        f"/api/v1/checkins/{open_one['id']}/in-person",
        json={"note": "มาพบที่สำนักงาน"},
    )
    assert done.status_code == 200 and done.json()["status"] == "verified"
    assert done.json()["method"] == "in_person"
    # A plan that would ask for today, beside the one just made for tomorrow, would move a
    # done check-in: refused, naming it.
    moving = api.request(
        "officer_bkk",
        "PUT",
        f"/api/v1/cases/{case['id']}/plan",
        json=interval_plan(today - 60 * day, today + 100 * day, every=60),
    )
    assert moving.status_code == 400, moving.text
    assert moving.json()["extra"][0]["key"] == "start_date"
    assert f"the check-in of {open_one['due_date']} is already verified" in moving.text
    third = _put_plan(api, case["id"], interval_plan(today - 50 * day, today + 100 * day, every=60))
    assert {c["id"]: c for c in third["check_ins"]}[open_one["id"]]["status"] == "verified"


def _insert(case, *, due_date, opens_at, due_at, closes_at, status="upcoming"):
    now = utcnow()
    asyncio.run(
        checkin_store.insert_check_ins(
            [
                {
                    "case": case["id"],
                    "office": case["office_id"],
                    "due_date": due_date,
                    "opens_at": opens_at,
                    "due_at": due_at,
                    "closes_at": closes_at,
                    "status": status,
                    "created_at": now,
                    "updated_at": now,
                }
            ]
        )
    )


def test_the_office_day_lists_due_overdue_and_missed(api):
    defendant, case = enrol_with_case(api)
    now = utcnow().replace(microsecond=0)
    today = bangkok_today(now)
    hour, day = timedelta(hours=1), timedelta(days=1)
    _insert(case, due_date=today, opens_at=now - day, due_at=now + hour, closes_at=now + day)
    _insert(
        case,
        due_date=today - day,
        opens_at=now - 3 * day,
        due_at=now - hour,
        closes_at=now + day,
        status="open",
    )
    _insert(
        case,
        due_date=today - 2 * day,
        opens_at=now - 4 * day,
        due_at=now - day,
        closes_at=now - hour,
        status="late",
    )
    _insert(
        case,
        due_date=today - 20 * day,
        opens_at=now - 22 * day,
        due_at=now - 20 * day,
        closes_at=now - 19 * day,
        status="missed",
    )
    _insert(
        case,
        due_date=today - 3 * day,
        opens_at=now - 5 * day,
        due_at=now - 3 * day,
        closes_at=now - 2 * day,
        status="verified",
    )
    response = api.request(
        "officer_bkk", "GET", f"/api/v1/offices/{case['office_id']}/checkins/today"
    )
    assert response.status_code == 200, response.text
    day_view = response.json()
    assert [r["check_in"]["due_date"] for r in day_view["due_today"]] == [today.isoformat()]
    assert [r["check_in"]["status"] for r in day_view["overdue"]] == ["late"]
    # The sweep has not run: the stale "late" row is shown as missed all the same.
    assert [r["check_in"]["status"] for r in day_view["missed"]] == ["missed"]
    assert day_view["missed"][0]["defendant_name_th"].endswith(defendant["last_name_th"])
    older = api.request(
        "officer_bkk", "GET", f"/api/v1/offices/{case['office_id']}/checkins/today?missed_days=30"
    ).json()
    assert len(older["missed"]) == 2
    audit = api.request("manager", "GET", "/api/v1/audit?action=checkin.today").json()
    assert audit["total"] == 2 and defendant["id"] in audit["items"][0]["detail"]["defendants"]


def test_transitions_follow_the_table(api):
    _, case = enrol_with_case(api)
    now = utcnow()
    today = bangkok_today(now)
    day = timedelta(days=1)
    _insert(
        case,
        due_date=today + 10 * day,
        opens_at=now + 8 * day,
        due_at=now + 10 * day,
        closes_at=now + 12 * day,
    )
    check_in = api.request("officer_bkk", "GET", f"/api/v1/cases/{case['id']}/checkins").json()[0]
    url = f"/api/v1/checkins/{check_in['id']}"
    excused = api.request(
        "officer_bkk",
        "POST",
        url + "/excuse",
        json={"reason": "appointment", "note": "นัดศาลวันเดียวกัน"},
    )
    assert excused.status_code == 200 and excused.json()["status"] == "excused"
    assert excused.json()["note"] == (
        "มีนัดศาลหรือนัดหน่วยงานราชการในวันเดียวกัน (Court or official appointment): นัดศาลวันเดียวกัน"
    )
    again = api.request("officer_bkk", "POST", url + "/in-person", json={})
    assert again.status_code == 409 and "excused" in again.text
    empty_reason = api.request("officer_bkk", "POST", url + "/excuse", json={"reason": ""})
    assert empty_reason.status_code == 400 and "reason" in empty_reason.text
    missing = api.request(
        "officer_bkk", "POST", "/api/v1/checkins/999999/excuse", json={"reason": "illness"}
    )
    assert missing.status_code == 404


def test_the_api_excuses_by_the_same_rule_as_the_pages(api):
    """One operation, one rule: a reason outside the list, "other" without a note, or a note
    over 2,000 characters is refused by the API as by the officers' pages."""
    _, case = enrol_with_case(api)
    now = utcnow()
    today = bangkok_today(now)
    _insert(
        case,
        due_date=today + timedelta(days=10),
        opens_at=now + timedelta(days=8),
        due_at=now + timedelta(days=10),
        closes_at=now + timedelta(days=12),
    )
    check_in = api.request("officer_bkk", "GET", f"/api/v1/cases/{case['id']}/checkins").json()[0]
    url = f"/api/v1/checkins/{check_in['id']}/excuse"
    for body, field in (
        ({"reason": "ป่วย"}, "reason"),
        ({"reason": "other"}, "note"),
        ({"reason": "other", "note": "   "}, "note"),
        ({"reason": "illness", "note": "x" * 2001}, "note"),
    ):
        refused = api.request("officer_bkk", "POST", url, json=body)
        assert refused.status_code == 400, (body, refused.text)
        assert refused.json()["extra"][0]["key"] == field, (body, refused.text)
    assert (
        api.request("officer_bkk", "GET", f"/api/v1/cases/{case['id']}/checkins").json()[0][
            "status"
        ]
        == "upcoming"
    )
    excused = api.request("officer_bkk", "POST", url, json={"reason": "other", "note": "น้ำท่วม"})
    assert excused.status_code == 200 and excused.json()["note"] == "อื่น ๆ (Other): น้ำท่วม"


def test_flags_acknowledge_then_resolve(api):
    _, case = enrol_with_case(api)
    raised = datetime.now(UTC)
    values = {
        "kind": "missed_checkin",
        "case": case["id"],
        "office": case["office_id"],
        "severity": "high",
        "detail": "ไม่มารายงานตัว",
        "raised_at": raised,
        "dedupe_key": "missed_checkin:test",
    }
    flag_id = asyncio.run(flag_store.raise_flag(values))
    assert asyncio.run(flag_store.raise_flag(values)) is None, "a repeated raise made a second flag"
    listed = api.request("officer_bkk", "GET", "/api/v1/flags").json()
    assert [f["id"] for f in listed["items"]] == [flag_id]
    url = f"/api/v1/flags/{flag_id}"
    ack = api.request("officer_bkk", "POST", url + "/acknowledge", json={"note": "โทรแล้ว"})
    assert ack.status_code == 200 and ack.json()["acknowledged_by"] == api.staff["officer_bkk"].id
    assert api.request("officer_bkk", "POST", url + "/acknowledge", json={}).status_code == 409
    assert api.request("officer_bkk", "GET", "/api/v1/flags").json()["total"] == 0
    assert (
        api.request("officer_bkk", "GET", "/api/v1/flags?state=acknowledged").json()["total"] == 1
    )
    no_note = api.request("officer_bkk", "POST", url + "/resolve", json={"note": ""})
    assert no_note.status_code == 400
    done = api.request("officer_bkk2", "POST", url + "/resolve", json={"note": "มารายงานตัวแล้ว"})
    assert done.status_code == 200 and done.json()["resolved_by"] == api.staff["officer_bkk2"].id
    assert (
        api.request("officer_bkk", "POST", url + "/resolve", json={"note": "x"}).status_code == 409
    )


def test_every_read_of_personal_data_is_audited(api):
    defendant, case = enrol_with_case(api)
    d = defendant["id"]
    api.request("manager", "GET", f"/api/v1/defendants/{d}")
    api.request("manager", "GET", f"/api/v1/defendants/{d}/photo")
    api.request("manager", "GET", "/api/v1/defendants?q=สมชาย")
    api.request("manager", "GET", f"/api/v1/cases/{case['id']}")
    rows = api.request("admin", "GET", f"/api/v1/audit?actor_id={api.staff['manager'].id}").json()
    actions = [r["action"] for r in rows["items"] if not r["action"].startswith("auth.")]
    assert actions == ["case.read", "defendant.search", "defendant.photo.read", "defendant.read"]
    read = next(r for r in rows["items"] if r["action"] == "defendant.read")
    assert read["entity_id"] == str(d) and read["client_address"]
    search = next(r for r in rows["items"] if r["action"] == "defendant.search")
    assert d in search["detail"]["returned"]


def test_search_by_id_phone_and_name(api):
    defendant, _ = enrol_with_case(api)
    for q in (
        defendant["national_id"],
        defendant["national_id"][:6],
        "0812345678",
        "+66 81 234 5678",
        "สมชาย",
        "ใจ",
        "somchai",
        "SOMCHAI JAI",
        "สมชาย ใจดี",
    ):
        page = api.request("officer_bkk", "GET", "/api/v1/defendants", params={"q": q}).json()
        assert [item["id"] for item in page["items"]] == [defendant["id"]], q
        assert "x" in page["items"][0]["national_id_masked"]
    for q in ("สมหญิง", "0899999999", "ดี"):
        page = api.request("officer_bkk", "GET", "/api/v1/defendants", params={"q": q}).json()
        assert page["total"] == 0, q


def test_pagination(api):
    for _ in range(5):
        enrol_with_case(api)
    first = api.request("officer_bkk", "GET", "/api/v1/defendants?page=1&page_size=2").json()
    third = api.request("officer_bkk", "GET", "/api/v1/defendants?page=3&page_size=2").json()
    assert first["total"] == 5 and len(first["items"]) == 2 and len(third["items"]) == 1
    assert not {i["id"] for i in first["items"]} & {i["id"] for i in third["items"]}


def test_plan_on_someone_elses_date_is_not_ours(api):
    # Guard against accidental sharing: two cases keep separate check-ins.
    _, a = enrol_with_case(api)
    _, b = enrol_with_case(api)
    plan = interval_plan(date(2027, 1, 4), date(2027, 6, 30), every=30)
    _put_plan(api, a["id"], plan)
    assert api.request("officer_bkk", "GET", f"/api/v1/cases/{b['id']}/checkins").json() == []


def test_overdue_reaches_back_over_the_longest_grace(api):
    _, case = enrol_with_case(api)
    now = utcnow()
    today = bangkok_today(now)
    day = timedelta(days=1)
    # Due 29 days ago with 30 grace days: still overdue, not missed.
    _insert(
        case,
        due_date=today - 29 * day,
        opens_at=now - 31 * day,
        due_at=now - 29 * day,
        closes_at=now + day,
        status="late",
    )
    view = api.request(
        "officer_bkk", "GET", f"/api/v1/offices/{case['office_id']}/checkins/today"
    ).json()
    assert len(view["overdue"]) == 1 and view["missed"] == []
