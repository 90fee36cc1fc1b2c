"""Each format that knows its columns has a preferred order (``ingest.formats.COLUMN_ORDERS``, shown as the
sheet summary's ``column_order`` and used by the web grid as its default): every column in it is one the
format's reader really produces, so the order is never a list of wishes."""

from __future__ import annotations

from pathlib import Path

import pytest

from fixtures import ct_record, write_gz_json
from logsheet.ingest.formats import COLUMN_ORDERS
from logsheet.workspace import Workspace

VPC_HEADER = "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status"
VPC_LINES = [
    "2 123456789012 eni-0a1b2c3d 10.0.0.5 123.214.118.119 443 51234 6 10 840 1647961200 1647961260 ACCEPT OK",
    "2 123456789012 eni-0a1b2c3d 123.214.118.119 10.0.0.5 51234 22 6 3 180 1647961100 1647961160 REJECT OK",
]
SECURE_LINES = [
    "Mar 22 15:48:02 web-1 sshd[4242]: Failed password for root from 123.214.118.119 port 50022 ssh2",
    "Mar 22 15:48:09 web-1 sshd[4242]: Accepted password for root from 123.214.118.119 port 50022 ssh2",
    "Mar 22 15:49:00 web-1 CRON[5000]: pam_unix(cron:session): session opened for user root by (uid=0)",
]


def _write(fmt: str, folder: Path) -> tuple[Path, dict[str, object]]:
    if fmt == "cloudtrail":
        return write_gz_json(folder / "ct.json.gz", {"Records": [ct_record(i) for i in range(5)]}), {}
    if fmt == "vpcflow":
        path = folder / "flow.log"
        path.write_text("\n".join([VPC_HEADER, *VPC_LINES]) + "\n")
        return path, {}
    path = folder / "secure"
    path.write_text("\n".join(SECURE_LINES) + "\n")
    return path, {"year": 2022}


@pytest.mark.parametrize("fmt", sorted(COLUMN_ORDERS))
def test_every_preferred_column_is_one_the_reader_produces(ws: Workspace, inputs: Path, fmt: str) -> None:
    path, options = _write(fmt, inputs)
    ws.import_paths([path], sheet="s", format=fmt, options=options)
    summary = ws.summary("s")
    produced = [c.name for c in summary.columns]
    preferred = COLUMN_ORDERS[fmt]
    assert len(set(preferred)) == len(preferred)
    assert [c for c in preferred if c not in produced] == []
    assert summary.column_order == preferred  # all of them, in the format's order
    assert summary.time_column == preferred[0]  # time first
    assert ws.info("s")["column_order"] == list(preferred)


def test_a_format_without_a_preferred_order(ws: Workspace, inputs: Path) -> None:
    path = inputs / "rows.csv"
    path.write_text("when,who\n2022-03-22T15:00:00Z,alice\n")
    ws.import_paths([path], sheet="rows")
    assert ws.summary("rows").column_order == ()
    assert ws.info("rows")["column_order"] == []
