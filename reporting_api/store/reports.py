"""Queries of the managers' risk report, all from one risk snapshot (store/risk_snapshot.py):
a page of the ranking, whose rows come back with their facts for reporting_api.risk.assess to
explain, the aggregates, and check-in outcomes by month. Only the backtest
(store/backtest.py) reads check-ins when the report is viewed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal, TypedDict

from reporting_api import risk
from reporting_api.store import transaction
from reporting_api.store.risk_scoring import (
    band_sql,
    fetch_sql,
    money,
    on_postgres,
    plan_each_time,
)
from reporting_api.store.risk_snapshot import snapshot_time, snapshot_version
from reporting_api.store.risk_weights import weights_of_version
from reporting_api.store.rows import RiskSnapshotRow
from reporting_api.tables import BailCase

DIMENSIONS = ("all", "band", "province", "office", "court", "officer")


class RankedCaseRow(RiskSnapshotRow):
    """A case on the ranking's page: its snapshot row, the person's names, the office and the
    officer."""

    title_th: str
    first_name_th: str
    last_name_th: str
    first_name_en: str | None
    last_name_en: str | None
    office_code: str
    office_name_th: str
    office_name_en: str
    officer_name: str | None


GroupCount = Literal["cases", "high", "medium", "low", "score_sum", "missed", "unreachable"]
GROUP_COUNTS: tuple[GroupCount, ...] = (
    "cases",
    "high",
    "medium",
    "low",
    "score_sum",
    "missed",
    "unreachable",
)


class GroupRow(TypedDict):
    """One aggregate: a dimension's group (``key``; for provinces also the English name),
    its cases by band, summed score, missed check-ins, unreachable phones and bail."""

    dim: str
    key: str
    label_en: str
    cases: int
    high: int
    medium: int
    low: int
    score_sum: int
    missed: int
    unreachable: int
    bail: Decimal
    bail_high: Decimal


MonthCount = Literal["on_time", "late", "missed", "excused"]
MONTH_COUNTS: tuple[MonthCount, ...] = ("on_time", "late", "missed", "excused")


class MonthRow(TypedDict):
    """Check-in outcomes of one office in one month ("YYYY-MM")."""

    month: str
    office_id: int
    on_time: int
    late: int
    missed: int
    excused: int


PAGE_COLUMNS = """s.*, d.title_th, d.first_name_th, d.last_name_th, d.first_name_en,
    d.last_name_en, o.code AS office_code, o.name_th AS office_name_th,
    o.name_en AS office_name_en, u.display_name AS officer_name"""


def _group_sql(where: str, weights: risk.Weights) -> str:
    """Every aggregate the report shows (``DIMENSIONS``) over the snapshot's cases that match
    ``where``: cases, cases per band, summed score, missed check-ins, unreachable phones, bail
    at risk. The cases are summed once by (office, court, officer, band), a few hundred rows
    that each dimension then adds up, rather than six passes over 100,000 cases."""
    band = band_sql("score", weights)
    columns = f"""
        SUM(cases) AS cases,
        SUM(CASE WHEN band = '{risk.Band.HIGH}' THEN cases ELSE 0 END) AS high,
        SUM(CASE WHEN band = '{risk.Band.MEDIUM}' THEN cases ELSE 0 END) AS medium,
        SUM(CASE WHEN band = '{risk.Band.LOW}' THEN cases ELSE 0 END) AS low,
        SUM(score_sum) AS score_sum, SUM(missed) AS missed, SUM(unreachable) AS unreachable,
        SUM(bail) AS bail,
        SUM(CASE WHEN band = '{risk.Band.HIGH}' THEN bail ELSE 0 END) AS bail_high"""
    keys = {  # dimension: (key, English label, GROUP BY)
        "all": ("''", "''", None),
        "band": ("band", "''", "band"),
        "province": ("province_th", "COALESCE(MAX(province_en), '')", "province_th"),
        "office": ("CAST(office_id AS TEXT)", "''", "office_id"),
        "court": ("court", "''", "court"),
        "officer": ("COALESCE(CAST(officer_id AS TEXT), '')", "''", "officer_id"),
    }
    return f"""
WITH fine AS (
    SELECT office_id, court, officer_id, {band} AS band, COUNT(*) AS cases,
        SUM(score) AS score_sum, SUM(missed) AS missed, SUM(unreachable) AS unreachable,
        SUM(bail_amount) AS bail
    FROM risk_snapshot s
    WHERE {where}
    GROUP BY office_id, court, officer_id, {band}
), g AS (
    SELECT fine.*, COALESCE(o.province_th, '') AS province_th, o.province_en
    FROM fine JOIN office o ON o.id = fine.office_id
)
""" + "\nUNION ALL\n".join(
        f"SELECT '{dim}' AS dim, {key} AS key, {label_en} AS label_en,{columns} FROM g"
        + (f" GROUP BY {group}" if group else "")
        for dim, (key, label_en, group) in keys.items()
    )


@dataclass(frozen=True)
class SnapshotReport:
    """What the report reads from one risk snapshot."""

    computed_at: datetime | None
    """When it was computed (None: there is no snapshot row, so no active case)."""
    page: list[RankedCaseRow]
    """One page of the ranked cases, with names and the facts behind each score."""
    groups: list[GroupRow]
    """The aggregates of every case in scope (``_group_sql``)."""
    months: list[MonthRow]
    """Check-in outcomes by month and office (``_months``)."""
    weights_version: int = 1
    """The version of the points the snapshot's scores were computed with..."""
    weights: risk.Weights = risk.HAND_SET
    """... and those points."""


async def snapshot_report(
    office_id: int | None, offset: int, limit: int, first_day: date, last_day: date
) -> SnapshotReport:
    """From the risk snapshot, for the active cases of one office (or all): one page of them,
    highest score first (then larger bail, then case id), with the person's name, office,
    officer and the facts behind the score; the aggregates of all of them; and compliance by
    month for check-ins due in [first_day, last_day]. All from one snapshot, even if a
    rebuild commits meanwhile."""
    args: dict[str, Any] = {"limit": limit, "offset": offset}
    where = "1 = 1"
    if office_id is not None:
        args["office"] = office_id
        where = "s.office_id = {office}"
    postgres = on_postgres()
    async with transaction():
        if postgres:
            # The page, the aggregates and the months come from the same snapshot (SQLite's
            # read transaction already sees one state of the file).
            await BailCase.raw("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        await plan_each_time()
        computed_at = await snapshot_time()
        version = await snapshot_version()
        weights = await weights_of_version(version)
        page = await fetch_sql(
            RankedCaseRow,
            f"""
SELECT {PAGE_COLUMNS}
FROM (
    SELECT * FROM risk_snapshot s WHERE {where}
    ORDER BY s.score DESC, s.bail_amount DESC, s.case_id
    LIMIT {{limit}} OFFSET {{offset}}
) s
JOIN defendant d ON d.id = s.defendant_id
JOIN office o ON o.id = s.office_id
LEFT JOIN staff_user u ON u.id = s.officer_id
ORDER BY s.score DESC, s.bail_amount DESC, s.case_id
""",
            args,
        )
        groups = await fetch_sql(GroupRow, _group_sql(where, weights), args)
        months = await _months(office_id, first_day, last_day)
    for row in page:
        row["bail_amount"] = money(row["bail_amount"])
        row["score"] = int(row["score"])
    for group in groups:
        for name in GROUP_COUNTS:
            group[name] = int(group[name] or 0)
        group["bail"], group["bail_high"] = money(group["bail"]), money(group["bail_high"])
    return SnapshotReport(
        computed_at, page, [g for g in groups if g["cases"]], months, version, weights
    )


async def _months(office_id: int | None, first_day: date, last_day: date) -> list[MonthRow]:
    """Check-ins due in [first_day, last_day] (and by the snapshot's instant) whose outcome is
    known, by month ("YYYY-MM") and office: verified on time, verified late, missed, excused."""
    args: dict[str, Any] = {"first": first_day, "last": last_day}
    office = ""
    if office_id is not None:
        args["office"] = office_id
        office = " AND d.office_id = {office}"
    month = (
        "CAST(date_trunc('month', CAST(d.due_date AS timestamp)) AS date)"
        if on_postgres()
        else "substr(d.due_date, 1, 7)"
    )
    rows = await fetch_sql(
        MonthRow,
        f"""
SELECT {month} AS month, d.office_id, SUM(d.on_time) AS on_time, SUM(d.late) AS late,
    SUM(d.missed) AS missed, SUM(d.excused) AS excused
FROM risk_snapshot_day d
WHERE d.due_date >= {{first}} AND d.due_date <= {{last}}{office}
GROUP BY 1, 2
""",
        args,
    )
    for row in rows:
        month_value = row["month"]
        row["month"] = (
            f"{month_value:%Y-%m}" if isinstance(month_value, date) else str(month_value)[:7]
        )
        for name in MONTH_COUNTS:
            row[name] = int(row[name] or 0)
    rows.sort(key=lambda r: (r["month"], r["office_id"]))
    return rows


# --- messages by channel (issue 17), read live from the outbox ---------------------------


class ChannelCountRow(TypedDict):
    """Messages to released persons that a provider took in a period, by how they went."""

    sms: int
    """Sent by SMS, those that fell back from LINE included."""
    line: int
    """Sent on LINE."""
    fell_back_refused: int
    """Sent by SMS because LINE refused the push."""
    fell_back_quota: int
    """Sent by SMS because the month's LINE quota was used up."""
    line_without_text: int
    """Sent on LINE, their text since emptied by the retention purge."""


class TextRow(TypedDict):
    body: str


def _sent_to_people(office_id: int | None) -> str:
    """Messages to a person (not staff alerts, not e-mail) a provider took in [start, end)."""
    where = (
        "r.defendant IS NOT NULL AND r.staff IS NULL AND r.sent_at IS NOT NULL"
        " AND r.sent_at >= {start} AND r.sent_at < {end}"
    )
    return where + (" AND r.office = {office}" if office_id is not None else "")


async def messages_by_channel(
    office_id: int | None, start: datetime, end: datetime
) -> ChannelCountRow:
    """Messages to released persons of one office (or all) sent in [start, end): by SMS, on
    LINE, and those that went by SMS after LINE refused or its month's quota ran out. One
    pass over the outbox rows sent in the period."""
    args: dict[str, Any] = {"start": start, "end": end, "office": office_id}
    rows = await fetch_sql(
        ChannelCountRow,
        f"""
SELECT
    SUM(CASE WHEN r.channel = 'sms' THEN 1 ELSE 0 END) AS sms,
    SUM(CASE WHEN r.channel = 'line' THEN 1 ELSE 0 END) AS line,
    SUM(CASE WHEN r.channel = 'sms' AND r.line_outcome = 'refused' THEN 1 ELSE 0 END)
        AS fell_back_refused,
    SUM(CASE WHEN r.channel = 'sms' AND r.line_outcome = 'quota' THEN 1 ELSE 0 END)
        AS fell_back_quota,
    SUM(CASE WHEN r.channel = 'line' AND r.body IS NULL THEN 1 ELSE 0 END)
        AS line_without_text
FROM reminder r
WHERE {_sent_to_people(office_id)}
""",
        args,
    )
    row = rows[0]  # SUM over no rows is NULL
    return ChannelCountRow(
        sms=int(row["sms"] or 0),
        line=int(row["line"] or 0),
        fell_back_refused=int(row["fell_back_refused"] or 0),
        fell_back_quota=int(row["fell_back_quota"] or 0),
        line_without_text=int(row["line_without_text"] or 0),
    )


async def line_texts(office_id: int | None, start: datetime, end: datetime) -> list[str]:
    """The texts (as the SMS would have said them) of the messages `messages_by_channel`
    counts as sent on LINE, where the retention purge has not emptied them yet. A row LINE
    took always holds LINE's answer (`line_outcome`), so the partial index of the rows tried
    on LINE (`reminder_line_tried_sent_at`) finds them."""
    rows = await fetch_sql(
        TextRow,
        f"SELECT r.body FROM reminder r WHERE {_sent_to_people(office_id)}"
        " AND r.line_outcome IS NOT NULL AND r.channel = 'line' AND r.body IS NOT NULL",
        {"start": start, "end": end, "office": office_id},
    )
    return [row["body"] for row in rows]


class FoundRow(TypedDict):
    found: int


async def tried_line(office_id: int | None, start: datetime, end: datetime) -> bool:
    """Whether any message to a person sent in [start, end) was tried on LINE (sent there, or
    sent by SMS after LINE refused it): one probe of `reminder_line_tried_sent_at`."""
    rows = await fetch_sql(
        FoundRow,
        f"SELECT 1 AS found FROM reminder r WHERE {_sent_to_people(office_id)}"
        " AND r.line_outcome IS NOT NULL LIMIT 1",
        {"start": start, "end": end, "office": office_id},
    )
    return bool(rows)
