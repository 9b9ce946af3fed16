"""The defendant's check-in page: one server-rendered page, plain JavaScript, no CDN."""

from pathlib import Path

TEMPLATE_DIR = Path(__file__).parent / "templates"
STATIC_DIR = Path(__file__).parent / "static"
