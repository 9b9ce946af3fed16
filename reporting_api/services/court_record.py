"""One person's reporting history for a court: each case, every check-in and how it was
done, the hearings and the flags with what became of them, and nothing biometric (no photo,
no face template, no recording, no score). The officers' pages print it as a Thai PDF
(`admin_ui/exports/court.py`); audited as `defendant.court_record`."""

from __future__ import annotations

from datetime import datetime

from msgspec import Struct

from reporting_api.access import ensure_can_read_office
from reporting_api.errors import NotFound
from reporting_api.national_id import mask_national_id
from reporting_api.services.context import Ctx
from reporting_api.services.subject_record import (
    CaseRecord,
    CheckInRecord,
    FlagRecord,
    HearingRecord,
    case_records,
    records,
)
from reporting_api.store import offices, privacy


class CourtPerson(Struct):
    id: int
    name_th: str
    name_en: str
    national_id_masked: str
    """The first five digits and the last: enough to match the court's file, not the whole."""
    date_of_birth: str
    office_th: str
    office_en: str


class CourtRecord(Struct):
    produced_at: datetime
    produced_by: str
    person: CourtPerson
    cases: list[CaseRecord]
    check_ins: list[CheckInRecord]
    hearings: list[HearingRecord]
    flags: list[FlagRecord]


async def court_record(ctx: Ctx, defendant_id: int) -> CourtRecord:
    """The person's history as a court reads it (officers of their office, managers)."""
    row = await privacy.person(defendant_id)
    if row is None:
        raise NotFound("defendant")
    ensure_can_read_office(ctx.principal, row["office"], "defendant")
    office = await offices.get_office(row["office"])
    plans = {p["case"]: p for p in await privacy.plans(defendant_id)}
    record = CourtRecord(
        produced_at=ctx.now,
        produced_by=ctx.principal.display_name or ctx.principal.username,
        person=CourtPerson(
            id=row["id"],
            name_th=f"{row['title_th']}{row['first_name_th']} {row['last_name_th']}".strip(),
            name_en=f"{row['first_name_en'] or ''} {row['last_name_en'] or ''}".strip(),
            national_id_masked=mask_national_id(row["national_id"]),
            date_of_birth=row["date_of_birth"].isoformat(),
            office_th=office["name_th"] if office else "",
            office_en=office["name_en"] if office else "",
        ),
        cases=case_records(await privacy.cases(defendant_id), plans),
        check_ins=records(CheckInRecord, await privacy.check_ins(defendant_id)),
        hearings=records(HearingRecord, await privacy.hearings(defendant_id)),
        flags=records(FlagRecord, await privacy.flags(defendant_id)),
    )
    await ctx.audit(
        "defendant.court_record",
        "defendant",
        defendant_id,
        {
            "cases": len(record.cases),
            "check_ins": len(record.check_ins),
            "hearings": len(record.hearings),
            "flags": len(record.flags),
        },
    )
    return record
