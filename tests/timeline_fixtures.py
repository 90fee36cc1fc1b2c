"""A small case for the timeline tests: a CloudTrail sheet, an sshd sheet, a generic JSON sheet with times and
a CSV sheet without a time column, all in case ``ir`` (every file under a second to import)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from detect_fixtures import write_secure
from fixtures import write_csv, write_ct_tree, write_ndjson

SHEETS = ("trail", "secure", "notes", "plain")


def build_case(ws: Any, inputs: Path) -> None:
    write_ct_tree(inputs / "ct", files=2, per_file=15)
    ws.import_paths([inputs / "ct"], sheet="trail", case="ir")
    ws.import_paths([write_secure(inputs)], sheet="secure", case="ir")
    rows = [{"t": f"2024-05-01T10:00:{i:02d}Z", "msg": f"note {i}", "who": "ana"} for i in range(10)]
    ws.import_paths([write_ndjson(inputs / "notes.ndjson", rows)], sheet="notes", case="ir")
    ws.import_paths([write_csv(inputs / "plain.csv", ["a", "b"], [["x", "1"], ["y", "2"]])], sheet="plain", case="ir")
