"""A report's charts: Vega-Lite specifications (the ones the web UI draws: the timeline's histogram stacked by
sheet, web/src/sheet/histogram.ts, and a bar chart) rendered offline to SVG by ``vl-convert-python`` (it embeds
its own JavaScript engine and Vega; no network, no browser).

Vega writes every data value as SVG text, escaped (``&lt;script&gt;``); :func:`checked_svg` refuses an SVG that
could reach outside or run anything (a script, a foreign object, an event handler, a link or ``url()`` to
anything but the document itself), so the SVG is safe to inline in the HTML report.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from logsheet.core.errors import LogsheetError

if TYPE_CHECKING:
    from logsheet.report.build import FindingLine


@dataclass(frozen=True)
class Stacked:
    """The case's timeline histogram (``Workspace.timeline_histogram``) as plain values: the buckets' bounds,
    each sheet's count in every bucket, the bucket's width and the rows in all."""

    buckets: tuple[tuple[datetime, datetime], ...]
    by_sheet: dict[str, list[int]]
    interval_seconds: int
    total: int


#: One colour per sheet of a stacked histogram (web/src/sheet/histogram.ts's SHEET_COLOURS).
SHEET_COLOURS = ("#4c78a8", "#f58518", "#54a24b", "#e45756", "#72b7b2", "#b279a2", "#eeca3b", "#9d755d", "#bab0ac", "#ff9da6")
LEVELS = ("critical", "high", "medium", "low", "informational")
LEVEL_COLOURS = ("#7b1fa2", "#d32f2f", "#f57c00", "#fbc02d", "#90a4ae")
MAX_LABEL = 60
TIME_AXIS = {"title": "time (UTC)", "labelOverlap": "greedy", "format": "%Y-%m-%d %H:%M"}

_UNSAFE = re.compile(r"<\s*(script|foreignObject|iframe|object|embed|image|use)\b|\son\w+\s*=|javascript:", re.IGNORECASE)
_LINK = re.compile(r"""(?:href\s*=\s*["']([^"']*)["']|url\(\s*["']?([^)"']*))""", re.IGNORECASE)


@dataclass(frozen=True)
class Chart:
    title: str
    description: str  # what it shows, in words (the image's alternative text)
    svg: str


def label(value: object) -> str:
    """A value as a chart label: one line, at most MAX_LABEL characters (web/src/charts/vega.ts's ``label``)."""
    text = "(blank)" if value is None or value == "" else " ".join(str(value).split())
    return text if len(text) <= MAX_LABEL else f"{text[: MAX_LABEL - 1]}…"


def timeline_spec(histogram: Stacked) -> dict[str, Any]:
    """The timeline's histogram stacked by sheet, as the timeline page draws it (with a legend of its own)."""
    sheets = list(histogram.by_sheet)
    values = []
    for i, (start, end) in enumerate(histogram.buckets):
        below = 0
        for sheet in sheets:
            count = histogram.by_sheet[sheet][i] if i < len(histogram.by_sheet[sheet]) else 0
            below += count
            values.append(
                {
                    "start": start.isoformat(),
                    "end": end.isoformat(),
                    "count": count,
                    "low": below - count,
                    "high": below,
                    "sheet": label(sheet),
                }
            )
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "width": 720,
        "height": 160,
        "background": "white",
        "data": {"values": values},
        "mark": {"type": "rect"},
        "encoding": {
            "x": {"field": "start", "type": "temporal", "scale": {"type": "utc"}, "axis": TIME_AXIS},
            "x2": {"field": "end"},
            "y": {"field": "high", "type": "quantitative", "axis": {"title": "rows", "tickCount": 4, "tickMinStep": 1}},
            "y2": {"field": "low"},
            "color": {
                "field": "sheet",
                "type": "nominal",
                "scale": {"domain": [label(s) for s in sheets], "range": [SHEET_COLOURS[i % len(SHEET_COLOURS)] for i in range(len(sheets))]},  # noqa: E501
                "legend": {"title": "sheet", "orient": "bottom"},
            },
        },
        "config": {"view": {"stroke": None}, "axis": {"labelFontSize": 10}},
    }  # fmt: skip


def levels_spec(findings: Sequence[FindingLine]) -> dict[str, Any]:
    """The findings by level, the most severe first: a bar per level, its length the number of findings."""
    counts = Counter(f.level for f in findings)
    levels = [lv for lv in LEVELS if counts[lv]] + sorted(lv for lv in counts if lv not in LEVELS)
    values = [{"level": label(lv), "findings": counts[lv]} for lv in levels]
    colours = [LEVEL_COLOURS[LEVELS.index(lv)] if lv in LEVELS else "#607d8b" for lv in levels]
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "width": 360,
        "height": {"step": 22},
        "background": "white",
        "data": {"values": values},
        "mark": {"type": "bar"},
        "encoding": {
            "y": {"field": "level", "type": "nominal", "sort": [v["level"] for v in values], "axis": {"title": None}},
            "x": {"field": "findings", "type": "quantitative", "axis": {"title": "findings", "tickMinStep": 1}},
            "color": {
                "field": "level",
                "type": "nominal",
                "scale": {"domain": [v["level"] for v in values], "range": colours},
                "legend": None,
            },
        },
        "config": {"view": {"stroke": None}},
    }


def render_svg(spec: dict[str, Any]) -> str:
    """The spec drawn to SVG by vl-convert (offline), checked safe to inline."""
    try:
        import vl_convert
    except ImportError as exc:  # a dependency of logsheet: only a broken install lacks it
        raise LogsheetError("the report's charts need the package vl-convert-python (pip install vl-convert-python)") from exc
    return checked_svg(vl_convert.vegalite_to_svg(spec))


def checked_svg(svg: str) -> str:
    """``svg`` when it can neither run anything nor reach outside the document, else LogsheetError."""
    found = _UNSAFE.search(svg)
    if found:
        raise LogsheetError(f"the chart's SVG holds {found.group(0)!r}: refused")
    for match in _LINK.finditer(svg):
        target = (match.group(1) or match.group(2) or "").strip()
        if target and not target.startswith("#"):
            raise LogsheetError(f"the chart's SVG refers to {target!r} outside itself: refused")
    svg = re.sub(r"^\s*<\?xml[^>]*\?>\s*", "", svg)
    return svg


def case_charts(histogram: Stacked | None, findings: Sequence[FindingLine]) -> tuple[Chart, ...]:
    """The report's charts: the case's events over time stacked by sheet, and its findings by level."""
    out = []
    if histogram is not None and histogram.buckets:
        interval = histogram.interval_seconds
        out.append(
            Chart(
                "Events over time, by sheet",
                f"{histogram.total:,} rows of the case's timeline in buckets of {interval:,} s, stacked by sheet",
                render_svg(timeline_spec(histogram)),
            )
        )
    if findings:
        out.append(Chart("Findings by level", f"{len(findings):,} findings by level", render_svg(levels_spec(findings))))
    return tuple(out)
