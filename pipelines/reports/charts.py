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


def nice_max(value: float) -> float:
    """A round axis maximum at or above `value` (1, 2, 2.5, 5 x 10^n)."""
    if value <= 0:
        return 1.0
    exp = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * exp:
            return step * exp
    return 10 * exp  # pragma: no cover


def _short_week(label: str) -> str:
    return label.split("-", 1)[1] if label[:4].isdigit() and "-W" in label else label


def _open(width: int, height: int, title: str) -> list[str]:
    return [
        f"<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 {width} {height}' role='img' "
        f"class='chart' style='{FONT}' aria-label='{escape(title)}'>",
        f"<title>{escape(title)}</title>",
    ]


def _y_axis(
    parts: list[str], top: float, left: int, right: int, y0: int, y1: int, fmt: Fmt
) -> None:
    for i in range(5):
        value = top * i / 4
        y = y0 - (y0 - y1) * i / 4
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
            f"<text x='{xi + 14}' y='{y}' font-size='11' fill='#374151'>{escape(name[:18])}</text>"
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
    left, right, top_pad, bottom = 64, width - 16, 16, height - 44
    values = [v for vals in series.values() for v in vals if v is not None]
    top = nice_max(max(values, default=0))
    n = len(x_labels)
    step = (right - left) / max(n - 1, 1)

    def xy(i: int, v: float) -> tuple[float, float]:
        return left + i * step, bottom - (bottom - top_pad) * v / top

    parts = _open(width, height, title)
    _y_axis(parts, top, left, right, bottom, top_pad, fmt)
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
    left, right, top_pad, bottom = 64, width - 16, 16, height - 44
    n = len(x_labels)
    totals = [sum(vals[i] or 0 for vals in series.values()) for i in range(n)]
    top = nice_max(max(totals, default=0))
    slot = (right - left) / max(n, 1)
    bar = min(40.0, slot * 0.7)
    parts = _open(width, height, title)
    _y_axis(parts, top, left, right, bottom, top_pad, fmt)
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
    label_w, pad = 170, 8
    height = pad * 2 + bar_height * max(len(items), 1)
    right = width - 90
    top = max((v for _, v in items), default=0) or 1
    parts = _open(width, height, title)
    for i, (name, v) in enumerate(items):
        y = pad + i * bar_height
        w = (right - label_w) * v / top
        color = PALETTE[5] if highlight is not None and name == highlight else PALETTE[0]
        parts.append(
            f"<text x='{label_w - 8}' y='{y + bar_height * 0.68:.1f}' text-anchor='end' "
            f"font-size='12' fill='#374151'>{escape(name[:26])}</text>"
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
