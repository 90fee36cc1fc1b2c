"""One measurement of one revision of logsheet, run in its own interpreter by bench/scenarios/revisions.py with
that revision's ``src`` first on ``sys.path``. It uses only what every revision has (``Workspace``,
``build_query``, the IR's Split) and prints one JSON object: seconds per case (the median of ``--reps`` runs
after a warm-up) or, for ``import``, the import's seconds.

    python bench/revision_driver.py queries WORKSPACE SHEET REPS
    python bench/revision_driver.py import WORKSPACE INPUT_FOLDER
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import logsheet
from logsheet.workspace import Workspace, build_query

try:
    from logsheet.core import ir
except ImportError:  # revisions before the layer subpackages
    from logsheet import ir  # type: ignore[no-redef]


def cases(ws: Workspace, sheet: str) -> dict[str, Callable[[], Any]]:
    split = ir.Split("userAgent", "/", 2)
    return {
        "equality filter, count": lambda: ws.count(sheet, build_query(where="eventName = 'DescribeInstances'")),
        "group by, top 20": lambda: ws.query(sheet, build_query(group_by=["sourceIPAddress"]), limit=20, with_total=False),
        "split + group by, top 20": lambda: ws.query(
            sheet, build_query(group_by=["userAgent_1"], steps=(split,)), limit=20, with_total=False
        ),
        "JSON-path filter, count": lambda: ws.count(
            sheet, build_query(where="requestParameters.bucketName = 'acme-terraform-state'")
        ),
        "first page: filtered, sorted by time": lambda: ws.query(
            sheet, build_query(where="errorCode = 'AccessDenied'", sort=["-eventTime"]), limit=100, with_total=False
        ),
        "page 500 of the whole sheet": lambda: ws.query(sheet, build_query(), limit=100, offset=50_000, with_total=False),
    }


def queries(home: str, sheet: str, reps: int) -> dict[str, float]:
    ws = Workspace.open(home)
    out = {}
    for name, call in cases(ws, sheet).items():
        call()  # warm-up: footers, the catalog, the engine
        walls = []
        for _ in range(reps):
            started = time.perf_counter()
            call()
            walls.append(time.perf_counter() - started)
        out[name] = statistics.median(walls)
    return out


def import_(home: str, folder: str) -> dict[str, float]:
    ws = Workspace.open(home)
    started = time.perf_counter()
    ws.import_paths([Path(folder)], sheet="ct")
    return {"import": time.perf_counter() - started}


if __name__ == "__main__":
    mode, *args = sys.argv[1:]
    result = queries(args[0], args[1], int(args[2])) if mode == "queries" else import_(args[0], args[1])
    print(json.dumps({"logsheet": str(Path(logsheet.__file__).parent), **result}))
