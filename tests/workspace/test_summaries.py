"""One sheet summary (``workspace/summaries.py``): built once, and what ``logsheet sheets`` / ``logsheet info``
and ``GET /api/sheets`` / ``GET /api/sheets/{name}`` print is its JSON, key for key, in the order these
outputs have always had."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pytest
from click.testing import CliRunner

from fixtures import write_ndjson
from logsheet.api import create_app
from logsheet.cli import main
from logsheet.core.schema import Column
from logsheet.workspace import Workspace

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # starlette's TestClient warns about its httpx dependency
    from fastapi.testclient import TestClient

INFO_KEYS = [
    "name",
    "format",
    "rows",
    "rejected",
    "duplicates_removed",
    "time_column",
    "columns",
    "column_order",
    "bytes",
    "created_at",
    "updated_at",
    "sources",
    "imports",
]
LISTING_KEYS = [
    "name",
    "format",
    "rows",
    "columns",
    "rejected",
    "duplicates_removed",
    "bytes",
    "time_column",
    "created_at",
    "updated_at",
    "sources",
]
BRIEF_KEYS = ["name", "format", "rows", "columns", "rejected", "bytes", "time_column", "updated_at"]


@pytest.fixture
def sheet(ws: Workspace, inputs: Path) -> Workspace:
    """Sheet ``events``: two imports (the second appended), four rows kept, one malformed line rejected."""
    rows = [{"n": 1, "user": "alice", "ts": "2022-03-22T15:00:00Z"}, {"n": 2, "user": "bob", "ts": "2022-03-22T15:01:00Z"}]
    first = write_ndjson(inputs / "a.ndjson", rows)
    second = inputs / "more" / "b.ndjson"
    second.parent.mkdir()
    second.write_text('{"n": 3, "user": "carol", "ts": "2022-03-22T15:02:00Z"}\n{not json\n{"n": 4, "user": "dan"}\n')
    ws.import_paths([first], sheet="events")
    ws.import_paths([second], sheet="events", append=True)
    return ws


def test_the_summary(sheet: Workspace) -> None:
    summary = sheet.summary("events")
    assert (summary.name, summary.format, summary.rows, summary.rejected, summary.duplicates_removed) == (
        "events",
        "json",
        4,
        1,
        0,
    )
    assert summary.time_column == "ts" and list(summary.columns)[:2] == [Column("n", "integer"), Column("user", "text")]
    assert [Path(s.path).name for s in summary.sources] == ["a.ndjson", "b.ndjson"]
    assert [(s.records_read, s.rows_kept, s.rejected) for s in summary.sources] == [(2, 2, 0), (3, 2, 1)]
    assert len(summary.imports) == 2 and summary.bytes > 0 and summary.created_at <= summary.updated_at
    assert sheet.sheets() == [summary]


def test_its_three_json_shapes(sheet: Workspace) -> None:
    summary = sheet.summary("events")
    info = summary.to_json()
    assert list(info) == INFO_KEYS
    assert info["columns"] == [{"name": c.name, "type": c.type} for c in summary.columns]
    assert info["column_order"] == [] and summary.column_order == ()  # JSON lines: no preferred order
    assert info["sources"] == [s.to_json() for s in summary.sources]
    assert info["imports"] == sheet.catalog.imports(sheet.sheet("events").id)
    listing = summary.to_listing_json()
    assert list(listing) == LISTING_KEYS
    assert listing["sources"] == 2 and listing["columns"] == info["columns"]
    brief = summary.to_brief_json()
    assert list(brief) == BRIEF_KEYS
    assert brief["columns"] == len(summary.columns) and "sources" not in brief
    for shape in (listing, brief):  # the shorter shapes are the whole summary's values
        assert {k: v for k, v in shape.items() if k not in ("columns", "sources")} == {
            k: info[k] for k in shape if k not in ("columns", "sources")
        }
    assert sheet.info("events") == info
    json.dumps(info)  # JSON-ready as it is


def test_the_cli_prints_the_summary(sheet: Workspace) -> None:
    summary = sheet.summary("events")
    runner = CliRunner()
    listed = runner.invoke(main, ["sheets", "--json"])
    assert listed.exit_code == 0 and listed.stdout == json.dumps([summary.to_brief_json()], indent=2) + "\n"
    shown = runner.invoke(main, ["info", "events", "--json"])
    assert shown.exit_code == 0 and shown.stdout == json.dumps(summary.to_json(), indent=2) + "\n"
    text = runner.invoke(main, ["info", "events"]).stdout.splitlines()
    assert text[0] == "sheet 'events': 4 rows, format json, time column ts"
    assert text[1] == f"rejected: 1   duplicates removed: 0   size: {summary.bytes:,} bytes"
    b = summary.sources[1]
    assert f"    sha256 {b.sha256}  {b.size:,} bytes" in text
    assert "    read 3 = kept 2 + rejected 1 + duplicates 0" in text
    table = runner.invoke(main, ["sheets"]).stdout.splitlines()
    assert [c.strip() for c in table[2].split("|")] == ["events", "json", "4", str(len(summary.columns)), "1", summary.updated_at]


def test_the_api_answers_the_summary(sheet: Workspace) -> None:
    summary = sheet.summary("events")
    client = TestClient(create_app(sheet))
    assert client.get("/api/sheets").json() == [summary.to_listing_json()]
    assert client.get("/api/sheets/events").json() == summary.to_json()
    renamed = client.patch("/api/sheets/events", json={"name": "renamed"}).json()
    assert renamed == {**summary.to_json(), "name": "renamed", "updated_at": renamed["updated_at"]}


def test_no_sheets(ws: Workspace) -> None:
    assert ws.sheets() == []
    assert CliRunner().invoke(main, ["sheets", "--json"]).stdout == "[]\n"
