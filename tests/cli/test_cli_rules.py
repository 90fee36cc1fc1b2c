"""The detections' CLI contract: `rules list`, `rules run`, `findings`, `query --finding`, and `rules
on-import`, run through the entry point on a workspace the test builds."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from detect_fixtures import BRUTE_FAILURES, BRUTE_IP, write_rules, write_secure
from logsheet.cli import main

FINDING_FIELDS = {"id", "rule", "title", "level", "sheet", "rows", "first_seen", "last_seen", "entities"}


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def ok(*args: str) -> str:
    result = run(*args)
    assert result.exit_code == 0, result.output
    return result.stdout


def findings_json(*args: str) -> list[dict[str, Any]]:
    data = json.loads(ok(*args))
    assert isinstance(data, list)
    return data


@pytest.fixture
def secure(logsheet_home: Path, tmp_path: Path) -> Path:
    ok("import", str(write_secure(tmp_path)), "--sheet", "secure")
    return write_rules(tmp_path)


def test_rules_run_prints_the_findings_as_json_with_the_contracts_fields(secure: Path) -> None:
    result = run("rules", "run", "secure", "--sigma", str(secure), "--no-builtin", "--format", "json")
    assert result.exit_code == 0, result.output
    found = json.loads(result.stdout)
    assert {f["title"] for f in found} == {"SSH brute force (test)", "Root login accepted (test)"}
    for f in found:
        assert set(f) >= FINDING_FIELDS
        assert f["sheet"] == "secure" and f["first_seen"].endswith("Z") and f["last_seen"].endswith("Z")
        assert f["entities"]["ip"] == [BRUTE_IP]
    brute = next(f for f in found if f["kind"] == "correlation")
    assert brute["rows"] == BRUTE_FAILURES and brute["rule"] == "00000000-0000-4000-8000-000000000002"
    assert brute["attack"] == ["T1110.001"]
    assert "rule not run: Not runnable here (test)" in result.stderr and "%admins%" in result.stderr
    assert findings_json("findings", "secure", "--format", "json") == found  # stored, same shape
    assert findings_json("findings", "--format", "json") == found


def test_query_finding_shows_its_rows_and_other_options_apply_on_top(secure: Path) -> None:
    ok("rules", "run", "secure", "--sigma", str(secure), "--no-builtin")
    brute = next(f for f in findings_json("findings", "--format", "json") if f["kind"] == "correlation")
    assert ok("query", "secure", "--finding", brute["id"], "--count").strip() == str(BRUTE_FAILURES)
    rows = json.loads(ok("query", "secure", "--finding", brute["id"], "-c", "src_ip,event", "--format", "json"))
    assert {(r["src_ip"], r["event"]) for r in rows} == {(BRUTE_IP, "failed_password")}
    assert ok("query", "secure", "--finding", brute["id"], "-w", "src_port = 40003", "--count").strip() == "1"
    grouped = json.loads(ok("query", "secure", "--finding", brute["id"], "-g", "user", "--format", "json"))
    assert grouped == [{"user": "root", "count": BRUTE_FAILURES}]
    missing = run("query", "secure", "--finding", "Fdoesnotexist")
    assert missing.exit_code != 0 and "no finding 'Fdoesnotexist'" in missing.output


def test_rules_list_shows_the_builtin_pack_and_added_rules(secure: Path) -> None:
    listed = json.loads(ok("rules", "list", "--sigma", str(secure), "--format", "json"))
    mine = [r for r in listed if not r["builtin"]]
    assert [r["title"] for r in mine][:3] == [
        "SSH failed password (test)",
        "SSH brute force (test)",
        "Root login accepted (test)",
    ]
    brute = mine[1]
    assert brute["kind"] == "event_count" and brute["formats"] == ["syslog"]
    assert {"id", "title", "level", "tags", "formats", "origin"} <= set(brute)
    assert all(r["origin"] for r in listed)
    table = ok("rules", "list", "--sigma", str(secure), "--no-builtin")
    assert "SSH brute force (test)" in table and "event_count" in table


def test_rules_run_after_every_import_when_the_workspace_says_so(secure: Path, tmp_path: Path) -> None:
    assert "off" in ok("rules", "on-import")
    settings = json.loads(ok("rules", "on-import", "on", "--sigma", str(secure), "--json"))
    assert settings == {"on_import": True, "sigma": [str(secure.resolve())]}
    summary = json.loads(ok("import", str(write_secure(tmp_path)), "--sheet", "again", "--json"))
    assert summary["rules"]["findings"] >= 2 and summary["rules"]["by_level"]["critical"] == 1
    assert {f["title"] for f in findings_json("findings", "again", "--format", "json")} >= {"SSH brute force (test)"}
    assert json.loads(ok("rules", "on-import", "off", "--no-sigma", "--json")) == {"on_import": False, "sigma": []}


def test_bad_rule_paths_are_one_line_errors(secure: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    broken.write_text("title: [unclosed\n", encoding="utf-8")
    listed = run("rules", "list", "--sigma", str(broken), "--no-builtin")
    assert listed.exit_code != 0 and "broken.yml" in listed.output and "Traceback" not in listed.output
    missing = run("rules", "run", "secure", "--sigma", str(tmp_path / "nope.yml"))
    assert missing.exit_code == 2 and "does not exist" in missing.output
