"""Import options are read and checked once (logsheet.ingest.options): the CLI (through its entry point) and the
upload endpoint (through the ASGI app) refuse the same bad option with the same message, and the catalog
records the options an import was given as before."""

from __future__ import annotations

import dataclasses
import time
import warnings
from pathlib import Path

import pytest
from click.testing import CliRunner

from fixtures import write_ndjson
from logsheet.api import create_app
from logsheet.cli import main
from logsheet.ingest.options import ImportOptions, InvalidImportOption
from logsheet.workspace import Workspace

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # starlette's note that its TestClient moves from httpx
    from fastapi.testclient import TestClient

SYSLOG = b"Jan 15 12:00:00 host sshd[1]: Accepted publickey for root\n"

# (CLI arguments, upload form fields, the message both give)
BAD = [
    (["--timezone", "Mars/Olympus"], {"timezone": "Mars/Olympus"}, "unknown time zone 'Mars/Olympus'"),
    (["--year", "1800"], {"year": "1800"}, "--year must be a number such as 2022, not '1800' (years 1970 to 2100)"),
    (["--year", "99999"], {"year": "99999"}, "--year must be a number such as 2022, not '99999'"),
    (["--fields", "srcadr,dstaddr"], {"fields": "srcadr dstaddr"}, "unknown VPC flow log field(s) in --fields: srcadr"),
    (["--fields", "srcaddr srcaddr"], {"fields": "srcaddr,srcaddr"}, "--fields names a field twice"),
]


def cli_error(home: Path, path: Path, args: list[str]) -> str:
    result = CliRunner().invoke(main, ["--home", str(home), "import", str(path), "-s", "t", "-q", *args])
    assert result.exit_code == 1, result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    return lines[0].removeprefix("error: ")


def upload_error(ws: Workspace, fields: dict[str, str]) -> str:
    client = TestClient(create_app(ws))
    response = client.post("/api/uploads", data={"sheet": "t", **fields}, files=[("files", ("messages", SYSLOG))])
    assert response.status_code == 400, response.text
    return str(response.json()["error"])


@pytest.mark.parametrize(("args", "fields", "message"), BAD, ids=[m[:30] for _, _, m in BAD])
def test_the_cli_and_the_upload_endpoint_refuse_a_bad_option_alike(
    logsheet_home: Path, inputs: Path, args: list[str], fields: dict[str, str], message: str
) -> None:
    path = inputs / "messages"
    path.write_bytes(SYSLOG)
    from_cli = cli_error(logsheet_home, path, args)
    ws = Workspace.open(logsheet_home)
    from_upload = upload_error(ws, fields)
    assert from_cli == from_upload
    assert message in from_cli
    assert ws.sheets() == []
    assert not any((logsheet_home / "uploads").glob("*/f0001-messages")), "a refused upload keeps no file"


def test_options_are_checked_when_built() -> None:
    with pytest.raises(InvalidImportOption, match="unknown time zone 'Nowhere/Else'"):
        ImportOptions(timezone="Nowhere/Else")
    with pytest.raises(InvalidImportOption, match="--year must be a number such as 2022, not '1969'"):
        ImportOptions(year=1969)
    with pytest.raises(InvalidImportOption, match="--year must be a whole number, not 'True'"):
        ImportOptions(year=True)
    with pytest.raises(InvalidImportOption, match="keep_duplicates must be true or false"):
        ImportOptions(keep_duplicates="yes")  # type: ignore[arg-type]
    with pytest.raises(InvalidImportOption, match="unknown VPC flow log field"):
        ImportOptions(fields=("srcaddr", "nope"))
    with pytest.raises(dataclasses.FrozenInstanceError):
        ImportOptions().year = 2022  # type: ignore[misc]
    assert ImportOptions(year=2022, timezone="utc").timezone == "utc"


def test_from_mapping_reads_form_spellings_and_refuses_unknown_keys() -> None:
    given = {"year": " 2022 ", "timezone": "Europe/Paris", "fields": "srcaddr, dstaddr", "keep_duplicates": "true"}
    options = ImportOptions.from_mapping(given)
    assert options == ImportOptions(keep_duplicates=True, year=2022, timezone="Europe/Paris", fields=("srcaddr", "dstaddr"))
    assert ImportOptions.from_mapping({"year": "", "timezone": " ", "fields": "", "keep_duplicates": "off"}) == ImportOptions()
    assert ImportOptions.from_mapping(None) == ImportOptions() == ImportOptions.of({})
    with pytest.raises(InvalidImportOption, match="--year must be a whole number, not 'last'"):
        ImportOptions.from_mapping({"year": "last"})
    with pytest.raises(InvalidImportOption, match="--year must be a number such as 2022, not '-5'"):
        ImportOptions.from_mapping({"year": "-5"})
    with pytest.raises(InvalidImportOption, match="keep_duplicates must be true or false, not 'maybe'"):
        ImportOptions.from_mapping({"keep_duplicates": "maybe"})
    with pytest.raises(InvalidImportOption, match=r"unknown import option\(s\): yeer; options: keep_duplicates"):
        ImportOptions.from_mapping({"yeer": 2022})


def test_to_json_is_what_the_catalog_recorded_before(ws: Workspace, inputs: Path) -> None:
    assert ImportOptions().to_json() == {}
    options = ImportOptions(keep_duplicates=True, year=2022, timezone="UTC", fields=("srcaddr",), demo=True)
    assert options.to_json() == {"demo": True, "keep_duplicates": True, "year": 2022, "timezone": "UTC", "fields": ["srcaddr"]}
    assert ImportOptions.from_mapping(options.to_json()) == options
    path = inputs / "messages"
    path.write_bytes(SYSLOG)
    ws.import_paths([path], sheet="s", format="syslog", options=ImportOptions(year=2022, timezone="Europe/Paris"))
    ws.import_paths([write_ndjson(inputs / "a.ndjson", [{"a": 1}])], sheet="plain")
    assert [i["options"] for i in ws.info("s")["imports"]] == [{"format": "syslog", "year": 2022, "timezone": "Europe/Paris"}]
    assert [i["options"] for i in ws.info("plain")["imports"]] == [{"format": None}]


def test_an_upload_carries_keep_duplicates(ws: Workspace, inputs: Path) -> None:
    client = TestClient(create_app(ws))
    line = b'{"a": 1}\n'
    response = client.post("/api/uploads", data={"sheet": "k", "keep_duplicates": "true"}, files=[("files", ("a.ndjson", line))])
    assert response.status_code == 200, response.text
    job = response.json()["job"]
    for _ in range(600):
        state = client.get(f"/api/jobs/{job}").json()
        if state["state"] in ("done", "failed"):
            break
        time.sleep(0.05)
    assert state["state"] == "done", state
    assert state["options"] == {"keep_duplicates": True}
    assert ws.info("k")["imports"][0]["options"] == {"format": None, "keep_duplicates": True}
