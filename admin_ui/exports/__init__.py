"""The risk report as an Excel workbook (openpyxl) and a PDF (fpdf2, Thai text shaped by
HarfBuzz with a Thai font from Debian's fonts-thai-tlwg).

Both take the dictionary reporting_api.services.reports.risk_report returns and the page's
language, and take their words from the same catalog as the page (admin_ui/locale), so they
show the same rows in the same words.

``content`` holds what both show (headings, columns, explanations, the aggregate and backtest
rows); ``xlsx`` and ``pdf`` build the files.
"""

from __future__ import annotations

from admin_ui.exports.pdf import ThaiFontMissing, report_pdf, thai_font
from admin_ui.exports.xlsx import report_xlsx

__all__ = ["ThaiFontMissing", "report_pdf", "report_xlsx", "thai_font"]
