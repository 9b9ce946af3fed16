"""The defendant's check-in page: one server-rendered page, plain JavaScript, no CDN."""

from pathlib import Path

TEMPLATE_DIR = Path(__file__).parent / "templates"
STATIC_DIR = Path(__file__).parent / "static"
LOCALE_DIR = Path(__file__).parent / "locale"
"""The page's own catalog (docs/translating.md): words for the person on bail, kept apart from
the officers' pages' catalog."""
