"""A person's reporting history as a PDF for a court: Thai, Buddhist-era dates in Bangkok
time, each case with every check-in and how it was done, the hearings and the flags with
their outcomes. Nothing biometric: the record it prints has no photo, template or score."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from admin_ui.exports.pdf import table, thai_document
from admin_ui.i18n import translations
from admin_ui.labels import labels
from admin_ui.web import date_text, datetime_text

if TYPE_CHECKING:
    from reporting_api.services.court_record import CourtRecord

LANG = "th"
"""The court reads Thai; the PDF is Thai whatever the page's language."""


def court_pdf(record: CourtRecord) -> bytes:
    catalog = translations(LANG)
    _ = catalog.gettext

    pgettext = catalog.pgettext  # the table headings in their own context ("court record")

    words = labels(LANG)
    person = record.person
    from datetime import date

    def day(value: Any) -> str:
        return date_text(LANG, value)

    def instant(value: Any) -> str:
        return datetime_text(LANG, value)

    m = thai_document(_("Reporting history for the court"))
    pdf = m.pdf
    pdf.add_page()
    pdf.set_font("thai", "B", 16)
    m.line(_("Reporting history for the court"))
    pdf.set_font("thai", "B", 13)
    m.line(person.name_th + (f" ({person.name_en})" if person.name_en else ""))
    pdf.set_font("thai", "", 10)
    m.line(
        f"{_('National ID')} {person.national_id_masked} · {_('Date of birth')} "
        f"{day(date.fromisoformat(person.date_of_birth))} · {person.office_th}"
    )
    m.line(
        _("Produced %(time)s by %(name)s")
        % {"time": instant(record.produced_at), "name": record.produced_by}
    )
    m.line(_("No photo, face template, recording or score is included."))

    def section(title: str) -> None:
        pdf.ln(3)
        pdf.set_font("thai", "B", 12)
        m.line(title)
        pdf.set_font("thai", "", 9)

    def rows(header: Sequence[str], widths: Sequence[float], body: list[list[str]]) -> None:
        if body:
            table(m, widths, header, body)
        else:
            m.line(_("Nothing here"))

    for case in record.cases:
        section(
            pgettext("court record", "Case")
            + f" {case.black_case_number}"
            + (f" / {case.red_case_number}" if case.red_case_number else "")
            + f" · {case.court}"
        )
        plan = case.plan
        plan_text = "—"
        if plan is not None:
            kind = (
                _("Every %(n)s days") % {"n": plan.every_days}
                if plan.kind == "interval"
                else _("On set dates")
            )
            plan_text = f"{kind} · {day(plan.start_date)} – {day(plan.end_date)}"
        status = words.case_status.get(case.status, case.status)
        if case.closed_at:
            status += f" ({instant(case.closed_at)}: {case.closing_outcome or ''})"
        table(
            m,
            (45, pdf.epw - 45),
            (pgettext("court record", "Kind"), pgettext("court record", "Detail")),
            [
                [pgettext("court record", "Charge"), case.charge],
                [pgettext("court record", "Released"), day(case.release_date)],
                [pgettext("court record", "Conditions"), case.conditions or "—"],
                [pgettext("court record", "Reporting plan"), plan_text],
                [pgettext("court record", "Status"), status],
            ],
        )
        pdf.ln(2)
        pdf.set_font("thai", "B", 10)
        m.line(pgettext("court record", "Check-ins"))
        pdf.set_font("thai", "", 9)
        check_ins = sorted(
            (c for c in record.check_ins if c.case == case.id), key=lambda c: c.due_date
        )
        rows(
            (
                pgettext("court record", "Due"),
                pgettext("court record", "Status"),
                pgettext("court record", "How"),
                pgettext("court record", "When"),
                pgettext("court record", "Note"),
            ),
            (28, 30, 34, 34, pdf.epw - 126),
            [
                [
                    day(c.due_date),
                    words.check_in_status.get(c.status, c.status),
                    words.check_in_method.get(c.method or "", "—"),
                    instant(c.completed_at) or "—",
                    c.note or "",
                ]
                for c in check_ins
            ],
        )
        pdf.ln(2)
        pdf.set_font("thai", "B", 10)
        m.line(pgettext("court record", "Court hearings"))
        pdf.set_font("thai", "", 9)
        hearings = sorted(
            (h for h in record.hearings if h.case == case.id and h.cancelled_at is None),
            key=lambda h: h.starts_at,
        )
        rows(
            (
                pgettext("court record", "When"),
                pgettext("court record", "Court"),
                pgettext("court record", "Purpose"),
                pgettext("court record", "Result"),
            ),
            (34, 50, 50, pdf.epw - 134),
            [
                [
                    instant(h.starts_at),
                    h.court + (f" · {_('Room')} {h.room}" if h.room else ""),
                    h.purpose or "",
                    (words.hearing_result.get(h.result, h.result) if h.result else "—")
                    + (f": {h.result_note}" if h.result_note else ""),
                ]
                for h in hearings
            ],
        )
        pdf.ln(2)
        pdf.set_font("thai", "B", 10)
        m.line(pgettext("court record", "Flags"))
        pdf.set_font("thai", "", 9)
        flags = sorted((f for f in record.flags if f.case == case.id), key=lambda f: f.raised_at)
        rows(
            (pgettext("court record", "Raised"), pgettext("court record", "Kind"), pgettext("court record", "Severity"), pgettext("court record", "Outcome")),
            (34, 45, 20, pdf.epw - 99),
            [[instant(f.raised_at), words.flag_kind.get(f.kind, f.kind),
              words.severity.get(f.severity, f.severity), _outcome(f, instant, _, pgettext)]
             for f in flags],
        )  # fmt: skip
    return bytes(pdf.output())


def _outcome(flag: Any, instant: Any, _: Any, pgettext: Any) -> str:
    if flag.resolved_at:
        state = labels(LANG).flag_state["resolved"]
        return f"{state} {instant(flag.resolved_at)}: {flag.resolution_note or ''}"
    if flag.acknowledged_at:
        state = labels(LANG).flag_state["acknowledged"]
        return f"{state} {instant(flag.acknowledged_at)}: {flag.acknowledge_note or ''}"
    return pgettext("court record", "Open")
