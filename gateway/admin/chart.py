"""An SVG chart of hourly counts, one stacked bar per hour, one colour per series: drawn on the server, no script."""
from __future__ import annotations

from datetime import datetime, timedelta
from html import escape

PALETTE = ["#2563eb", "#16a34a", "#dc2626", "#9333ea", "#ea580c", "#0891b2", "#ca8a04", "#db2777", "#4b5563",
           "#65a30d", "#7c3aed", "#0d9488"]


def hourly_bars(counts: list[tuple[datetime, str, int]], start: datetime, hours: int,
                width: int = 960, height: int = 320) -> str:
    """`counts`: (hour, series name, count). A bar per hour from `start`, its series stacked in name order."""
    series: dict[str, list[int]] = {}
    for at, name, count in counts:
        slot = int((at - start) / timedelta(hours=1))
        if 0 <= slot < hours:
            series.setdefault(name, [0] * hours)[slot] += count
    left, right, top, bottom = 56, 200, 16, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = max([sum(column) for column in zip(*series.values())] + [1])
    top_tick = _nice(peak)

    slot_w = plot_w / hours

    def x(slot):
        return left + slot_w * (slot + 0.5)

    def y(value):
        return top + plot_h * (1 - value / top_tick)

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" role="img" '
             f'aria-label="Items per hour per dialect and outcome" class="chart">']
    for i in range(5):
        value = top_tick * i / 4
        parts.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{y(value):.1f}" y2="{y(value):.1f}" '
                     f'stroke="#e5e7eb"/><text x="{left - 6}" y="{y(value) + 4:.1f}" text-anchor="end" '
                     f'font-size="11" fill="#6b7280">{value:g}</text>')
    for slot in range(0, hours, max(hours // 8, 1)):
        label = (start + timedelta(hours=slot)).strftime("%d %b %H:00")
        parts.append(f'<text x="{x(slot):.1f}" y="{height - bottom + 18}" text-anchor="middle" font-size="11" '
                     f'fill="#6b7280">{label}</text>')
    parts.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{top + plot_h}" y2="{top + plot_h}" stroke="#9ca3af"/>')
    names = sorted(series)
    colours = {name: PALETTE[i % len(PALETTE)] for i, name in enumerate(names)}
    for slot in range(hours):
        base = 0
        for name in names:
            value = series[name][slot]
            if value:
                parts.append(f'<rect class="hour-bar" x="{x(slot) - slot_w * 0.4:.1f}" y="{y(base + value):.1f}" '
                             f'width="{slot_w * 0.8:.1f}" height="{y(base) - y(base + value):.1f}" '
                             f'fill="{colours[name]}"><title>{escape(name)}: {value} at '
                             f'{(start + timedelta(hours=slot)).strftime("%d %b %H:00")}</title></rect>')
                base += value
    for index, name in enumerate(names):
        legend_y = top + 14 + index * 18
        parts.append(f'<rect x="{left + plot_w + 16}" y="{legend_y - 9}" width="12" height="12" fill="{colours[name]}"/>'
                     f'<text x="{left + plot_w + 34}" y="{legend_y + 1}" font-size="12" fill="#111827" '
                     f'class="legend">{escape(name)} ({sum(series[name])})</text>')
    if not series:
        parts.append(f'<text x="{left + plot_w / 2}" y="{top + plot_h / 2}" text-anchor="middle" fill="#6b7280">'
                     f'No items in this period</text>')
    parts.append("</svg>")
    return "".join(parts)


def _nice(peak: float) -> float:
    """A round number at or above `peak` for the top of the axis (1, 2, 5 × 10^n)."""
    magnitude = 1
    while magnitude * 10 <= peak:
        magnitude *= 10
    for step in (1, 2, 5, 10):
        if step * magnitude >= peak:
            return step * magnitude
    return 10 * magnitude
