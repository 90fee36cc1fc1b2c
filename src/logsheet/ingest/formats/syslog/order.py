"""The order a responder reads a syslog sheet in: when, where, which program, what happened and to whom, from
where, then the line itself. The web grid opens a sheet in this order (the sheet summary's ``column_order``);
columns not listed keep the reader's order after these."""

from __future__ import annotations

COLUMN_ORDER: tuple[str, ...] = (
    "timestamp",
    "host",
    "program",
    "event",
    "outcome",
    "user",
    "src_ip",
    "message",
)
