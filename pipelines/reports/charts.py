"""Small inline SVG charts for the HTML reports: no JavaScript, no network, text always escaped.

Each function returns one `<svg>` element as a string, sized by its viewBox so it scales with the
page. Every data point carries a `<title>` so hovering shows the exact value.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from html import escape

#: Series colors: colorblind-safe (Okabe-Ito), in order.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
FONT = "font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif"

Fmt = Callable[[float], str]


def plain(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def nice_axis(value: float, max_ticks: int = 5) -> tuple[float, float]:
    """(axis top, tick step) for values from 0 to `value`: the step is 1, 2, 2.5 or 5 x 10^n and
    at least 1, so counts and whole euros never get fractional ticks (62.5), and the top is the
    first step at or above `value` (an empty chart gets 0 and 1, not 0, 0.25, ...)."""
    value = max(float(value), 0.0)
    target = value / max_ticks
    exp = 10.0 ** math.floor(math.log10(target)) if target > 0 else 1.0
    step = 10.0 * exp
    for mult in (1, 2, 2.5, 5, 10):
        if mult * exp >= target and float(mult * exp).is_integer() and mult * exp >= 1:
            step = mult * exp
            break
    return max(math.ceil(value / step), 1) * step, step


def compact(value: float) -> str:
    """A short whole number for axes and cards: 950, 9,999, 23.4k, 234k, 2.33M."""
    size = abs(value)
    if size < 10_000:
        return f"{value:,.0f}"
    if size < 1_000_000:
        return f"{value / 1000:.3g}k"
    return f"{value / 1_000_000:.3g}M"


def money(value: float) -> str:
    """Compact euros: €950, €23.4k, €2.33M (exact values are in the tooltips and CSV files)."""
    return ("−" if value < 0 else "") + "€" + compact(abs(value))


#: Longest bar label shown whole; longer ones end in an ellipsis (the whole name is the tooltip).
LABEL_CHARS = 32


def _fit(text: str, chars: int) -> str:
    return text if len(text) <= chars else text[: chars - 1].rstrip() + "…"


def _short_week(label: str) -> str:
    return label.split("-", 1)[1] if label[:4].isdigit() and "-W" in label else label


def _open(width: int, height: int, title: str) -> list[str]:
    return [
        f"<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 {width} {height}' role='img' "
        f"class='chart' style='{FONT}' aria-label='{escape(title)}'>",
        f"<title>{escape(title)}</title>",
    ]


def _ticks(top: float, step: float) -> list[float]:
    return [step * i for i in range(round(top / step) + 1)]


def _label_room(top: float, step: float, fmt: Fmt) -> int:
    """Left margin wide enough for the longest tick label (about 7 px a character at 11 px)."""
    return 14 + 7 * max(len(fmt(v)) for v in _ticks(top, step))


def _y_axis(
    parts: list[str], axis: tuple[float, float], left: int, right: int, y0: int, y1: int, fmt: Fmt
) -> None:
    top, step = axis
    for value in _ticks(top, step):
        y = y0 - (y0 - y1) * value / top
        parts.append(f"<line x1='{left}' x2='{right}' y1='{y:.1f}' y2='{y:.1f}' stroke='#e5e7eb'/>")
        parts.append(
            f"<text x='{left - 6}' y='{y + 4:.1f}' text-anchor='end' font-size='11' "
            f"fill='#6b7280'>{escape(fmt(value))}</text>"
        )


def _legend(parts: list[str], names: Sequence[str], x: int, y: int) -> None:
    for i, name in enumerate(names):
        color = PALETTE[i % len(PALETTE)]
        xi = x + i * 130
        parts.append(f"<rect x='{xi}' y='{y - 9}' width='10' height='10' rx='2' fill='{color}'/>")
        parts.append(
            f"<text x='{xi + 14}' y='{y}' font-size='11' fill='#374151'>{escape(_fit(name, 18))}</text>"
        )


def line_chart(
    x_labels: Sequence[str],
    series: dict[str, Sequence[float | None]],
    *,
    title: str,
    fmt: Fmt = plain,
    width: int = 640,
    height: int = 240,
) -> str:
    """One line per series over the x labels (weeks); None leaves a gap."""
    values = [v for vals in series.values() for v in vals if v is not None]
    axis = nice_axis(max(values, default=0))
    top = axis[0]
    left, right, top_pad, bottom = _label_room(*axis, fmt), width - 16, 16, height - 44
    n = len(x_labels)
    step = (right - left) / max(n - 1, 1)

    def xy(i: int, v: float) -> tuple[float, float]:
        return left + i * step, bottom - (bottom - top_pad) * v / top

    parts = _open(width, height, title)
    _y_axis(parts, axis, left, right, bottom, top_pad, fmt)
    every = max(1, math.ceil(n / 12))
    for i, label in enumerate(x_labels):
        if i % every == 0 or i == n - 1:
            x = left + i * step
            parts.append(
                f"<text x='{x:.1f}' y='{bottom + 16}' text-anchor='middle' font-size='11' "
                f"fill='#6b7280'>{escape(_short_week(label))}</text>"
            )
    for k, (name, vals) in enumerate(series.items()):
        color = PALETTE[k % len(PALETTE)]
        runs: list[list[tuple[float, float]]] = [[]]
        for i, v in enumerate(vals):
            if v is None:
                runs.append([])
            else:
                runs[-1].append(xy(i, v))
        for run in runs:
            if len(run) > 1:
                points = " ".join(f"{x:.1f},{y:.1f}" for x, y in run)
                parts.append(
                    f"<polyline points='{points}' fill='none' stroke='{color}' stroke-width='2.5' "
                    "stroke-linejoin='round' stroke-linecap='round'/>"
                )
        for i, v in enumerate(vals):
            if v is not None:
                x, y = xy(i, v)
                tip = f"{name}, {x_labels[i]}: {fmt(v)}"
                parts.append(
                    f"<circle cx='{x:.1f}' cy='{y:.1f}' r='3.5' fill='{color}'>"
                    f"<title>{escape(tip)}</title></circle>"
                )
    if len(series) > 1:
        _legend(parts, list(series), left, height - 8)
    parts.append("</svg>")
    return "".join(parts)


def stacked_bar_chart(
    x_labels: Sequence[str],
    series: dict[str, Sequence[float]],
    *,
    title: str,
    fmt: Fmt = plain,
    width: int = 640,
    height: int = 240,
) -> str:
    """Vertical bars per x label, stacked by series (e.g. unmet events by outcome per week)."""
    n = len(x_labels)
    totals = [sum(vals[i] or 0 for vals in series.values()) for i in range(n)]
    axis = nice_axis(max(totals, default=0))
    top = axis[0]
    left, right, top_pad, bottom = _label_room(*axis, fmt), width - 16, 16, height - 44
    slot = (right - left) / max(n, 1)
    bar = min(40.0, slot * 0.7)
    parts = _open(width, height, title)
    _y_axis(parts, axis, left, right, bottom, top_pad, fmt)
    for i, label in enumerate(x_labels):
        x = left + i * slot + (slot - bar) / 2
        y = float(bottom)
        for k, (name, vals) in enumerate(series.items()):
            v = vals[i] or 0
            h = (bottom - top_pad) * v / top
            if h > 0:
                y -= h
                tip = f"{label}, {name}: {fmt(v)}"
                parts.append(
                    f"<rect x='{x:.1f}' y='{y:.1f}' width='{bar:.1f}' height='{h:.1f}' "
                    f"fill='{PALETTE[k % len(PALETTE)]}'><title>{escape(tip)}</title></rect>"
                )
        parts.append(
            f"<text x='{x + bar / 2:.1f}' y='{bottom + 16}' text-anchor='middle' font-size='11' "
            f"fill='#6b7280'>{escape(_short_week(label))}</text>"
        )
    _legend(parts, list(series), left, height - 8)
    parts.append("</svg>")
    return "".join(parts)


def hbar_chart(
    items: Sequence[tuple[str, float]],
    *,
    title: str,
    fmt: Fmt = plain,
    width: int = 640,
    bar_height: int = 22,
    highlight: str | None = None,
) -> str:
    """Horizontal bars, one per (label, value), in the order given (e.g. stores by lost revenue)."""
    pad = 8
    names = [_fit(name, LABEL_CHARS) for name, _ in items]
    label_w = 16 + 7 * max((len(n) for n in names), default=4)
    height = pad * 2 + bar_height * max(len(items), 1)
    right = width - 16 - 7 * max((len(fmt(v)) for _, v in items), default=4)
    top = max((v for _, v in items), default=0) or 1
    parts = _open(width, height, title)
    for i, ((name, v), shown) in enumerate(zip(items, names, strict=True)):
        y = pad + i * bar_height
        w = (right - label_w) * v / top
        color = PALETTE[5] if highlight is not None and name == highlight else PALETTE[0]
        parts.append(
            f"<text x='{label_w - 8}' y='{y + bar_height * 0.68:.1f}' text-anchor='end' "
            f"font-size='12' fill='#374151'>{escape(shown)}<title>{escape(name)}</title></text>"
        )
        parts.append(
            f"<rect x='{label_w}' y='{y + 3}' width='{max(w, 1):.1f}' height='{bar_height - 6}' "
            f"rx='3' fill='{color}'><title>{escape(f'{name}: {fmt(v)}')}</title></rect>"
        )
        parts.append(
            f"<text x='{label_w + w + 6:.1f}' y='{y + bar_height * 0.68:.1f}' font-size='12' "
            f"fill='#111827'>{escape(fmt(v))}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)
