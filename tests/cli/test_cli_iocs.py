"""``logsheet ioc`` through the CLI's entry point: import (text, CSV, STIX; rejects listed), list, show,
match (the JSON contract: sheet, rows, values per sheet; --case, --list), delete, `--where ioc` and
`--mark-iocs` on query and export, and the refusals, one clear line each."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from click.testing import CliRunner, Result

from detect_fixtures import BRUTE_FAILURES, BRUTE_IP, CLEAN_IP, write_secure
from fixtures import write_ndjson
from logsheet.cli import main


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def ok(*args: str) -> str:
    result = run(*args)
    assert result.exit_code == 0, result.output
    return result.stdout


def fails(*args: str) -> str:
    result = run(*args)
    assert result.exit_code != 0, result.output
    return result.output


def setup(inputs: Path) -> Path:
    ok("import", str(write_secure(inputs)), "--sheet", "secure", "--case", "intrusion", "--year", "2024")
    rows = [{"t": f"2024-05-01T10:0{i}:00Z", "peer": ip} for i, ip in enumerate([BRUTE_IP, CLEAN_IP, BRUTE_IP])]
    ok("import", str(write_ndjson(inputs / "fw.ndjson", rows)), "--sheet", "fw", "--case", "intrusion")
    ok("import", str(write_ndjson(inputs / "other.ndjson", rows)), "--sheet", "other")  # not in the case
    path = inputs / "bad-ips.txt"
    path.write_text(f"# from the report\n{BRUTE_IP.replace('.', '[.]', 1)}  # brute force\nnot one\n", encoding="utf-8")
    return path


def test_import_list_show_and_the_match_json_contract(inputs: Path) -> None:
    path = setup(inputs)
    out = ok("ioc", "import", str(path), "--name", "bad")
    assert "IOC list 'bad': 1 indicators (1 ip)" in out and "line 3:" in out and "not one" in out
    listed = json.loads(ok("ioc", "list", "--format", "json"))
    assert [(x["name"], x["indicators"], x["rejected"], x["source"]) for x in listed] == [("bad", 1, 1, "bad-ips.txt")]
    shown = json.loads(ok("ioc", "show", "bad", "--format", "json"))
    assert shown == [
        {"kind": "ip", "value": BRUTE_IP, "original": BRUTE_IP.replace(".", "[.]", 1), "note": "brute force", "line": 2}
    ]
    result = json.loads(ok("ioc", "match", "--case", "intrusion", "--format", "json"))
    assert [{k: m[k] for k in ("sheet", "rows", "values")} for m in result] == [
        {"sheet": "secure", "rows": BRUTE_FAILURES + 1, "values": [BRUTE_IP]},
        {"sheet": "fw", "rows": 2, "values": [BRUTE_IP]},
    ]
    assert result[1]["hits"] == [{"list": "bad", "kind": "ip", "value": BRUTE_IP, "rows": 2}]
    default = json.loads(ok("ioc", "match", "--format", "json", "--list", "bad"))
    assert {m["sheet"] for m in default} == {"secure", "fw", "other"}
    table = ok("ioc", "match", "--case", "intrusion")
    assert "secure" in table and f"{BRUTE_FAILURES + 1}" in table
    findings = json.loads(ok("findings", "--case", "intrusion", "--format", "json"))
    assert {(f["rule"], f["sheet"], f["rows"]) for f in findings} >= {
        ("ioc:bad", "secure", BRUTE_FAILURES + 1),
        ("ioc:bad", "fw", 2),
    }


def test_the_ioc_filter_and_mark_column_on_query_and_export(inputs: Path, tmp_path: Path) -> None:
    ok("ioc", "import", str(setup(inputs)), "--name", "bad")
    assert ok("query", "fw", "--where", "ioc", "--count").strip() == "2"
    assert ok("query", "fw", "--where", "not ioc = 'bad'", "--count").strip() == "1"
    rows = json.loads(ok("query", "fw", "--mark-iocs", "--columns", "peer,ioc_lists", "--format", "json"))
    assert [r["ioc_lists"] for r in rows] == ["bad", None, "bad"]
    grouped = json.loads(ok("query", "fw", "--mark-iocs", "--group-by", "ioc_lists", "--format", "json"))
    assert {(g["ioc_lists"], g["count"]) for g in grouped} == {("bad", 2), (None, 1)}
    out = tmp_path / "hits.csv"
    ok("export", "fw", "--where", "ioc", "--mark-iocs", "-o", str(out))
    with out.open(encoding="utf-8") as fh:
        assert [r["ioc_lists"] for r in csv.DictReader(fh)] == ["bad", "bad"]


def test_stix_and_csv_lists_and_the_refusals(inputs: Path) -> None:
    setup(inputs)
    bundle = {"type": "bundle", "objects": [{"type": "indicator", "pattern": f"[ipv4-addr:value = '{CLEAN_IP}']", "name": "x"}]}
    (inputs / "intel.json").write_text(json.dumps(bundle), encoding="utf-8")
    assert "(stix)" in ok("ioc", "import", str(inputs / "intel.json"))
    (inputs / "users.csv").write_text("value,type\nroot,username\n", encoding="utf-8")
    assert "1 user" in ok("ioc", "import", str(inputs / "users.csv"), "--level", "medium")
    assert (
        json.loads(ok("ioc", "match", "--case", "intrusion", "--list", "users", "--format", "json"))[0]["rows"]
        == BRUTE_FAILURES + 1
    )
    assert "an IOC list named 'intel' exists; --replace" in fails("ioc", "import", str(inputs / "intel.json"))
    ok("ioc", "import", str(inputs / "intel.json"), "--replace")
    assert "cannot read" in fails("ioc", "import", str(inputs / "missing.txt"))
    (inputs / "words.txt").write_text("hello\n", encoding="utf-8")
    assert "holds no indicator" in fails("ioc", "import", str(inputs / "words.txt"))
    assert "no IOC list named 'nope'" in fails("ioc", "match", "--list", "nope")
    assert "no IOC list named 'nope'" in fails("query", "fw", "--where", "ioc = 'nope'")
    assert "no case named" in fails("ioc", "match", "--case", "nope").lower() or "nope" in fails("ioc", "match", "--case", "nope")
    ok("ioc", "delete", "intel")
    assert "no IOC list named 'intel'" in fails("ioc", "show", "intel")
    assert [x["name"] for x in json.loads(ok("ioc", "list", "--format", "json"))] == ["users"]
