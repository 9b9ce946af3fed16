"""The risk report as a PDF (fpdf2, Thai text shaped by HarfBuzz with a Thai font from Debian's
fonts-thai-tlwg)."""

from __future__ import annotations

import functools
import logging
import subprocess
import unicodedata
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from admin_ui.exports.content import (
    aggregate_header,
    aggregate_values,
    backtest_header,
    backtest_note,
    backtest_values,
    channel_notes,
    channel_rows,
    office_label,
    ranking_columns,
    report_heading,
    score_explanation,
)
from admin_ui.i18n import translations
from admin_ui.labels import labels

TLWG_DIR = Path("/usr/share/fonts/truetype/tlwg")
FONT_PACKAGE = "fonts-thai-tlwg"
PREFERRED_FONTS = ("Loma", "Garuda", "Norasi", "Waree", "Umpush")
"""Regular sans faces first; each is ``<name>.ttf`` with ``<name>-Bold.ttf`` beside it."""


class ThaiFontMissing(RuntimeError):
    """No Thai TrueType font on this machine: PDF exports cannot show Thai."""


@functools.cache
def thai_font() -> tuple[Path, Path]:
    """(regular, bold) TrueType files of a Thai font from fonts-thai-tlwg."""
    for name in PREFERRED_FONTS:
        regular, bold = TLWG_DIR / f"{name}.ttf", TLWG_DIR / f"{name}-Bold.ttf"
        if regular.is_file():
            return regular, bold if bold.is_file() else regular
    try:  # elsewhere (another distribution's layout): ask fontconfig for any Thai TTF
        listed = subprocess.run(
            ["fc-list", ":lang=th:style=Regular", "file"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        listed = ""
    files = sorted(
        Path(line.split(":")[0]) for line in listed.splitlines() if line.strip().endswith(".ttf:")
    )
    if files:
        return files[0], files[0]
    raise ThaiFontMissing(
        f"no Thai TrueType font found (looked in {TLWG_DIR} and fc-list :lang=th): "
        f"install Debian's {FONT_PACKAGE} (apt-get install {FONT_PACKAGE})"
    )


LINE_MM = 4.6
PAD_MM = 1.0
HEADER_FILL = (238, 241, 244)


def _share(value: float | None) -> str:
    return "" if value is None else f"{value:.1%}"


class Measure:
    """Widths and single-line cells, shaping only what is drawn in Thai.

    fpdf2 shapes every string it measures or draws, and runs the bidirectional algorithm over
    it, about a millisecond each in Python. Thai glyph advances are the same shaped or not
    (marks above and below take no width), so widths are measured unshaped and remembered;
    only Thai text is shaped when drawn.
    """

    def __init__(self, pdf: Any) -> None:
        self.pdf = pdf
        self.shaping = True
        self.widths: dict[tuple[str, str, float, str], float] = {}

    def _shape(self, on: bool) -> None:
        if on != self.shaping:
            self.pdf.set_text_shaping(on)
            self.shaping = on

    def width(self, text: str) -> float:
        key = (text, self.pdf.font_style, self.pdf.font_size_pt, self.pdf.font_family)
        if key not in self.widths:
            self._shape(False)
            self.widths[key] = self.pdf.get_string_width(text)
        return self.widths[key]

    def cell(self, width: float, text: str, align: str = "L") -> None:
        self._shape(any("\u0e00" <= ch <= "\u0e7f" for ch in text))
        self.pdf.cell(width, LINE_MM, text, align=align)

    def line(self, text: str) -> None:
        """A line across the page at the cursor, then the cursor to the next line."""
        self._shape(True)
        self.pdf.cell(h=self.pdf.font_size * 1.6, text=text, new_x="LMARGIN", new_y="NEXT")


def fit_lines(m: Measure, text: str, width: float) -> list[str]:
    """``text`` broken into lines no wider than ``width``: at its newlines, then at spaces,
    and a word longer than a line (Thai writes words without spaces) between characters,
    never before a vowel or tone mark written above or below.

    fpdf2's own cells break lines by shaping every prefix of the text again, which for a
    page of Thai explanations takes many seconds; this measures a line that fits once.
    """
    lines: list[str] = []
    for paragraph in text.split("\n"):
        if m.width(paragraph) <= width:
            lines.append(paragraph)
            continue
        line = ""
        for word in paragraph.split(" "):
            candidate = f"{line} {word}" if line else word
            if m.width(candidate) <= width:
                line = candidate
                continue
            if line:
                lines.append(line)
            line = word
            while len(line) > 1 and m.width(line) > width:
                cut = _longest_prefix(m, line, width)
                lines.append(line[:cut])
                line = line[cut:]
        lines.append(line)
    return lines


def _longest_prefix(m: Measure, text: str, width: float) -> int:
    low, high = 1, len(text) - 1  # the longest prefix that fits, by bisection
    while low < high:
        middle = (low + high + 1) // 2
        if m.width(text[:middle]) <= width:
            low = middle
        else:
            high = middle - 1
    cut = low
    while cut > 1 and _thai_mark(text[cut]):
        cut -= 1
    return cut


def _thai_mark(char: str) -> bool:
    # Thai vowels above and below and tone marks are not "combining" to unicodedata.
    return unicodedata.category(char) == "Mn" or char in "\u0e30\u0e32\u0e33\u0e45"


def table(
    m: Measure,
    widths: Sequence[float],
    header: Sequence[str],
    rows: Iterable[Sequence[str]],
    right: Sequence[int] = (),
) -> None:
    """A bordered table that repeats its header on each page; cells wrap and grow."""

    pdf = m.pdf

    def draw(cells: Sequence[str], fill: bool) -> None:
        fitted = [fit_lines(m, c, w - 2 * PAD_MM) for c, w in zip(cells, widths, strict=True)]
        height = max(len(f) for f in fitted) * LINE_MM + 2 * PAD_MM
        if pdf.will_page_break(height):
            pdf.add_page()
            if not fill:
                draw(header, True)
        x, y = pdf.l_margin, pdf.get_y()
        for i, (lines, w) in enumerate(zip(fitted, widths, strict=True)):
            pdf.rect(x, y, w, height, style="DF" if fill else "D")
            for n, line in enumerate(lines):
                pdf.set_xy(x + PAD_MM, y + PAD_MM + n * LINE_MM)
                m.cell(w - 2 * PAD_MM, line, align="R" if i in right else "L")
            x += w
        pdf.set_xy(pdf.l_margin, y + height)

    pdf.set_fill_color(*HEADER_FILL)
    pdf.set_font(style="B")
    draw(header, True)
    pdf.set_font(style="")
    for row in rows:
        draw(row, False)


def thai_document(title: str, orientation: str = "P") -> Measure:
    """A new A4 document with the Thai font (``thai``, regular and bold) and shaping on,
    measured by the returned `Measure` (its ``pdf``)."""
    from fpdf import FPDF

    # fontTools logs each glyph of the font subset at INFO.
    logging.getLogger("fontTools").setLevel(logging.WARNING)
    regular, bold = thai_font()
    pdf = FPDF(orientation=orientation, unit="mm", format="A4")
    pdf.set_title(title)
    pdf.set_creator("bail-checkin")
    pdf.add_font("thai", "", str(regular))
    pdf.add_font("thai", "B", str(bold))
    # HarfBuzz places Thai vowels and tone marks (above/below) where they belong.
    pdf.set_text_shaping(True)
    pdf.set_auto_page_break(auto=True, margin=12)
    pdf.c_margin = 0  # cells are padded by table, which measures what fits
    return Measure(pdf)


def report_pdf(data: dict[str, Any], lang: str) -> bytes:
    """A landscape A4 report: heading, the ranked rows with their reasons, the summary by
    band and by office, and the backtest."""
    _ = translations(lang).gettext
    band = labels(lang).band

    m = thai_document(_("Absconding-risk report"), orientation="L")
    pdf = m.pdf
    pdf.add_page()
    heading = report_heading(data, lang)
    pdf.set_font("thai", "B", 16)
    m.line(heading[0])
    pdf.set_font("thai", "", 10)
    for line in heading[1:]:
        for part in fit_lines(m, line, pdf.epw):
            m.line(part)

    def section(title: str) -> None:
        pdf.ln(3)
        pdf.set_font("thai", "B", 12)
        m.line(title)
        pdf.set_font("thai", "", 9)

    section(_("Ranked by risk"))
    if data["rows"]:
        table(
            m,
            (10, 38, 38, 32, 28, 14, 16, 22, 79),
            ranking_columns(lang)[:8] + [_("Why")],
            (
                [
                    str(row["rank"]),
                    row["name_th"],
                    row["office_th"] if lang == "th" else row["office_en"],
                    row["court"],
                    row["officer"],
                    str(row["score"]),
                    band[row["band"]],
                    f"{row['bail_amount']:,.2f}",
                    score_explanation(row, lang),
                ]
                for row in data["rows"]
            ),
            right=(0, 5, 7),
        )
    else:
        m.line(_("No active cases in this scope"))

    def aggregate(title: str, rows: Sequence[tuple[str, dict[str, Any]]]) -> None:
        section(title)
        table(
            m,
            (70, 18, 18, 18, 18, 20, 24, 24, 32, 32),
            aggregate_header(lang),
            (
                [
                    f"{v:,.2f}" if hasattr(v, "as_tuple") else str(v)
                    for v in aggregate_values(r, label)
                ]
                for label, r in rows
            ),
            right=range(1, 10),
        )

    aggregate(
        _("Active cases"),
        [(_("Total"), data["summary"])] + [(band[b["band"]], b) for b in data["by_band"]],
    )
    if data["by_office"]:
        aggregate(_("By office"), [(office_label(r, lang), r) for r in data["by_office"]])

    channels = data.get("channels")
    if channels:  # only while LINE is on, or when messages of the range went on LINE
        section(_("Messages by channel"))
        for note in channel_notes(channels, lang):
            for part in fit_lines(m, note, pdf.epw):
                m.line(part)
        pdf.ln(2)
        table(
            m,
            (120, 40),
            [_("Channel"), _("Messages")],
            ([label, f"{value:,}"] for label, value in channel_rows(channels, lang)),
            right=(1,),
        )

    backtest = data["backtest"]
    section(_("Backtest on closed cases"))
    closed, absconded, base_rate = _("Closed cases"), _("Absconded"), _("Base rate")
    summary = (
        f"{closed} {backtest['cases']:,} · {absconded} "
        f"{backtest['absconded']:,} · {base_rate} {_share(backtest['base_rate'])}"
    )
    for part in fit_lines(m, backtest_note(lang), pdf.epw) + [summary]:
        m.line(part)
    if backtest["cases"]:
        pdf.ln(2)
        table(
            m,
            (70, 28, 28, 28, 28, 28, 28),
            backtest_header(lang),
            (
                [str(v) for v in values[:5]] + [_share(values[5]), _share(values[6])]
                for values in (backtest_values(b, lang) for b in backtest["bands"])
            ),
            right=range(1, 7),
        )
    return bytes(pdf.output())
