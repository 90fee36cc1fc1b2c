"""How a report writes values: times in UTC, numbers with separators, anything else as one line of text.
Escaping is the renderers' (:mod:`logsheet.report.html`, :mod:`logsheet.report.markdown`): this only turns a
value into the text to escape."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

MAX_CELL = 300  # characters of a table cell; the rest is cut with an ellipsis


def when(value: datetime | str | None) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        return value
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def number(value: int) -> str:
    return f"{value:,}"


def cell(value: Any, limit: int = MAX_CELL) -> str:
    """A table cell's text: one line (newlines become spaces), cut at ``limit`` characters."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        text = when(value)
    elif isinstance(value, (dict, list, tuple)):
        text = json.dumps(value, default=str, ensure_ascii=False)
    elif isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, int):
        text = str(value)
    else:
        text = str(value)
    text = " ".join(text.split())
    return text if len(text) <= limit else f"{text[: limit - 1]}…"


def entities(values: dict[str, list[str]], per_kind: int = 5) -> str:
    """``ip: 1.2.3.4, 5.6.7.8; user: root`` (the first ``per_kind`` of each kind, and how many more)."""
    parts = []
    for kind, found in values.items():
        shown = ", ".join(cell(v, 120) for v in found[:per_kind])
        more = f" (+{len(found) - per_kind} more)" if len(found) > per_kind else ""
        parts.append(f"{kind}: {shown}{more}")
    return "; ".join(parts)


def group(values: dict[str, Any]) -> str:
    """A correlation window's group key: ``src_ip=1.2.3.4, user=root`` (empty for a finding of one rule)."""
    return ", ".join(f"{k}={cell(v, 120)}" for k, v in values.items())
