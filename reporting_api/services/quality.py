"""The verification quality page for managers: how the machine's face checks did on remote
check-ins recorded in a period, by age group x sex, by office and by phone type, month by
month, with the officers' overturns as ground truth and a warning when one group's false
rejections stand out (reporting_api/verification_quality.py holds the arithmetic).

Who sees what is the risk report's rule: managers every office or one, officers their own,
administrators nothing (403). Counts only, no names: each view is still audited, as every
report is.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, timedelta

from reporting_api import verification_quality as q
from reporting_api.demographics import AGE_GROUP_NAMES, Sex, age_group
from reporting_api.services import reports
from reporting_api.services.context import Ctx
from reporting_api.store import offices as office_store
from reporting_api.store import quality as store
from reporting_api.store.quality import QualityAttemptRow
from reporting_api.store.rows import OfficeRow
from reporting_api.thai_dates import BANGKOK, bangkok_today, local_midnight_utc, month_keys


@dataclass(frozen=True)
class Group:
    """One row of a table: its key (an age group and sex, an office id, a phone type) and
    its tally."""

    key: str
    tally: q.Tally
    standout: q.Standout | None


@dataclass(frozen=True)
class QualityReport:
    filters: reports.Filters
    offices: list[OfficeRow]
    overall: q.Tally
    by_age_sex: list[Group]
    by_office: list[Group]
    by_phone: list[Group]
    months: list[tuple[str, q.Tally]]
    warnings: list[Group]
    """Groups (any table) whose false-rejection rate is significantly above the rest's."""
    all_offices: dict[int, OfficeRow]
    """Every office by id, to name the groups of the table by office."""


def facts_of(row: QualityAttemptRow) -> q.AttemptFacts:
    local = row["created_at"].astimezone(UTC).astimezone(BANGKOK)
    return q.AttemptFacts(
        decision=row["decision"],
        review_decision=row["review_decision"],
        match_distance=row["match_distance"],
        phone=q.phone_type(row["user_agent"]),
        sex=row["sex"],
        age_group=age_group(row["date_of_birth"], local.date()),
        office_id=row["office_id"],
        month=f"{local.year:04d}-{local.month:02d}",
    )


def age_sex_key(fact: q.AttemptFacts) -> str:
    return f"{fact.age_group}|{fact.sex}"


def _groups(
    facts: list[q.AttemptFacts], key_of: Callable[[q.AttemptFacts], str], order: list[str]
) -> list[Group]:
    tallies = q.tally(facts, key_of)
    tests = {s.key: s for s in q.standouts(tallies)}
    keys = [k for k in order if k in tallies] + sorted(k for k in tallies if k not in order)
    return [Group(k, tallies[k], tests.get(k)) for k in keys]


async def quality_report(
    ctx: Ctx,
    office_id: int | None,
    date_from: date | None,
    date_to: date | None,
    *,
    export: str | None = None,
) -> QualityReport:
    """The page's figures for remote attempts recorded in the date range (Bangkok days)."""
    default_from, default_to = reports.default_range(bangkok_today(ctx.now))
    filters = reports.Filters(office_id, date_from or default_from, date_to or default_to)
    reports.check_filters(filters)
    scope, offices = await reports.report_scope(ctx, office_id)
    filters = reports.Filters(scope, filters.date_from, filters.date_to)
    rows = await store.attempts_between(
        scope,
        local_midnight_utc(filters.date_from),
        local_midnight_utc(filters.date_to + timedelta(days=1)),
    )
    facts = [facts_of(r) for r in rows]
    age_sex_order = [f"{a}|{s.value}" for a in AGE_GROUP_NAMES for s in Sex]
    all_offices = {o["id"]: o for o in await office_store.list_offices()}
    office_order = [str(i) for i in all_offices]
    by_age_sex = _groups(facts, age_sex_key, age_sex_order)
    by_office = _groups(facts, lambda f: str(f.office_id), office_order)
    by_phone = _groups(facts, lambda f: f.phone, list(q.PHONE_TYPES))
    monthly = q.tally(facts, lambda f: f.month)
    months = [
        (m, monthly.get(m, q.Tally())) for m in month_keys(filters.date_from, filters.date_to)
    ]
    overall = q.Tally()
    for fact in facts:
        overall.add(fact)
    warnings = [
        g
        for g in by_age_sex + by_office + by_phone
        if g.standout is not None and g.standout.significant
    ]
    await ctx.audit(
        "report.verification_quality",
        "office",
        scope,
        {
            "office": scope,
            "date_from": filters.date_from.isoformat(),
            "date_to": filters.date_to.isoformat(),
            "format": export or "page",
            "attempts": overall.attempts,
        },
    )
    return QualityReport(
        filters, offices, overall, by_age_sex, by_office, by_phone, months, warnings, all_offices
    )
