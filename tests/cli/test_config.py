"""`logsheet config`: the workspace's engine setting, stored in its catalog, shown and changed from the command
line, and what `serve`, `query` and the API make of it. (No Spark session is started here: the tests that run
views on Spark are in tests/engines/spark/test_spark_server.py.)"""

from __future__ import annotations

import json
import subprocess
import sys
import warnings
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from fixtures import write_ndjson
from logsheet.api import create_app
from logsheet.cli import main
from logsheet.core.errors import LogsheetError
from logsheet.workspace import Workspace

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # starlette's TestClient warns about its httpx dependency
    from fastapi.testclient import TestClient

LOGSHEET = str(Path(sys.executable).parent / "logsheet")


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def ok(*args: str) -> str:
    result = run(*args)
    assert result.exit_code == 0, result.output
    return result.output


def test_config_shows_and_sets_the_engine(logsheet_home: Path) -> None:
    assert ok("config").split() == ["engine", "duckdb", "spark.master", "-", "spark.remote", "-", "ip-ranges", "-", "geoip", "-"]
    out = ok("config", "engine", "spark", "--spark-master", "spark://10.0.0.5:7077")
    assert out.splitlines()[0] == f"views of {logsheet_home.resolve()} now run on Spark, master spark://10.0.0.5:7077"
    assert ok("config", "engine") == "spark\n"
    shown = {"engine": "spark", "spark_master": "spark://10.0.0.5:7077", "spark_remote": None}
    assert json.loads(ok("config", "--json")) == shown
    # stored in the workspace: a new process (the installed entry point) sees it
    other = subprocess.run([LOGSHEET, "config", "--json"], capture_output=True, text=True, timeout=60, check=True)
    assert json.loads(other.stdout) == shown
    ok("config", "engine", "spark", "--spark-remote", "sc://spark.internal:15002")
    assert Workspace.open(logsheet_home).engine_setting().remote == "sc://spark.internal:15002"
    assert "DuckDB" in ok("config", "engine", "duckdb")
    assert Workspace.open(logsheet_home).serving().to_json() == {"engine": "duckdb", "spark_master": None, "spark_remote": None}


def test_spark_without_a_location_is_the_default_master(logsheet_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LOGSHEET_SPARK_MASTER", raising=False)
    monkeypatch.delenv("LOGSHEET_SPARK_REMOTE", raising=False)
    assert json.loads(ok("config", "engine", "spark", "--json"))["spark_master"] == "local[*]"
    monkeypatch.setenv("LOGSHEET_SPARK_MASTER", "yarn")
    assert "master yarn" in ok("config", "engine", "spark")


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["engine", "spark", "--spark-remote", "http://spark:15002"], 1, "is not a Spark Connect URL"),
        (["engine", "spark", "--spark-master", "local[2]", "--spark-remote", "sc://h:1"], 2, "not both"),
        (["engine", "duckdb", "--spark-master", "local[2]"], 2, "go with `engine spark`"),
        (["--spark-master", "local[2]"], 2, "go with `logsheet config engine spark`"),
        (["engine", "flink"], 2, "'flink' is not one of"),
    ],
)
def test_config_refuses_what_cannot_work(args: list[str], code: int, message: str, logsheet_home: Path) -> None:
    result = run("config", *args)
    assert result.exit_code == code and message in result.output, result.output
    assert "Traceback" not in result.output
    assert Workspace.open(logsheet_home).engine_setting().engine == "duckdb"  # nothing was stored


def test_a_spark_connect_token_is_not_shown(logsheet_home: Path) -> None:
    ws = Workspace.open(logsheet_home)
    ws.set_engine("spark", remote="sc://spark.internal:15002/;token=s3cr3t;use_ssl=true")
    assert "s3cr3t" not in ok("config") and "sc://spark.internal:15002/;..." in ok("config")
    client = TestClient(create_app(Workspace.open(logsheet_home)))
    info = client.get("/api/info").json()
    assert info["engine"] == {"engine": "spark", "spark_master": None, "spark_remote": "sc://spark.internal:15002/;..."}
    assert "s3cr3t" not in json.dumps(info)


def test_api_info_on_duckdb(logsheet_home: Path) -> None:
    from logsheet import __version__

    client = TestClient(create_app(Workspace.open(logsheet_home)))
    assert client.get("/api/info").json() == {
        "version": __version__,
        "engine": {"engine": "duckdb", "spark_master": None, "spark_remote": None},
    }


def test_serve_follows_the_setting_and_engine_overrides_it(logsheet_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    served: list[dict[str, Any]] = []
    monkeypatch.setattr("logsheet.api.run", lambda ws, *args, **kwargs: served.append(ws.serving().to_json()))
    ok("config", "engine", "spark", "--spark-master", "local[3]")
    ok("serve")
    ok("serve", "--engine", "duckdb")
    ok("serve", "--spark-remote", "sc://127.0.0.1:15002")
    ok("serve", "--engine", "spark")
    assert served == [
        {"engine": "spark", "spark_master": "local[3]", "spark_remote": None},
        {"engine": "duckdb", "spark_master": None, "spark_remote": None},
        {"engine": "spark", "spark_master": None, "spark_remote": "sc://127.0.0.1:15002"},
        {"engine": "spark", "spark_master": "local[3]", "spark_remote": None},  # the setting's location
    ]
    assert Workspace.open(logsheet_home).engine_setting().master == "local[3]"  # --engine changed nothing stored
    assert run("serve", "--engine", "duckdb", "--spark-master", "x").exit_code == 2


def test_query_follows_the_setting(logsheet_home: Path, inputs: Path) -> None:
    ok("import", str(write_ndjson(inputs / "e.ndjson", [{"a": 1}, {"a": 2}])), "--sheet", "e", "--quiet")
    ok("config", "engine", "spark")
    assert "`a`" in ok("query", "e", "--where", "a = 1", "--show-sql")  # the Spark SQL (backticks): the engine's
    assert '"a"' in ok("query", "e", "--where", "a = 1", "--show-sql", "--engine", "duckdb")
    assert ok("query", "e", "--where", "a > 1", "--count", "--engine", "duckdb") == "1\n"


def test_a_broken_setting_says_how_to_fix_it(logsheet_home: Path, inputs: Path) -> None:
    ok("import", str(write_ndjson(inputs / "e.ndjson", [{"a": 1}])), "--sheet", "e", "--quiet")
    Workspace.open(logsheet_home).catalog.update_settings({"engine": "flink"})  # edited by hand
    result = run("query", "e", "--count")
    assert result.exit_code == 1 and "logsheet config engine duckdb" in result.output, result.output
    ws = Workspace.open(logsheet_home)
    with pytest.raises(LogsheetError, match="not valid"):
        ws.count("e")
    assert ok("query", "e", "--count", "--engine", "duckdb") == "1\n"  # --engine still works
    ok("config", "engine", "duckdb")
    assert ok("query", "e", "--count") == "1\n"
