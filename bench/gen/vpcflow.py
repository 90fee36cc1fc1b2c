"""VPC flow logs (version 2, with AWS's header line) in ``.log.gz`` files, up to a billion records.

Written by DuckDB from ``range()``: every value is a function of the row number (``hash``), so the same
arguments give the same files on every run and no Python loop touches a row. The traffic has the shapes a
responder sees: a few hundred interfaces, internal hosts talking to each other and to the internet, most
flows to a handful of service ports, about 8% REJECTed probes, NODATA records with blanks, and times
spread evenly over 30 days from 2022-03-01, in order within each file.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import duckdb

HEADER = "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status"
START = 1646092800  # 2022-03-01T00:00:00Z
SPAN = 30 * 86400


def select_rows(first: int, count: int, total: int) -> str:
    """The SQL of rows ``first`` .. ``first + count`` of a ``total``-row set (a constant query: no user input)."""
    return f"""
    SELECT
      2 AS "version",
      '123456789012' AS "account-id",
      'eni-' || lpad(printf('%x', 4096 + h1 % 300), 17, '0') AS "interface-id",
      CASE WHEN nodata THEN NULL WHEN h2 % 10 < 6 THEN '10.0.' || (h2 // 10 % 16) || '.' || (h2 // 160 % 250 + 2)
           ELSE (h2 // 10 % 200 + 11) || '.' || (h2 // 2000 % 256) || '.' || (h2 // 512000 % 256) || '.'
                || (h2 // 131072000 % 254 + 1) END AS srcaddr,
      CASE WHEN nodata THEN NULL WHEN h3 % 10 < 7 THEN '10.0.' || (h3 // 10 % 16) || '.' || (h3 // 160 % 250 + 2)
           ELSE (h3 // 10 % 200 + 11) || '.' || (h3 // 2000 % 256) || '.' || (h3 // 512000 % 256) || '.'
                || (h3 // 131072000 % 254 + 1) END AS dstaddr,
      CASE WHEN nodata THEN NULL ELSE 1024 + h4 % 64000 END AS srcport,
      CASE WHEN nodata THEN NULL
           ELSE [443, 443, 443, 80, 22, 53, 3306, 5432, 8080, 123, 3389, 6379][(h4 // 64000 % 12 + 1)::BIGINT] END AS dstport,
      CASE WHEN nodata THEN NULL WHEN h5 % 20 = 0 THEN 17 WHEN h5 % 50 = 1 THEN 1 ELSE 6 END AS protocol,
      CASE WHEN nodata THEN NULL ELSE 1 + h5 // 50 % 200 END AS packets,
      CASE WHEN nodata THEN NULL ELSE (1 + h5 // 50 % 200) * (40 + h5 // 10000 % 1400) END AS bytes,
      {START} + (i * {SPAN} // {total}) AS start,
      {START} + (i * {SPAN} // {total}) + h1 // 300 % 60 AS "end",
      CASE WHEN nodata THEN NULL WHEN h2 % 100 < 8 THEN 'REJECT' ELSE 'ACCEPT' END AS action,
      CASE WHEN nodata THEN 'NODATA' ELSE 'OK' END AS "log-status"
    FROM (
      SELECT i, hash(i) AS h1, hash(i + 1000000000000) AS h2, hash(i + 2000000000000) AS h3,
             hash(i + 3000000000000) AS h4, hash(i + 4000000000000) AS h5, hash(i) % 1000 = 0 AS nodata
      FROM range({first}, {first + count}) t(i)
    )
    """


def generate(out: Path, rows: int, rows_per_file: int = 10_000_000) -> Path:
    """``rows`` flow records under ``out`` in files of ``rows_per_file``; files already written are kept.
    With ``pigz`` on the PATH, DuckDB writes each file's text into a pipe that pigz compresses on both cores
    (about 4 times faster than DuckDB's own gzip writer, which uses one)."""
    out.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    con.execute("SET preserve_insertion_order = true")
    con.execute("SET enable_progress_bar = false")
    pigz = shutil.which("pigz")
    for index, first in enumerate(range(0, rows, rows_per_file)):
        target = out / f"123456789012_vpcflowlogs_us-east-1_fl-0bench_{index:05d}.log.gz"
        if target.exists():
            continue
        partial = target.with_suffix(".partial")
        count = min(rows_per_file, rows - first)
        options = "FORMAT csv, DELIMITER ' ', HEADER true, NULLSTR '-', QUOTE ''"
        if pigz is None:
            con.execute(f"COPY ({select_rows(first, count, rows)}) TO '{partial}' ({options}, COMPRESSION gzip)")
        else:
            with tempfile.TemporaryDirectory() as tmp:
                fifo = Path(tmp) / "rows.csv"
                os.mkfifo(fifo)
                with open(partial, "wb") as sink:
                    compress = subprocess.Popen([pigz, "-1", "-n", "-c", str(fifo)], stdout=sink)
                    con.execute(f"COPY ({select_rows(first, count, rows)}) TO '{fifo}' ({options})")
                    if compress.wait() != 0:
                        raise RuntimeError(f"pigz failed on {target.name}")
        partial.rename(target)
    return out
