"""Full-text search across every column: the designs measured side by side on the same sheet.

- naive: every column rendered as text, lower-cased, substring-matched (what logsheet did before);
- logsheet count: the product's search (no lower-casing for needles without letters, columns whose type
  cannot hold the needle skipped), counting every match;
- logsheet first page: what the grid asks first: 100 matching rows, no total;
- search column: one lower-cased text column of the whole row, kept beside the sheet (its build time and
  size are shown), substring-matched;
- token index: per row group, the distinct tokens of the row (a table of (row group, token)), looked up by
  exact token; it answers a different question (whole tokens, not substrings) and is measured on the 1M
  base sheet only, because building it for 10M rows takes longer than importing them.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import duckdb

from bench import harness
from bench.scenarios import queries
from logsheet.core import ir
from logsheet.workspace import Workspace

TOKEN_SPLIT = r"[^a-z0-9._:@/\-]+"


def terms(con: duckdb.DuckDBPyConnection, t: str) -> dict[str, str]:
    rare_ip = con.execute(
        f"SELECT sourceIPAddress FROM {t} WHERE regexp_full_match(sourceIPAddress, '[0-9.]+') GROUP BY 1 "
        "HAVING count(*) BETWEEN 10 AND 200 ORDER BY count(*), 1 LIMIT 1"
    ).fetchone()[0]  # type: ignore[index]
    event = con.execute(f"SELECT eventID FROM {t} ORDER BY __rowid LIMIT 1 OFFSET 12345").fetchone()[0]  # type: ignore[index]
    return {
        "an event ID (1 row)": event,
        "a rare IP address": rare_ip,
        "a common IP address": "198.51.100.23",
        "a service name": "ec2.amazonaws.com",
        "no match": "zq-no-such-value",
    }


def naive_sql(ws: Workspace, sheet: str, t: str, needle: str) -> str:
    quoted = needle.lower().replace("'", "''")
    hits = " OR ".join(f"strpos(lower(CAST(\"{c.name}\" AS VARCHAR)), '{quoted}') > 0" for c in ws.sheet(sheet).schema)
    return f"SELECT count(*) FROM {t} WHERE {hits}"


def build_search_column(ws: Workspace, sheet: str, t: str, target: Path, con: duckdb.DuckDBPyConnection) -> tuple[float, int]:
    if not target.exists():
        cols = ", ".join(f'CAST("{c.name}" AS VARCHAR)' for c in ws.sheet(sheet).schema)
        started = time.perf_counter()
        con.execute(
            f"COPY (SELECT __rowid, lower(concat_ws(chr(31), {cols})) AS __text FROM {t}) TO '{target}' "
            "(FORMAT parquet, COMPRESSION zstd)"
        )
        (target.with_suffix(".seconds")).write_text(str(time.perf_counter() - started))
    return float(target.with_suffix(".seconds").read_text()), target.stat().st_size


def run(data: Path, reps: int, sizes: tuple[str, ...] = ("10M",)) -> None:
    ws = queries.workspace(data)
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    text, raw = "", {}
    for index, size in enumerate(sizes):
        # every design on the first size; on larger ones only logsheet's (the naive scan takes minutes there)
        full = index == 0
        sheet = f"ct{size.lower()}"
        queries.sheets.build(ws, "ct", sheet, queries.SIZES[size])
        t = queries._parts(ws, sheet)
        column_path = data / f"search-column-{sheet}.parquet"
        title = f"### Search on {queries.SIZES[size]:,} CloudTrail rows ({ws.sheet(sheet).bytes / 2**30:.1f} GiB)"
        if full:
            build_s, build_bytes = build_search_column(ws, sheet, t, column_path, con)
            title += f"; search column: built in {build_s:.0f} s, {build_bytes / 2**30:.1f} GiB"
        lines = [
            title,
            "",
            "| term | matches | naive (all columns, LOWER) | logsheet count | logsheet first page | search column |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        for label, term in terms(con, t).items():
            expected = ws.count(sheet, ir.Query(search=term))
            contenders = _contenders(ws, con, sheet, t, column_path, term)
            if full:
                assert con.execute(naive_sql(ws, sheet, t, term)).fetchone()[0] == expected  # type: ignore[index]
            else:
                contenders = {k: v for k, v in contenders.items() if k in ("count", "page")}
            figures = harness.alternate(contenders, reps if full else 1)
            ms = {k: f"{f.wall * 1000:,.0f} ms" for k, f in figures.items()}
            lines.append(
                f"| {label} | {expected:,} | {ms.get('naive', '-')} | {ms['count']} | {ms['page']} | {ms.get('column', '-')} |"
            )
            raw[f"{size} {label}"] = figures
        text += "\n".join(lines) + "\n\n"
    text += token_index(ws, con, data, reps)
    harness.record(data, "search", text, raw)


def _contenders(
    ws: Workspace, con: duckdb.DuckDBPyConnection, sheet: str, t: str, column_path: Path, term: str
) -> dict[str, Any]:
    needle = term.lower().replace("'", "''")
    column_sql = f"SELECT count(*) FROM read_parquet('{column_path}') WHERE strpos(__text, '{needle}') > 0"
    return {
        "naive": lambda: harness.timed(lambda: con.execute(naive_sql(ws, sheet, t, term)).fetchall()),
        "count": lambda: harness.timed(lambda: ws.count(sheet, ir.Query(search=term))),
        "page": lambda: harness.timed(lambda: ws.query(sheet, ir.Query(search=term), limit=100, with_total=False)),
        "column": lambda: harness.timed(lambda: con.execute(column_sql).fetchall()),
    }


def token_index(ws: Workspace, con: duckdb.DuckDBPyConnection, data: Path, reps: int) -> str:
    """Build a (row group, token) index of the 1M base sheet; time its build and exact-token lookups."""
    t = queries._parts(ws, "ct")
    cols = ", ".join(f'CAST("{c.name}" AS VARCHAR)' for c in ws.sheet("ct").schema)
    target = data / "token-index-ct.parquet"
    started = time.perf_counter()
    con.execute(
        f"COPY (SELECT DISTINCT __rowid // 122880 AS block, token FROM (SELECT __rowid, "
        f"unnest(regexp_split_to_array(lower(concat_ws(' ', {cols})), '{TOKEN_SPLIT}')) AS token FROM {t})) "
        f"TO '{target}' (FORMAT parquet, COMPRESSION zstd)"
    )
    build = time.perf_counter() - started
    lookup = harness.alternate(
        {
            "lookup": lambda: harness.timed(
                lambda: con.execute(
                    f"SELECT DISTINCT block FROM read_parquet('{target}') WHERE token = '198.51.100.23'"
                ).fetchall()
            )
        },
        reps,
    )["lookup"]
    return (
        "### Token index (exact tokens) on the 1,000,000-row base sheet\n\n"
        f"Built in {build:.1f} s ({target.stat().st_size / 2**20:.0f} MiB); one token looked up in "
        f"{lookup.wall * 1000:.0f} ms. At 10M rows the build would take about {build * 10:.0f} s.\n"
    )
