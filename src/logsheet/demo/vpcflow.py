"""VPC flow logs in the default version-2 format (one space-separated text file with its header line), and the
same records as NDJSON with AWS's field names, numbers as numbers, times as ISO 8601 and ``-`` as null."""

from __future__ import annotations

import json
import random
from pathlib import Path

from logsheet.demo.clock import iso_z
from logsheet.demo.ssh_plan import Connection
from logsheet.demo.vf_traffic import Filler, FlowRow, attacker_api_rows, ssh_rows, status_rows
from logsheet.demo.world import ACCOUNT_ID

FIELDS = (
    "version", "account-id", "interface-id", "srcaddr", "dstaddr", "srcport", "dstport", "protocol",
    "packets", "bytes", "start", "end", "action", "log-status",
)  # fmt: skip
HEADER = " ".join(FIELDS)
VPCFLOW_ROWS = 120_000
NODATA_ROWS = 9
SKIPDATA_ROWS = 3


def flow_rows(plan: list[Connection], rng: random.Random) -> list[FlowRow]:
    """Exactly ``VPCFLOW_ROWS`` records in order of their start."""
    rows = ssh_rows(plan, rng) + attacker_api_rows(rng) + status_rows(rng, NODATA_ROWS, SKIPDATA_ROWS)
    rows += Filler(rng).rows(VPCFLOW_ROWS - len(rows))
    rows.sort(key=lambda row: row.start)
    return rows


def write_vpcflow(text_path: Path, rows_path: Path, rows: list[FlowRow]) -> None:
    with (
        text_path.open("w", encoding="utf-8", newline="\n") as text,
        rows_path.open("w", encoding="utf-8", newline="\n") as ndjson,
    ):
        text.write(HEADER + "\n")
        for row in rows:
            text.write(" ".join("-" if value is None else str(value) for value in (2, ACCOUNT_ID, *row)) + "\n")
            ndjson.write(json.dumps(_json_row(row), separators=(",", ":")) + "\n")


def _json_row(row: FlowRow) -> dict[str, object]:
    values = (2, ACCOUNT_ID, *row[:8], iso_z(row.start), iso_z(row.end), row.action, row.status)
    return dict(zip(FIELDS, values, strict=True))
