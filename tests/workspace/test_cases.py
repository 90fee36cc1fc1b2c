"""Cases through the Python API: named sets of sheets, the default case, membership that follows renames and
deletions, imports into a case, a case's findings, and a catalog from before cases."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from detect_fixtures import write_secure
from fixtures import write_ndjson
from logsheet.core.errors import Conflict, LogsheetError, NotFound
from logsheet.store.catalog import SCHEMA_VERSION
from logsheet.workspace import Workspace


@pytest.fixture
def ws(logsheet_home: Path, inputs: Path) -> Workspace:
    workspace = Workspace.open(logsheet_home)
    rows = write_ndjson(inputs / "rows.ndjson", [{"n": i, "t": f"2024-05-01T10:00:0{i}Z"} for i in range(3)])
    for name in ("alpha", "beta", "gamma"):
        workspace.import_paths([rows], sheet=name)
    return workspace


def names(ws: Workspace) -> dict[str, tuple[str, ...]]:
    return {c.name: c.sheets for c in ws.cases()}


def test_every_imported_sheet_joins_the_default_case(ws: Workspace) -> None:
    assert names(ws) == {"default": ("alpha", "beta", "gamma")}
    default = ws.case("default")
    assert default.default and default.to_json() == {
        "name": "default",
        "sheets": ["alpha", "beta", "gamma"],
        "created_at": default.created_at,
        "default": True,
    }
    assert Workspace.open(ws.root).cases() == ws.cases()  # opening again changes nothing


def test_create_add_remove_rename_delete(ws: Workspace) -> None:
    made = ws.create_case("intrusion", ["beta", "alpha", "beta"])
    assert made.sheets == ("alpha", "beta") and not made.default
    assert ws.add_to_case("intrusion", ["gamma", "alpha"]).sheets == ("alpha", "beta", "gamma")
    assert ws.remove_from_case("intrusion", ["beta"]).sheets == ("alpha", "gamma")
    assert ws.case("default").sheets == ("alpha", "beta", "gamma")  # another case is untouched
    renamed = ws.rename_case("intrusion", "incident 42/host")
    assert renamed.name == "incident 42/host" and renamed.sheets == ("alpha", "gamma")
    ws.delete_case("incident 42/host")
    assert names(ws) == {"default": ("alpha", "beta", "gamma")}
    assert ws.sheet("alpha").row_count == 3  # deleting a case keeps its sheets


def test_a_sheet_in_several_cases_follows_its_renames_and_leaves_them_when_deleted(ws: Workspace) -> None:
    ws.create_case("one", ["alpha", "beta"])
    ws.create_case("two", ["alpha"])
    ws.rename_sheet("alpha", "zeta")
    assert names(ws) == {"default": ("beta", "gamma", "zeta"), "one": ("beta", "zeta"), "two": ("zeta",)}
    ws.delete_sheet("zeta")
    assert names(ws) == {"default": ("beta", "gamma"), "one": ("beta",), "two": ()}


def test_import_into_a_case_makes_it_and_keeps_the_default(ws: Workspace, inputs: Path) -> None:
    rows = write_ndjson(inputs / "more.ndjson", [{"n": 9}])
    ws.import_paths([rows], sheet="delta", case="new case")
    assert names(ws)["new case"] == ("delta",) and "delta" in ws.case("default").sheets
    ws.import_paths([rows], sheet="epsilon", case="new case")
    assert ws.case("new case").sheets == ("delta", "epsilon")
    ws.import_paths([rows], sheet="delta", append=True, case="other")  # appending puts an existing sheet in one too
    assert ws.case("other").sheets == ("delta",)
    with pytest.raises(LogsheetError, match="a case name cannot contain control characters"):
        ws.import_paths([rows], sheet="phi", case="bad\x07name")
    assert ws.catalog.get_sheet("phi") is None  # refused before anything was imported


def test_refusals(ws: Workspace) -> None:
    ws.create_case("taken")
    with pytest.raises(Conflict, match="a case named 'taken' already exists"):
        ws.create_case("taken")
    with pytest.raises(Conflict, match="a case named 'default' already exists"):
        ws.rename_case("taken", "default")
    with pytest.raises(NotFound, match="no case named 'nope'; cases: default, taken"):
        ws.case("nope")
    with pytest.raises(NotFound, match="no sheet named 'nosuch'"):
        ws.create_case("fresh", ["alpha", "nosuch"])
    assert "fresh" not in names(ws)  # nothing half-made
    with pytest.raises(NotFound, match="no sheet named 'nosuch'"):
        ws.add_to_case("taken", ["nosuch"])
    with pytest.raises(NotFound, match="case 'taken' does not hold a sheet named 'alpha'"):
        ws.remove_from_case("taken", ["alpha"])
    with pytest.raises(LogsheetError, match="name one or more sheets to add"):
        ws.add_to_case("taken", [])
    with pytest.raises(LogsheetError, match="the default case 'default' cannot be deleted"):
        ws.delete_case("default")
    with pytest.raises(LogsheetError, match="the default case keeps its name"):
        ws.rename_case("default", "mine")
    for bad, message in (("", "a case needs a name"), (" ", "a case needs a name"), ("x" * 201, "at most 200 characters")):
        with pytest.raises(LogsheetError, match=message):
            ws.create_case(bad)
    with pytest.raises(NotFound):
        ws.delete_case("nope")


def test_a_case_findings_are_those_of_its_sheets(logsheet_home: Path, tmp_path: Path) -> None:
    ws = Workspace.open(logsheet_home)
    secure = write_secure(tmp_path)
    ws.import_paths([secure], sheet="web1", case="breach")
    ws.import_paths([secure], sheet="web2")
    ws.run_rules("web1")
    ws.run_rules("web2")
    every = ws.findings()
    assert {f.sheet for f in every} == {"web1", "web2"}
    in_case = ws.findings(case="breach")
    assert in_case and in_case == [f for f in every if f.sheet == "web1"]
    assert ws.findings(case="default") == every
    ws.create_case("empty")
    assert ws.findings(case="empty") == []
    with pytest.raises(NotFound):
        ws.findings(case="nope")


def test_a_catalog_from_before_cases_gets_a_default_case_of_every_sheet(ws: Workspace) -> None:
    catalog = ws.root / "catalog.sqlite"
    ws.catalog.close()
    with sqlite3.connect(catalog) as db:  # the catalog as logsheet wrote it before cases
        db.execute("DROP TABLE case_sheets")
        db.execute("DROP TABLE cases")
        db.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
    db.close()
    again = Workspace.open(ws.root)
    assert names(again) == {"default": ("alpha", "beta", "gamma")}
    with sqlite3.connect(catalog) as db:
        assert db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone() == (str(SCHEMA_VERSION),)
    db.close()
    again.create_case("after", ["beta"])
    assert names(Workspace.open(ws.root))["after"] == ("beta",)


def test_without_a_name_the_default_case(ws: Workspace) -> None:
    assert ws.case() == ws.case("default") and ws.case().sheets == ("alpha", "beta", "gamma")


def test_a_cases_annotations_choose_one_set_of_sheets(tmp_path: Path) -> None:
    ws = Workspace.open(tmp_path / "home")
    with pytest.raises(LogsheetError, match="not several"):
        ws.annotations("a", case="default")
    with pytest.raises(NotFound, match="no case named 'nope'"):
        ws.annotations(case="nope")
    assert ws.annotations(case="default", newest_first=True) == []
