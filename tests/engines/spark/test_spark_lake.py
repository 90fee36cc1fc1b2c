"""``export --to-dataset``: a Hive-partitioned Parquet dataset that Spark (and DuckDB, Athena, Trino) read
back, and that the Spark engine can query in place with the sheet's schema (``--dataset``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from fixtures import write_ndjson
from logsheet.cli import main
from logsheet.core import ir
from logsheet.core.errors import LogsheetError
from logsheet.workspace import Workspace, build_query
from ops_rows import ROWS

SHEET = "events"


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory, spark_engine: Any) -> Workspace:
    folder = tmp_path_factory.mktemp("lake")
    workspace = Workspace.open(folder / "home")
    workspace.import_paths([write_ndjson(folder / "events.ndjson", ROWS)], sheet=SHEET)
    workspace.use_spark(engine=spark_engine)
    return workspace


def read_back(sql: str, dataset: Path) -> list[tuple[Any, ...]]:
    """A query of a dataset by DuckDB itself, as another tool reading the lake would."""
    with duckdb.connect() as con:
        return con.execute(sql, [str(dataset / "**" / "*.parquet")]).fetchall()


def test_duckdb_writes_a_date_partitioned_dataset_that_spark_reads(ws: Workspace, tmp_path: Path, spark_session: Any) -> None:
    target = tmp_path / "lake" / "events"
    summary = ws.export_dataset(SHEET, ir.Query(), str(target), engine="duckdb")
    assert summary.rows == len(ROWS)
    folders = sorted(p.name for p in target.iterdir())
    assert folders == ["date=2022-03-22", "date=__HIVE_DEFAULT_PARTITION__"]  # row 3 has no time
    assert summary.partitions == 2
    part = next((target / "date=2022-03-22").glob("*.parquet"))
    schema = pq.read_schema(part)
    assert schema.names[:3] == ["__rowid", "__source", "rid"] and "date" not in schema.names
    assert schema.field("ts").type.unit == "us" and schema.field("ts").type.tz in ("UTC", "Etc/UTC")

    back = spark_session.read.parquet(str(target))
    assert back.count() == len(ROWS)
    dates = sorted(str(r[0]) for r in back.select("date").distinct().collect())
    assert dates == ["2022-03-22", "None"]
    hive = read_back("SELECT count(*), count(DISTINCT date) FROM read_parquet(?, hive_partitioning = true)", target)
    assert hive == [(len(ROWS), 1)]


def test_the_spark_engine_queries_a_dataset_in_place(ws: Workspace, tmp_path: Path) -> None:
    target = tmp_path / "events"
    ws.export_dataset(SHEET, ir.Query(), str(target), engine="duckdb")
    for view in (
        build_query(where="msg matches 'password' and not user = 'bob'", columns=["rid", "user"], sort=["rid"]),
        build_query(where="items[0].x > 2", group_by=["user", "action"], aggs=["count", "max:ts"]),
        build_query(search="carol", sort=["-rid"]),
    ):
        on_sheet = ws.query(SHEET, view, engine="duckdb")
        on_dataset = ws.query(SHEET, view, engine="spark", dataset=str(target))
        assert (on_dataset.rows, on_dataset.total) == (on_sheet.rows, on_sheet.total)
        assert on_dataset.rowids == on_sheet.rowids  # __rowid travels with the rows


def test_spark_writes_a_dataset_partitioned_by_a_column(ws: Workspace, tmp_path: Path) -> None:
    target = tmp_path / "by-action"
    view = build_query(where="user is not blank", columns=["rid", "action", "ts"])
    summary = ws.export_dataset(SHEET, view, str(target), partition_by="action", engine="spark")
    assert (summary.rows, summary.partitions) == (7, 2)
    assert sorted(p.name for p in target.iterdir() if p.is_dir()) == ["action=allow", "action=deny"]
    rows = read_back(
        "SELECT action, count(*) FROM read_parquet(?, hive_partitioning = true) GROUP BY action ORDER BY action", target
    )
    assert rows == [("allow", 3), ("deny", 4)]


def test_dataset_errors(ws: Workspace, tmp_path: Path) -> None:
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x").write_text("x")
    with pytest.raises(LogsheetError, match="not empty"):
        ws.export_dataset(SHEET, ir.Query(), str(tmp_path / "full"), engine="duckdb")
    with pytest.raises(LogsheetError, match="rows"):
        ws.export_dataset(SHEET, build_query(group_by=["user"]), str(tmp_path / "g"), engine="duckdb")
    with pytest.raises(LogsheetError, match="needs the Spark engine"):
        ws.export_dataset(SHEET, ir.Query(), "s3a://bucket/events", engine="duckdb")
    with pytest.raises(LogsheetError, match="Spark"):
        ws.query(SHEET, engine="duckdb", dataset=str(tmp_path))


def test_cli_export_to_dataset_and_show_sql(ws: Workspace, tmp_path: Path) -> None:
    runner = CliRunner()
    home = ["--home", str(ws.root)]
    target = tmp_path / "cli-lake"
    result = runner.invoke(main, [*home, "export", SHEET, "--to-dataset", str(target), "--partition-by", "date"])
    assert result.exit_code == 0, result.output
    assert f"8 rows written to {target} (2 partitions by date)" in result.output
    assert (target / "date=2022-03-22").is_dir()

    result = runner.invoke(
        main, [*home, "export", SHEET, "--engine", "spark", "--where", "rid = 1", "-o", str(tmp_path / "one.json")]
    )
    assert result.exit_code == 0, result.output
    assert '"rid": 1' in (tmp_path / "one.json").read_text()

    for dialect, expected in (("trino", 'FROM "events"'), ("spark", "FROM `events`"), ("duckdb", "READ_PARQUET")):
        result = runner.invoke(main, [*home, "query", SHEET, "-w", "items[0].x = 1", "--show-sql", "--dialect", dialect])
        assert result.exit_code == 0 and expected in result.output, result.output
    assert (
        "GET_JSON_OBJECT"
        in runner.invoke(
            main, [*home, "query", SHEET, "-w", "req.a.b = 'x' or items[0].x = 1", "--show-sql", "--engine", "spark"]
        ).output
    )

    result = runner.invoke(main, [*home, "export", SHEET])
    assert result.exit_code == 2 and "--output FILE or --to-dataset DIR" in result.output
