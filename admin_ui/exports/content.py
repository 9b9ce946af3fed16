"""What the Excel and PDF exports both show, in the page's language: the heading, the ranking's
columns and explanations, the rows of the aggregates and of the backtest."""

from __future__ import annotations

from typing import Any

from admin_ui.i18n import translations
from admin_ui.labels import labels
from admin_ui.web import date_text, datetime_text


def _office(data: dict[str, Any], lang: str) -> str:
    office_id = data["filters"].office_id
    if office_id is None:
        return translations(lang).gettext("All offices")
    for o in data["offices"]:
        if o["id"] == office_id:
            return o["name_th"] if lang == "th" else o["name_en"]
    return str(office_id)


def report_heading(data: dict[str, Any], lang: str) -> list[str]:
    catalog = translations(lang)
    _, pgettext = catalog.gettext, catalog.pgettext
    f = data["filters"]
    office, as_of = _("Office"), _("As of")
    date_from, date_to = pgettext("date range", "From"), pgettext("date range", "To")
    page_of = _("Page %(page)s of %(pages)s · %(total)s cases")
    return [
        _("Absconding-risk report"),
        f"{office}: {_office(data, lang)}",
        f"{date_from} {date_text(lang, f.date_from)} {date_to} {date_text(lang, f.date_to)}",
        f"{as_of} {datetime_text(lang, data['as_of'])}",
        page_of % {"page": f.page, "pages": data["pages"], "total": data["total"]},
        _(
            "The score is a starting point for ordering officers' attention, not a validated "
            "model; it never justifies any action against a person by itself."
        ),
    ]


def score_explanation(row: dict[str, Any], lang: str) -> str:
    if not row["factors"]:
        return translations(lang).gettext("No risk factors")
    return "\n".join(
        f"+{f.points} {f.explanation_th if lang == 'th' else f.explanation_en}"
        for f in row["factors"]
    )


def ranking_columns(lang: str) -> list[str]:
    _ = translations(lang).gettext
    return [
        _("#"),
        _("Name"),
        _("Office"),
        _("Court"),
        _("Officer"),
        _("Score"),
        _("Band"),
        _("Bail (THB)"),
        _("Next court date"),
        _("Why"),
    ]


def office_label(row: dict[str, Any], lang: str) -> str:
    return row["label_th"] if lang == "th" else row["label_en"]


def aggregate_header(lang: str) -> list[str]:
    catalog = translations(lang)
    _, pgettext = catalog.gettext, catalog.pgettext
    band = labels(lang).band
    return [
        _("Group"),
        _("Cases"),
        band["high"],
        band["medium"],
        band["low"],
        _("Average score"),
        _("Missed (180 days)"),
        pgettext("report column", "Phone unreachable"),
        _("Bail (THB)"),
        _("Bail, high risk"),
    ]


def aggregate_values(row: dict[str, Any], label: str) -> list[Any]:
    return [
        label,
        row["cases"],
        row["high"],
        row["medium"],
        row["low"],
        row["average"],
        row["missed"],
        row["unreachable"],
        row["bail"],
        row["bail_high"],
    ]


def backtest_header(lang: str) -> list[str]:
    _ = translations(lang).gettext
    return [
        _("Threshold: this band or above"),
        _("Cases in band"),
        _("Absconded (in band)"),
        _("At or above"),
        _("Absconded (at or above)"),
        _("Precision"),
        _("Recall"),
    ]


def backtest_values(b: dict[str, Any], lang: str) -> list[Any]:
    from_points = translations(lang).gettext("from %(n)s points") % {"n": b["from"]}
    return [
        f"{labels(lang).band[b['band']]} ({from_points})",
        b["cases"],
        b["absconded"],
        b["flagged"],
        b["flagged_absconded"],
        b["precision"],
        b["recall"],
    ]


def backtest_note(lang: str) -> str:
    return translations(lang).gettext(
        "Cases closed in the date range as absconded or concluded, each scored with its facts "
        "as of the day it closed. Precision: of the cases at or above the threshold, the share "
        "that absconded; recall: of all who absconded, the share at or above it."
    )


def channel_rows(channels: dict[str, Any], lang: str) -> list[tuple[str, int]]:
    """Messages by channel (issue 17) as (label, number) rows, as the page's table shows
    them."""
    _ = translations(lang).gettext
    return [
        (_("Sent by SMS"), channels["sms"]),
        (
            _("of which fell back from LINE: LINE refused the message"),
            channels["fell_back_refused"],
        ),
        (
            _("of which fell back from LINE: the month's LINE quota was used up"),
            channels["fell_back_quota"],
        ),
        (_("Sent on LINE"), channels["line"]),
        (_("SMS segments saved"), channels["segments_saved"]),
    ]


def channel_notes(channels: dict[str, Any], lang: str) -> list[str]:
    """What the messages-by-channel figures count, and what the segments saved leave out."""
    _ = translations(lang).gettext
    notes = [
        _(
            "Messages to released persons sent in the date range (read live). SMS segments "
            "saved: what the messages sent on LINE would have cost as SMS."
        )
    ]
    if channels["line_without_text"]:
        notes.append(
            _(
                "%(n)s messages sent on LINE are not in the segments saved: their text was "
                "emptied after the message retention period."
            )
            % {"n": f"{channels['line_without_text']:,}"}
        )
    return notes
