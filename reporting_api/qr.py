"""QR codes drawn here, as inline SVG (`segno`): nothing is fetched from outside."""

from __future__ import annotations

import segno


def svg_inline(text: str, scale: int = 4) -> str:
    """The QR code of ``text`` as an `<svg>` element to put in a page."""
    return str(segno.make(text, error="m").svg_inline(scale=scale, dark="#000", light="#fff"))
