"""Helpers of the API tests (fixtures are in conftest.py)."""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fixtures import START, ct_record, ct_s3_key, write_gz_json, write_ndjson
from logsheet.api import create_app
from logsheet.workspace import Workspace

with warnings.catch_warnings():
    # starlette warns (a UserWarning) that its TestClient will move from httpx to httpx2
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

HOSTILE = [
    "<img src=x onerror=alert(1)>",
    "<script>alert('x')</script>",
    '=HYPERLINK("http://evil.example","click")',
    "+1+1",
    "-2+3",
    "@SUM(A1:A2)",
    "\u202eevil\u0007bell",
]
CT_RECORDS = 60  # ct_record(i): eventName cycles 5 names, sourceIPAddress 10.0.<i % 4>.1, one second apart


def build_workspace(home: Path, inputs: Path) -> Workspace:
    """Sheets ``ct`` (CloudTrail, 60 records; record 7 has an errorMessage) and ``hostile`` (markup, formulas)."""
    workspace = Workspace.open(home)
    records = [ct_record(i) for i in range(CT_RECORDS)]
    records[7]["errorMessage"] = "You are not authorized"
    write_gz_json(ct_s3_key(inputs / "ct", START, 1), {"Records": records})
    workspace.import_paths([inputs / "ct"], sheet="ct")
    rows = [{"id": i, "value": value, "t": f"2022-03-22T15:00:0{i}Z"} for i, value in enumerate(HOSTILE)]
    workspace.import_paths([write_ndjson(inputs / "hostile.ndjson", rows)], sheet="hostile")
    return workspace


def make_client(ws: Workspace, **options: Any) -> TestClient:
    return TestClient(create_app(ws, **options))


def view(where: dict[str, Any] | None = None, **fields: Any) -> dict[str, Any]:
    """A view as IR JSON."""
    return {"version": 1, "steps": [], "where": where, "search": "", "columns": [], "sort": [], "group": None, **fields}


def compare(column: str, op: str, value: Any) -> dict[str, Any]:
    return {"kind": "compare", "column": column, "op": op, "value": value, "case_sensitive": True}


def wait_for_job(
    client: TestClient, job: str, timeout: float = 60.0, seen: Callable[[dict[str, Any]], None] | None = None
) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = client.get(f"/api/jobs/{job}").json()
        if seen is not None:
            seen(state)
        if state["state"] in ("done", "failed"):
            return state
        time.sleep(0.02)
    raise AssertionError(f"job {job} did not finish in {timeout} s")
