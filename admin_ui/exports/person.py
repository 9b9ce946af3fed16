"""A person's whole record as a readable PDF (portrait A4, Thai by default) and, with the
JSON beside it, as the one ZIP an officer hands over on a data subject's request.

It shows what `reporting_api.services.subject_rights.export_record` returns, section by
section, in the page's words (admin_ui/locale): profile, face template, cases and plans,
check-ins, recordings, messages, flags, identification tries, the photos, and what the
record leaves out.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import AsyncIterator, Sequence
from typing import TYPE_CHECKING, Any, BinaryIO

import msgspec

from admin_ui.exports.pdf import Measure, fit_lines, table, thai_document
from admin_ui.i18n import N_, translations
from admin_ui.labels import labels
from admin_ui.web import date_text, datetime_text

if TYPE_CHECKING:
    from reporting_api.services.subject_record import ExportImage, SubjectRecord

IMAGE_MM = 45.0
"""The width each photo is drawn at."""
LEFT_OUT = (
    N_("check-in link codes: live credentials, not facts about the person"),
    N_("uploaded recordings: never kept, each is dropped when its verdict is stored"),
    N_("evidence frames and identification records past EVIDENCE_RETENTION_DAYS: already purged"),
    N_("the audit log of who read the record: kept for the fund's accountability, on request"),
    N_(
        "the contents of files attached to requests: listed under each request (name, type, "
        "size, SHA-256); the files themselves are in the officers' ZIP export, folder "
        "attachments/"
    ),
)
"""The record's `not_included` reasons (`subject_record.NOT_INCLUDED`), marked for the
catalog: the PDF shows them in its language."""


def person_zip(record: SubjectRecord, lang: str, out: BinaryIO) -> None:
    """``person-<id>/record.json`` (as the JSON API gives it) and ``record.pdf``, written to
    ``out``; `add_file` then adds each attached file beside them."""
    folder = f"person-{record.person.id}"
    data = msgspec.json.encode(record)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{folder}/record.json", json.dumps(json.loads(data), indent=1))
        archive.writestr(f"{folder}/record.pdf", person_pdf(record, lang))


async def add_file(
    out: BinaryIO, record: SubjectRecord, path: str, content: AsyncIterator[bytes]
) -> None:
    """One attached file into the ZIP ``person_zip`` wrote, a chunk at a time (stored as is:
    photos, PDFs and videos are compressed already)."""
    with zipfile.ZipFile(out, "a") as archive:
        name = f"person-{record.person.id}/{path}"
        with archive.open(zipfile.ZipInfo(name), "w", force_zip64=True) as entry:
            async for block in content:
                entry.write(block)


def person_pdf(record: SubjectRecord, lang: str) -> bytes:
    catalog = translations(lang)
    _, pgettext = catalog.gettext, catalog.pgettext
    words = labels(lang)
    person = record.person

    def day(value: Any) -> str:
        return date_text(lang, value)

    def instant(value: Any) -> str:
        return datetime_text(lang, value)

    m = thai_document(_("Personal data record"))
    pdf = m.pdf
    pdf.add_page()
    pdf.set_font("thai", "B", 16)
    m.line(_("Personal data record"))
    pdf.set_font("thai", "B", 13)
    m.line(f"{person.title_th}{person.first_name_th} {person.last_name_th}".strip())
    pdf.set_font("thai", "", 10)
    m.line(
        _("Produced %(time)s by %(name)s")
        % {"time": instant(record.produced_at), "name": record.produced_by}
    )

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

    def pairs(items: list[tuple[str, str]]) -> None:
        table(m, (55, pdf.epw - 55), (_("Kind"), _("Detail")), [list(i) for i in items])

    section(_("Profile"))
    hold = person.legal_hold
    pairs(
        [
            (_("Name (Thai)"), f"{person.title_th}{person.first_name_th} {person.last_name_th}"),
            (_("Name (English)"), f"{person.first_name_en or ''} {person.last_name_en or ''}"),
            (_("National ID"), person.national_id),
            (_("Date of birth"), day(person.date_of_birth)),
            (_("Mobile"), person.phone),
            (_("Message language"), words.language.get(person.preferred_language, "")),
            (_("SMS reminders"), _("Off (no reminders sent)") if person.sms_opt_out else _("On")),
            (_("Office"), person.office_th if lang == "th" else person.office_en),
            (_("Consent (PDPA)"), f"{instant(person.consent_at)} · {person.consent_version}"),
            (_("Enrolled"), instant(person.enrolled_at)),
            (
                _("Legal hold"),
                f"{instant(hold.since)} · {hold.set_by or ''} · {hold.reason}" if hold else "—",
            ),
            (_("Anonymised"), instant(person.anonymised_at) or "—"),
        ]
    )
    face = record.face_template
    if face is not None:
        section(_("Face template"))
        quality = ", ".join(f"{k} {v}" for k, v in sorted(face.quality.items()))
        pairs(
            [
                (_("Encoded"), instant(face.encoded_at)),
                (_("Face quality"), quality),
                (
                    _("Face template"),
                    _("%(n)s numbers, in record.json") % {"n": len(face.encoding)},
                ),
            ]
        )

    section(_("Cases and reporting plans"))
    for case in record.cases:
        plan = case.plan
        plan_text = "—"
        if plan is not None:
            kind = (
                _("Every %(n)s days") % {"n": plan.every_days}
                if plan.kind == "interval"
                else _("On set dates")
            )
            plan_text = f"{kind} · {_('Period')} {day(plan.start_date)} – {day(plan.end_date)}"
        pairs(
            [
                (_("Court"), case.court),
                (_("Black case number"), case.black_case_number),
                (_("Red case number"), case.red_case_number or "—"),
                (_("Charge"), case.charge),
                (_("Bail amount (THB)"), f"{case.bail_amount:,.2f}"),
                (_("Released"), day(case.release_date)),
                (_("Conditions"), case.conditions or "—"),
                (_("Next court date"), day(case.next_court_date) or "—"),
                (_("Status"), words.case_status.get(case.status, case.status)),
                (_("Closed"), f"{instant(case.closed_at)} {case.closing_outcome or ''}".strip()),
                (_("Reporting plan"), plan_text),
            ]
        )
        pdf.ln(2)
    if not record.cases:
        m.line(_("Nothing here"))

    section(_("Check-ins"))
    rows(
        (_("Due"), _("Status"), _("Method"), _("Completed"), _("Note")),
        (30, 30, 32, 38, pdf.epw - 130),
        [
            [
                day(c.due_date),
                words.check_in_status.get(c.status, c.status),
                words.check_in_method.get(c.method or "", ""),
                instant(c.completed_at),
                c.note or "",
            ]
            for c in record.check_ins
        ],
    )

    section(_("Remote verification"))
    rows(
        (_("Received"), _("Machine decision"), _("Reasons"), _("Reviewed"), _("Device / browser")),
        (30, 28, 50, 40, pdf.epw - 148),
        [
            [
                instant(a.created_at),
                words.machine_decision.get(a.decision or "", a.decision or ""),
                ", ".join(r.get(lang, r.get("en", "")) for r in a.reasons),
                " · ".join(
                    x
                    for x in (
                        instant(a.reviewed_at),
                        words.review_decision.get(a.review_decision or "", ""),
                        a.review_note or "",
                    )
                    if x
                ),
                " · ".join(
                    str(x)
                    for x in (
                        a.client.get("user_agent"),
                        a.client_address,
                        a.client.get("location"),
                    )
                    if x
                ),
            ]
            for a in record.attempts
        ],
    )

    section(_("Messages"))
    rows(
        (_("Sent"), _("Kind"), _("Status"), _("To"), _("Text sent")),
        (30, 30, 22, 30, pdf.epw - 112),
        [
            [
                instant(msg.sent_at or msg.due_at),
                words.reminder_kind(msg.kind),
                words.sms_status.get(msg.status, msg.status),
                (
                    _("To staff")
                    if msg.recipient == "staff"
                    else "LINE"
                    if msg.channel == "line"
                    else msg.to_phone or _("To the person")
                ),
                msg.body or "",
            ]
            for msg in record.messages
        ],
    )

    section(_("Flags"))
    rows(
        (_("Raised"), _("Kind"), _("Severity"), _("Detail")),
        (30, 40, 20, pdf.epw - 90),
        [
            [
                instant(f.raised_at),
                words.flag_kind.get(f.kind, f.kind),
                words.severity.get(f.severity, f.severity),
                "\n".join(
                    x
                    for x in (
                        f.detail,
                        f.acknowledge_note
                        and f"{pgettext('flag history', 'Acknowledged')}: {f.acknowledge_note}",
                        f.resolution_note
                        and f"{pgettext('flag history', 'Resolved')}: {f.resolution_note}",
                    )
                    if x
                ),
            ]
            for f in record.flags
        ],
    )

    section(_("Requests to the officer"))
    rows(
        (_("Sent"), _("Kind"), _("Status"), _("In the person's words"), _("Files")),
        (28, 30, 28, pdf.epw - 136, 50),
        [
            [
                instant(r.created_at),
                words.request_kind.get(r.kind, r.kind),
                words.request_status.get(r.status, r.status),
                "\n".join(x for x in (r.text, r.outcome_note) if x),
                "\n".join(f"{a.name} ({(a.kind or '').upper()}, {a.file})" for a in r.attachments),
            ]
            for r in record.requests
        ],
    )

    section(_("Trusted contact"))
    contact = record.trusted_contact
    if contact is None:
        m.line(_("Nothing here"))
    else:
        pairs(
            [
                (_("Name"), contact.name),
                (_("Relationship"), words.contact_relationship.get(contact.relationship, "")),
                (_("Mobile"), contact.phone),
                (
                    _("Consent"),
                    f"{contact.consent_version} · {instant(contact.consented_at)}"
                    + (
                        f" · {_('withdrawn')} {instant(contact.withdrawn_at)}"
                        if contact.withdrawn_at
                        else ""
                    ),
                ),
            ]
        )

    section(_("LINE account"))
    line = record.line_account
    if line is None:
        m.line(_("Nothing here"))
    else:
        pairs([(_("LINE user id"), line.user_id), (_("Linked"), instant(line.linked_at))])

    section(_("Answers to reminders"))
    rows(
        (_("Received"), _("Check-in date"), _("Answer")),
        (40, 40, pdf.epw - 80),
        [
            [instant(a.at), day(a.due_date), _("Will come as planned") + f" ({a.via})"]
            for a in record.answers
        ],
    )

    section(_("Identification tries"))
    rows(
        (_("Received"), _("Status"), _("Client address")),
        (40, 40, pdf.epw - 80),
        [
            [
                instant(i.at),
                _("Right answer") if i.ok else _("Wrong answer"),
                i.client_address or "",
            ]
            for i in record.identification_tries
        ],
    )

    section(_("Photos"))
    if record.images:
        for picture in record.images:
            _draw(m, picture)
    else:
        m.line(_("Nothing here"))

    section(_("Not in this record"))
    for reason in record.not_included:
        for part in fit_lines(m, _(reason), pdf.epw):
            m.line(part)
    return bytes(pdf.output())


def _draw(m: Measure, picture: ExportImage) -> None:
    """One photo at `IMAGE_MM` wide with its name beneath, on a new page if it does not fit."""
    pdf = m.pdf
    width = IMAGE_MM
    height = width * (picture.height or 1) / (picture.width or 1)
    if pdf.will_page_break(height + 8):
        pdf.add_page()
    pdf.image(io.BytesIO(picture.data), w=width, h=height)
    m.line(picture.name)
