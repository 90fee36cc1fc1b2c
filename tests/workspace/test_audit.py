"""The audit trail: what the workspace records (imports with their files' hashes, saved views, annotations,
rule runs, IOC lists, exports, cases, recipes), per case, with time and user, and a hash chain that
`verify` walks: an edited, removed, reordered or cut entry is found at its place; appends from several
processes at once stay one chain."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from fixtures import write_ndjson
from logsheet.core import ir
from logsheet.query.filterlang import parse_filter
from logsheet.workspace import Workspace


@pytest.fixture
def traced(ws: Workspace, inputs: Path, monkeypatch: pytest.MonkeyPatch) -> Workspace:
    monkeypatch.setenv("LOGSHEET_USER", "ana")
    path = write_ndjson(inputs / "auth.ndjson", [{"t": f"2024-05-01T10:00:0{i}Z", "ip": f"10.0.0.{i}", "n": i} for i in range(5)])
    ws.import_paths([path], sheet="auth", case="intrusion")
    write_ndjson(inputs / "other.ndjson", [{"k": 1}])
    ws.import_paths([inputs / "other.ndjson"], sheet="other")
    ws.save_view("auth", "odd", ir.Query(where=parse_filter("n in (1, 3)")))
    ws.annotate("auth", ir.Query(where=parse_filter("n = 1")), star=True)
    ws.annotate("auth", None, [ws.query("auth", ir.Query(), limit=1).rowids[0]], comment="<b>root</b>")
    (inputs / "iocs.txt").write_text("10.0.0.3\n", encoding="utf-8")
    ws.import_iocs(inputs / "iocs.txt")
    ws.match_iocs("intrusion")
    ws.export("auth", ir.Query(), inputs / "out.csv")
    return ws


def test_every_action_is_recorded_with_its_time_user_sheets_and_detail(traced: Workspace, inputs: Path) -> None:
    entries = traced.audit()
    actions = [e["action"] for e in entries]
    assert actions == ["import", "import", "save view", "star", "comment", "import IOC list", "match IOC lists", "export"]
    assert entries[0]["cases"] == ["intrusion"] and entries[1]["cases"] == []  # import --case names the case
    first = entries[0]
    assert first["user"] == "ana" and first["sheets"] == ["auth"] and first["at"].endswith("Z")
    source = first["detail"]["sources"][0]
    assert source["sha256"] == hashlib.sha256((inputs / "auth.ndjson").read_bytes()).hexdigest()
    assert first["detail"]["rows"] == 5 and first["detail"]["rejected"] == 0
    star = next(e for e in entries if e["action"] == "star")
    assert star["detail"]["rows"] == 1 and star["detail"]["view"]["where"]["kind"] == "compare"
    comment = next(e for e in entries if e["action"] == "comment")
    assert comment["detail"]["value"] == "<b>root</b>"
    export = next(e for e in entries if e["action"] == "export")
    assert export["detail"]["rows"] == 5 and export["detail"]["file"] == "out.csv"
    assert [e["seq"] for e in entries] == list(range(1, len(entries) + 1))
    assert traced.verify_audit() == {"ok": True, "entries": len(entries), "head": entries[-1]["hash"]}


def test_a_case_lists_the_entries_touching_it(traced: Workspace) -> None:
    mine = traced.audit(case="intrusion")
    assert mine and all("auth" in e["sheets"] or "intrusion" in e["cases"] for e in mine)
    assert not any(e["sheets"] == ["other"] for e in mine)
    assert any(e["sheets"] == ["other"] for e in traced.audit())
    assert len(traced.audit(limit=2)) == 2


def rewrite(ws: Workspace, change: object) -> None:
    path = ws.root / "audit.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines = change(lines)  # type: ignore[operator]
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")


def edit(index: int, key: str, value: object) -> object:
    def change(lines: list[str]) -> list[str]:
        entry = json.loads(lines[index])
        entry["detail"][key] = value
        lines[index] = json.dumps(entry, separators=(",", ":"))
        return lines

    return change


def test_an_edited_entry_fails_verify_at_that_entry(traced: Workspace) -> None:
    rewrite(traced, edit(3, "name", "even"))
    verdict = traced.verify_audit()
    assert verdict["ok"] is False and verdict["line"] == 4 and verdict["seq"] == 4
    assert "entry 4 was edited" in verdict["reason"]


def test_removed_reordered_and_cut_entries_are_found(traced: Workspace) -> None:
    n = len(traced.audit())
    original = (traced.root / "audit.jsonl").read_text(encoding="utf-8")
    rewrite(traced, lambda lines: lines[:2] + lines[3:])
    verdict = traced.verify_audit()
    assert (verdict["ok"], verdict["line"], verdict["seq"]) == (False, 3, 3) and "missing" in verdict["reason"]
    (traced.root / "audit.jsonl").write_text(original, encoding="utf-8")
    rewrite(traced, lambda lines: [lines[1], lines[0], *lines[2:]])
    assert traced.verify_audit()["line"] == 1
    (traced.root / "audit.jsonl").write_text(original, encoding="utf-8")
    rewrite(traced, lambda lines: lines[:-2])  # the tail cut off: caught by the head the catalog keeps
    verdict = traced.verify_audit()
    assert verdict["ok"] is False and verdict["seq"] == n and "removed from its end" in verdict["reason"]
    (traced.root / "audit.jsonl").write_text(original, encoding="utf-8")
    rewrite(traced, lambda lines: [*lines[:4], lines[4][:-7], *lines[5:]])  # a line cut short
    assert traced.verify_audit()["line"] == 5
    (traced.root / "audit.jsonl").write_text(original, encoding="utf-8")
    assert traced.verify_audit()["ok"] is True


def test_entries_from_several_processes_at_once_stay_one_chain(ws: Workspace) -> None:
    script = (
        "import sys\nfrom logsheet.workspace import Workspace\n"
        "ws = Workspace.open(sys.argv[1])\n"
        "for i in range(40):\n    ws.record('test', detail_no=i)\n"
    )
    runs = [subprocess.Popen([sys.executable, "-c", script, str(ws.root)]) for _ in range(3)]
    assert all(p.wait(timeout=120) == 0 for p in runs)
    entries = ws.audit()
    assert len(entries) == 120 and [e["seq"] for e in entries] == list(range(1, 121))
    assert ws.verify_audit()["ok"] is True
