"""Queries through logsheet's Python API against the same query hand-written in DuckDB SQL, on 10M and 100M rows.

Both sides read the same Parquet parts on the same machine in the same process, alternating; each query's
answer is compared before anything is timed. The first page of a filtered, sorted view is timed as the
grid asks for it (100 rows, no total).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb

from bench import harness
from bench.gen import cloudtrail, sheets
from logsheet.core import ir
from logsheet.workspace import Workspace, build_query

SIZES = {"10M": 10_000_000, "100M": 100_000_000}


def workspace(data: Path) -> Workspace:
    """The query workspace: sheet ``ct`` (1M records imported by logsheet) and the big sheets made from it."""
    ws = Workspace.open(data / "ws-query")
    if ws.catalog.get_sheet("ct") is None:
        ws.import_paths([cloudtrail.generate(data / "cloudtrail-1m", 1_000_000, 200)], sheet="ct")
    return ws


def _parts(ws: Workspace, sheet: str) -> str:
    return "read_parquet([" + ", ".join(f"'{ws.root / p}'" for p in ws.sheet(sheet).data_paths()) + "])"


def cases(ws: Workspace, sheet: str) -> dict[str, tuple[Callable[[], Any], str]]:
    """name -> (the logsheet call, the hand-written SQL)."""
    t = _parts(ws, sheet)
    split = ir.Split("userAgent", "/", 2)
    return {
        "equality filter, count": (
            lambda: ws.count(sheet, build_query(where="eventName = 'DescribeInstances'")),
            f"SELECT count(*) FROM {t} WHERE eventName = 'DescribeInstances'",
        ),
        "group by, top 20": (
            lambda: ws.query(sheet, build_query(group_by=["sourceIPAddress"]), limit=20, with_total=False).rows,
            f"SELECT sourceIPAddress, count(*) AS n FROM {t} GROUP BY 1 ORDER BY n DESC, 1 LIMIT 20",
        ),
        "split + group by, top 20": (
            lambda: ws.query(sheet, build_query(group_by=["userAgent_1"], steps=(split,)), limit=20, with_total=False).rows,
            f"SELECT NULLIF(split_part(userAgent, '/', 1), '') AS ua, count(*) AS n FROM {t} GROUP BY 1 "
            "ORDER BY n DESC, 1 LIMIT 20",
        ),
        "JSON-path filter, count": (
            lambda: ws.count(sheet, build_query(where="requestParameters.bucketName = 'acme-terraform-state'")),
            f"SELECT count(*) FROM {t} WHERE requestParameters->>'bucketName' = 'acme-terraform-state'",
        ),
        "first page: filtered, sorted by time": (
            lambda: (
                ws.query(
                    sheet, build_query(where="errorCode = 'AccessDenied'", sort=["-eventTime"]), limit=100, with_total=False
                ).rows
            ),
            f"SELECT * FROM {t} WHERE errorCode = 'AccessDenied' ORDER BY eventTime DESC, __rowid LIMIT 100",
        ),
    }


def _same(ours: Any, theirs: list[tuple[Any, ...]], name: str) -> None:
    if isinstance(ours, int):
        assert ours == theirs[0][0], f"{name}: {ours} != {theirs[0][0]}"
    elif name.startswith("first page"):
        assert len(ours) == len(theirs), f"{name}: {len(ours)} rows != {len(theirs)}"
    else:
        assert [tuple(r) for r in ours] == [tuple(r) for r in theirs], f"{name}: {ours[:3]} != {theirs[:3]}"


def run(data: Path, reps: int, sizes: tuple[str, ...] = ("10M", "100M"), only: str | None = None) -> None:
    """Every query (or those whose name contains ``only``) on each size, logsheet and DuckDB alternating."""
    ws = workspace(data)
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    text, raw = "", {}
    for size in sizes:
        sheet = sheets.build(ws, "ct", f"ct{size.lower()}", SIZES[size])
        lines = [
            f"### Queries on {SIZES[size]:,} CloudTrail rows ({ws.sheet(sheet).bytes / 2**30:.1f} GiB of Parquet)",
            "",
            "| query | logsheet (Python API) | hand-written DuckDB SQL | logsheet / DuckDB |",
            "|---|---:|---:|---:|",
        ]
        for name, (ours, sql) in cases(ws, sheet).items():
            if only and only not in name:
                continue
            _same(ours(), con.execute(sql).fetchall(), name)
            figures = harness.alternate(
                {
                    "logsheet": lambda ours=ours: harness.timed(ours),
                    "DuckDB SQL": lambda sql=sql: harness.timed(lambda: con.execute(sql).fetchall()),
                },
                reps,
            )
            a, b = figures["logsheet"].wall, figures["DuckDB SQL"].wall
            lines.append(f"| {name} | {a * 1000:,.0f} ms | {b * 1000:,.0f} ms | {a / b:.2f}× |")
            raw[f"{size} {name}"] = figures
        text += "\n".join(lines) + "\n\n"
    harness.record(data, "queries" + (f"-{only.replace(' ', '-')}" if only else ""), text, raw)
