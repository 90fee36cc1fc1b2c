"""A billion VPC flow records on this machine: imported from gzip text, then a filter count, a group-by and
a time histogram answered; time, disk and peak memory recorded.

The import runs as ``logsheet import`` in its own process (its peak RSS is the one recorded). The queries
run through the Python API, each also hand-written in DuckDB SQL on the same Parquet for comparison.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import duckdb

from bench import harness
from bench.gen import vpcflow
from logsheet.workspace import Workspace, build_query

ROWS = 1_000_000_000


def run(data: Path, reps: int, rows: int = ROWS) -> None:
    label = f"{rows / 1e9:g}B" if rows >= 1e9 else f"{rows / 1e6:g}M"
    folder = vpcflow.generate(data / f"vpcflow-{label}", rows, 10_000_000)
    raw_bytes = sum(p.stat().st_size for p in folder.glob("*.log.gz"))
    home = data / f"ws-vpcflow-{label}"
    shutil.rmtree(home, ignore_errors=True)
    logsheet = str(Path(sys.executable).parent / "logsheet")
    imported = harness.run_process([logsheet, "--home", str(home), "import", str(folder), "--sheet", "flows", "--json"])
    ws = Workspace.open(home)
    record = ws.sheet("flows")
    assert record.row_count == rows, f"{record.row_count} rows imported, expected {rows}"
    t = "read_parquet([" + ", ".join(f"'{ws.root / p}'" for p in record.data_paths()) + "])"
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    cases = {
        "filter count: dstport = 22 and action = REJECT": (
            lambda: ws.count("flows", build_query(where="dstport = 22 and action = 'REJECT'")),
            f"SELECT count(*) FROM {t} WHERE dstport = 22 AND action = 'REJECT'",
        ),
        "group by dstport, top 20": (
            lambda: ws.query("flows", build_query(group_by=["dstport"]), limit=20, with_total=False).rows,
            f"SELECT dstport, count(*) AS n FROM {t} GROUP BY 1 ORDER BY n DESC, 1 LIMIT 20",
        ),
        "time histogram, 60 buckets": (
            lambda: ws.histogram("flows", None, 60),
            f"SELECT time_bucket(INTERVAL 12 HOUR, start) AS b, count(*) FROM {t} GROUP BY 1 ORDER BY 1",
        ),
    }
    lines = [
        f"### {rows:,} VPC flow records",
        "",
        f"- input: {len(list(folder.glob('*.log.gz')))} `.log.gz` files, {raw_bytes / 2**30:.1f} GiB compressed "
        f"(about {rows * 112 / 2**30:.0f} GiB of text)",
        f"- import: {imported.wall / 60:.1f} min ({rows / imported.wall:,.0f} rows/s), peak memory "
        f"{imported.peak_mib:,.0f} MiB, {imported.cpu / imported.wall:.2f} cores busy",
        f"- sheet on disk: {record.bytes / 2**30:.1f} GiB of Parquet",
        "",
        "| query | logsheet (Python API) | hand-written DuckDB SQL |",
        "|---|---:|---:|",
    ]
    raw: dict[str, object] = {"import": imported, "disk_bytes": record.bytes, "raw_bytes": raw_bytes}
    for name, (ours, sql) in cases.items():
        figures = harness.alternate(
            {
                "logsheet": lambda ours=ours: harness.timed(ours),  # type: ignore[misc]
                "DuckDB SQL": lambda sql=sql: harness.timed(lambda: con.execute(sql).fetchall()),  # type: ignore[misc]
            },
            reps,
        )
        lines.append(f"| {name} | {figures['logsheet'].wall:.2f} s | {figures['DuckDB SQL'].wall:.2f} s |")
        raw[name] = figures
    harness.record(data, f"billion-{label}", "\n".join(lines) + "\n", raw)
