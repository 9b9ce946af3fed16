"""Turning stored rows into response types."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, TypeVar

import msgspec

from reporting_api.api import schemas as s
from reporting_api.demographics import age_group
from reporting_api.http.context import Paging
from reporting_api.national_id import mask_national_id
from reporting_api.thai_dates import bangkok_today, format_thai_date

if TYPE_CHECKING:
    from reporting_api.store.cases import CaseRow
    from reporting_api.store.checkins import DayRow
    from reporting_api.store.defendants import DefendantListRow
    from reporting_api.store.rows import (
        AuditLogRow,
        CheckInFields,
        DefendantProfileRow,
        FlagRow,
        OfficeRow,
        ReportingPlanRow,
    )
    from reporting_api.store.staff import StaffLoginRow, StaffRow

T = TypeVar("T")
R = TypeVar("R")


def page_of(paging: Paging, rows: Sequence[R], total: int, convert: Callable[[R], T]) -> s.Page[T]:
    """One page of a list as the API answers it."""
    return s.Page(
        items=[convert(r) for r in rows],
        total=total,
        page=paging.page,
        page_size=paging.page_size,
    )


def _full_name(title: str | None, first: str, last: str) -> str:
    return " ".join(part for part in (f"{title or ''}{first}", last) if part)


def office_out(row: OfficeRow) -> s.OfficeOut:
    return msgspec.convert(row, s.OfficeOut, from_attributes=False)


def staff_out(row: StaffRow | StaffLoginRow) -> s.StaffOut:
    return s.StaffOut(
        id=row["id"],
        username=row["username"],
        display_name=row["display_name"],
        role=row["role"],
        office_id=row["office"],
        active=row["active"],
        phone=row["phone"],
        email=row["email"],
        alert_channel=row["alert_channel"],
        alert_digest=row["alert_digest"],
    )


def defendant_out(row: DefendantProfileRow, now: datetime) -> s.DefendantOut:
    return s.DefendantOut(
        id=row["id"],
        national_id=row["national_id"],
        title_th=row["title_th"],
        first_name_th=row["first_name_th"],
        last_name_th=row["last_name_th"],
        first_name_en=row["first_name_en"],
        last_name_en=row["last_name_en"],
        date_of_birth=row["date_of_birth"],
        phone=row["phone"],
        preferred_language=row["preferred_language"],
        sms_opt_out=row["sms_opt_out"],
        office_id=row["office"],
        has_photo=row["id_photo_mime"] is not None,
        photo_width=row["id_photo_width"],
        photo_height=row["id_photo_height"],
        consent_at=row["consent_at"],
        consent_version=row["consent_version"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        legal_hold_reason=row["legal_hold_reason"],
        legal_hold_at=row["legal_hold_at"],
        anonymised_at=row["anonymised_at"],
        sex=row["sex"],
        age_group=age_group(row["date_of_birth"], bangkok_today(now)),
    )


def defendant_summary(row: DefendantListRow) -> s.DefendantSummary:
    return s.DefendantSummary(
        id=row["id"],
        national_id_masked=mask_national_id(row["national_id"]),
        title_th=row["title_th"],
        first_name_th=row["first_name_th"],
        last_name_th=row["last_name_th"],
        first_name_en=row["first_name_en"],
        last_name_en=row["last_name_en"],
        phone=row["phone"],
        office_id=row["office"],
    )


def case_out(row: CaseRow) -> s.CaseOut:
    return s.CaseOut(
        id=row["id"],
        defendant_id=row["defendant"],
        defendant_name_th=_full_name(
            row["defendant_title_th"],
            row["defendant_first_name_th"],
            row["defendant_last_name_th"],
        ),
        office_id=row["office"],
        officer_id=row["officer"],
        court=row["court"],
        black_case_number=row["black_case_number"],
        red_case_number=row["red_case_number"],
        charge=row["charge"],
        bail_amount=f"{Decimal(row['bail_amount']):.2f}",
        fund_request_ref=row["fund_request_ref"],
        release_date=row["release_date"],
        conditions=row["conditions"],
        next_court_date=row["next_court_date"],
        status=row["status"],
        closing_outcome=row["closing_outcome"],
        closed_at=row["closed_at"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


def check_in_out(row: CheckInFields) -> s.CheckInOut:
    return s.CheckInOut(
        id=row["id"],
        case_id=row["case"],
        office_id=row["office"],
        due_date=row["due_date"],
        due_date_th=format_thai_date(row["due_date"]),
        nominal_date=row["nominal_date"],
        moved_reason=row["moved_reason"],
        opens_at=row["opens_at"],
        due_at=row["due_at"],
        closes_at=row["closes_at"],
        status=row["status"],
        method=row["method"],
        completed_at=row["completed_at"],
        recorded_by=row["recorded_by"],
        note=row["note"],
    )


def today_row(row: DayRow) -> s.TodayRow:
    return s.TodayRow(
        check_in=check_in_out(row),
        defendant_id=row["defendant_id"],
        defendant_name_th=_full_name(
            row["defendant_title_th"],
            row["defendant_first_name_th"],
            row["defendant_last_name_th"],
        ),
        phone=row["defendant_phone"],
    )


def plan_out(row: ReportingPlanRow) -> s.PlanOut:
    return s.PlanOut(
        case_id=row["case"],
        kind=row["kind"],
        every_days=row["every_days"],
        dates=[date.fromisoformat(d) for d in row["dates"]],
        start_date=row["start_date"],
        end_date=row["end_date"],
        window_opens_days_before=row["window_opens_days_before"],
        grace_days=row["grace_days"],
        updated_at=row["updated_at"],
    )


def flag_out(row: FlagRow) -> s.FlagOut:
    return s.FlagOut(
        id=row["id"],
        kind=row["kind"],
        case_id=row["case"],
        check_in_id=row["check_in"],
        office_id=row["office"],
        severity=row["severity"],
        detail=row["detail"],
        raised_at=row["raised_at"],
        acknowledged_at=row["acknowledged_at"],
        acknowledged_by=row["acknowledged_by"],
        acknowledge_note=row["acknowledge_note"],
        resolved_at=row["resolved_at"],
        resolved_by=row["resolved_by"],
        resolution_note=row["resolution_note"],
    )


def audit_out(row: AuditLogRow) -> s.AuditOut:
    return s.AuditOut(
        id=row["id"],
        actor_id=row["actor"],
        actor_username=row["actor_username"],
        action=row["action"],
        entity=row["entity"],
        entity_id=row["entity_id"],
        at=row["at"],
        client_address=row["client_address"],
        detail=row["detail"] or {},
    )
