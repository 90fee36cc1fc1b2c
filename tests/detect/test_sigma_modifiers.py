"""Each Sigma modifier, compiled by logsheet.detect, flags exactly the rows it should on a small generated
sheet, through the Workspace API (a user mapping file ties the rules' log source to the sheet's format)."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from fixtures import write_ndjson
from logsheet.core import ir
from logsheet.detect import CompiledRule, Refused, compile_rules, load_mapping
from logsheet.detect.sigma.logsources import MappingError
from logsheet.workspace import Workspace

B64 = base64.b64encode(b"whoami").decode()  # d2hvYW1p
B64_OFFSET1 = base64.b64encode(b"x" + b"whoami").decode()  # the same word one byte further in
ROWS = [
    {"i": 0, "message": "Accepted password for root", "cmd": "powershell -enc " + B64, "ip": "10.0.0.5", "n": 1},
    {"i": 1, "message": "accepted PASSWORD for bob", "cmd": "cmd.exe /c whoami", "ip": "192.168.1.9", "n": 7},
    {"i": 2, "message": "Failed password for root", "cmd": "net user /add evil", "ip": "2001:db8::1", "n": 30},
    {"i": 3, "message": "line one\nline two", "cmd": "Net User -add evil", "ip": "not an ip", "n": 100},
    {"i": 4, "message": "a?c literal", "cmd": "echo " + B64_OFFSET1, "ip": "10.255.255.255", "n": 0},
]
for _row, _opt, _who in zip(ROWS, ["x", None, "", "y*z", "yQz"], ["X", None, "", "y*z", "yqz-more"], strict=True):
    _row.update(opt=_opt, who=_who)  # who: for |fieldref against opt
MAPPING = """
mappings:
  - logsource: {product: testlab, service: box}
    format: json
    fields: {CommandLine: cmd}
    keywords: [message]
"""


@pytest.fixture
def sheet(ws: Workspace, inputs: Path) -> Workspace:
    ws.import_paths([write_ndjson(inputs / "box.jsonl", ROWS)], sheet="box")
    return ws


def rule(detection: str, condition: str = "sel") -> str:
    body = "\n".join("    " + line for line in detection.strip().splitlines())
    return f"""
title: test rule
id: 5f0c2a8e-3b1d-4c55-9a51-000000000001
status: test
level: high
tags: [attack.t1059]
logsource: {{product: testlab, service: box}}
detection:
{body}
    condition: {condition}
"""


def compiled(text: str) -> CompiledRule:
    [result] = compile_rules([text], "json", load_mapping(MAPPING))
    assert isinstance(result, CompiledRule), result
    return result


def flagged(ws: Workspace, text: str) -> set[int]:
    pred = compiled(text).predicate
    page = ws.query("box", ir.Query(where=pred, columns=("i",)), limit=100)
    assert ws.count("box", ir.Query(where=pred)) == len(page.rows)
    return {int(r[0]) for r in page.rows}


CASES = {
    "plain value ignores case": ("sel:\n  message: 'accepted password for root'", {0}),
    "list is any of": ("sel:\n  n: [1, 30]", {0, 2}),
    "contains": ("sel:\n  message|contains: 'PASSWORD'", {0, 1, 2}),
    "contains|all": ("sel:\n  message|contains|all: ['password', 'root']", {0, 2}),
    "startswith": ("sel:\n  message|startswith: 'accepted'", {0, 1}),
    "endswith": ("sel:\n  cmd|endswith: 'EVIL'", {2, 3}),
    "cased": ("sel:\n  message|cased|startswith: 'accepted'", {1}),
    "wildcard inside": ("sel:\n  message: 'a*ed password for *'", {0, 1}),
    "single wildcard": ("sel:\n  opt: 'y?z'", {3, 4}),
    "escaped wildcard": ("sel:\n  opt: 'y\\*z'", {3}),
    "escaped question mark": ("sel:\n  message|startswith: 'a\\?c'", {4}),
    "star alone is any value": ("sel:\n  opt: '*'", {0, 2, 3, 4}),
    "null": ("sel:\n  opt: null", {1}),
    "exists": ("sel:\n  opt|exists: true", {0, 2, 3, 4}),
    "not exists": ("sel:\n  opt|exists: false", {1}),
    "re": ("sel:\n  cmd|re: '^[Nn]et [Uu]ser'", {2, 3}),
    "re is cased by default": ("sel:\n  cmd|re: '^net user'", {2}),
    "re|i": ("sel:\n  cmd|re|i: '^NET USER'", {2, 3}),
    "re|m": ("sel:\n  message|re|m: '^line two$'", {3}),
    "re without m": ("sel:\n  message|re: '^line two$'", set()),
    "re|s": ("sel:\n  message|re|s: 'one.line'", {3}),
    "re without s": ("sel:\n  message|re: 'one.line'", set()),
    "cidr v4": ("sel:\n  ip|cidr: '10.0.0.0/8'", {0, 4}),
    "cidr v6": ("sel:\n  ip|cidr: '2001:db8::/32'", {2}),
    "cidr list": ("sel:\n  ip|cidr: ['192.168.0.0/16', '2001:db8::/32']", {1, 2}),
    "base64|contains": ("sel:\n  CommandLine|base64|contains: 'whoami'", {0}),
    "base64offset|contains": ("sel:\n  CommandLine|base64offset|contains: 'whoami'", {0, 4}),
    "windash": ("sel:\n  cmd|windash|contains: ' -add '", {2, 3}),
    "gt": ("sel:\n  n|gt: 7", {2, 3}),
    "lte": ("sel:\n  n|lte: 1", {0, 4}),
    "keyword in message": ("keywords:\n  - 'password for root'", {0, 2}),
    "keyword with wildcard": ("keywords:\n  - 'accepted*bob'", {1}),
    "keyword list and all": ("keywords:\n  '|all':\n    - 'password'\n    - 'bob'", {1}),
    # fieldref: equal to another field ignoring case; blank (null) on either side is not equal, "" = "" is
    "fieldref": ("sel:\n  who|fieldref: opt", {0, 2, 3}),
    "fieldref|startswith": ("sel:\n  who|fieldref|startswith: opt", {0, 2, 3, 4}),
    "fieldref|endswith": ("sel:\n  who|fieldref|endswith: opt", {0, 2, 3}),
    "fieldref|contains": ("sel:\n  who|fieldref|contains: opt", {0, 2, 3, 4}),
    "fieldref list is any of": ("sel:\n  who|fieldref: [opt, message]", {0, 2, 3}),
    "fieldref of the same field": ("sel:\n  n|fieldref: n", {0, 1, 2, 3, 4}),
}


@pytest.mark.parametrize("name", list(CASES))
def test_modifier(sheet: Workspace, name: str) -> None:
    detection, expected = CASES[name]
    condition = "keywords" if detection.startswith("keywords") else "sel"
    assert flagged(sheet, rule(detection, condition)) == expected


def test_conditions_not_and_selectors(sheet: Workspace) -> None:
    detection = """
sel_pw:
  message|contains: password
sel_root:
  message|endswith: root
filter:
  n: 30
"""
    assert flagged(sheet, rule(detection, "all of sel_* and not filter")) == {0}
    assert flagged(sheet, rule(detection, "1 of sel_* or filter")) == {0, 1, 2}
    # 'not' keeps rows where the field is blank, as Sigma means it
    assert flagged(sheet, rule("sel:\n  opt: x", "not sel")) == {1, 2, 3, 4}


def test_metadata_and_refusals(sheet: Workspace) -> None:
    r = compiled(rule("sel:\n  n: 1"))
    assert (r.id, r.title, r.level, r.tags, r.format) == (
        "5f0c2a8e-3b1d-4c55-9a51-000000000001",
        "test rule",
        "high",
        ("attack.t1059",),
        "json",
    )
    schema = sheet.sheet("box").schema
    results = compile_rules(
        [
            rule("sel:\n  n|hour: 3"),
            rule("sel:\n  who|fieldref: nosuchfield"),
            "title: broken\nlogsource: {product: x}\ndetection: {condition: sel}\n",
            rule("sel:\n  n: 1").replace("testlab", "otherlab"),
            rule("sel:\n  n: 1").replace("title: test rule", "title: base\nname: base_rule")
            + "---\ntitle: c\nid: 5f0c2a8e-3b1d-4c55-9a51-000000000009\ncorrelation:\n  type: value_median\n"
            "  rules: [base_rule]\n  group-by: [ip]\n  timespan: 5m\n  condition: {gte: 3, field: n}\n",
        ],
        "json",
        load_mapping(MAPPING),
        schema=schema,
    )
    assert isinstance(results.pop(4), CompiledRule)  # the correlation's base rule runs on its own
    assert all(isinstance(x, Refused) for x in results), results
    kinds = [x.kind for x in results if isinstance(x, Refused)]
    reasons = [x.reason for x in results if isinstance(x, Refused)]
    assert kinds == ["unsupported", "schema", "unreadable", "logsource", "correlation"], reasons
    assert "|hour" in reasons[0] and "nosuchfield" in reasons[1] and "otherlab" in reasons[3]
    assert reasons[4] == "not supported yet: value_median correlation"


def test_builtin_log_sources() -> None:
    ct = rule("sel:\n  eventName: StopLogging").replace("{product: testlab, service: box}", "{product: aws, service: cloudtrail}")
    [on_ct] = compile_rules([ct], "cloudtrail")
    [on_syslog] = compile_rules([ct], "syslog")
    assert isinstance(on_ct, CompiledRule) and isinstance(on_syslog, Refused)
    assert "cloudtrail" in on_syslog.reason
    keywords = rule("keywords: ['Accepted']", "keywords")
    expected = ir.TextMatch("message", "contains", "Accepted", case_sensitive=False)
    for logsource in ("{product: linux}", "{product: linux, service: auth}", "{product: linux, service: sshd}"):
        [r] = compile_rules([keywords.replace("{product: testlab, service: box}", logsource)], "syslog")
        assert isinstance(r, CompiledRule) and r.predicate == expected


def test_mapping_file_errors(tmp_path: Path) -> None:
    with pytest.raises(MappingError, match="mappings"):
        load_mapping("format: json\n")
    with pytest.raises(MappingError, match=r"mappings\[0\]\.format"):
        load_mapping("mappings:\n  - logsource: {product: a}\n")
    with pytest.raises(MappingError, match="unknown key 'field'"):
        load_mapping("mappings:\n  - logsource: {product: a}\n    format: json\n    field: {}\n")
    path = tmp_path / "map.yml"
    path.write_text(MAPPING, encoding="utf-8")
    [m] = load_mapping(path)
    assert (m.format, m.column("CommandLine"), m.keywords) == ("json", "cmd", ("message",))


def test_unreadable_rules_say_why_and_the_others_run(tmp_path: Path) -> None:
    good = rule("sel:\n  n: 1")
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "good.yml").write_text(good, encoding="utf-8")
    (tmp_path / "rules" / "latin1.yml").write_bytes("title: caf\xe9\n".encode("latin-1"))
    results = compile_rules(
        [
            tmp_path / "rules",
            str(tmp_path / "missing.yml"),
            "title: x\nfoo: [",
            "just text",
            "title: t\n",
            rule("sel:\n  n: 1", "nosel"),
        ],
        "json",
        load_mapping(MAPPING),
    )
    assert isinstance(results[0], CompiledRule) and results[0].origin.endswith("good.yml")
    reasons = [r.reason for r in results[1:] if isinstance(r, Refused)]
    assert len(reasons) == 6
    for reason, expected in zip(
        reasons, ["not UTF-8", "no such file", "not YAML", "must be a mapping", "log source", "'nosel' not defined"]
    ):
        assert expected in reason, reasons


def test_what_the_ir_cannot_say_is_refused_with_the_modifier() -> None:
    cases = {
        "n|hour: 3": "|hour",
        "opt|expand: '%allowed%'": "%allowed%",
    }
    for detection, expected in cases.items():
        [r] = compile_rules([rule(f"sel:\n  {detection}")], "json", load_mapping(MAPPING))
        assert isinstance(r, Refused) and r.kind == "unsupported" and expected in r.reason, (detection, r)
    # pySigma 2 checks regexes with RE2 itself: a look-behind is refused when the rule is read
    [r] = compile_rules([rule("sel:\n  cmd|re: '(?<=net) user'")], "json", load_mapping(MAPPING))
    assert isinstance(r, Refused) and "(?<=" in r.reason


def test_fieldref_compiles_to_a_column_comparison_with_the_mapped_names(sheet: Workspace) -> None:
    assert compiled(rule("sel:\n  who|fieldref: CommandLine")).predicate == ir.CompareColumns("who", "=", "cmd", False)
    assert compiled(rule("sel:\n  CommandLine|fieldref|endswith: who")).predicate == ir.CompareColumns(
        "cmd", "ends_with", "who", False
    )
    # 'not' keeps the rows where a side is blank, as for any other Sigma value
    assert flagged(sheet, rule("sel:\n  who|fieldref: opt", "not sel")) == {1, 4}
    [wildcard] = compile_rules([rule("sel:\n  who|fieldref: 'op*'")], "json", load_mapping(MAPPING))
    assert isinstance(wildcard, Refused) and "wildcard" in wildcard.reason
