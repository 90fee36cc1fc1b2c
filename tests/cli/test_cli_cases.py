"""``logsheet case`` (list, show, create, add, remove, rename, delete), ``import --case`` and ``findings --case``,
through the CLI's entry point."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner, Result

from detect_fixtures import write_secure
from fixtures import write_ndjson
from logsheet.cli import main


def run(*args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)


def ok(*args: str, input: str | None = None) -> str:
    result = run(*args, input=input)
    assert result.exit_code == 0, result.stdout + result.stderr
    return result.stdout


def fails(*args: str) -> str:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def cells(line: str) -> list[str]:
    return [c.strip() for c in line.split("|")]


def cases() -> dict[str, list[str]]:
    return {c["name"]: c["sheets"] for c in json.loads(ok("case", "list", "--format", "json"))}


def test_the_case_commands(inputs: Path) -> None:
    rows = write_ndjson(inputs / "rows.ndjson", [{"n": 1}, {"n": 2}])
    ok("import", str(rows), "--sheet", "alpha", "-q")
    assert "in case 'intrusion'" in ok("import", str(rows), "--sheet", "beta", "--case", "intrusion", "-q")
    ok("import", str(rows), "--sheet", "gamma", "-q")
    assert cases() == {"default": ["alpha", "beta", "gamma"], "intrusion": ["beta"]}

    assert ok("case", "create", "triage", "alpha", "gamma") == "created case 'triage' with 2 sheets: alpha, gamma\n"
    assert ok("case", "create", "empty") == "created case 'empty' with no sheets\n"
    assert ok("case", "add", "intrusion", "alpha") == "case 'intrusion' holds 2 sheets: alpha, beta\n"
    assert ok("case", "remove", "triage", "gamma") == "case 'triage' holds 1 sheet: alpha\n"
    assert ok("case", "rename", "triage", "triage-2") == "renamed case 'triage' to 'triage-2'\n"
    assert ok("case", "delete", "empty", "--yes") == "deleted case 'empty'; its sheets stay in the workspace\n"
    assert cases() == {"default": ["alpha", "beta", "gamma"], "intrusion": ["alpha", "beta"], "triage-2": ["alpha"]}

    table = ok("case", "list")
    assert cells(table.splitlines()[0]) == ["case", "sheets", "holds", "created"]
    assert any(cells(line)[:3] == ["intrusion", "2", "alpha, beta"] for line in table.splitlines())
    shown = ok("case", "show", "intrusion")
    assert shown.splitlines()[0] == "case 'intrusion': 2 sheet(s)"
    assert cells(shown.splitlines()[1]) == ["sheet", "format", "rows"]
    assert any(cells(line) == ["beta", "json", "2"] for line in shown.splitlines())
    assert "(the default case)" in ok("case", "show", "default")
    body = json.loads(ok("case", "show", "intrusion", "--format", "json"))
    assert body["name"] == "intrusion" and body["sheets"] == ["alpha", "beta"] and body["default"] is False

    # a renamed sheet stays in its cases, a deleted one leaves them
    ok("rename", "alpha", "omega")
    ok("delete", "beta", "--yes")
    assert cases() == {"default": ["gamma", "omega"], "intrusion": ["omega"], "triage-2": ["omega"]}

    # deleting asks unless --yes
    declined = CliRunner().invoke(main, ["case", "delete", "intrusion"], input="n\n")
    assert declined.exit_code == 1 and declined.stderr.endswith("error: not deleted\n")
    assert "intrusion" in cases()
    assert ok("case", "delete", "intrusion", input="y\n").endswith("deleted case 'intrusion'; its sheets stay in the workspace\n")


def test_refusals_are_one_line(inputs: Path) -> None:
    rows = write_ndjson(inputs / "rows.ndjson", [{"n": 1}])
    ok("import", str(rows), "--sheet", "alpha", "-q")
    ok("case", "create", "taken")
    assert fails("case", "create", "taken") == "error: a case named 'taken' already exists"
    assert fails("case", "create", "other", "nosuch").startswith("error: no sheet named 'nosuch'")
    assert fails("case", "show", "nope") == "error: no case named 'nope'; cases: default, taken"
    assert fails("case", "remove", "taken", "alpha") == "error: case 'taken' does not hold a sheet named 'alpha'"
    assert fails("case", "delete", "default") == "error: the default case 'default' cannot be deleted"
    assert fails("case", "rename", "default", "x") == "error: the default case keeps its name 'default'"
    assert fails("case", "create", "") == "error: a case needs a name"
    assert fails("import", str(rows), "--sheet", "beta", "--case", " ", "-q") == "error: a case needs a name"
    usage = CliRunner().invoke(main, ["case", "add", "taken"])
    assert usage.exit_code == 2 and "Missing argument 'SHEETS...'" in usage.stderr


def test_findings_of_a_case(tmp_path: Path) -> None:
    secure = write_secure(tmp_path)
    ok("import", str(secure), "--sheet", "web1", "--case", "breach", "-q")
    ok("import", str(secure), "--sheet", "web2", "-q")
    ok("rules", "run", "web1")
    ok("rules", "run", "web2")
    every = json.loads(ok("findings", "--format", "json"))
    in_case = json.loads(ok("findings", "--case", "breach", "--format", "json"))
    assert {f["sheet"] for f in every} == {"web1", "web2"}
    assert in_case and in_case == [f for f in every if f["sheet"] == "web1"]
    assert fails("findings", "--case", "nope").startswith("error: no case named 'nope'")
