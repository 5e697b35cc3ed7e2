"""Static SVG line charts, drawn directly: readable without JavaScript, fast to lay out.

An edition holds 33 and more reports with a chart per measure, so charts are plain SVG
written here (a few dozen elements, about a millisecond each) rather than rendered through
a charting library; WeasyPrint also lays simple SVG out much faster. A council's line and
Scotland's differ in dash and marker shape as well as colour, and a legend names them, so
nothing rests on colour alone. Suppressed or missing points break the line rather than
being bridged. The figure's caption and the table beside it carry the meaning, so the
drawing is hidden from screen readers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from html import escape

WIDTH, HEIGHT = 480, 165
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 44, 26
FONT = 'font-family="DejaVu Sans, sans-serif" font-size="11" fill="#222"'


@dataclass(frozen=True)
class Line:
    name: str
    points: list[tuple[str, float | None]]  # (period, value); None where not published


# Both colours reach WCAG AA contrast on white; dash and marker tell them apart without colour.
STYLES = (
    {"colour": "#1d4f91", "dash": "", "marker": "circle"},
    {"colour": "#5c5c5c", "dash": ' stroke-dasharray="6 3"', "marker": "square"},
)


def nice_ticks(low: float, high: float, count: int = 4) -> list[float]:
    """Round tick values covering [low, high]: steps of 1, 2, 2.5 or 5 times a power of ten."""
    if high == low:
        pad = abs(high) * 0.1 or 1.0
        low, high = low - pad, high + pad
    raw = (high - low) / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    start = math.floor(low / step) * step
    ticks = [start]
    while ticks[-1] < high - 1e-9:
        ticks.append(ticks[-1] + step)
    return [round(t, 10) for t in ticks]


def _label(value: float, step: float) -> str:
    decimals = 0 if step >= 1 else max(0, -math.floor(math.log10(step)) + (1 if step * 10 % 1 else 0))
    return f"{value:,.{decimals}f}"


def _marker(kind: str, x: float, y: float, colour: str) -> str:
    if kind == "circle":
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{colour}"/>'
    return f'<rect x="{x - 3.5:.1f}" y="{y - 3.5:.1f}" width="7" height="7" fill="{colour}"/>'


def trend_svg(lines: list[Line], unit: str) -> str:
    """Up to two lines over the same periods (the first is the report's place)."""
    periods = list(dict.fromkeys(p for line in lines for p, _ in line.points))
    values = [v for line in lines for _, v in line.points if v is not None]
    ticks = nice_ticks(min(values), max(values))
    low, high = ticks[0], ticks[-1]
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    gap = plot_w / max(len(periods), 1)

    def x(period: str) -> float:
        return LEFT + gap * (periods.index(period) + 0.5)

    def y(value: float) -> float:
        return TOP + plot_h * (1 - (value - low) / (high - low))

    parts = [f'<text x="{LEFT - 56}" y="{TOP - 12}" {FONT}>{escape(unit)}</text>']
    step = ticks[1] - ticks[0] if len(ticks) > 1 else 1
    for t in ticks:
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(t):.1f}" y2="{y(t):.1f}" stroke="#d9d9d9"/>')
        parts.append(f'<text x="{LEFT - 6}" y="{y(t) + 4:.1f}" text-anchor="end" {FONT}>{_label(t, step)}</text>')
    for p in periods:
        parts.append(f'<text x="{x(p):.1f}" y="{HEIGHT - 8}" text-anchor="middle" {FONT}>{escape(p)}</text>')
    for line, style in zip(lines, STYLES):
        segment: list[str] = []
        segments = [segment]
        for p, v in line.points:
            if v is None:
                segment = []
                segments.append(segment)
            else:
                segment.append(f"{x(p):.1f},{y(v):.1f}")
                parts.append(_marker(style["marker"], x(p), y(v), style["colour"]))
        for s in segments:
            if len(s) > 1:
                parts.append(f'<polyline points="{" ".join(s)}" fill="none" stroke="{style["colour"]}" stroke-width="2.5"{style["dash"]}/>')
    if len(lines) > 1:
        for i, (line, style) in enumerate(zip(lines, STYLES)):
            lx = LEFT - 56 + i * 200
            parts.append(f'<line x1="{lx}" x2="{lx + 24}" y1="10" y2="10" stroke="{style["colour"]}" stroke-width="2.5"{style["dash"]}/>')
            parts.append(_marker(style["marker"], lx + 12, 10, style["colour"]))
            parts.append(f'<text x="{lx + 30}" y="14" {FONT}>{escape(line.name)}</text>')
    body = "".join(parts)
    return f'<svg xmlns="http://www.w3.org/2000/svg" aria-hidden="true" focusable="false" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}">{body}</svg>'
