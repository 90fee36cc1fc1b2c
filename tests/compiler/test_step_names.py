"""Steps and column names that differ only by case: a step finds its column as filters do (exact first, then
ignoring case when only one column matches), and a new column never takes a name that DuckDB or Spark would
read as an existing one (they do not tell ``USER`` from ``User``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from fixtures import write_ndjson
from logsheet.core import ir
from logsheet.core.errors import InvalidQuery
from logsheet.workspace import Workspace

ROWS = [{"User": "alice", "host": "web-1"}, {"User": "bob", "host": "db-2"}]


@pytest.fixture
def sheet(ws: Workspace, tmp_path: Path) -> Workspace:
    ws.import_paths([write_ndjson(tmp_path / "in" / "users.ndjson", ROWS)], sheet="u")
    return ws


def run(ws: Workspace, *steps: ir.Step) -> dict[str, list[object]]:
    page = ws.query("u", ir.Query(steps=steps))
    names = [c.name for c in page.columns]
    return {name: [row[i] for row in page.rows] for i, name in enumerate(names)}


def test_a_step_finds_its_column_ignoring_case(sheet: Workspace) -> None:
    out = run(sheet, ir.ChangeCase(column="user", mode="upper"))
    assert out["User"] == ["ALICE", "BOB"]
    out = run(sheet, ir.Split(column="HOST", delimiter="-", parts=2))
    assert out["host_1"] == ["web", "db"] and out["host_2"] == ["1", "2"]  # named after the column, not the typing
    out = run(sheet, ir.Rename(column="user", name="account"))
    assert out["account"] == ["alice", "bob"] and "User" not in out


def test_a_new_column_may_not_differ_from_an_existing_one_only_by_case(sheet: Workspace) -> None:
    with pytest.raises(InvalidQuery, match="a column named 'User' already exists"):
        run(sheet, ir.Combine(columns=("User", "host"), separator="@", name="USER"))
    with pytest.raises(InvalidQuery, match="a column named 'User' already exists"):
        run(sheet, ir.Rename(column="host", name="user"))
    with pytest.raises(InvalidQuery, match="duplicate new column names"):
        run(sheet, ir.Split(column="host", delimiter="-", parts=2, names=("part", "PART")))


def test_renaming_a_column_to_another_case_of_itself_is_allowed(sheet: Workspace) -> None:
    out = run(sheet, ir.Rename(column="User", name="user"))
    assert out["user"] == ["alice", "bob"]
