"""Rendering values for people and files: JSON-safe values, CSV cells that cannot run as formulas, and
terminal tables that fit the screen.

Log values are attacker-controlled. In CSV, a cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return is prefixed with a single quote so that spreadsheet programs show it as text instead of
evaluating it (OWASP's CSV-injection advice). In the terminal, control characters are shown escaped so a
log line cannot move the cursor or recolour the screen.
"""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import io
import json
import math
from collections.abc import Iterable, Sequence
from typing import Any

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def json_value(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC).replace(tzinfo=None)
            return value.isoformat() + "Z"
        return value.isoformat()
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="backslashreplace")
    if isinstance(value, (list, tuple)):
        return [json_value(v) for v in value]
    if isinstance(value, dict):
        return {str(k): json_value(v) for k, v in value.items()}
    return str(value)


def text_value(value: Any) -> str:
    """A value as one line of text (blank for NULL); timestamps in ISO 8601 UTC."""
    value = json_value(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def neutralise(cell: str) -> str:
    """A CSV cell that a spreadsheet will not evaluate as a formula."""
    return "'" + cell if cell.startswith(FORMULA_PREFIXES) else cell


def csv_rows(header: Sequence[str], rows: Iterable[Sequence[Any]], numeric: Sequence[bool]) -> Iterable[str]:
    """RFC 4180 lines (CRLF, quotes doubled) with formula neutralisation of text cells."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow([neutralise(h) for h in header])
    yield buffer.getvalue()
    for row in rows:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([text_value(v) if is_number else neutralise(text_value(v)) for v, is_number in zip(row, numeric)])
        yield buffer.getvalue()


def terminal_safe(text: str) -> str:
    return "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii") for ch in text)


def table(header: Sequence[str], rows: Sequence[Sequence[Any]], width: int) -> str:
    """A plain-text table that fits ``width`` columns: long cells are cut with an ellipsis."""
    cells = [[terminal_safe(text_value(v)) for v in row] for row in rows]
    names = [terminal_safe(h) for h in header]
    if not names:
        return ""
    widths = [max([len(n)] + [len(r[i]) for r in cells]) for i, n in enumerate(names)]
    budget = max(width - 3 * (len(names) - 1), len(names) * 4)
    while sum(widths) > budget and max(widths) > 4:
        widest = widths.index(max(widths))
        widths[widest] -= 1
    lines = [_line(names, widths), "  ".join("-" * w for w in widths).replace("  ", "   ")]
    lines[1] = " | ".join("-" * w for w in widths)
    lines += [_line(r, widths) for r in cells]
    return "\n".join(line.rstrip() for line in lines)


def _line(values: Sequence[str], widths: Sequence[int]) -> str:
    return " | ".join(_fit(v, w) for v, w in zip(values, widths))


def _fit(value: str, width: int) -> str:
    if len(value) <= width:
        return value.ljust(width)
    return value[: max(width - 1, 0)] + "…"
