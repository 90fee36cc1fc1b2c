"""The benchmark generators (bench/gen) make the same data every time, and logsheet imports all of it."""

from __future__ import annotations

import gzip
from pathlib import Path

from bench.gen import cloudtrail, syslog, vpcflow

from logsheet.workspace import Workspace, build_query


def _contents(folder: Path, pattern: str) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): gzip.decompress(p.read_bytes()) for p in sorted(folder.rglob(pattern))}


def test_cloudtrail_deliveries_are_deterministic_and_import_whole(tmp_path: Path) -> None:
    a = cloudtrail.generate(tmp_path / "a", records=300, files=3, workers=1)
    b = cloudtrail.generate(tmp_path / "b", records=300, files=3, workers=1)
    assert _contents(a, "*.json.gz") == _contents(b, "*.json.gz") and len(_contents(a, "*.json.gz")) == 3
    summary = Workspace.open(tmp_path / "ws").import_paths([a], sheet="ct")
    assert (summary.format, summary.rows, summary.rejected, summary.duplicates) == ("cloudtrail", 300, 0, 0)


def test_vpcflow_files_are_deterministic_and_import_whole(tmp_path: Path) -> None:
    a = vpcflow.generate(tmp_path / "a", rows=2500, rows_per_file=1000)
    b = vpcflow.generate(tmp_path / "b", rows=2500, rows_per_file=1000)
    assert _contents(a, "*.log.gz") == _contents(b, "*.log.gz") and len(_contents(a, "*.log.gz")) == 3
    ws = Workspace.open(tmp_path / "ws")
    summary = ws.import_paths([a], sheet="flows")
    assert (summary.format, summary.rows, summary.rejected, summary.time_column) == ("vpcflow", 2500, 0, "start")
    nodata = ws.count("flows", build_query(where="\"log-status\" = 'NODATA'"))
    assert 0 < nodata < 10 and ws.count("flows", build_query(where="action = 'REJECT'")) > 100


def test_secure_log_is_deterministic_and_imports_whole(tmp_path: Path) -> None:
    a = syslog.generate(tmp_path / "a", lines=500)
    b = syslog.generate(tmp_path / "b", lines=500)
    assert _contents(a, "*.gz") == _contents(b, "*.gz")
    ws = Workspace.open(tmp_path / "ws")
    summary = ws.import_paths([a], sheet="secure", format="syslog", options={"year": 2022})
    assert (summary.rows, summary.rejected) == (500, 0)
    assert ws.count("secure", build_query(search="Failed password")) > 300
