"""Every bad option value is one line on stderr, never a traceback (issue 19, item 7 and the smaller list),
and a sheet's saved views can be listed, shown and deleted from the command line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from fixtures import write_ndjson
from logsheet.cli import main
from logsheet.core import ir
from logsheet.workspace import Workspace


def run(*args: str, input: str | None = None, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(main, list(args), input=input, env=env)


def one_line_error(result: Result, status: int) -> str:
    assert result.exit_code == status, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    return lines[0]


@pytest.fixture
def sheet(inputs: Path, logsheet_home: Path) -> str:
    path = write_ndjson(inputs / "rows.ndjson", [{"id": i, "name": f"n{i}"} for i in range(5)])
    assert run("import", str(path), "--sheet", "rows", "--quiet").exit_code == 0
    ws = Workspace.open(logsheet_home)
    ws.save_view("rows", "small", ir.query_from_json({"version": 1, "search": "n1"}))
    ws.save_view("rows", "a/b ☃", ir.query_from_json({"version": 1}))
    return "rows"


# ------------------------------------------------------------------------------------------------ views
def test_views_list_show_delete(sheet: str) -> None:
    listed = run("views", "list", sheet)
    assert listed.exit_code == 0 and "small" in listed.stdout and "a/b ☃" in listed.stdout
    assert [v["name"] for v in json.loads(run("views", "list", sheet, "--json").stdout)] == ["a/b ☃", "small"]
    shown = run("views", "show", sheet, "small")
    assert json.loads(shown.stdout)["search"] == "n1"
    page = run("query", sheet, "--query-json", shown.stdout.strip(), "--format", "json")
    assert [r["id"] for r in json.loads(page.stdout)] == [1]
    deleted = run("views", "delete", sheet, "small", "--yes")
    assert deleted.exit_code == 0 and "removed the saved view 'small'" in deleted.stdout
    assert [v["name"] for v in json.loads(run("views", "list", sheet, "--json").stdout)] == ["a/b ☃"]
    assert run("query", sheet, "--count").stdout.strip() == "5"  # the sheet is untouched


def test_views_delete_asks_and_refuses_what_is_absent(sheet: str) -> None:
    declined = run("views", "delete", sheet, "a/b ☃", input="n\n")
    assert declined.exit_code == 1 and "not deleted" in declined.stderr
    assert run("views", "delete", sheet, "a/b ☃", input="y\n").exit_code == 0
    assert "no saved view named 'small2'" in one_line_error(run("views", "delete", sheet, "small2", "--yes"), 1)
    assert "no sheet named 'nope'" in one_line_error(run("views", "delete", "nope", "x", "--yes"), 1)
    assert "no saved view named 'x'" in one_line_error(run("views", "show", sheet, "x"), 1)


# ---------------------------------------------------------------------------------------- option values
@pytest.mark.parametrize("value", ["inf", "-inf", "nan", "-1", "1e300", "soon"])
def test_bad_timeouts_are_one_line_usage_errors(sheet: str, value: str) -> None:
    line = one_line_error(run("query", sheet, "--timeout", value), 2)
    assert "Invalid value for '--timeout'" in line


def test_the_budget_thread_survives_a_refused_budget(sheet: str, logsheet_home: Path) -> None:
    """``--timeout inf`` used to reach the one watchdog thread and kill it with a traceback; the Python API
    refuses such a budget too, and budgets keep firing afterwards."""
    from logsheet.core.errors import InvalidQuery

    ws = Workspace.open(logsheet_home)
    for budget in (float("inf"), float("nan"), -1.0):
        with pytest.raises(InvalidQuery, match="time budget"):
            ws.query(sheet, timeout=budget)
    from logsheet.engines.base import WATCHDOG

    assert WATCHDOG._thread is None or WATCHDOG._thread.is_alive()
    assert ws.query(sheet, timeout=5.0).total == 5
    assert run("query", sheet, "--timeout", "0", "--count").stdout.strip() == "5"  # 0: no budget


@pytest.mark.parametrize("token", ["a", "fifteen-chars-x", " " * 20 + "abc"])
def test_short_tokens_are_refused(token: str) -> None:
    line = one_line_error(run("serve", "--token", token), 2)
    assert "at least 16 characters" in line
    line = one_line_error(run("serve", env={"LOGSHEET_TOKEN": token}), 2)
    assert "at least 16 characters" in line and "LOGSHEET_TOKEN" in line


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("serve", "--port", "0"), "--port"),
        (("serve", "--port", "70000"), "--port"),
        (("serve", "--max-upload-bytes", "-5"), "--max-upload-bytes"),
        (("serve", "--max-upload-bytes", "lots"), "--max-upload-bytes"),
        (("demo", "--port", "-1"), "--port"),
        (("import", "x", "--year", "soon"), "--year"),
        (("query", "rows", "--limit", "many"), "--limit"),
        (("query", "rows", "--offset", "x"), "--offset"),
    ],
)
def test_bad_option_values_are_one_line(args: tuple[str, ...], expected: str) -> None:
    assert expected in one_line_error(run(*args), 2)


@pytest.mark.parametrize("offset", [str(2**63), str(2**63 - 1), "-1"])
def test_offsets_past_int64_are_one_line(sheet: str, offset: str) -> None:
    line = one_line_error(run("query", sheet, "--offset", offset), 1)
    assert "an offset is 0 to" in line and "Conversion" not in line


def _logsheet(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """The real command in a subprocess: the environment is read when the engine module is first imported."""
    full = {**os.environ, **env, "PYTHONPATH": os.pathsep.join(sys.path)}
    return subprocess.run([sys.executable, "-m", "logsheet", *args], capture_output=True, text=True, env=full, timeout=120)


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("LOGSHEET_MEMORY_LIMIT", "lots", "LOGSHEET_MEMORY_LIMIT='lots' is not a memory size"),
        ("LOGSHEET_MEMORY_LIMIT", "100B", "at least 16MB"),
        ("LOGSHEET_QUERY_TIMEOUT", "inf", "LOGSHEET_QUERY_TIMEOUT='inf' is refused"),
        ("LOGSHEET_QUERY_TIMEOUT", "lots", "LOGSHEET_QUERY_TIMEOUT='lots' is refused"),
    ],
)
def test_bad_environment_values_are_one_line(sheet: str, variable: str, value: str, expected: str) -> None:
    done = _logsheet({variable: value}, "query", sheet, "--count")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and expected in lines[0], done.stderr
    if variable == "LOGSHEET_MEMORY_LIMIT":
        assert "2GB" in lines[0] and "GiB" in lines[0]  # the accepted forms


def test_good_memory_limits_are_accepted(sheet: str) -> None:
    for value in ("512MB", "1.5GiB", " 2 GB "):
        done = _logsheet({"LOGSHEET_MEMORY_LIMIT": value}, "query", sheet, "--count")
        assert done.returncode == 0 and done.stdout.strip() == "5", done.stderr


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("export", "rows", "-o", "{tmp}/x.csv", "--limit", "-1"), "a limit is 0 to"),
        (("export", "rows", "-o", "{tmp}/x.csv", "--limit", str(2**64)), "a limit is 0 to"),
        (("export", "rows", "--to-dataset", "{tmp}/ds", "--limit", "-1"), "a limit is 0 to"),
        (("rejects", "rows", "--limit", "-1"), "a page holds 0 to 10000 rows"),
        (("rejects", "rows", "--limit", "100000"), "a page holds 0 to 10000 rows"),
    ],
)
def test_bad_limits_are_one_line(sheet: str, tmp_path: Path, args: tuple[str, ...], expected: str) -> None:
    line = one_line_error(run(*(a.replace("{tmp}", str(tmp_path)) for a in args)), 1)
    assert expected in line and "engine refused" not in line
