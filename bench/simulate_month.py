"""A simulated month: people on fund-paid bail, their officers, the API, the scheduler and the
sweeps, on PostgreSQL, with a clock the script moves (issue 14).

    .venv/bin/python bench/simulate_month.py [--people 200] [--seed 1] [--days 30]
        [--start 2027-02-01] [--step-minutes 60] [--remote-sample 2] [--database bench_month]

Recreates the database `bench_month` on $TEST_POSTGRES_URL's server (default
postgresql://postgres@127.0.0.1:5432; never test, test_gw0 or test_gw1), serves the real app
(`reporting_api.app.create_app`) with uvicorn on this process's event loop, its clock the
script's, and runs the scheduler's own jobs (`scheduler.runner.SchedulerService`: sweep,
dispatch, nightly housekeeping) on the same clock, sending every SMS through the real Twilio
client to the fake Twilio (`scheduler.fake_twilio`), whose signed delivery callbacks come back
to the app. Nothing sleeps: the clock jumps from one event to the next and, every step, the
sweep and the dispatcher run.

Officers (one per 100 people, in four offices) enrol everyone through the API on the first
morning (a person, a bail case, a plan every 14 days) and then, each working hour (08:30 to
15:30 Bangkok, Thai holidays off), read their office's request queue and decide their own
cases' requests through `POST /api/v1/requests/{id}/decision`, and acknowledge missed-check-in
flags. Each check-in of each person gets a behaviour drawn from a seeded mix:

- on time / late: the person checks in inside the window / inside the grace days. This is
  recorded as an officer records an in-person visit (`POST /api/v1/checkins/{id}/in-person`):
  a remote video check-in costs seconds of face computation, too many for thousands of people
  on a 2-core machine. ``--remote-sample`` on-time people instead do a real remote check-in
  (identify, challenge, a rendered clip of the sample face, upload, verification);
- missing: does nothing (the sweep marks the check-in missed and raises a flag);
- asking to reschedule: after the first SMS about the check-in, opens its link, identifies
  (birth date and the last four ID digits) and asks "I can't come" with a reason and a new
  working day inside the office's limit; officers approve (with that date), call first, or
  reject; after an approval the person reports on the new date, after a rejection inside the
  window or grace days they report late;
- asking for help: asks for help getting there (transport or money); officers call, approve
  with what was given, start and complete; the person reports on time;
- attaching a certificate: of those asking to reschedule for illness, `CERTIFICATE_SHARE`
  upload a doctor's certificate first (a generated PDF of 50 to 400 KB, in 256 KB chunks with
  their SHA-256, through `/c/<code>/uploads`) and send it with the request; the officer
  downloads it before deciding and the script compares the bytes with those sent.

Prints progress per simulated day, then: SMS per person by kind (and staff alerts), requests
by kind and status, median time to decision, missed flags raised and escalated, check-ins by
outcome, the wall time, and three counts that must be 0: check-ins flagged missed while a
request made in time was still open, duplicate SMS (two messages at Twilio with one outbox
reference, or one SID on two rows) and lost messages (a row due and never sent, recorded sent
but not at Twilio, failed, or expired unsent although the dispatcher ran; an officer's request
change without its notice row). Exit status 1 when any of the three is not 0.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import heapq
import itertools
import json
import random
import re
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # `bench` importable as a script

from bench.checkin_common import free_port, render_clip  # noqa: E402
from bench.month_common import (  # noqa: E402
    PROTECTED,
    SERVER,
    HttpError,
    SimClock,
    StaffMember,
    at_local,
    checked,
    create_staff,
    figures,
    local,
    median_or_nan,
    month_env,
    no_cookies_client,
    quantile,
    recreate,
    served,
)
from reporting_api.national_id import synthetic_national_id  # noqa: E402
from reporting_api.planning import is_working_day, thai_holidays  # noqa: E402
from scheduler.fake_twilio import FakeTwilio, FaultPlan  # noqa: E402

MIX = {"on_time": 0.55, "late": 0.13, "missing": 0.10, "reschedule": 0.12, "help": 0.10}
"""Each check-in's behaviour, drawn per person from a seeded generator."""
CERTIFICATE_SHARE = 0.6
"""Of the people asking to reschedule for illness, how many send a doctor's certificate."""
OFFICES = ("TH-10", "TH-50", "TH-40", "TH-90")
"""Bangkok, Chiang Mai, Khon Kaen, Songkhla."""
PEOPLE_PER_OFFICER = 100
EVERY_DAYS = 14
FIRST_DUE_DAYS = (4, 17)
"""The first check-in falls this many days after the start (inclusive range)."""
DAY_HOURS = (7, 21)
"""A person acts between these Bangkok hours."""
OFFICE_TICKS = [(h, 30) for h in range(8, 16)]
FLAG_TICKS = {(8, 30), (13, 30)}
DECISIONS_PER_TICK = 12
REASONS = ("illness", "work", "transport_cost", "family_emergency")
HELP_KINDS = ("transport", "money")
REJECT_NOTE = "ไม่มีเหตุผลเพียงพอ โปรดมารายงานตัวตามกำหนด หากมีปัญหาโทรหาเจ้าหน้าที่"
HELP_NOTE = "มอบค่าเดินทางไป-กลับ 300 บาท"
CODE_IN_TEXT = re.compile(r"/c/([A-Za-z0-9_-]{8,64})")


@dataclass
class CheckInSeen:
    id: int
    case: int
    code: str
    due_date: date
    opens_at: datetime
    due_at: datetime
    closes_at: datetime
    status: str


@dataclass
class Person:
    index: int
    national_id: str
    phone: str
    birth: date
    office: str
    officer: StaffMember
    rng: random.Random
    defendant_id: int = 0
    case_id: int = 0
    planned: dict[int, date] = field(default_factory=dict)
    """Check-in id -> the due date its behaviour was planned for."""
    behaviour: dict[int, str] = field(default_factory=dict)
    codes: dict[str, datetime] = field(default_factory=dict)
    """Link codes received by SMS, and when first."""
    waiting_link: dict[int, str] = field(default_factory=dict)
    """Check-in id -> request kind the person will send once its link arrives."""

    @property
    def address(self) -> str:
        """The phone's address as the proxy passes it on (one per person)."""
        return f"10.{self.index >> 16 & 255}.{self.index >> 8 & 255}.{self.index & 255}"


@dataclass(order=True)
class Event:
    at: datetime
    seq: int
    name: str = field(compare=False)
    run: Callable[[], Awaitable[None]] = field(compare=False)


@dataclass
class World:
    args: argparse.Namespace
    clock: SimClock
    client: httpx.AsyncClient
    fake: FakeTwilio
    service: Any
    db: Any  # an asyncpg connection for the script's own bookkeeping
    base_url: str
    start: datetime
    end: datetime
    holidays: Any
    people: list[Person] = field(default_factory=list)
    officers: list[StaffMember] = field(default_factory=list)
    by_case: dict[int, Person] = field(default_factory=dict)
    by_phone: dict[str, Person] = field(default_factory=dict)
    check_ins: dict[int, CheckInSeen] = field(default_factory=dict)
    by_code: dict[str, int] = field(default_factory=dict)
    rescheduled: set[tuple[int, date]] = field(default_factory=set)
    contacted: dict[int, datetime] = field(default_factory=dict)
    certificates: dict[int, str] = field(default_factory=dict)
    """Request id -> the SHA-256 of the certificate the person sent with it."""
    started_help: dict[int, datetime] = field(default_factory=dict)
    events: list[Event] = field(default_factory=list)
    seq: itertools.count[int] = field(default_factory=itertools.count)
    inbox_seen: int = 0
    stats: Counter[str] = field(default_factory=Counter)
    day: Counter[str] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    remote_left: int = 0
    remote: list[str] = field(default_factory=list)
    rng: random.Random = field(default_factory=random.Random)

    def schedule(self, at: datetime, name: str, run: Callable[[], Awaitable[None]]) -> None:
        heapq.heappush(self.events, Event(max(at, self.clock()), next(self.seq), name, run))

    def count(self, key: str, n: int = 1) -> None:
        self.stats[key] += n
        self.day[key] += n

    def error(self, what: str, error: Exception) -> None:
        self.count(f"refused: {what}")
        if len(self.errors) < 20:
            self.errors.append(f"{local(self.clock()):%Y-%m-%d %H:%M} {what}: {error}")

    def working_day(self, day: date) -> bool:
        return is_working_day(day, self.holidays)


# --- choosing times -------------------------------------------------------------------------


def daytime_instant(rng: random.Random, start: datetime, end: datetime) -> datetime | None:
    """A random instant in [start, end) between DAY_HOURS in Bangkok, or None if there is none."""
    slots: list[tuple[datetime, datetime]] = []
    day = local(start).date()
    while at_local(day, 0) < end:
        lo = max(start, at_local(day, DAY_HOURS[0]))
        hi = min(end, at_local(day, DAY_HOURS[1]))
        if hi > lo:
            slots.append((lo, hi))
        day += timedelta(days=1)
    total = sum((hi - lo).total_seconds() for lo, hi in slots)
    if total <= 60:
        return None
    pick = rng.uniform(0, total)
    for lo, hi in slots:
        span = (hi - lo).total_seconds()
        if pick <= span:
            return lo + timedelta(seconds=int(pick))
        pick -= span
    return slots[-1][0]


def draw(rng: random.Random) -> str:
    return rng.choices(list(MIX), weights=list(MIX.values()))[0]


# --- enrolment ------------------------------------------------------------------------------


async def enrol(world: World, person: Person, photo: bytes, start: date) -> None:
    officer, client, clock = person.officer, world.client, world.clock
    form = {
        "national_id": person.national_id,
        "title_th": "นาย" if person.index % 2 else "นาง",
        "first_name_th": "ทดสอบ",
        "last_name_th": f"เดือนจำลอง{person.index}",
        "first_name_en": "Month",
        "last_name_en": f"Sim{person.index}",
        "date_of_birth": person.birth.isoformat(),
        "phone": "0" + person.phone.removeprefix("+66"),
        "consent": "true",
        "preferred_language": "th",
    }
    body = checked(
        await officer.call(
            client, clock, "POST", "/api/v1/defendants",
            data=form, files={"photo": ("id.jpg", photo, "image/jpeg")},
        ),
        "enrol",
    )  # fmt: skip
    person.defendant_id = body["id"]
    case = {
        "defendant_id": person.defendant_id,
        "court": "ศาลอาญา",
        "black_case_number": f"อ.{person.index + 1}/2570",
        "charge": "ลักทรัพย์",
        "bail_amount": "50000.00",
        "release_date": (start - timedelta(days=20)).isoformat(),
        "fund_request_ref": f"JF-2570-{person.index + 1:05d}",
        "conditions": "ห้ามออกนอกเขตจังหวัด",
    }
    body = checked(await officer.call(client, clock, "POST", "/api/v1/cases", json=case), "case")
    person.case_id = body["id"]
    first = start + timedelta(days=person.rng.randint(*FIRST_DUE_DAYS))
    plan = {
        "kind": "interval",
        # An interval plan's first check-in is one interval after its start.
        "start_date": (first - timedelta(days=EVERY_DAYS)).isoformat(),
        "end_date": (first + timedelta(days=6 * EVERY_DAYS)).isoformat(),
        "every_days": EVERY_DAYS,
        "window_opens_days_before": 2,
        "grace_days": 2,
    }
    checked(
        await officer.call(client, clock, "PUT", f"/api/v1/cases/{person.case_id}/plan", json=plan),
        "plan",
    )
    officer.cases.add(person.case_id)
    world.by_case[person.case_id] = person


async def enrol_everyone(world: World, photo: bytes, start: date) -> None:
    gate = asyncio.Semaphore(4)

    async def one(person: Person) -> None:
        async with gate:
            await enrol(world, person, photo, start)

    await asyncio.gather(*(one(p) for p in world.people))


# --- what people see and do -----------------------------------------------------------------


async def read_check_ins(world: World) -> None:
    """The check-ins coming up, open or in their grace days: each new one (or one that moved)
    gets its behaviour and its events. The script reads the database for this only, to know
    what the people know from their plan and their SMS."""
    now = world.clock()
    rows = await world.db.fetch(
        'SELECT id, "case", code, due_date, opens_at, due_at, closes_at, status FROM check_in'
        ' WHERE opens_at < $1 AND closes_at > $2 ORDER BY "case", due_date',
        now + timedelta(days=4),
        now,
    )
    for row in rows:
        seen = CheckInSeen(**dict(row))
        world.check_ins[seen.id] = seen
        world.by_code[seen.code] = seen.id
        person = world.by_case.get(seen.case)
        if person is None or person.planned.get(seen.id) == seen.due_date:
            continue
        moved = seen.id in person.planned
        person.planned[seen.id] = seen.due_date
        if (seen.case, seen.due_date) in world.rescheduled or (
            moved and person.behaviour.get(seen.id) == "reschedule"
        ):
            behaviour = "rescheduled"
        elif moved:
            behaviour = person.behaviour.get(seen.id, "on_time")
        else:
            behaviour = draw(person.rng)
        person.behaviour[seen.id] = behaviour
        world.count(f"check-ins planned: {behaviour}")
        plan_behaviour(world, person, seen, behaviour)


def plan_behaviour(world: World, person: Person, seen: CheckInSeen, behaviour: str) -> None:
    now = world.clock()
    if behaviour in ("on_time", "rescheduled", "help"):
        at = daytime_instant(person.rng, max(seen.opens_at, now), seen.due_at)
        if at is not None:
            world.schedule(at, "visit", lambda: visit(world, person, seen.id))
    elif behaviour == "late":
        at = daytime_instant(person.rng, max(seen.due_at, now), seen.closes_at)
        if at is not None:
            world.schedule(at, "visit", lambda: visit(world, person, seen.id))
    if behaviour in ("reschedule", "help"):
        person.waiting_link[seen.id] = behaviour
        code_time = person.codes.get(seen.code)
        if code_time is not None:
            schedule_request(world, person, seen.id, code_time)


async def read_inbox(world: World) -> None:
    """New messages at the fake Twilio: each person notes the links their SMS carry and acts
    on the first one about a check-in they mean to ask about."""
    messages = list(world.fake.messages.values())[world.inbox_seen :]
    world.inbox_seen += len(messages)
    world.count("sms at Twilio", len(messages))
    for message in messages:
        person = world.by_phone.get(message.to)
        if person is None:
            continue
        for code in CODE_IN_TEXT.findall(message.body):
            if code in person.codes:
                continue
            person.codes[code] = message.date_created
            check_in_id = world.by_code.get(code)
            if check_in_id is None:
                check_in_id = await world.db.fetchval(
                    "SELECT id FROM check_in WHERE code = $1", code
                )
                if check_in_id is not None:
                    world.by_code[code] = check_in_id
            if check_in_id is not None and check_in_id in person.waiting_link:
                schedule_request(world, person, check_in_id, message.date_created)


def schedule_request(world: World, person: Person, check_in_id: int, sms_at: datetime) -> None:
    kind = person.waiting_link.pop(check_in_id)
    seen = world.check_ins[check_in_id]
    earliest, latest = sms_at + timedelta(minutes=20), sms_at + timedelta(hours=30)
    roll = person.rng.random()
    if kind == "reschedule" and roll >= 0.5:
        # Some ask on the due day itself, some only in the grace days (then the window may
        # close before an officer decides: the request must hold the check-in).
        if roll < 0.8:
            earliest, latest = max(earliest, at_local(seen.due_date, 0)), seen.due_at
        else:
            earliest, latest = max(earliest, seen.due_at), seen.closes_at
    at = daytime_instant(person.rng, earliest, min(latest, seen.closes_at))
    if at is None:
        world.count("requests not sent: no time left")
        return
    world.schedule(at, "request", lambda: send_request(world, person, check_in_id, kind))


def person_headers(world: World, person: Person, cookie: str | None = None) -> dict[str, str]:
    headers = {"X-Forwarded-For": person.address, "Origin": world.base_url}
    if cookie:
        headers["Cookie"] = f"bc_link={cookie}"
    return headers


async def identify(world: World, person: Person, code: str) -> str:
    response = await world.client.post(
        f"/c/{code}/identify",
        json={
            "date_of_birth": person.birth.isoformat(),
            "national_id_last4": person.national_id[-4:],
        },
        headers=person_headers(world, person),
    )
    checked(response, "identify")
    token = response.cookies.get("bc_link")
    if not token:
        raise SystemExit(f"identify on /c/{code} set no bc_link cookie")
    return str(token)


async def send_request(world: World, person: Person, check_in_id: int, kind: str) -> None:
    seen = world.check_ins[check_in_id]
    code = seen.code
    try:
        cookie = await identify(world, person, code)
        limits = checked(
            await world.client.get(
                f"/c/{code}/requests", headers=person_headers(world, person, cookie)
            ),
            "requests",
        )
        if kind == "reschedule":
            body = reschedule_body(world, person, limits)
            if body is None:
                world.count("requests not sent: no working day inside the limit")
                return
        else:
            body = {"kind": "need_help", "help_kind": person.rng.choice(HELP_KINDS)}
        certificate = None
        if body.get("reason") == "illness" and person.rng.random() < CERTIFICATE_SHARE:
            certificate = certificate_pdf(person.rng)
            body["attachment_ids"] = [await upload(world, person, code, cookie, certificate)]
        made = checked(
            await world.client.post(
                f"/c/{code}/requests", json=body, headers=person_headers(world, person, cookie)
            ),
            "request",
        )
        world.count(f"requests sent: {body['kind']}")
        if certificate is not None:
            world.certificates[made["id"]] = hashlib.sha256(certificate).hexdigest()
            world.count("certificates: sent with a request")
    except HttpError as error:
        world.error(f"person request ({error.status} {error.field})", error)


def certificate_pdf(rng: random.Random) -> bytes:
    """A doctor's certificate as a small PDF: a page and an incompressible image stream."""
    picture = rng.randbytes(rng.randrange(50_000, 400_000))
    return (
        b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
        b"2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n"
        b"3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >> endobj\n"
        b"4 0 obj << /Length " + str(len(picture)).encode() + b" >> stream\n"
        + picture
        + b"\nendstream endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
    )  # fmt: skip


async def upload(world: World, person: Person, code: str, cookie: str, data: bytes) -> str:
    """The page's upload: announced, then each chunk at the offset the server waits for."""
    headers = person_headers(world, person, cookie)
    state = checked(
        await world.client.post(
            f"/c/{code}/uploads", json={"name": "ใบรับรองแพทย์.pdf", "size": len(data)},
            headers=headers,
        ),
        "upload",
    )  # fmt: skip
    while state["status"] == "receiving":
        chunk = data[state["offset"] : state["offset"] + state["chunk_size"]]
        state = checked(
            await world.client.patch(
                f"/c/{code}/uploads/{state['id']}",
                content=chunk,
                headers={
                    **headers,
                    "Upload-Offset": str(state["offset"]),
                    "Chunk-SHA256": hashlib.sha256(chunk).hexdigest(),
                    "Content-Type": "application/octet-stream",
                },
            ),
            "upload chunk",
        )
        world.count("certificates: chunks sent")
    if state["status"] != "ready":
        raise SystemExit(f"a generated certificate was refused: {state}")
    return str(state["id"])


async def read_certificate(world: World, officer: StaffMember, request_id: int) -> None:
    """The officer opens the request's certificate before deciding; the bytes must be the
    person's."""
    sent = world.certificates.get(request_id)
    if sent is None:
        return
    detail = checked(
        await officer.call(world.client, world.clock, "GET", f"/api/v1/requests/{request_id}"),
        "request detail",
    )
    for attached in detail["attachments"]:
        response = await officer.call(
            world.client, world.clock, "GET",
            f"/api/v1/requests/{request_id}/attachments/{attached['id']}",
        )  # fmt: skip
        if response.status_code >= 400:
            raise HttpError("attachment download", response)
        same = hashlib.sha256(response.content).hexdigest() == sent == attached["sha256"]
        world.count(f"certificates: downloaded by the officer, {'same' if same else 'OTHER'} bytes")


def reschedule_body(world: World, person: Person, limits: dict[str, Any]) -> dict[str, Any] | None:
    due = date.fromisoformat(limits["due_date"])
    earliest = max(date.fromisoformat(limits["earliest_new_date"]), due + timedelta(days=1))
    latest = date.fromisoformat(limits["latest_new_date"])
    days = [
        earliest + timedelta(days=n)
        for n in range((latest - earliest).days + 1)
        if world.working_day(earliest + timedelta(days=n))
    ]
    if not days:
        return None
    return {
        "kind": "cant_come",
        "reason": person.rng.choice(REASONS),
        "proposed_date": person.rng.choice(days[:7]).isoformat(),
    }


async def visit(world: World, person: Person, check_in_id: int) -> None:
    """The person reports: an officer records it as an in-person visit (or, for the first
    ``--remote-sample`` on-time people, a real remote check-in on the link)."""
    officer, clock = person.officer, world.clock
    try:
        rows = checked(
            await officer.call(
                world.client, clock, "GET", f"/api/v1/cases/{person.case_id}/checkins"
            ),
            "case check-ins",
        )
        row = next((r for r in rows if r["id"] == check_in_id), None)
        if row is None or row["status"] not in ("open", "late"):
            world.count(f"visits finding the check-in {row['status'] if row else 'gone'}")
            return
        seen = world.check_ins[check_in_id]
        if (
            world.remote_left > 0
            and person.behaviour.get(check_in_id) == "on_time"
            and seen.code in person.codes
        ):
            world.remote_left -= 1
            await remote_check_in(world, person, seen)
            return
        checked(
            await officer.call(
                world.client, clock, "POST", f"/api/v1/checkins/{check_in_id}/in-person",
                json={"note": "รายงานตัว (จำลอง)"},
            ),
            "in-person",
        )  # fmt: skip
        world.count(f"visits recorded ({row['status']})")
    except HttpError as error:
        world.error(f"visit ({error.status} {error.field})", error)


async def remote_check_in(world: World, person: Person, seen: CheckInSeen) -> None:
    """A real remote check-in: identify, a challenge, a clip of the sample face answering it
    (rendered while the clock stands still), the upload and the verification."""
    cookie = await identify(world, person, seen.code)
    headers = person_headers(world, person, cookie)
    challenge = checked(
        await world.client.post(f"/c/{seen.code}/challenge", headers=headers), "challenge"
    )
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        job = (
            json.dumps({"id": challenge["id"], "steps": challenge["steps"]}),
            folder,
            person.index,
        )
        clip, _ = await asyncio.to_thread(render_clip, job)
    answer = checked(
        await world.client.post(
            f"/c/{seen.code}/attempts",
            data={"challenge_id": challenge["id"]},
            files={"clip": ("clip.mp4", clip, "video/mp4")},
            headers={**headers, "Idempotency-Key": uuid.uuid4().hex},
        ),
        "upload",
    )
    for _ in range(600):
        state = checked(
            await world.client.get(
                f"/c/{seen.code}/attempts/{answer['attempt_id']}", headers=headers
            ),
            "attempt",
        )
        if state["state"] == "done":
            break
        await asyncio.sleep(0.2)  # real time: the verifier works; the simulated clock stands
    outcome = state.get("outcome", state["state"])
    world.count(f"remote check-ins: {outcome}")
    world.remote.append(
        f"person {person.index}: {outcome} in {time.perf_counter() - started:.1f} s"
    )


# --- what officers do -----------------------------------------------------------------------


async def officer_tick(world: World, officer: StaffMember, flags_too: bool) -> None:
    try:
        await decide_requests(world, officer)
        await follow_help(world, officer)
        if flags_too:
            await acknowledge_flags(world, officer)
    except HttpError as error:
        world.error(f"officer ({error.status} {error.field})", error)


async def office_list(world: World, officer: StaffMember, path: str, **params: Any) -> list[dict]:
    """Every page of an office list (requests or flags), the officer's own cases only."""
    found: list[dict] = []
    listed = 0
    for page in range(1, 1000):
        body = checked(
            await officer.call(
                world.client, world.clock, "GET", path,
                params={"office_id": officer.office_id, "page": page, **params},
            ),
            path,
        )  # fmt: skip
        items = body["items"]
        listed += len(items)
        found += [i for i in items if i["case_id"] in officer.cases]
        if not items or listed >= body["total"]:
            break
    return found


async def decide(
    world: World, officer: StaffMember, request_id: int, action: str, **extra: Any
) -> dict[str, Any]:
    return checked(
        await officer.call(
            world.client, world.clock, "POST", f"/api/v1/requests/{request_id}/decision",
            json={"action": action, **extra},
        ),
        f"decision {action}",
    )  # fmt: skip


async def decide_requests(world: World, officer: StaffMember) -> None:
    now = world.clock()
    queue = await office_list(world, officer, "/api/v1/requests", status="open")
    for item in queue[:DECISIONS_PER_TICK]:
        rid, kind, status = item["id"], item["kind"], item["status"]
        roll = world.rng.random()
        called_now = world.contacted.get(rid) == now
        if status == "awaiting_contact" and called_now:
            continue
        if kind == "cant_come" and status == "submitted":
            await read_certificate(world, officer, rid)
        if kind == "cant_come" and (status == "awaiting_contact" or roll < 0.5):
            if world.rng.random() < 0.85:
                await approve_new_date(world, officer, item)
            else:
                await decide(world, officer, rid, "reject", note=REJECT_NOTE)
                world.count("decisions: rejected")
                after_rejection(world, item)
        elif status == "submitted" and (kind != "cant_come" or roll < 0.85):
            await decide(world, officer, rid, "contact", note="โทรติดต่อผู้ยื่นคำร้องแล้ว")
            world.contacted[rid] = now
            world.count("decisions: contact")
        elif status == "submitted":
            await decide(world, officer, rid, "reject", note=REJECT_NOTE)
            world.count("decisions: rejected")
            after_rejection(world, item)
        elif kind == "need_help":
            if world.rng.random() < 0.9:
                await decide(world, officer, rid, "approve", note=HELP_NOTE)
                world.count("decisions: approved")
            else:
                await decide(world, officer, rid, "reject", note=REJECT_NOTE)
                world.count("decisions: rejected")
        else:
            await decide(world, officer, rid, "approve")
            world.count("decisions: approved")


async def approve_new_date(world: World, officer: StaffMember, item: dict[str, Any]) -> None:
    proposed = item["proposed_date"]
    if proposed is not None:
        try:
            await decide(world, officer, item["id"], "approve", new_date=proposed)
            world.rescheduled.add((item["case_id"], date.fromisoformat(proposed)))
            world.count("decisions: approved with the new date")
            return
        except HttpError as error:
            if error.status != 400:
                raise
            world.error(
                f"officer: proposed date not approved ({error.field}), approved without it", error
            )
    await decide(world, officer, item["id"], "approve")
    world.count("decisions: approved, excused")


def after_rejection(world: World, item: dict[str, Any]) -> None:
    """Told by SMS, the person comes late if the check-in's grace days have not ended."""
    person = world.by_case[item["case_id"]]
    seen = world.check_ins.get(item["check_in_id"] or 0)
    if seen is None:
        return
    now = world.clock()
    at = daytime_instant(person.rng, now + timedelta(hours=2), seen.closes_at - timedelta(hours=1))
    if at is not None:
        person.behaviour[seen.id] = "late after rejection"
        world.schedule(at, "visit", lambda: visit(world, person, seen.id))


async def follow_help(world: World, officer: StaffMember) -> None:
    now = world.clock()
    for item in await office_list(world, officer, "/api/v1/requests", status="in_progress"):
        rid = item["id"]
        if item["kind"] != "need_help":
            continue
        if item["status"] == "approved":
            await decide(world, officer, rid, "start", note="กำลังจัดการความช่วยเหลือ")
            world.started_help[rid] = now
            world.count("decisions: started")
        elif now - world.started_help.get(rid, now) >= timedelta(hours=20):
            await decide(world, officer, rid, "complete", note=HELP_NOTE)
            world.count("decisions: completed")


async def acknowledge_flags(world: World, officer: StaffMember) -> None:
    flags = await office_list(
        world, officer, "/api/v1/flags", state="open", kind="missed_checkin", page_size=100
    )
    for flag in flags:
        checked(
            await officer.call(
                world.client, world.clock, "POST", f"/api/v1/flags/{flag['id']}/acknowledge",
                json={"note": "โทรติดตามผู้ถูกปล่อยตัวแล้ว"},
            ),
            "acknowledge",
        )  # fmt: skip
        world.count("flags acknowledged")


# --- the month ------------------------------------------------------------------------------


def office_events(world: World) -> None:
    """Officers' working hours and the nightly housekeeping, for the whole month."""
    day = local(world.start).date()
    while at_local(day, 0) < world.end:
        world.schedule(at_local(day, 2, 30), "housekeeping", world.service.housekeeping)
        if world.working_day(day):
            for hour, minute in OFFICE_TICKS:
                for officer in world.officers:
                    flags_too = (hour, minute) in FLAG_TICKS

                    async def tick(o: StaffMember = officer, f: bool = flags_too) -> None:
                        await officer_tick(world, o, f)

                    world.schedule(at_local(day, hour, minute), "office", tick)
        day += timedelta(days=1)


async def run_month(world: World, step: timedelta) -> None:
    t = world.start
    day_started = time.perf_counter()
    while t < world.end:
        step_end = min(t + step, world.end)
        while world.events and world.events[0].at < step_end:
            event = heapq.heappop(world.events)
            world.clock.set(event.at)
            await event.run()
        world.clock.set(step_end)
        report = await world.service.sweep()
        world.count("missed (sweep)", report.missed)
        world.count("held (sweep)", report.held)
        await world.service.dispatch()
        await read_inbox(world)
        await read_check_ins(world)
        if local(step_end).date() != local(t).date() or step_end >= world.end:
            print_day(world, local(t).date(), time.perf_counter() - day_started)
            world.day.clear()
            day_started = time.perf_counter()
        t = step_end


def print_day(world: World, day: date, seconds: float) -> None:
    d = world.day
    requests = sum(n for k, n in d.items() if k.startswith("requests sent"))
    decisions = sum(n for k, n in d.items() if k.startswith("decisions"))
    visits = sum(n for k, n in d.items() if k.startswith(("visits recorded", "remote check-ins")))
    refused = sum(n for k, n in d.items() if k.startswith("refused"))
    number = (day - local(world.start).date()).days
    print(
        f"day {number:>2} {day:%a %Y-%m-%d}: sms {d['sms at Twilio']:>5}  visits {visits:>4}"
        f"  requests {requests:>3}  decisions {decisions:>3}  missed {d['missed (sweep)']:>3}"
        f"  held {d['held (sweep)']:>2}  flags ack {d['flags acknowledged']:>3}"
        + (f"  refused {refused}" if refused else "")
        + f"  ({seconds:.1f} s)",
        flush=True,
    )


def make_people(world: World, count: int, seed: int) -> None:
    rng = random.Random(seed)
    ids: set[str] = set()
    phones = rng.sample(range(10**8), count)
    by_office: dict[str, list[StaffMember]] = {}
    for officer in world.officers:
        by_office.setdefault(officer.office_code, []).append(officer)
    for index in range(count):
        national_id = synthetic_national_id(rng)
        while national_id in ids:
            national_id = synthetic_national_id(rng)
        ids.add(national_id)
        office = OFFICES[index % len(OFFICES)]
        staff = by_office[office]
        person = Person(
            index=index,
            national_id=national_id,
            phone=f"+668{phones[index]:08d}",
            birth=date(1960, 1, 1) + timedelta(days=rng.randint(0, 44 * 365)),
            office=office,
            officer=staff[(index // len(OFFICES)) % len(staff)],
            rng=random.Random(f"{seed}:{index}"),
        )
        world.people.append(person)
        world.by_phone[person.phone] = person


def print_figures(world: World, f: Any, wall: float, people: int) -> None:
    print()
    print(f"people {people:,}, {len(world.officers)} officers, seed {world.args.seed}, "
          f"{world.args.days} days from {local(world.start):%Y-%m-%d %H:%M} Bangkok, "
          f"step {world.args.step_minutes} min")  # fmt: skip
    print("on time and late check-ins are recorded as an officer records an in-person visit;"
          f" {len(world.remote)} were real remote check-ins")  # fmt: skip
    print("\ncheck-ins planned by behaviour:")
    for key, n in sorted(world.stats.items()):
        if key.startswith("check-ins planned"):
            print(f"  {key.split(': ')[1]:<24} {n:>7,}")
    print("\nSMS per person by kind (messages at Twilio / people):")
    total = sum(f.sms_by_kind.values())
    for kind, n in sorted(f.sms_by_kind.items(), key=lambda kv: -kv[1]):
        print(f"  {kind:<28} {n:>7,}  {n / people:>6.2f}")
    print(f"  {'all':<28} {total:>7,}  {total / people:>6.2f}")
    for kind, n in sorted(f.staff_sms_by_kind.items()):
        print(f"  staff: {kind:<21} {n:>7,}")
    faults = {k.removeprefix("fault "): n for k, n in world.fake.stats.items() if "fault" in k}
    print(f"Twilio create calls {world.fake.stats['POST requests']:,}, faults injected {faults}")
    print(f"outbox rows by status: {dict(sorted(f.reminder_statuses.items()))}")
    print(f"skipped, why: {dict(f.skip_reasons.most_common())}")
    print("\nrequests by kind and status:")
    for (kind, status), n in sorted(f.requests_by_status.items()):
        print(f"  {kind:<12} {status:<18} {n:>6,}")
    hours = f.decision_hours
    print(f"time to decision (submitted -> approved or rejected): median {median_or_nan(hours):.1f} h,"
          f" p90 {quantile(hours, 0.9):.1f} h, max {max(hours, default=float('nan')):.1f} h"
          f" ({len(hours)} decided, {f.undecided} still open at the end)")  # fmt: skip
    print(
        f"\nmissed flags raised {f.missed_flags:,} (escalated to a manager {f.escalated_flags:,})"
    )
    print(f"check-ins held out of 'missed' by an open request: {world.stats['held (sweep)']:,}")
    print("check-ins due in the month by status (and method):")
    for (status, method), n in sorted(f.check_ins.items()):
        print(f"  {status:<16} {method or '-':<10} {n:>7,}")
    print("\nscript counters:")
    for key, n in sorted(world.stats.items()):
        if not key.startswith(("check-ins planned", "sms at Twilio")):
            print(f"  {key:<60} {n:>7,}")
    for line in world.remote:
        print(f"  remote check-in, {line}")
    for line in world.errors:
        print(f"  refused: {line}")
    print()
    print(f"flagged missed while a request was open   {f.flagged_while_open:>6}   (must be 0;"
          f" any request of the person: {f.flagged_while_open_person})")  # fmt: skip
    print(f"duplicate SMS                             {f.duplicates:>6}   (must be 0;"
          f" same number and text twice: {f.duplicate_texts})")  # fmt: skip
    print(
        f"lost messages                             {f.lost_total:>6}   (must be 0)"
        + (f" {f.lost}" if f.lost else "")
    )
    altered = world.stats["certificates: downloaded by the officer, OTHER bytes"]
    print(f"certificates altered on the way           {altered:>6}   (must be 0)")
    print(f"wall time                                 {wall:>6.1f} s")


async def main_async(args: argparse.Namespace) -> int:
    from liveness.evaluate import id_photo_jpeg
    from liveness.samples import sample_photos
    from reporting_api.app import create_app
    from reporting_api.settings import Settings
    from scheduler.runner import SchedulerService

    wall = time.perf_counter()
    print(f"recreating {args.database} on {SERVER} ...", flush=True)
    url = await recreate(args.database)
    start = at_local(date.fromisoformat(args.start), 9)
    clock = SimClock(start)
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    photo = id_photo_jpeg(sample_photos()["obama"])
    import asyncpg

    faults = FaultPlan.transient(args.fault_rate, seed=args.seed, slow_seconds=0.5)
    with FakeTwilio(clock=clock, faults=faults) as fake:
        settings = Settings.from_env(month_env(url, base_url, fake, args.verify_workers))
        app = create_app(settings, clock=clock)
        service = SchedulerService(settings, clock=clock)
        db = await asyncpg.connect(url)
        client = no_cookies_client(base_url)
        years = {start.year, (start + timedelta(days=args.days + 60)).year}
        world = World(
            args=args, clock=clock, client=client, fake=fake, service=service, db=db,
            base_url=base_url, start=start, end=start + timedelta(days=args.days),
            holidays=thai_holidays(sorted(years)), remote_left=args.remote_sample,
            rng=random.Random(f"{args.seed}:officers"),
        )  # fmt: skip
        try:
            async with served(app, port):
                n_officers = max(len(OFFICES), -(-args.people // PEOPLE_PER_OFFICER))
                for i in range(n_officers):
                    office = OFFICES[i % len(OFFICES)]
                    world.officers.append(
                        await create_staff(
                            f"month.officer{i}", "officer", office, f"+6690{i:07d}", clock()
                        )
                    )
                await create_staff("month.manager", "manager", "central", "+66910000000", clock())
                make_people(world, args.people, args.seed)
                began = time.perf_counter()
                await enrol_everyone(world, photo, local(start).date())
                print(f"enrolled {args.people:,} people through the API in "
                      f"{time.perf_counter() - began:.1f} s", flush=True)  # fmt: skip
                office_events(world)
                await read_check_ins(world)
                await run_month(world, timedelta(minutes=args.step_minutes))
                await asyncio.to_thread(fake.wait_for_callbacks, 120)
                result = await figures(
                    url, fake, clock(), local(world.end).date(),
                    timedelta(minutes=args.step_minutes),
                )  # fmt: skip
        finally:
            await client.aclose()
            await service.stop()
            await db.close()
    print_figures(world, result, time.perf_counter() - wall, args.people)
    bad = (
        result.flagged_while_open
        or result.duplicates
        or result.lost_total
        or world.stats["certificates: downloaded by the officer, OTHER bytes"]
    )
    return 1 if bad else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--start", default="2027-02-01", help="the first day (Bangkok)")
    parser.add_argument("--step-minutes", type=int, default=60)
    parser.add_argument("--remote-sample", type=int, default=2)
    parser.add_argument(
        "--fault-rate",
        type=float,
        default=0.0,
        help="share of Twilio create calls that fail (429, 500, slow, dropped before or after)",
    )
    parser.add_argument("--verify-workers", type=int, default=1)
    parser.add_argument("--database", default="bench_month")
    args = parser.parse_args()
    if args.database in PROTECTED:
        raise SystemExit(f"--database {args.database}: that database is not this bench's")
    raise SystemExit(asyncio.run(main_async(args)))


if __name__ == "__main__":
    main()
