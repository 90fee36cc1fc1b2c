"""`logsheet demo` keeps to itself (issue 11, item 7), through the CLI entry point: by default it builds its own
workspace (``logsheet-demo`` beside the default workspace) and says where; --home / LOGSHEET_HOME choose another;
rerunning it over saved views asks first (a terminal), refuses in one line (no terminal) or goes ahead with --yes;
a sheet named like a demo sheet that is not the demo's is never replaced, and other sheets are left alone."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from fixtures import write_csv
from logsheet.cli import main
from logsheet.core import ir
from logsheet.workspace import Workspace

REPO = Path(__file__).resolve().parents[2]


def run(args: list[str], data_home: Path, logsheet_home: Path | None = None) -> Result:
    """The CLI as a user on this machine runs it: the per-user data directory under ``data_home``."""
    env = {"XDG_DATA_HOME": str(data_home), "LOGSHEET_HOME": str(logsheet_home) if logsheet_home else None}
    return CliRunner().invoke(main, args, env=env)


def sheet_names(home: Path) -> list[str]:
    result = CliRunner().invoke(main, ["--home", str(home), "sheets", "--json"])
    assert result.exit_code == 0, result.output
    return sorted(s["name"] for s in json.loads(result.stdout))


def view_names(home: Path, sheet: str) -> list[str]:
    result = CliRunner().invoke(main, ["--home", str(home), "views", "list", sheet, "--json"])
    assert result.exit_code == 0, result.output
    return sorted(v["name"] for v in json.loads(result.stdout))


def save_view(home: Path, sheet: str, name: str) -> None:
    Workspace.open(home).save_view(sheet, name, ir.query_from_json({"version": 1, "search": "RunInstances"}))


@pytest.fixture(scope="module")
def data_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("xdg-data")


@pytest.fixture(scope="module")
def built(data_home: Path) -> Iterator[tuple[Path, Result]]:
    """`logsheet demo --no-serve` with no --home and no LOGSHEET_HOME, built once for the module."""
    result = run(["demo", "--no-serve"], data_home)
    assert result.exit_code == 0, result.output
    yield data_home / "logsheet-demo", result


def test_the_demo_builds_its_own_workspace_and_says_where(built: tuple[Path, Result], data_home: Path) -> None:
    home, result = built
    lines = result.stdout.splitlines()
    assert lines[0] == f"demo workspace: {home} (the demo's own; --home or LOGSHEET_HOME choose another)"
    assert "sheet 'cloudtrail': 48,512 rows" in result.stdout
    assert lines[-1] == f"try: logsheet --home {home} query cloudtrail --where \"eventName = 'RunInstances'\" --count"
    assert sheet_names(home) == ["cloudtrail", "secure", "vpcflow"]
    # The default workspace, where real evidence goes, got nothing.
    default = run(["sheets"], data_home)
    assert default.exit_code == 0, default.output
    assert default.stdout.startswith("no sheets yet")
    assert not (data_home / "logsheet" / "catalog.duckdb").exists() or sheet_names(data_home / "logsheet") == []
    # The "try" line works as printed.
    count = run(["--home", str(home), "query", "cloudtrail", "--where", "eventName = 'RunInstances'", "--count"], data_home)
    assert count.stdout.strip() == "7"


def test_rerun_without_a_terminal_refuses_in_one_line_and_keeps_the_views(built: tuple[Path, Result], data_home: Path) -> None:
    home, _ = built
    save_view(home, "cloudtrail", "launches")
    result = run(["demo", "--no-serve"], data_home)
    assert result.exit_code == 1
    assert result.stderr == (
        "error: rebuilding the demo would delete 1 saved view (cloudtrail: 'launches'): "
        "rerun with --yes to delete them, or choose another --home\n"
    )
    assert "generating" not in result.stdout
    assert view_names(home, "cloudtrail") == ["launches"]


def test_rerun_on_a_terminal_asks_and_no_changes_nothing(built: tuple[Path, Result], data_home: Path) -> None:
    home, _ = built
    save_view(home, "cloudtrail", "launches")
    env = {**os.environ, "XDG_DATA_HOME": str(data_home), "PYTHONPATH": os.pathsep.join(sys.path)}
    env.pop("LOGSHEET_HOME", None)
    leader, follower = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "logsheet", "demo", "--no-serve"], stdin=follower, stdout=follower, stderr=follower, env=env
    )
    os.close(follower)
    seen = b""
    deadline = time.monotonic() + 60
    while b"Delete them? [y/N]" not in seen:
        assert time.monotonic() < deadline and proc.poll() is None, seen.decode()
        seen += os.read(leader, 4096)
    os.write(leader, b"n\n")
    assert proc.wait(timeout=60) == 1
    try:
        while chunk := os.read(leader, 4096):
            seen += chunk
    except OSError:  # the terminal closes with the process
        pass
    os.close(leader)
    text = seen.decode()
    assert "rebuilding the demo deletes 1 saved view (cloudtrail: 'launches'). Delete them? [y/N]" in text
    assert "error: nothing changed" in text and "generating" not in text
    assert view_names(home, "cloudtrail") == ["launches"]


def test_rerun_with_yes_rebuilds_the_demo_sheets_only(built: tuple[Path, Result], data_home: Path, tmp_path: Path) -> None:
    home, _ = built
    save_view(home, "secure", "brute force")
    mine = write_csv(tmp_path / "mine.csv", ["user", "n"], [["alice", 1], ["bob", 2]])
    Workspace.open(home).import_paths([mine], sheet="mine")
    save_view(home, "mine", "kept")
    result = run(["demo", "--no-serve", "--yes"], data_home)
    assert result.exit_code == 0, result.output
    assert "sheet 'secure': 10,139 rows" in result.stdout
    assert view_names(home, "cloudtrail") == [] and view_names(home, "secure") == []
    assert sheet_names(home) == ["cloudtrail", "mine", "secure", "vpcflow"]  # someone else's sheet is left alone
    assert view_names(home, "mine") == ["kept"]
    count = run(["--home", str(home), "query", "mine", "--count"], data_home)
    assert count.stdout.strip() == "2"


@pytest.mark.parametrize("how", ["--home", "LOGSHEET_HOME"])
def test_a_sheet_that_is_not_the_demos_is_never_replaced(how: str, data_home: Path, tmp_path: Path) -> None:
    home = tmp_path / "evidence-home"
    logins = write_csv(tmp_path / "secure.csv", ["user", "host"], [["root", "web-1"]] * 3)
    Workspace.open(home).import_paths([logins], sheet="secure")
    args = ["demo", "--no-serve", "--yes"]
    result = run(["--home", str(home), *args], data_home) if how == "--home" else run(args, data_home, logsheet_home=home)
    assert result.exit_code == 1
    assert result.stdout == f"demo workspace: {home} (chosen by --home / LOGSHEET_HOME)\n"
    assert result.stderr == (
        f"error: sheet 'secure' in {home} is not the demo's and the demo never replaces it: "
        "point --home / LOGSHEET_HOME at another workspace (or run `logsheet demo` without them)\n"
    )
    assert sheet_names(home) == ["secure"]
    count = CliRunner().invoke(main, ["--home", str(home), "query", "secure", "--count"])
    assert count.stdout.strip() == "3"


def test_the_readme_and_demo_script_run_the_demo_as_documented() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "$ logsheet demo --no-serve\ndemo workspace: " in readme
    assert "$ export LOGSHEET_HOME=~/.local/share/logsheet-demo" in readme
    assert (REPO / "scripts" / "demo.sh").read_text(encoding="utf-8").rstrip().endswith('exec .venv/bin/logsheet demo "$@"')
