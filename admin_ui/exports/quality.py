"""The verification quality report's tables, for the page and both exports (Excel, PDF), so
all three show the same rows in the same words, "too few to say" included."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from admin_ui.exports.pdf import fit_lines, table, thai_document
from admin_ui.exports.xlsx import neutralise_formulas
from admin_ui.i18n import translations
from admin_ui.labels import labels
from admin_ui.web import date_text
from liveness.pair_stats import Rate
from reporting_api import verification_quality as q
from reporting_api.services.quality import Group, QualityReport

Cell = str | int


@dataclass(frozen=True)
class Table:
    key: str
    title: str
    header: list[str]
    rows: list[list[Cell]]
    warned: list[bool]


def _pct(value: float) -> str:
    return f"{100 * value:.1f}%"


def rate_text(rate: Rate, lang: str) -> str:
    """``4.1% (2.3–7.2%) 9/220``, or "too few to say (3/12)"."""
    if not q.enough(rate):
        return translations(lang).gettext("too few to say (%(k)s/%(n)s)") % {
            "k": rate.k,
            "n": rate.n,
        }
    low, high = rate.interval
    return f"{_pct(rate.k / rate.n)} ({_pct(low)}–{_pct(high)}) {rate.k:,}/{rate.n:,}"


def share_text(count: int, of: int, lang: str) -> str:
    """``120 (54.5%)``, without the share when there are too few recordings."""
    if of < q.MIN_GROUP:
        return f"{count:,}"
    return f"{count:,} ({_pct(count / of)})"


def header(lang: str, first: str) -> list[str]:
    _ = translations(lang).gettext
    return [
        first,
        _("Remote recordings"),
        _("Machine verified"),
        _("Sent to review"),
        _("Rejected"),
        _("Reviewed by an officer"),
        _("Officers overturned"),
        _("False rejections (of recordings known to show the person)"),
        _("False acceptances"),
        _("Median match distance"),
    ]


def row_of(label: str, t: q.Tally, lang: str) -> list[Cell]:
    median = t.median_distance
    return [
        label,
        t.attempts,
        share_text(t.verified, t.attempts, lang),
        share_text(t.review, t.attempts, lang),
        share_text(t.rejected, t.attempts, lang),
        t.reviewed,
        rate_text(t.overturn, lang),
        rate_text(t.false_rejection, lang),
        t.false_acceptances,
        "–" if median is None or t.attempts < q.MIN_GROUP else f"{median:.3f}",
    ]


def _label(kind: str, key: str, lang: str, offices: dict[int, Any]) -> str:
    catalog = translations(lang)
    _ = catalog.gettext
    sexes = {"male": _("Male"), "female": _("Female"), "not_stated": _("Not stated")}
    if kind == "age_sex":
        age, sex = key.split("|")
        return f"{age} · {sexes.get(sex, sex)}"
    if kind == "office":
        office = offices.get(int(key))
        if office is None:
            return key
        return office["name_th"] if lang == "th" else office["name_en"]
    return labels(lang).phone_type.get(key, key)


def tables(report: QualityReport, lang: str, offices: dict[int, Any]) -> list[Table]:
    """The four tables: by age group and sex, by office, by phone type, by month."""
    _ = translations(lang).gettext

    def group_table(key: str, title: str, first: str, groups: list[Group]) -> Table:
        return Table(
            key,
            title,
            header(lang, first),
            [row_of(_label(key, g.key, lang, offices), g.tally, lang) for g in groups],
            [g.standout is not None and g.standout.significant for g in groups],
        )

    month_rows = [row_of(month_label(lang, m), t, lang) for m, t in report.months]
    return [
        group_table("age_sex", _("By age group and sex"), _("Age group · sex"), report.by_age_sex),
        group_table("office", _("By office"), _("Office"), report.by_office),
        group_table("phone", _("By phone type"), _("Phone"), report.by_phone),
        Table(
            "month",
            _("By month"),
            header(lang, _("Month")),
            month_rows,
            [False] * len(month_rows),
        ),
    ]


def month_label(lang: str, month: str) -> str:
    from reporting_api.thai_dates import ENGLISH_MONTHS_ABBR, THAI_MONTHS_ABBR

    year, number = int(month[:4]), int(month[5:7])
    if lang == "th":
        return f"{THAI_MONTHS_ABBR[number - 1]} {year + 543}"
    return f"{ENGLISH_MONTHS_ABBR[number - 1]} {year}"


def warning_lines(report: QualityReport, lang: str, offices: dict[int, Any]) -> list[str]:
    """One sentence per group whose false rejections stand out, with the test's figures."""
    _ = translations(lang).gettext
    kinds = {id(g): k for k, gs in _kinds(report) for g in gs}
    out = []
    for g in report.warnings:
        assert g.standout is not None
        out.append(
            _(
                "%(group)s: false rejections %(rate)s against %(rest)s for everyone else "
                "(one-sided p = %(p)s, significant after Holm's correction)"
            )
            % {
                "group": _label(kinds[id(g)], g.key, lang, offices),
                "rate": rate_text(g.standout.group, lang),
                "rest": rate_text(g.standout.rest, lang),
                "p": f"{g.standout.p_value:.2g}",
            }
        )
    return out


def _kinds(report: QualityReport) -> list[tuple[str, list[Group]]]:
    return [
        ("age_sex", report.by_age_sex),
        ("office", report.by_office),
        ("phone", report.by_phone),
    ]


def heading(report: QualityReport, lang: str, offices: dict[int, Any]) -> list[str]:
    catalog = translations(lang)
    _, pgettext = catalog.gettext, catalog.pgettext
    f = report.filters
    office = (
        _("All offices")
        if f.office_id is None
        else _label("office", str(f.office_id), lang, offices)
    )
    return [
        _("Verification quality"),
        f"{_('Office')}: {office}",
        f"{pgettext('date range', 'From')} {date_text(lang, f.date_from)} "
        f"{pgettext('date range', 'To')} {date_text(lang, f.date_to)}",
        method_note(lang),
    ]


def method_note(lang: str) -> str:
    _ = translations(lang).gettext
    return _(
        "An officer's decision is the ground truth: a recording the machine rejected or sent to "
        "review that an officer accepted is a false rejection; one the machine verified that an "
        "officer marked as someone else is a false acceptance. Intervals are Wilson 95%%; under "
        "%(min)s recordings a rate is too few to say. A group is flagged when its false-rejection "
        "rate is above everyone else's by a one-sided two-proportion z-test with Holm's "
        "correction over the groups tested (family-wise 5%%)."
    ) % {"min": q.MIN_GROUP}


def quality_xlsx(report: QualityReport, lang: str, offices: dict[int, Any]) -> bytes:
    """One sheet per table, the heading and the warnings on the first."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    _ = translations(lang).gettext
    book = Workbook()
    bold = Font(bold=True)
    first = book.active
    assert first is not None
    first.title = _("Summary")[:31]
    for line in heading(report, lang, offices):
        first.append([line])
    first.append([])
    first.append([_("Groups flagged")])
    for line in warning_lines(report, lang, offices) or [_("None")]:
        first.append([line])
    for t in tables(report, lang, offices):
        sheet = book.create_sheet(t.title[:31])
        sheet.append(t.header + [_("Flagged")])
        for cell in sheet[1]:
            cell.font = bold
        for row, warned in zip(t.rows, t.warned, strict=True):
            sheet.append([*row, _("yes") if warned else ""])
    neutralise_formulas(book)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def quality_pdf(report: QualityReport, lang: str, offices: dict[int, Any]) -> bytes:
    """A landscape A4 document: the heading, the warnings, then each table."""
    _ = translations(lang).gettext
    m = thai_document(_("Verification quality"), orientation="L")
    pdf = m.pdf
    pdf.add_page()
    lines = heading(report, lang, offices)
    pdf.set_font("thai", "B", 16)
    m.line(lines[0])
    pdf.set_font("thai", "", 10)
    for line in lines[1:] + (warning_lines(report, lang, offices) or [_("No group flagged")]):
        for part in fit_lines(m, line, pdf.epw):
            m.line(part)
    for t in tables(report, lang, offices):
        pdf.ln(3)
        pdf.set_font("thai", "B", 12)
        m.line(t.title)
        pdf.set_font("thai", "", 8)
        table(
            m,
            (36, 18, 24, 24, 24, 18, 36, 44, 18, 18),
            t.header,
            ([f"{c:,}" if isinstance(c, int) else c for c in row] for row in t.rows),
            right=(1, 5, 8, 9),
        )
    return bytes(pdf.output())
