"""Big CloudTrail sheets (10M, 100M rows) made from one imported set of deliveries, in minutes not hours.

The 1M records of :mod:`bench.gen.cloudtrail` are imported once through logsheet; a sheet of N rows is then
N / 1M copies of that sheet's rows, each copy shifted 5 days later and given its own event and request ids
and source ids (so every row stays unique, and a search for one id finds one row). Copies are written by
DuckDB straight into the workspace's sheet folder, one Parquet part per copy, and recorded in the catalog
as the import pipeline does. Re-importing 100M records would measure the importer again, for an hour.
"""

from __future__ import annotations

import dataclasses

import duckdb

from logsheet.store.catalog import NewImport, now
from logsheet.workspace import Workspace

SOURCE_STRIDE = 1000  # copy k's source ids are (a reserved offset) + k * 1000 + the original's


def _uuid_of(column: str, k: int) -> str:
    digest = f"md5({column} || '#{k}')"
    return (
        f"substr({digest}, 1, 8) || '-' || substr({digest}, 9, 4) || '-4' || substr({digest}, 14, 3) || '-a' "
        f"|| substr({digest}, 18, 3) || '-' || substr({digest}, 21, 12)"
    )


def build(ws: Workspace, base: str, name: str, rows: int) -> str:
    """Sheet ``name`` of ``rows`` rows (a multiple of the base sheet's) from sheet ``base``; kept if it exists."""
    existing = ws.catalog.get_sheet(name)
    if existing is not None and existing.row_count == rows:
        return name
    if existing is not None:
        ws.delete_sheet(name)
    record = ws.sheet(base)
    copies = rows // record.row_count
    assert copies * record.row_count == rows, f"{rows} is not a multiple of {record.row_count}"
    directory = ws.new_sheet_directory()
    folder = ws.root / directory
    folder.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    con.execute("SET preserve_insertion_order = true")
    con.execute("SET enable_progress_bar = false")
    offset = ws.catalog.reserve_ids("source", copies * SOURCE_STRIDE)  # source ids are unique workspace-wide
    base_parts = "[" + ", ".join(f"'{ws.root / p}'" for p in record.data_paths()) + "]"
    data_parts = []
    for k in range(copies):  # one part per copy: each row group holds one copy's narrow range of row ids
        part = folder / f"data-{k:06d}.parquet"
        con.execute(
            f"""COPY (
              SELECT * REPLACE (
                (__rowid::BIGINT + ({offset} + {k} * {SOURCE_STRIDE}) * (1::BIGINT << 40))::BIGINT AS __rowid,
                __source + {offset} + {k} * {SOURCE_STRIDE} AS __source,
                eventTime + to_days(5 * {k}) AS eventTime,
                {_uuid_of("eventID", k)} AS eventID,
                CASE WHEN requestID IS NULL THEN NULL ELSE {_uuid_of("requestID", k)} END AS requestID)
              FROM read_parquet({base_parts})
            ) TO '{part}' (FORMAT parquet, COMPRESSION zstd)"""
        )
        data_parts.append((str(part.relative_to(ws.root)), record.row_count, part.stat().st_size))
    sources = [
        dataclasses.replace(s, id=offset + k * SOURCE_STRIDE + s.id, path=f"copy-{k:03d}/{s.path}")
        for k in range(copies)
        for s in ws.catalog.sources(record.id)
    ]
    new = NewImport(
        format=record.format,
        time_column=record.time_column,
        schema=record.schema,
        data_parts=data_parts,
        reject_parts=[],
        sources=sources,
        options={"bench": f"{copies} copies of {base}"},
        started_at=now(),
        summary={"rows": rows, "bench_copies": copies},
    )
    ws.catalog.commit_import(name, directory, new, ws.catalog.reserve_ids("import", 1), append=False)
    return name
