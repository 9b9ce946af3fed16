"""A person's whole record across tables: read for an export, anonymised or erased at the
end of its retention, and the closed cases the retention purge deletes (docs/privacy.md).

The other store modules each own a table; this one acts on everything of one person at
once, so that an export misses nothing and an erasure leaves nothing behind.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, TypedDict

from reporting_api.store import notes as note_store
from reporting_api.store import row_as, rows_as, transaction
from reporting_api.store.hearings import HearingRow
from reporting_api.store.notes import NoteRow
from reporting_api.store.rows import (
    AttemptRow,
    BailCaseRow,
    CheckInFields,
    DefendantRow,
    EvidenceFrameRow,
    FlagRow,
    IdentifyAttemptRow,
    ReminderRow,
    ReportingPlanRow,
)
from reporting_api.tables import (
    BailCase,
    CaseNote,
    CheckIn,
    CheckInSession,
    CourtHearing,
    Defendant,
    EvidenceFrame,
    Flag,
    IdentifyAttempt,
    LineAccount,
    LineLink,
    LivenessChallenge,
    PersonRequest,
    Reminder,
    ReportingPlan,
    RequestAttachment,
    RequestTransition,
    RiskSnapshot,
    TrustedContact,
    VerificationAttempt,
)

ANONYMOUS_NAME_TH = "(ลบข้อมูลแล้ว)"
"""What stands in for an anonymised person's name (the Thai first name is required)."""
DONE_REMINDERS = ("sent", "delivered", "undelivered", "failed", "cancelled", "skipped")


def anonymous_national_id(defendant_id: int) -> str:
    """A placeholder that keeps the column unique and can never be a real ID (a letter)."""
    return f"X{defendant_id:012d}"


class RecordCounts(TypedDict):
    """How much of a person's record there is (audited with an export or an erasure)."""

    cases: int
    check_ins: int
    messages: int
    attempts: int
    evidence_frames: int
    flags: int
    identify_attempts: int


# --- reading the whole record -------------------------------------------------------------


def _cases_of(defendant_id: int) -> Any:
    return BailCase.select(BailCase.id).where(BailCase.defendant == defendant_id)


def _check_ins_of(defendant_id: int) -> Any:
    return CheckIn.select(CheckIn.id).where(CheckIn.case.is_in(_cases_of(defendant_id)))


def _attempts_of(defendant_id: int) -> Any:
    return VerificationAttempt.select(VerificationAttempt.id).where(
        VerificationAttempt.case.is_in(_cases_of(defendant_id))
    )


async def person(defendant_id: int) -> DefendantRow | None:
    """The whole `defendant` row, photo bytes (sealed) included."""
    row = await Defendant.select().where(Defendant.id == defendant_id).output(load_json=True)
    return row_as(DefendantRow, row[0] if row else None)


async def cases(defendant_id: int) -> list[BailCaseRow]:
    query = BailCase.select().where(BailCase.defendant == defendant_id).order_by(BailCase.id)
    return rows_as(BailCaseRow, await query)


async def plans(defendant_id: int) -> list[ReportingPlanRow]:
    query = (
        ReportingPlan.select()
        .where(ReportingPlan.case.is_in(_cases_of(defendant_id)))
        .order_by(ReportingPlan.case)
        .output(load_json=True)
    )
    return rows_as(ReportingPlanRow, await query)


async def check_ins(defendant_id: int) -> list[CheckInFields]:
    """Every check-in, without its link code (a live credential, not part of the record)."""
    query = (
        CheckIn.select(*(c for c in CheckIn.all_columns() if c._meta.name != "code"))
        .where(CheckIn.case.is_in(_cases_of(defendant_id)))
        .order_by(CheckIn.due_date)
        .order_by(CheckIn.id)
    )
    return rows_as(CheckInFields, await query)


async def messages(defendant_id: int) -> list[ReminderRow]:
    """The person's messages and the staff alerts about their cases."""
    query = (
        Reminder.select()
        .where((Reminder.defendant == defendant_id) | Reminder.case.is_in(_cases_of(defendant_id)))
        .order_by(Reminder.due_at)
        .order_by(Reminder.id)
    )
    return rows_as(ReminderRow, await query)


async def flags(defendant_id: int) -> list[FlagRow]:
    query = Flag.select().where(Flag.case.is_in(_cases_of(defendant_id))).order_by(Flag.id)
    return rows_as(FlagRow, await query)


async def notes(defendant_id: int) -> list[NoteRow]:
    """The officers' notes on the person (struck ones too)."""
    return await note_store.of_person(defendant_id)


async def hearings(defendant_id: int) -> list[HearingRow]:
    query = (
        CourtHearing.select()
        .where(CourtHearing.case.is_in(_cases_of(defendant_id)))
        .order_by(CourtHearing.starts_at)
    )
    return rows_as(HearingRow, await query)


async def attempts(defendant_id: int) -> list[AttemptRow]:
    query = (
        VerificationAttempt.select(
            *(c for c in VerificationAttempt.all_columns() if c._meta.name != "media")
        )
        .where(VerificationAttempt.case.is_in(_cases_of(defendant_id)))
        .order_by(VerificationAttempt.id)
        .output(load_json=True)
    )
    return rows_as(AttemptRow, await query)


async def evidence_frames(defendant_id: int) -> list[EvidenceFrameRow]:
    """Every evidence frame still kept, sealed."""
    query = (
        EvidenceFrame.select()
        .where(EvidenceFrame.attempt.is_in(_attempts_of(defendant_id)))
        .order_by(EvidenceFrame.attempt)
        .order_by(EvidenceFrame.position)
    )
    return rows_as(EvidenceFrameRow, await query)


async def identify_attempts(defendant_id: int) -> list[IdentifyAttemptRow]:
    query = (
        IdentifyAttempt.select()
        .where(IdentifyAttempt.check_in.is_in(_check_ins_of(defendant_id)))
        .order_by(IdentifyAttempt.id)
    )
    return rows_as(IdentifyAttemptRow, await query)


async def counts(defendant_id: int) -> RecordCounts:
    return RecordCounts(
        cases=await BailCase.count().where(BailCase.defendant == defendant_id),
        check_ins=await CheckIn.count().where(CheckIn.case.is_in(_cases_of(defendant_id))),
        messages=await Reminder.count().where(
            (Reminder.defendant == defendant_id) | Reminder.case.is_in(_cases_of(defendant_id))
        ),
        attempts=await VerificationAttempt.count().where(
            VerificationAttempt.case.is_in(_cases_of(defendant_id))
        ),
        evidence_frames=await EvidenceFrame.count().where(
            EvidenceFrame.attempt.is_in(_attempts_of(defendant_id))
        ),
        flags=await Flag.count().where(Flag.case.is_in(_cases_of(defendant_id))),
        identify_attempts=await IdentifyAttempt.count().where(
            IdentifyAttempt.check_in.is_in(_check_ins_of(defendant_id))
        ),
    )


class HoldRow(TypedDict):
    """What decides whether a person's data may go: their cases' states and any hold."""

    id: int
    office: int
    legal_hold_at: datetime | None
    anonymised_at: datetime | None


async def hold_state(defendant_id: int) -> HoldRow | None:
    row = (
        await Defendant.select(
            Defendant.id, Defendant.office, Defendant.legal_hold_at, Defendant.anonymised_at
        )
        .where(Defendant.id == defendant_id)
        .first()
    )
    return row_as(HoldRow, row)


async def active_cases(defendant_id: int) -> int:
    return await BailCase.count().where(
        (BailCase.defendant == defendant_id) & (BailCase.status == "active")
    )


# --- the retention purge ------------------------------------------------------------------


class ClosedCaseRow(TypedDict):
    id: int
    defendant: int


async def closed_cases_before(before: datetime, limit: int) -> list[ClosedCaseRow]:
    """Closed cases that closed before ``before``, of people not on legal hold."""
    held = Defendant.select(Defendant.id).where(Defendant.legal_hold_at.is_not_null())
    rows = (
        await BailCase.select(BailCase.id, BailCase.defendant)
        .where(
            (BailCase.status != "active")
            & BailCase.closed_at.is_not_null()
            & (BailCase.closed_at < before)
            & BailCase.defendant.not_in(held)
        )
        .order_by(BailCase.id)
        .limit(limit)
    )
    return rows_as(ClosedCaseRow, rows)


async def delete_cases(case_ids: list[int]) -> int:
    """Delete cases with everything that hangs on them (plans, check-ins, recordings and
    their frames, messages, flags: the foreign keys cascade)."""
    if not case_ids:
        return 0
    async with transaction():
        await RiskSnapshot.delete().where(RiskSnapshot.case_id.is_in(case_ids))
        rows = await BailCase.delete().where(BailCase.id.is_in(case_ids)).returning(BailCase.id)
    return len(rows)


async def people_without_cases(
    before: datetime, limit: int, among: list[int] | None = None
) -> list[int]:
    """People with no case left, not on legal hold, who still have their identity: those
    enrolled before ``before``, or any of ``among`` (whose last case the purge just took)."""
    with_cases = BailCase.select(BailCase.defendant)
    when: Any = Defendant.created_at < before
    if among:
        when = when | Defendant.id.is_in(among)
    rows = (
        await Defendant.select(Defendant.id)
        .where(
            Defendant.anonymised_at.is_null()
            & Defendant.legal_hold_at.is_null()
            & Defendant.id.not_in(with_cases)
            & when
        )
        .order_by(Defendant.id)
        .limit(limit)
    )
    return [r["id"] for r in rows]


# --- anonymising and erasing one person ---------------------------------------------------


async def anonymise(defendant_id: int, now: datetime) -> None:
    """Take the person's identity out of every row, keeping what statistics need (their
    cases' court, amount, dates and statuses, check-in statuses, verification scores, the
    birth year): names, ID and phone numbers, photo and face template, case numbers and free
    text, messages' text and numbers, client details, evidence frames, identification tries
    and link codes all go. One transaction."""
    case_ids = _cases_of(defendant_id)
    check_in_ids = _check_ins_of(defendant_id)
    async with transaction(immediate=True):
        born = (
            await Defendant.select(Defendant.date_of_birth)
            .where(Defendant.id == defendant_id)
            .first()
        )
        if born is None:
            return
        date_of_birth: date = born["date_of_birth"]
        # The trusted contact is someone else's identity: nothing of it is kept.
        await TrustedContact.delete().where(TrustedContact.defendant == defendant_id)
        # Nor their LINE account, nor a link in progress to one.
        await LineAccount.delete().where(LineAccount.defendant == defendant_id)
        await LineLink.delete().where(LineLink.defendant == defendant_id)
        await Defendant.update(
            {
                Defendant.national_id: anonymous_national_id(defendant_id),
                Defendant.title_th: "",
                Defendant.first_name_th: ANONYMOUS_NAME_TH,
                Defendant.last_name_th: "",
                Defendant.first_name_en: None,
                Defendant.last_name_en: None,
                Defendant.date_of_birth: date(date_of_birth.year, 1, 1),
                Defendant.phone: "",
                Defendant.sms_opt_out: True,
                Defendant.id_photo: None,
                Defendant.id_photo_sealed: None,
                Defendant.id_photo_mime: None,
                Defendant.id_photo_width: None,
                Defendant.id_photo_height: None,
                Defendant.card_photo_sealed: None,
                Defendant.card_photo_mime: None,
                Defendant.reference_reason: None,
                Defendant.face_template: None,
                Defendant.face_quality: {},
                Defendant.face_encoded_at: None,
                Defendant.anonymised_at: now,
                Defendant.updated_at: now,
            }
        ).where(Defendant.id == defendant_id)
        await BailCase.update(
            {
                BailCase.black_case_number: "",
                BailCase.red_case_number: None,
                BailCase.fund_request_ref: None,
                BailCase.charge: "",
                BailCase.conditions: "",
                BailCase.closing_outcome: None,
                BailCase.updated_at: now,
            }
        ).where(BailCase.defendant == defendant_id)
        await CheckIn.update({CheckIn.note: None, CheckIn.code: None}).where(
            CheckIn.case.is_in(case_ids)
        )
        await Flag.update(
            {Flag.detail: "", Flag.acknowledge_note: None, Flag.resolution_note: None}
        ).where(Flag.case.is_in(case_ids))
        # Officers' notes are free text about the person: they go.
        await CaseNote.delete().where(CaseNote.defendant == defendant_id)
        # A request's kind, dates and statuses stay for statistics; the person's own words,
        # a new number, where they went, what officers wrote back and the files they sent go.
        await RequestAttachment.delete().where(RequestAttachment.defendant == defendant_id)
        await PersonRequest.update(
            {
                PersonRequest.text_sealed: None,
                PersonRequest.new_phone_sealed: None,
                PersonRequest.province: None,
                PersonRequest.outcome_note: None,
            }
        ).where(PersonRequest.defendant == defendant_id)
        await RequestTransition.update({RequestTransition.note: None}).where(
            RequestTransition.request.is_in(
                PersonRequest.select(PersonRequest.id).where(
                    PersonRequest.defendant == defendant_id
                )
            )
        )
        # What an officer wrote about a hearing may name the person; the times stay.
        await CourtHearing.update(
            {CourtHearing.purpose: "", CourtHearing.result_note: None, CourtHearing.room: None}
        ).where(CourtHearing.case.is_in(case_ids))
        mine = (Reminder.defendant == defendant_id) | Reminder.case.is_in(case_ids)
        await Reminder.update({Reminder.status: "cancelled", Reminder.updated_at: now}).where(
            mine & (Reminder.status == "queued")
        )
        await Reminder.update(
            {Reminder.to_phone: None, Reminder.body: None, Reminder.error_message: None}
        ).where(mine)
        await EvidenceFrame.delete().where(EvidenceFrame.attempt.is_in(_attempts_of(defendant_id)))
        await VerificationAttempt.update(
            {
                VerificationAttempt.client: {},
                VerificationAttempt.client_address: None,
                VerificationAttempt.review_note: None,
                VerificationAttempt.media: None,
            }
        ).where(VerificationAttempt.case.is_in(case_ids))
        await IdentifyAttempt.delete().where(IdentifyAttempt.check_in.is_in(check_in_ids))
        await CheckInSession.delete().where(CheckInSession.check_in.is_in(check_in_ids))
        await LivenessChallenge.delete().where(LivenessChallenge.check_in.is_in(check_in_ids))


async def erase(defendant_id: int) -> None:
    """Delete the person and everything of theirs (their cases cascade to the rest)."""
    async with transaction(immediate=True):
        await RiskSnapshot.delete().where(RiskSnapshot.defendant_id == defendant_id)
        await Reminder.delete().where(Reminder.defendant == defendant_id)
        await BailCase.delete().where(BailCase.defendant == defendant_id)
        await TrustedContact.delete().where(TrustedContact.defendant == defendant_id)
        await Defendant.delete().where(Defendant.id == defendant_id)


# --- legal hold ---------------------------------------------------------------------------


async def set_legal_hold(
    defendant_id: int, reason: str | None, at: datetime | None, by: str | None
) -> None:
    """Set (or, with all three None, lift) the person's legal hold."""
    await Defendant.update(
        {
            Defendant.legal_hold_reason: reason,
            Defendant.legal_hold_at: at,
            Defendant.legal_hold_by: by,
        }
    ).where(Defendant.id == defendant_id)
