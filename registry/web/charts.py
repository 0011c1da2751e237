"""Charts for the pages, drawn here as inline SVG: horizontal bars (the credit factors) and
columns by year (a region's year-over-year figures).

Drawn by hand, not with pygal (the maintained server-side SVG library): pygal's SVG always
carries an inline ``<script>`` (its tooltip configuration, even with ``js=[]``), a
``<style>`` element keyed to a random chart id, and ``style`` attributes. The pages' strict
Content-Security-Policy (no script, one stylesheet allowed by its hash) would block all
three, and stripping them means editing another library's output. Two chart shapes of a few
dozen lines each, made of presentation attributes only, need no exemption.

Every chart is an ``<svg role="img">`` named by its ``<title>`` and described, value by
value, by its ``<desc>``, so a screen reader hears the numbers the picture shows.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

from registry.web.page import text

__all__ = ["Bar", "YearPoint", "bar_chart", "column_chart", "growth_words"]

_WIDTH = 360
_INK = "#1a1a1a"
_BAR = "#0b3d91"
_TRACK = "#e3e3e3"
# About as wide as "+100.0%" at the charts' type size: narrower columns stagger their labels.
_GROWTH_LABEL_WIDTH = 48
_ids = itertools.count(1)


@dataclass(frozen=True, slots=True)
class Bar:
    """One bar: its label in both languages, its length (0..maximum, None: no data), and
    what to write after the label (e.g. the points it adds)."""

    label_zh: str
    label_en: str
    value: float | None
    note: str = ""


@dataclass(frozen=True, slots=True)
class YearPoint:
    """One year's figure; ``growth`` is the change on the year before (0.12 for +12 %),
    None for the first year or when the year before was 0."""

    year: int
    value: int
    growth: float | None = None


def growth_words(growth: float | None) -> str:
    """+12.0 %, a minus sign and 3.5 %, or an em dash."""
    if growth is None:
        return "—"
    sign = "+" if growth >= 0 else "\N{MINUS SIGN}"
    return f"{sign}{abs(growth) * 100:.1f}%"


def _open(chart_id: str, height: int, title: str, description: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="{chart_id}" role="img" '
        f'viewBox="0 0 {_WIDTH} {height}" width="100%" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" font-family="sans-serif" '
        f'font-size="12" fill="{_INK}">'
        f'<title id="{chart_id}-title">{text(title)}</title>'
        f'<desc id="{chart_id}-desc">{text(description)}</desc>'
    )


def bar_chart(bars: Sequence[Bar], *, title_zh: str, title_en: str, maximum: float = 100.0) -> str:
    """One bar per row under its label, on a grey track as long as ``maximum``."""
    chart_id = f"chart-{next(_ids)}"
    row = 38
    height = row * len(bars) + 4
    described = "; ".join(
        f"{b.label_zh} {b.label_en}: {'—' if b.value is None else f'{round(b.value, 1):g}'}"
        f"{' ' + b.note if b.note else ''}"
        for b in bars
    )
    parts = [_open(chart_id, height, f"{title_zh} {title_en}", described)]
    for index, bar in enumerate(bars):
        top = index * row
        value = 0.0 if bar.value is None else max(0.0, min(bar.value, maximum))
        length = round(_WIDTH * value / maximum, 1) if maximum > 0 else 0.0
        shown = "—" if bar.value is None else f"{round(bar.value, 1):g}"
        parts.append(
            f'<text x="0" y="{top + 13}">{text(bar.label_zh)} '
            f'<tspan fill="#444">{text(bar.label_en)}</tspan> · {text(shown)}'
            f"{' · ' + text(bar.note) if bar.note else ''}</text>"
            f'<rect x="0" y="{top + 19}" width="{_WIDTH}" height="12" fill="{_TRACK}"/>'
            f'<rect class="bar" x="0" y="{top + 19}" width="{length}" height="12" '
            f'fill="{_BAR}"/>'
        )
    parts.append("</svg>")
    return "".join(parts)


def column_chart(points: Sequence[YearPoint], *, title_zh: str, title_en: str) -> str:
    """One column per year, its value above it and its growth on the year before below the
    year; the tallest column fills the height. Where the columns are too narrow for their
    growth labels side by side, every other label drops a line."""
    chart_id = f"chart-{next(_ids)}"
    slot = _WIDTH / max(len(points), 1)
    crowded = slot < _GROWTH_LABEL_WIDTH
    height, top, base = (234 if crowded else 220), 24, 180
    tallest = max((p.value for p in points), default=0) or 1
    width = round(min(slot * 0.6, 56), 1)
    described = "; ".join(f"{p.year}: {p.value} ({growth_words(p.growth)})" for p in points)
    parts = [_open(chart_id, height, f"{title_zh} {title_en}", described)]
    parts.append(f'<line x1="0" y1="{base}" x2="{_WIDTH}" y2="{base}" stroke="#767676"/>')
    for index, point in enumerate(points):
        centre = round(slot * index + slot / 2, 1)
        column = round((base - top) * point.value / tallest, 1)
        parts.append(
            f'<rect class="column" x="{round(centre - width / 2, 1)}" y="{base - column}" '
            f'width="{width}" height="{column}" fill="{_BAR}"/>'
            f'<text x="{centre}" y="{round(base - column - 6, 1)}" text-anchor="middle">'
            f"{point.value:,}</text>"
            f'<text x="{centre}" y="{base + 16}" text-anchor="middle">{point.year}</text>'
            f'<text x="{centre}" y="{base + 32 + (14 if crowded and index % 2 else 0)}" '
            'text-anchor="middle" fill="#444">'
            f"{text(growth_words(point.growth))}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)
