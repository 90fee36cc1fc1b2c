"""The programs the import benchmarks time, one per process: ``python -m bench.contenders NAME ARGS``.

logsheet's import through its Python API, and what a responder would otherwise write: hand-written DuckDB
SQL (the practical limit of the engine logsheet uses), pandas (``json.load`` + ``json_normalize``), Polars,
and jq for raw parsing. Each prints the number of rows it produced, which the scenario checks.
"""

from __future__ import annotations

import gzip
import json
import shutil
import subprocess
import sys
from pathlib import Path


def _files(folder: str, pattern: str, limit: str | None = None) -> list[Path]:
    files = sorted(Path(folder).rglob(pattern))
    return files[: int(limit)] if limit else files


def logsheet_import(folder: str, home: str, fmt: str = "", *options: str) -> None:
    """``logsheet import FOLDER`` into a fresh workspace, through the Python API the CLI uses."""
    from logsheet.workspace import Workspace

    shutil.rmtree(home, ignore_errors=True)
    ws = Workspace.open(home)
    opts = dict(o.split("=", 1) for o in options)
    summary = ws.import_paths([Path(folder)], sheet="bench", format=fmt or None, options=opts or None)
    print(summary.rows)


def logsheet_import_s3(url: str, endpoint: str, home: str) -> None:
    """``logsheet import s3://BUCKET/PREFIX --endpoint-url URL`` into a fresh workspace, through the Python API."""
    from logsheet.workspace import Workspace

    shutil.rmtree(home, ignore_errors=True)
    ws = Workspace.open(home)
    summary = ws.import_s3(url, sheet="bench", s3={"endpoint_url": endpoint})
    print(summary.rows)


def duckdb_cloudtrail(folder: str, out: str) -> None:
    """Hand-written DuckDB: ``read_json`` of the deliveries, records unnested to columns, into zstd Parquet."""
    import duckdb

    con = duckdb.connect()
    glob = str(Path(folder) / "**" / "*.json.gz")
    con.execute(
        "COPY (SELECT unnest(r) FROM (SELECT unnest(Records) AS r FROM read_json(?, maximum_object_size = 1000000000)))"
        " TO '" + out.replace("'", "''") + "' (FORMAT parquet, COMPRESSION zstd)",
        [glob],
    )
    print(con.execute("SELECT count(*) FROM read_parquet(?)", [out]).fetchone()[0])  # type: ignore[index]


def pandas_cloudtrail(folder: str, out: str, limit: str = "") -> None:
    """A responder's script: ``json.load`` each delivery, ``pd.json_normalize`` the records, write Parquet."""
    import pandas as pd

    records: list[dict[str, object]] = []
    for path in _files(folder, "*.json.gz", limit):
        with gzip.open(path, "rt") as fh:
            records.extend(json.load(fh)["Records"])
    frame = pd.json_normalize(records)
    frame = frame.astype({c: "string" for c in frame.columns if frame[c].dtype == object})
    frame.to_parquet(out, compression="zstd")
    print(len(frame))


def polars_cloudtrail(folder: str, out: str, limit: str = "") -> None:
    """Polars: the deliveries' records flattened with ``pl.json_normalize``, written as zstd Parquet."""
    import polars as pl

    records: list[dict[str, object]] = []
    for path in _files(folder, "*.json.gz", limit):
        with gzip.open(path, "rb") as fh:
            records.extend(json.loads(fh.read())["Records"])
    frame = pl.json_normalize(records, infer_schema_length=None)
    frame.write_parquet(out, compression="zstd")
    print(frame.height)


def jq_cloudtrail(folder: str, out: str, limit: str = "") -> None:
    """Raw parsing only: ``zcat | jq -c '.Records[]'`` into JSON lines."""
    files = [str(p) for p in _files(folder, "*.json.gz", limit)]
    with open(out, "wb") as sink:
        zcat = subprocess.Popen(["zcat", *files], stdout=subprocess.PIPE)
        subprocess.run(["jq", "-c", ".Records[]"], stdin=zcat.stdout, stdout=sink, check=True)
        zcat.wait()
    with open(out, "rb") as fh:
        print(sum(1 for _ in fh))


def duckdb_vpcflow(folder: str, out: str) -> None:
    """Hand-written DuckDB: ``read_csv`` of the space-separated flow logs, typed, into zstd Parquet."""
    import duckdb

    con = duckdb.connect()
    glob = str(Path(folder) / "**" / "*.log.gz")
    con.execute(
        'COPY (SELECT * REPLACE (to_timestamp(start) AS start, to_timestamp("end") AS "end") '
        "FROM read_csv(?, delim = ' ', header = true, nullstr = '-')) TO '"
        + out.replace("'", "''")
        + "' (FORMAT parquet, COMPRESSION zstd)",
        [glob],
    )
    print(con.execute("SELECT count(*) FROM read_parquet(?)", [out]).fetchone()[0])  # type: ignore[index]


def duckdb_syslog(folder: str, out: str) -> None:
    """Hand-written DuckDB: each line split by one regular expression into time, host, program, pid, message."""
    import duckdb

    con = duckdb.connect()
    pattern = r"^(\w{3} +\d+ [\d:]+) (\S+) ([^:\[ ]+)(?:\[(\d+)\])?: (.*)$"
    con.execute(
        "COPY (SELECT strptime('2022 ' || p['t'], '%Y %b %d %H:%M:%S') AS timestamp, p['host'] AS host, "
        "p['program'] AS program, TRY_CAST(NULLIF(p['pid'], '') AS INTEGER) AS pid, p['message'] AS message FROM ("
        "SELECT regexp_extract(line, ?, ['t', 'host', 'program', 'pid', 'message']) AS p "
        "FROM read_csv(?, columns = {'line': 'VARCHAR'}, delim = '\x1f', quote = '', header = false))) TO '"
        + out.replace("'", "''")
        + "' (FORMAT parquet, COMPRESSION zstd)",
        [pattern, str(Path(folder) / "secure.gz")],
    )
    print(con.execute("SELECT count(*) FROM read_parquet(?)", [out]).fetchone()[0])  # type: ignore[index]


if __name__ == "__main__":
    globals()[sys.argv[1]](*sys.argv[2:])
