"""Charts drawn on the server as inline SVG: no JavaScript, readable when printed.

Each chart is an ``<svg role="img">`` with a ``<title>`` and ``<desc>`` for screen readers, a
``<title>`` on every mark (shown on hover), and the page puts the same numbers in a table
beside it. Colours are CSS classes (admin.css), so they follow the page's palette.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

_ids = itertools.count(1)

STYLE = (
    "<style>"
    ".chart text{font:11px 'Noto Sans Thai','Loma','Garuda',sans-serif;fill:#5b6470}"
    ".chart text.value,.chart text.legend{fill:#1b1f24}"
    ".chart .grid{stroke:#d7dce2;stroke-width:1}"
    ".chart polyline.series{fill:none;stroke-width:2}"
    ".chart .on_time{stroke:#1d6b2f;fill:#1d6b2f}"
    ".chart .late{stroke:#8a5a00;fill:#8a5a00}"
    ".chart .missed,.chart .band-high{stroke:#b3261e;fill:#b3261e}"
    ".chart .excused{stroke:#5b6470;fill:#5b6470}"
    ".chart .band-medium{stroke:#c77c00;fill:#c77c00}"
    ".chart .band-low{stroke:#1d6b2f;fill:#1d6b2f}"
    ".chart .bar{fill:#0b5cad}"
    ".chart polyline.series{fill:none}"
    "</style>"
)
"""The charts' colours, inside each SVG so a chart looks the same wherever it is pasted."""


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float | None]
    css: str


def _open(width: int, height: int, title: str, desc: str, css: str) -> tuple[str, str]:
    n = next(_ids)
    head = (
        f'<svg class="chart {css}" viewBox="0 0 {width} {height}" width="100%" role="img" '
        f'aria-labelledby="chart{n}-title chart{n}-desc" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="chart{n}-title">{escape(title)}</title>'
        f'<desc id="chart{n}-desc">{escape(desc)}</desc>{STYLE}'
    )
    return head, "</svg>"


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def line_chart(
    title: str,
    desc: str,
    labels: Sequence[str],
    series: Sequence[Series],
    *,
    y_max: float = 1.0,
    y_format: Callable[[float], str] = lambda v: f"{v:.0%}",
    width: int = 720,
    height: int = 260,
) -> Markup:
    """Lines over categories (months): one polyline per series; None leaves a gap."""
    left, right, top, bottom = 48, 36, 12, 56
    plot_w, plot_h = width - left - right, height - top - bottom
    head, tail = _open(width, height, title, desc, "line")
    parts = [head]
    for i in range(5):  # grid and y labels at 0, 25, 50, 75, 100 %
        value = y_max * i / 4
        y = top + plot_h - plot_h * i / 4
        parts.append(
            f'<line class="grid" x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}"/>'
            f'<text class="axis" x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">'
            f"{escape(y_format(value))}</text>"
        )
    count = len(labels)
    step = plot_w / max(count - 1, 1)

    def x_of(i: int) -> float:
        return left + (step * i if count > 1 else plot_w / 2)

    every = max(1, (count + 11) // 12)  # at most about 12 labels on the axis
    for i, label in enumerate(labels):
        if i % every == 0:
            parts.append(
                f'<text class="axis" x="{x_of(i):.1f}" y="{height - bottom + 18}" '
                f'text-anchor="middle">{escape(label)}</text>'
            )
    for s in series:
        runs: list[list[tuple[int, float, float]]] = [[]]  # (index, y, value), split at gaps
        for i, v in enumerate(s.values):
            if v is None:
                runs.append([])
                continue
            y = top + plot_h - plot_h * min(max(v / y_max, 0.0), 1.0)
            runs[-1].append((i, y, v))
        for run in runs:
            if len(run) > 1:
                points = " ".join(f"{x_of(i):.1f},{y:.1f}" for i, y, _ in run)
                parts.append(f'<polyline class="series {s.css}" points="{points}"/>')
            for i, y, v in run:
                parts.append(
                    f'<circle class="series {s.css}" cx="{x_of(i):.1f}" cy="{y:.1f}" r="3">'
                    f"<title>{escape(s.name)} {escape(labels[i])}: {escape(y_format(v))}</title>"
                    "</circle>"
                )
    legend_x = left
    for s in series:
        parts.append(
            f'<rect class="series {s.css}" x="{legend_x}" y="{height - 20}" width="12" '
            f'height="12"/><text class="legend" x="{legend_x + 16}" y="{height - 10}">'
            f"{escape(s.name)}</text>"
        )
        legend_x += 16 + 9 * len(s.name) + 24
    parts.append(tail)
    return Markup("".join(parts))


def bar_chart(
    title: str,
    desc: str,
    labels: Sequence[str],
    values: Sequence[float],
    *,
    value_format: Callable[[float], str] = lambda v: f"{v:,.0f}",
    css: Sequence[str] | None = None,
    width: int = 720,
    bar_height: int = 22,
    label_width: int = 240,
) -> Markup:
    """Horizontal bars, one per label, longest first as given; a value printed at each."""
    gap, top = 6, 4
    height = top * 2 + len(labels) * (bar_height + gap)
    plot_w = width - label_width - 90
    top_value = max(values, default=0) or 1
    head, tail = _open(width, max(height, bar_height + 2 * top), title, desc, "bar")
    parts = [head]
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        y = top + i * (bar_height + gap)
        w = plot_w * max(value, 0) / top_value
        cls = css[i] if css else "bar"
        text = f"{label}: {value_format(value)}"
        parts.append(
            f'<text class="axis" x="{label_width - 8}" y="{y + bar_height * 0.7:.1f}" '
            f'text-anchor="end">{escape(_clip(label, 34))}</text>'
            f'<rect class="series {cls}" x="{label_width}" y="{y}" width="{w:.1f}" '
            f'height="{bar_height}"><title>{escape(text)}</title></rect>'
            f'<text class="value" x="{label_width + w + 6:.1f}" y="{y + bar_height * 0.7:.1f}">'
            f"{escape(value_format(value))}</text>"
        )
    parts.append(tail)
    return Markup("".join(parts))


def calibration_chart(
    title: str,
    desc: str,
    series: Sequence[tuple[Series, Sequence[float]]],
    *,
    axis_predicted: str,
    axis_observed: str,
    width: int = 420,
    height: int = 380,
) -> Markup:
    """Predicted chance (x) against the observed share (y), one polyline per score
    (``(Series of observed shares, the predicted chances)``), over the diagonal where a
    calibrated score lies. Both axes run to the largest value shown."""
    left, right, top, bottom = 52, 16, 12, 74
    plot_w, plot_h = width - left - right, height - top - bottom
    top_value = max(
        [v for s, xs in series for v in (*xs, *(y for y in s.values if y is not None))],
        default=0.0,
    )
    top_value = max(0.01, min(1.0, top_value * 1.1))

    def x_of(v: float) -> float:
        return left + plot_w * min(max(v / top_value, 0.0), 1.0)

    def y_of(v: float) -> float:
        return top + plot_h - plot_h * min(max(v / top_value, 0.0), 1.0)

    head, tail = _open(width, height, title, desc, "calibration")
    parts = [head]
    for i in range(5):
        value = top_value * i / 4
        parts.append(
            f'<line class="grid" x1="{left}" x2="{width - right}" y1="{y_of(value):.1f}" '
            f'y2="{y_of(value):.1f}"/><text class="axis" x="{left - 6}" '
            f'y="{y_of(value) + 4:.1f}" text-anchor="end">{value:.0%}</text>'
            f'<text class="axis" x="{x_of(value):.1f}" y="{top + plot_h + 16}" '
            f'text-anchor="middle">{value:.0%}</text>'
        )
    parts.append(
        f'<line class="grid" x1="{x_of(0):.1f}" y1="{y_of(0):.1f}" x2="{x_of(top_value):.1f}" '
        f'y2="{y_of(top_value):.1f}" stroke-dasharray="4 3"/>'
        f'<text class="axis" x="{left + plot_w / 2:.1f}" y="{top + plot_h + 34}" '
        f'text-anchor="middle">{escape(axis_predicted)}</text>'
        f'<text class="axis" x="12" y="{top + plot_h / 2:.1f}" text-anchor="middle" '
        f'transform="rotate(-90 12 {top + plot_h / 2:.1f})">{escape(axis_observed)}</text>'
    )
    for s, xs in series:
        marks = [(x, y) for x, y in zip(xs, s.values, strict=True) if y is not None]
        if len(marks) > 1:
            points = " ".join(f"{x_of(x):.1f},{y_of(y):.1f}" for x, y in marks)
            parts.append(f'<polyline class="series {s.css}" points="{points}"/>')
        for x, y in marks:
            parts.append(
                f'<circle class="series {s.css}" cx="{x_of(x):.1f}" cy="{y_of(y):.1f}" r="3">'
                f"<title>{escape(s.name)}: {x:.1%} → {y:.1%}</title></circle>"
            )
    legend_x = left
    for s, _ in series:
        parts.append(
            f'<rect class="series {s.css}" x="{legend_x}" y="{height - 20}" width="12" '
            f'height="12"/><text class="legend" x="{legend_x + 16}" y="{height - 10}">'
            f"{escape(s.name)}</text>"
        )
        legend_x += 16 + 9 * len(s.name) + 24
    parts.append(tail)
    return Markup("".join(parts))
