"""The order a responder reads a VPC flow sheet in: when, who talked to whom on which ports, allowed or not,
how much; then the rest (version, account, interface...). The web grid opens a sheet in this order (the sheet
summary's ``column_order``); columns not listed keep the file's order after these."""

from __future__ import annotations

COLUMN_ORDER: tuple[str, ...] = (
    "start",
    "srcaddr",
    "srcport",
    "dstaddr",
    "dstport",
    "protocol",
    "action",
    "bytes",
    "packets",
    "protocol_name",  # after the counts: the number is enough to read, and the action must stay in view
    "end",
    "interface-id",
    "log-status",
)
