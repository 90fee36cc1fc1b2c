"""One CloudTrail JSON-lines file far larger than the import's memory imports whole, in file order: the
reader numbers its records as it reads them (no window over the whole file) and bounds one record, not the
file, by the reader's largest-object size. (A 1.27 GB file of 1M real records took 2.6 GiB in one allocation
and failed out of memory; the bench's `detections` scenario imports one.)"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from fixtures import ct_record
from logsheet.ingest import pipeline
from logsheet.ingest.formats.cloudtrail import reader
from logsheet.workspace import Workspace

RECORDS = 250_000
MEMORY = "256MB"  # the import's DuckDB memory limit here; the old reader asked for 2 × 1.125 × the file at once


def test_a_jsonlines_file_larger_than_the_imports_memory_imports_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "trail.jsonl"
    with open(path, "w", encoding="utf-8") as out:
        for i in range(RECORDS):
            out.write(json.dumps(ct_record(i)) + "\n")
    assert path.stat().st_size * 2.25 > 256 * 10**6 * 1.2
    monkeypatch.setattr(pipeline, "IMPORT_MEMORY", MEMORY)
    monkeypatch.setattr(reader, "MAX_RECORD_BYTES", 16 << 20)  # DuckDB reserves twice this: 64 MiB would not fit
    ws = Workspace.open(tmp_path / "home")
    summary = ws.import_paths([path], sheet="big", format="cloudtrail")
    assert (summary.rows, summary.rejected, summary.duplicates) == (RECORDS, 0, 0)
    source = summary.sources[0]
    assert (source.records_read, source.rows_kept) == (RECORDS, RECORDS)
    paths = [str(ws.root / p) for p in ws.sheet("big").data_paths()]
    ids = duckdb.connect().execute("SELECT eventID FROM read_parquet($p) ORDER BY __rowid", {"p": paths}).fetchall()
    assert [r[0] for r in ids] == [ct_record(i)["eventID"] for i in range(RECORDS)]  # the file's order
