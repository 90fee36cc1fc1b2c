"""Every CloudTrail wrapper imports to the same columns: S3 deliveries, bare arrays, JSON lines from shippers,
single events, console event-history exports (CSV and JSON), CloudTrail Lake exports, and digest files
(skipped with a note).

Exports are generated here from events of the project's own generators (``tests/fixtures.ct_record`` and the
demo incident), and, when ``../shared/data`` is present, from real public events; real files are copied into
``tmp_path`` first and their counts checked against ``jq`` on the same files. Through the public API only.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import random
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fixtures import ACCOUNT, START, ct_record, ct_s3_key, old_ct_record, write_gz_json, write_ndjson
from logsheet.ingest.formats.cloudtrail import reader as cloudtrail
from logsheet.workspace import Workspace, build_query
from repo_paths import SHARED_DATA

SHARED = SHARED_DATA
JQ = "/usr/bin/jq"
COLUMNS = [(n, t) for n, _, t in cloudtrail.output_columns()]
LOGSHEET = str(Path(sys.executable).parent / "logsheet")
CONSOLE_HEADER = [
    "Event ID", "Event time", "User name", "Event name", "Resource type", "Resource name", "AWS access key", "Event source",
    "AWS region", "Error code", "Source IP address", "Read only", "Resources", "CloudTrail event",
]  # fmt: skip
SCALARS = [n for n, t in COLUMNS if t != "json"]
SHIPPER = "@timestamp and no eventTime: a log shipper's output, eventTime taken from @timestamp"


# ------------------------------------------------------------------------------------------------ helpers
def shared(tmp_path: Path, *parts: str) -> Path:
    """A copy of ../shared/data/<parts> in tmp_path (the originals are only read); skips when absent."""
    source = SHARED.joinpath(*parts)
    if not source.exists():
        pytest.skip(f"public test logs not available: {source} is absent (they live in ../shared/data)")
    target = tmp_path / "shared" / Path(*parts)
    target.parent.mkdir(parents=True, exist_ok=True)
    if source.is_dir():
        shutil.copytree(source, target)
    else:
        shutil.copy2(source, target)
    return target


def jq(program: str, *files: Path, slurp: bool = False) -> Any:
    if not Path(JQ).exists():
        pytest.skip("jq is not installed (expected at /usr/bin/jq)")
    args = [JQ, "-c", *(["-s"] if slurp else []), program, *map(str, files)]
    return json.loads(subprocess.run(args, capture_output=True, text=True, timeout=60, check=True).stdout)


def workspace(tmp_path: Path) -> Workspace:
    return Workspace.open(tmp_path / "ws")


def assert_sheet(ws: Workspace, sheet: str) -> None:
    """The CloudTrail columns, in order, with their types; and per source: read = kept + rejected + duplicates."""
    info = ws.info(sheet)
    assert info["format"] == "cloudtrail"
    assert [(c["name"], c["type"]) for c in info["columns"]] == COLUMNS
    assert info["time_column"] == "eventTime"
    for s in info["sources"]:
        assert s["records_read"] == s["rows_kept"] + s["rejected"] + s["duplicates"], s
    assert sum(s["rows_kept"] for s in info["sources"]) == info["rows"] == ws.count(sheet)
    assert sum(s["rejected"] for s in info["sources"]) == info["rejected"] == ws.rejects(sheet).total


def rows(ws: Workspace, sheet: str, columns: list[str]) -> dict[str, tuple[Any, ...]]:
    """Rows by eventID (the first column asked is eventID)."""
    page = ws.query(sheet, build_query(columns=columns, sort=["eventID"]), limit=10_000)
    return {r[0]: tuple(r) for r in page.rows}


def extras(ws: Workspace, sheet: str) -> dict[str, Any]:
    return {k: json.loads(v) if v else None for k, v in rows(ws, sheet, ["eventID", "extra"]).values()}


def demo_events() -> list[dict[str, Any]]:
    """Realistic events of the demo incident (assumed roles, errors, hostile values) and fixture events."""
    from logsheet.demo.ct_hostile import hostile_records
    from logsheet.demo.ct_incident import incident_records
    from logsheet.demo.ct_instance import web_sessions
    from logsheet.demo.ids import Ids

    ids = Ids(random.Random("7:cloudtrail"))
    events = incident_records(web_sessions(ids), ids).records + hostile_records(ids)
    events += [ct_record(i) for i in range(6)] + [old_ct_record(7, errorCode="AccessDenied", errorMessage="no")]
    events.append(ct_record(8, resources=[{"ARN": "arn:aws:s3:::b", "accountId": ACCOUNT, "type": "AWS::S3::Bucket"}]))
    return json.loads(json.dumps(events))


def console_name(event: dict[str, Any]) -> str:
    identity = event.get("userIdentity") or {}
    return identity.get("userName") or str(identity.get("arn", "")).rsplit("/", 1)[-1]


def console_resources(event: dict[str, Any]) -> list[dict[str, str]]:
    return [{"resourceType": r.get("type", ""), "resourceName": r.get("ARN", "")} for r in event.get("resources") or []]


def console_csv(events: list[dict[str, Any]], with_event: bool = True, time_style: str = "iso") -> str:
    """The console's event-history CSV download of these events."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CONSOLE_HEADER if with_event else CONSOLE_HEADER[:-1])
    for e in events:
        resources = console_resources(e)
        when = e["eventTime"]
        if time_style == "console":  # Mar 22, 2022, 3:00:00 PM
            from datetime import datetime

            stamp = datetime.fromisoformat(when)
            when = (
                f"{stamp:%b} {stamp.day}, {stamp.year}, {stamp.hour % 12 or 12}:{stamp:%M:%S} {'AM' if stamp.hour < 12 else 'PM'}"
            )
        identity = e.get("userIdentity") or {}
        row = [e["eventID"], when, console_name(e), e["eventName"], resources[0]["resourceType"] if resources else "",
               resources[0]["resourceName"] if resources else "", identity.get("accessKeyId", ""), e["eventSource"],
               e["awsRegion"], e.get("errorCode", ""), e.get("sourceIPAddress", ""), str(e.get("readOnly", "")).lower(),
               json.dumps(resources) if resources else ""]  # fmt: skip
        writer.writerow(row + [json.dumps(e)] if with_event else row)
    return out.getvalue()


def lookup_json(events: list[dict[str, Any]]) -> dict[str, Any]:
    """``aws cloudtrail lookup-events`` output (the console's JSON download has the same records)."""
    return {
        "Events": [
            {
                "EventId": e["eventID"],
                "EventName": e["eventName"],
                "ReadOnly": str(e.get("readOnly", "false")).lower(),
                "AccessKeyId": (e.get("userIdentity") or {}).get("accessKeyId", ""),
                "EventTime": e["eventTime"].replace("Z", "+00:00"),
                "EventSource": e["eventSource"],
                "Username": console_name(e),
                "Resources": [
                    {"ResourceType": r["resourceType"], "ResourceName": r["resourceName"]} for r in console_resources(e)
                ],
                "CloudTrailEvent": json.dumps(e),
            }
            for e in events
        ]
    }


def lake_time(value: str) -> str:
    return value.replace("T", " ").replace("Z", ".000")


def trino(value: Any, struct: bool = True) -> str:
    """Trino's text of a value, as CloudTrail Lake shows struct (lower-cased field names), map and array cells."""
    if value is None:
        return "null"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k.lower() if struct else k}={trino(v, struct)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(trino(v, struct) for v in value) + "]"
    return str(value).lower() if isinstance(value, bool) else str(value)


LAKE_MAPS = ("requestParameters", "responseElements", "additionalEventData", "serviceEventDetails")


def lake_row(e: dict[str, Any], nested: str) -> dict[str, str]:
    """A CloudTrail Lake ``SELECT *`` row: lower-case names, text cells; nested cells as JSON or Trino text."""
    row: dict[str, str] = {}
    for key, value in e.items():
        if key == "eventTime":
            row["eventtime"] = lake_time(value)
        elif isinstance(value, dict | list) and nested == "json":
            row[key.lower()] = json.dumps(value)
        elif isinstance(value, dict | list):
            row[key.lower()] = trino(value, struct=key not in LAKE_MAPS)
        else:
            row[key.lower()] = "" if value is None else str(value).lower() if isinstance(value, bool) else str(value)
    return row


def lake_csv(events: list[dict[str, Any]]) -> str:
    rows_ = [lake_row(e, "trino") for e in events]
    names = list(dict.fromkeys(k for r in rows_ for k in r))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=names, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows_)
    return out.getvalue()


def lake_results(events: list[dict[str, Any]]) -> dict[str, Any]:
    """GetQueryResults: each row a list of one-column objects, every value text."""
    return {
        "QueryStatus": "FINISHED",
        "QueryStatistics": {"ResultsCount": len(events), "TotalResultsCount": len(events)},
        "QueryResultRows": [[{k: v} for k, v in lake_row(e, "json").items()] for e in events],
    }


def digest(account: str = ACCOUNT) -> dict[str, Any]:
    return {
        "awsAccountId": account,
        "digestStartTime": "2022-03-22T14:00:00Z",
        "digestEndTime": "2022-03-22T15:00:00Z",
        "digestS3Bucket": "trail-bucket",
        "digestS3Object": f"AWSLogs/{account}/CloudTrail-Digest/us-east-1/2022/03/22/x.json.gz",
        "digestPublicKeyFingerprint": "31e8b5433410dfb61a9dc45cc65b22ff",
        "digestSignatureAlgorithm": "SHA256withRSA",
        "newestEventTime": None,
        "oldestEventTime": None,
        "previousDigestS3Bucket": None,
        "previousDigestSignature": None,
        "logFiles": [],
    }


def import_all(ws: Workspace, sheets: dict[str, list[Path]], **kwargs: Any) -> None:
    for sheet, paths in sheets.items():
        summary = ws.import_paths(paths, sheet=sheet, **kwargs)
        assert summary.format == "cloudtrail", (sheet, summary)
        assert_sheet(ws, sheet)


# ------------------------------------------------------------------------------- every wrapper, same rows
def write_wrappers(folder: Path, events: list[dict[str, Any]]) -> dict[str, list[Path]]:
    """The same events in every wrapper; sheet name -> files."""
    folder.mkdir(parents=True, exist_ok=True)
    out: dict[str, list[Path]] = {}

    def put(name: str, text: str, sheet: str) -> None:
        path = folder / name
        path.write_text(text, encoding="utf-8")
        out.setdefault(sheet, []).append(path)

    put("records.json", json.dumps({"Records": events}), "records")
    put("array.json", json.dumps(events, indent=2), "array")
    put("lines.ndjson", "".join(json.dumps(e) + "\n" for e in events), "lines")
    for i, e in enumerate(events):
        put(f"single-{i:03d}.json", json.dumps(e, indent=4), "singles")
    put("event_history.csv", console_csv(events), "console_csv")
    put("event_history.json", json.dumps(lookup_json(events), indent=2), "console_json")
    put("lake-results.json", json.dumps(lake_results(events)), "lake_json")
    put("lake-results.csv", lake_csv(events), "lake_csv")
    return out


def test_every_wrapper_gives_the_same_rows(tmp_path: Path) -> None:
    events = demo_events()
    files = write_wrappers(tmp_path / "in", events)
    ws = workspace(tmp_path)
    import_all(ws, files)
    names = [n for n, _ in COLUMNS if n != "extra"]
    expected = rows(ws, "records", ["eventID", *names])
    assert len(expected) == len(events) == ws.count("records")
    for sheet in files:
        assert ws.count(sheet) == len(events), sheet
        if sheet == "lake_csv":  # Trino's text has no types inside maps: the scalar columns must agree
            got = rows(ws, sheet, ["eventID", *[n for n in SCALARS if n != "eventID"]])
            assert got == rows(ws, "records", ["eventID", *[n for n in SCALARS if n != "eventID"]])
            continue
        assert rows(ws, sheet, ["eventID", *names]) == expected, sheet
    # extra: nothing for the plain wrappers; the console's own resource summary for its exports
    for sheet in ("records", "array", "lines", "singles", "lake_json", "lake_csv"):
        assert ws.count(sheet, build_query(where="extra is not blank")) == 0, sheet
    with_resources = [e for e in events if e.get("resources")]
    assert ws.count("console_json", build_query(where="extra is not blank")) == len(with_resources) > 0
    assert ws.count("console_csv", build_query(where="extra is not blank")) == len(with_resources)
    one = with_resources[0]
    assert extras(ws, "console_csv")[one["eventID"]] == {
        "Resource type": one["resources"][0]["type"],
        "Resource name": one["resources"][0]["ARN"],
        "Resources": console_resources(one),
    }
    assert extras(ws, "console_json")[one["eventID"]] == {
        "Resources": [{"ResourceType": r["resourceType"], "ResourceName": r["resourceName"]} for r in console_resources(one)]
    }


def test_detection_of_each_generated_wrapper(tmp_path: Path) -> None:
    files = write_wrappers(tmp_path / "in", demo_events()[:5])
    done = subprocess.run([LOGSHEET, "detect", "--json", str(tmp_path / "in")], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    found = {Path(r["path"]).name: r for r in json.loads(done.stdout)}
    assert {r["format"] for r in found.values()} == {"cloudtrail"}
    reasons = {name: found[name]["reason"] for name in ("records.json", "array.json", "lines.ndjson", "single-000.json")}
    assert reasons == {
        "records.json": 'a {"Records": [...]} envelope of CloudTrail events',
        "array.json": "a JSON array of CloudTrail events",
        "lines.ndjson": "JSON lines of CloudTrail events",
        "single-000.json": "a single CloudTrail event (one JSON object)",
    }
    assert "console event-history export (CSV" in found["event_history.csv"]["reason"]
    assert "'CloudTrail event' column is parsed" in found["event_history.csv"]["reason"]
    assert "LookupEvents" in found["event_history.json"]["reason"]
    assert "Lake" in found["lake-results.json"]["reason"] and "Lake" in found["lake-results.csv"]["reason"]
    assert all(found[p.name]["confidence"] >= 0.95 for paths in files.values() for p in paths)


def test_console_csv_without_the_event_column(tmp_path: Path) -> None:
    """Only the console's summary columns: they are mapped; the console's own time format is read."""
    events = demo_events()
    (tmp_path / "in").mkdir()
    path = tmp_path / "in" / "event_history.csv"
    path.write_text(console_csv(events, with_event=False, time_style="console"), encoding="utf-8")
    ws = workspace(tmp_path)
    import_all(ws, {"console": [path]})
    mapped = ["eventID", "eventTime", "eventName", "eventSource", "awsRegion", "errorCode", "sourceIPAddress", "readOnly",
              "userIdentity.accessKeyId"]  # fmt: skip
    got = rows(ws, "console", mapped)
    assert len(got) == len(events)
    for e in events:
        row = dict(zip(mapped, got[e["eventID"]]))
        assert row["eventTime"].isoformat().replace("+00:00", "Z") == e["eventTime"]
        assert (row["eventName"], row["eventSource"], row["awsRegion"]) == (e["eventName"], e["eventSource"], e["awsRegion"])
        assert row["errorCode"] == e.get("errorCode") and row["sourceIPAddress"] == e["sourceIPAddress"]
        assert row["readOnly"] == e.get("readOnly")
        assert row["userIdentity.accessKeyId"] == ((e.get("userIdentity") or {}).get("accessKeyId") or None)
    names = Counter(console_name(e) for e in events)
    assert dict(ws.query("console", build_query(group_by=["userIdentity.userName"])).rows) == dict(names)


def test_lake_integration_events_in_event_data(tmp_path: Path) -> None:
    """Lake's non-AWS events keep their event in eventData: its fields become the CloudTrail columns."""
    base = demo_events()[:3]
    records = []
    for e in base:
        data = {
            "version": "1.0",
            "userIdentity": {"type": "IdentityCenterUser", "principalId": "alice", "details": {"team": "ir"}},
            "userAgent": e["userAgent"],
            "eventSource": "vpn.example.com",
            "eventName": "Login",
            "eventTime": e["eventTime"],
            "UID": e["eventID"],
            "requestParameters": {"portal": "main"},
            "sourceIPAddress": e["sourceIPAddress"],
        }
        records.append({"eventVersion": "2.02", "eventCategory": "ActivityAuditLog", "eventType": "ActivityLog",
                        "eventID": e["eventID"], "eventTime": lake_time(e["eventTime"]), "awsRegion": "us-east-1",
                        "recipientAccountId": ACCOUNT, "eventData": data})  # fmt: skip
    path = tmp_path / "in" / "integration.json"
    write_ndjson(path, records)
    table = tmp_path / "in" / "integration.csv"  # the same events as a Lake query's CSV: eventdata as Trino text
    with open(table, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=[k.lower() for k in records[0]])
        writer.writeheader()
        writer.writerows({k.lower(): trino(v) if isinstance(v, dict) else v for k, v in r.items()} for r in records)
    ws = workspace(tmp_path)
    import_all(ws, {"lake": [path], "lake_csv": [table]})
    scalars = ["eventID", *[n for n in SCALARS if n != "eventID"]]
    assert rows(ws, "lake_csv", scalars) == rows(ws, "lake", scalars)
    got = rows(
        ws, "lake", ["eventID", "eventName", "eventSource", "userIdentity.type", "userIdentity.principalId", "sourceIPAddress"]
    )
    assert got == {
        e["eventID"]: (e["eventID"], "Login", "vpn.example.com", "IdentityCenterUser", "alice", e["sourceIPAddress"])
        for e in base
    }
    assert ws.count("lake", build_query(where="requestParameters.portal = 'main'")) == 3
    assert ws.count("lake", build_query(where="extra.eventData.userIdentity.details.team = 'ir'")) == 3


# ---------------------------------------------------------------------------------------- shipper output
def test_shipper_lines_time_fallback_and_extra(tmp_path: Path) -> None:
    """@timestamp stands for a missing eventTime; the shipper's own keys are kept in `extra`, never lost."""
    events = []
    for i in range(6):
        e = ct_record(i)
        stamp = e.pop("eventTime").replace("Z", ".000Z")
        e.update({"@timestamp": stamp, "@version": "1", "service": "cloudtrail", "aws": {"s3": {"key": f"k{i}.json.gz"}}})
        if i == 5:  # both present: eventTime wins, @timestamp stays in extra
            e["eventTime"] = "2000-01-01T00:00:00Z"
        if i == 4:  # Datadog's remapping: network.client.ip / http.useragent / http.request_id
            e.pop("sourceIPAddress"), e.pop("userAgent"), e.pop("requestID")
            e.update({"network": {"client": {"ip": "203.0.113.9"}}, "http": {"useragent": "dd-agent", "request_id": "rq-4"}})
        e["userIdentity"]["assumed_role"] = "admin"
        if i == 3:  # an unknown key inside tlsDetails; and a userIdentity that is not an object, kept whole
            e["tlsDetails"]["keyExchange"] = "x25519"
        events.append(e)
    odd = ct_record(9, userIdentity="arn:aws:iam::111122223333:user/odd")
    events.append(odd)
    path = write_ndjson(tmp_path / "in" / "shipped.json", events)
    ws = workspace(tmp_path)
    import_all(ws, {"shipped": [path]})
    got = rows(ws, "shipped", ["eventID", "eventTime", "sourceIPAddress", "userAgent", "requestID"])
    for i, e in enumerate(events[:-1]):
        when = got[e["eventID"]][1].isoformat().replace("+00:00", "Z")
        assert when == ("2000-01-01T00:00:00Z" if i == 5 else e["@timestamp"].replace(".000Z", "Z"))
    assert got[events[4]["eventID"]][2:] == ("203.0.113.9", "dd-agent", "rq-4")
    extra = extras(ws, "shipped")
    assert extra.pop(odd["eventID"]) == {"userIdentity": odd["userIdentity"]}
    for i, e in enumerate(events[:-1]):
        kept = {k: e[k] for k in ("@timestamp", "@version", "service", "aws", "network", "http") if k in e}
        nested = {"tlsDetails": {"keyExchange": "x25519"}} if i == 3 else {}
        assert extra[e["eventID"]] == {**kept, "userIdentity": {"assumed_role": "admin"}, **nested}
    assert ws.count("shipped", build_query(where="extra.aws.s3.key = 'k3.json.gz'")) == 1


def test_several_envelopes_in_one_file_keep_unique_positions(tmp_path: Path) -> None:
    path = tmp_path / "in" / "merged.json"
    path.parent.mkdir()
    path.write_text("".join(json.dumps({"Records": [ct_record(i + 3 * k) for i in range(3)]}) + "\n" for k in range(3)))
    ws = workspace(tmp_path)
    import_all(ws, {"merged": [path]})
    page = ws.query("merged", build_query(columns=["eventID"], sort=["eventID"]), limit=100)
    assert len(page.rows) == 9 and len(set(page.rowids)) == 9
    assert sorted(r % (1 << 40) for r in page.rowids) == list(range(1, 10))


def test_records_without_cloudtrail_fields_are_rejects(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    write_gz_json(ct_s3_key(folder, START, 1), {"Records": [ct_record(1), {"a": 1}, 7, ct_record(2)]})
    write_ndjson(folder / "other.json", [{"a": 1}, {"b": 2}])
    ws = workspace(tmp_path)
    summary = ws.import_paths([folder], sheet="ct", format="cloudtrail")
    assert summary.rows == 2 and summary.rejected == 4
    reasons = sorted(r[2] for r in ws.rejects("ct").rows)
    assert sum("not a CloudTrail event" in r for r in reasons) == 3 and sum("not a JSON object" in r for r in reasons) == 1
    assert_sheet(ws, "ct")


def test_s3_deliveries_never_leave_the_fast_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Deliveries, arrays and lines are read by DuckDB alone: the Python reader is not called for them."""

    def refuse(source: Any, ctx: Any) -> Any:
        raise AssertionError(f"{source.display} went through the Python reader")

    monkeypatch.setattr(cloudtrail, "stage", refuse)
    folder = tmp_path / "in"
    for f in range(20):
        write_gz_json(ct_s3_key(folder, START, f), {"Records": [ct_record(f * 5 + j) for j in range(5)]})
    (folder / "array.json").write_text(json.dumps([ct_record(500 + i) for i in range(3)]))
    write_ndjson(folder / "lines.json", [ct_record(600 + i) for i in range(3)])
    ws = workspace(tmp_path)
    assert ws.import_paths([folder], sheet="ct").rows == 106
    assert_sheet(ws, "ct")


# --------------------------------------------------------------------------------------------- digests
def test_digest_files_are_skipped_with_a_note(tmp_path: Path) -> None:
    folder = tmp_path / "in" / "AWSLogs" / ACCOUNT
    write_gz_json(ct_s3_key(tmp_path / "in", START, 1), {"Records": [ct_record(i) for i in range(4)]})
    digests = folder / "CloudTrail-Digest" / "us-east-1" / "2022" / "03" / "22"
    write_gz_json(digests / f"{ACCOUNT}_CloudTrail-Digest_us-east-1_trail_us-east-1_20220322T150000Z.json.gz", digest())
    (digests / "plain-digest.json").write_text(
        json.dumps({**digest(), "logFiles": [{"s3Object": "a", "hashValue": "b"}]}, indent=2)
    )
    ws = workspace(tmp_path)
    summary = ws.import_paths([tmp_path / "in"], sheet="ct")
    assert summary.format == "cloudtrail" and summary.rows == 4 and summary.rejected == 0
    notes = {Path(s["path"]).name: s for s in ws.info("ct")["sources"] if "Digest" in s["path"]}
    assert len(notes) == 2
    for s in notes.values():
        assert s["note"] == "CloudTrail digest file: integrity data, no events"
        assert (s["records_read"], s["rows_kept"], s["rejected"], s["duplicates"]) == (0, 0, 0, 0)
    assert_sheet(ws, "ct")
    done = subprocess.run([LOGSHEET, "detect", "--json", str(digests)], capture_output=True, text=True, timeout=60)
    assert [(r["format"], r["reason"][:26]) for r in json.loads(done.stdout)] == [
        ("cloudtrail", "a CloudTrail digest file (")
    ] * 2


# ------------------------------------------------------------------------------------ arbitrary bytes
PREFIXES = [b"", b'{"Records": [', b"[", b'{"eventName": "X", "eventTime": ', b"Event ID,Event time,Event name\n", b"\x1f\x8b"]


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(prefix=st.sampled_from(PREFIXES), body=st.binary(min_size=1, max_size=1500), gz=st.booleans())
def test_arbitrary_bytes_forced_as_cloudtrail(
    tmp_path_factory: pytest.TempPathFactory, prefix: bytes, body: bytes, gz: bool
) -> None:
    """Never a crash; the good file is kept whole and every source's accounting adds up."""
    root = tmp_path_factory.mktemp("fuzz")
    folder = root / "in"
    folder.mkdir()
    (folder / "good.json").write_text(json.dumps({"Records": [ct_record(i) for i in range(3)]}))
    data = prefix + body
    (folder / "fuzz.json").write_bytes(gzip.compress(data) if gz else data)
    ws = Workspace.open(root / "ws")
    summary = ws.import_paths([folder], sheet="ct", format="cloudtrail")
    assert summary.rows >= 3
    assert rows(ws, "ct", ["eventID"]).keys() >= {ct_record(i)["eventID"] for i in range(3)}
    assert_sheet(ws, "ct")


# ========================================================================================== real samples
@pytest.mark.shared_data
def test_detect_prints_cloudtrail_for_every_real_sample(tmp_path: Path) -> None:
    stratus = shared(tmp_path, "stratus-red-team-detonation-logs")
    zmallen = shared(tmp_path, "zmallen-cloudtrail2sightings")
    otrf = shared(tmp_path, "otrf-aws-ec2-proxy-s3-exfil", "ec2_proxy_s3_exfiltration_2020-09-14011940.json")
    grycap = shared(tmp_path, "grycap-cloudtrail-sample", "sample-cloudtrail-event.json")
    honey = shared(tmp_path, "otrf-aws-s3-honeybucket", "AWS_S3_HoneyBucketLogs.csv")
    paths = [*sorted(stratus.glob("*.json")), *sorted(zmallen.glob("*.json")), otrf, grycap, honey]
    done = subprocess.run([LOGSHEET, "detect", "--json", *map(str, paths)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    found = {r["path"]: r for r in json.loads(done.stdout)}
    expected_reason = {
        **{str(p): "a JSON array of CloudTrail events" for p in stratus.glob("*.json")},
        **{str(p): 'a {"Records": [...]} envelope of CloudTrail events' for p in zmallen.glob("*.json")},
        str(grycap): 'a {"Records": [...]} envelope of CloudTrail events',
        str(otrf): f"JSON lines of CloudTrail events; {SHIPPER}",
    }
    assert {p: (found[p]["format"], found[p]["reason"]) for p in expected_reason} == {
        p: ("cloudtrail", reason) for p, reason in expected_reason.items()
    }
    assert found[str(honey)]["format"] == "csv"  # a tool's alert export, not AWS's: see test_honeybucket


@pytest.mark.shared_data
def test_real_samples_same_columns_counts_from_jq(tmp_path: Path) -> None:
    grycap = shared(tmp_path, "grycap-cloudtrail-sample", "sample-cloudtrail-event.json")
    stratus = sorted(shared(tmp_path, "stratus-red-team-detonation-logs").glob("*.json"))
    otrf = shared(tmp_path, "otrf-aws-ec2-proxy-s3-exfil", "ec2_proxy_s3_exfiltration_2020-09-14011940.json")
    zmallen = shared(tmp_path, "zmallen-cloudtrail2sightings")
    ws = workspace(tmp_path)
    import_all(ws, {"grycap": [grycap], "stratus": stratus, "otrf": [otrf], "zmallen": sorted(zmallen.glob("*.json"))})
    assert ws.count("grycap") == jq(".Records | length", grycap) == 142
    assert ws.count("grycap", build_query(where="readOnly is blank")) == jq(
        '[.Records[] | select(has("readOnly") | not)] | length', grycap
    )
    assert ws.count("stratus") == jq("map(length) | add", *stratus, slurp=True) == 310
    stratus_regions = jq("[.[][].awsRegion] | group_by(.) | map([.[0], length])", *stratus, slurp=True)
    assert sorted(ws.query("stratus", build_query(group_by=["awsRegion"])).rows) == sorted(tuple(p) for p in stratus_regions)
    assert ws.count("otrf") == jq("length", otrf, slurp=True) == 103
    # zmallen: one file misses commas between records; jq cannot read it, its records are recovered
    malformed = zmallen / "aws.execution.ec2-user-data.json"
    good = [p for p in sorted(zmallen.glob("*.json")) if p != malformed]
    assert ws.count("zmallen") == sum(jq(".Records | length", p) for p in good) + 3 == 15
    assert {Path(r[0]).name for r in ws.rejects("zmallen").rows} == {malformed.name}


@pytest.mark.shared_data
def test_otrf_event_time_from_timestamp(tmp_path: Path) -> None:
    path = shared(tmp_path, "otrf-aws-ec2-proxy-s3-exfil", "ec2_proxy_s3_exfiltration_2020-09-14011940.json")
    ws = workspace(tmp_path)
    import_all(ws, {"otrf": [path]})
    assert jq('[.[] | select(has("eventTime"))] | length', path, slurp=True) == 0
    assert ws.count("otrf", build_query(where="eventTime is blank")) == 0
    stamps = dict(jq('[.[] | [.eventID, .["@timestamp"]]]', path, slurp=True))
    got = {k: v.isoformat() for k, v in rows(ws, "otrf", ["eventID", "eventTime"]).values()}
    assert got == {k: v.replace(".000Z", "+00:00") for k, v in stamps.items()}
    assert extras(ws, "otrf") == {
        e["eventID"]: {"@version": e["@version"], "@timestamp": e["@timestamp"]} for e in jq(".", path, slurp=True)
    }


@pytest.mark.shared_data
def test_zmallen_datadog_keys_are_kept(tmp_path: Path) -> None:
    folder = shared(tmp_path, "zmallen-cloudtrail2sightings")
    good = [p for p in sorted(folder.glob("*.json")) if "ec2-user-data" not in p.name]
    ws = workspace(tmp_path)
    import_all(ws, {"zm": good})
    events = jq("[.[].Records[]]", *good, slurp=True)
    assert ws.count("zm") == len(events) == 12
    extra = extras(ws, "zm")
    for e in events:
        assert extra[e["eventID"]]["aws"] == e["aws"] and extra[e["eventID"]]["http"] == e["http"]
        assert extra[e["eventID"]]["userIdentity"] == {k: e["userIdentity"][k] for k in ("assumed_role", "session_name")}
    got = rows(ws, "zm", ["eventID", "sourceIPAddress", "userAgent", "requestID"])
    assert got == {
        e["eventID"]: (e["eventID"], e["network"]["client"]["ip"], e["http"]["useragent"], e["http"]["request_id"])
        for e in events
    }
    keys = Counter(e["aws"]["s3"]["key"] for e in events)
    key, count = keys.most_common(1)[0]
    assert ws.count("zm", build_query(where=f"extra.aws.s3.key = '{key}'")) == count


@pytest.mark.shared_data
def test_exports_of_real_events(tmp_path: Path) -> None:
    """Console and Lake exports generated from the real grycap and Stratus events give the same rows."""
    grycap = shared(tmp_path, "grycap-cloudtrail-sample", "sample-cloudtrail-event.json")
    stratus = sorted(shared(tmp_path, "stratus-red-team-detonation-logs").glob("*.json"))
    events = jq(".Records", grycap) + jq("[.[][]]", *stratus, slurp=True)
    ids = [e["eventID"] for e in events]
    assert len(set(ids)) == len(ids) == 452
    files = write_wrappers(tmp_path / "in", events)
    del files["singles"]
    ws = workspace(tmp_path)
    import_all(ws, files)
    names = [n for n, _ in COLUMNS if n != "extra"]
    expected = rows(ws, "records", ["eventID", *names])
    for sheet in ("array", "lines", "console_csv", "console_json", "lake_json"):
        assert rows(ws, sheet, ["eventID", *names]) == expected, sheet
    scalars = ["eventID", *[n for n in SCALARS if n != "eventID"]]
    assert rows(ws, "lake_csv", scalars) == rows(ws, "records", scalars)


# ------------------------------------------------------------------------------------------------ Panther
def block_scalars(text: str, key: str) -> list[str]:
    """The ``key: |`` literal blocks of a YAML file (Panther's parser tests keep raw JSON in them)."""
    lines, out, i = text.split("\n"), [], 0
    while i < len(lines):
        if lines[i].rstrip() == f"{key}: |":
            i += 1
            block = []
            while i < len(lines) and (lines[i].startswith("  ") or not lines[i].strip()):
                block.append(lines[i][2:])
                i += 1
            out.append("\n".join(block).strip())
            continue
        i += 1
    return out


@pytest.mark.shared_data
def test_panther_parser_inputs_events_insights_and_digests(tmp_path: Path) -> None:
    source = shared(tmp_path, "panther-core-parser-testdata", "cloudtrail_tests.yml")
    inputs = block_scalars(source.read_text(), "input")
    assert len(inputs) == 5
    folder = tmp_path / "panther"
    folder.mkdir()
    paths = []
    for i, text in enumerate(inputs):
        paths.append(folder / f"input-{i}.json")
        paths[-1].write_text(text + "\n")
    lines = folder / "events.ndjson"  # the two single events again, as JSON lines
    lines.write_text("".join(json.dumps(json.loads(inputs[i])) + "\n" for i in (0, 1)))
    counts = [
        jq('if has("Records") then .Records | length elif has("digestPublicKeyFingerprint") then 0 else 1 end', p) for p in paths
    ]
    assert counts == [1, 1, 0, 0, 2]
    ws = workspace(tmp_path)
    summary = ws.import_paths([folder], sheet="panther")
    assert summary.format == "cloudtrail" and summary.rejected == 0
    assert summary.rows == sum(counts) == 4 and summary.duplicates == 2
    assert_sheet(ws, "panther")
    sources = {Path(s["path"]).name: s for s in ws.info("panther")["sources"]}
    assert [sources[f"input-{i}.json"]["note"] for i in (2, 3)] == ["CloudTrail digest file: integrity data, no events"] * 2
    assert ws.count("panther", build_query(where="eventType = 'AwsCloudTrailInsight'")) == 2
    assert ws.count("panther", build_query(where="insightDetails.insightContext.statistics.insight.average > 50")) == 1
    assert ws.count("panther", build_query(where="userIdentity.invokedBy = 'cloudtrail.amazonaws.com'")) == 1
    assert ws.count("panther", build_query(where="userIdentity.sessionContext.sessionIssuer.type = 'Role'")) == 1
    assert ws.count("panther", build_query(where="resources[0].type = 'AWS::KMS::Key'")) == 2


def yaml_subset(text: str) -> Any:
    """Enough YAML for Panther's test scenarios: block maps and lists, quoted and plain scalars, ~, {} and []."""
    lines = [[len(raw) - len(raw.lstrip(" ")), raw.strip()] for raw in text.split("\n")]
    lines = [line for line in lines if line[1] and line[1] != "---" and not line[1].startswith("#")]
    value, _ = _yaml_block(lines, 0, lines[0][0])
    return value


def _yaml_block(lines: list[list[Any]], i: int, indent: int) -> tuple[Any, int]:
    if lines[i][1].startswith("- "):
        items = []
        while i < len(lines) and lines[i][0] == indent and lines[i][1].startswith("- "):
            lines[i] = [indent + 2, lines[i][1][2:].strip()]  # the item's first line, as if the dash were a space
            item, i = _yaml_block(lines, i, indent + 2)
            items.append(item)
        return items, i
    mapping: dict[str, Any] = {}
    while i < len(lines) and lines[i][0] == indent and not lines[i][1].startswith("- "):
        key, _, rest = lines[i][1].partition(":")
        i += 1
        if rest.strip():
            mapping[key] = _yaml_scalar(rest.strip())
        elif i < len(lines) and (lines[i][0] > indent or lines[i][1].startswith("- ")):
            mapping[key], i = _yaml_block(lines, i, lines[i][0])
        else:
            mapping[key] = None
    return mapping, i


def _yaml_scalar(text: str) -> Any:
    special = {"~": None, "null": None, "{}": {}, "[]": [], "true": True, "false": False}
    if text in special:
        return special[text]
    if text.startswith('"'):
        return json.loads(text)
    if text.startswith("'"):
        return text[1:-1].replace("''", "'")
    if re.fullmatch(r"-?\d+", text):
        return int(text)
    return text


@pytest.mark.shared_data
def test_panther_scenario_events(tmp_path: Path) -> None:
    folder = shared(tmp_path, "panther-analysis", "test_scenarios")
    out = tmp_path / "scenarios"
    out.mkdir()
    total: list[dict[str, Any]] = []
    for path in sorted(folder.glob("*/*_cloudtrail.yml")):
        document = yaml_subset(path.read_text())
        assert document["LogType"] == "AWS.CloudTrail"
        events = document["Logs"]
        assert len(events) == path.read_text().count("\n  - ")
        target = out / f"{path.parent.name}-{path.stem}.ndjson"
        write_ndjson(target, events)
        assert jq("length", target, slurp=True) == len(events)
        total += events
        (out / f"{path.parent.name}-{path.stem}-first.json").write_text(json.dumps(events[0], indent=2))
    assert len(total) == 27
    singles = len(list(out.glob("*-first.json")))
    ws = workspace(tmp_path)
    # every event has eventID "1": kept apart with --keep-duplicates, and removed (and counted) by default
    summary = ws.import_paths([out], sheet="all", options={"keep_duplicates": True})
    assert summary.format == "cloudtrail" and summary.rows == 27 + singles and summary.rejected == 0
    assert_sheet(ws, "all")
    names = Counter(e["eventName"] for e in total)
    names_with_singles = names + Counter(json.loads(p.read_text())["eventName"] for p in out.glob("*-first.json"))
    assert dict(ws.query("all", build_query(group_by=["eventName"])).rows) == dict(names_with_singles)
    run_instances = next(e for e in total if e["eventName"] == "RunInstances")
    assert ws.count("all", build_query(where="requestParameters.instanceType = 'p2.8xlarge'")) == 1
    assert ws.count("all", build_query(where="extra.userIdentity.accesskeyid is not blank")) == 1  # Panther's lower-case key
    assert run_instances["userIdentity"]["accesskeyid"] == "AKIASWJJJ66ZZZII4IYY"
    deduped = ws.import_paths([out], sheet="deduped")
    assert deduped.rows == 1 and deduped.duplicates == 27 + singles - 1
    assert_sheet(ws, "deduped")


# ------------------------------------------------------------------------------------------- honey-bucket
@pytest.mark.shared_data
def test_honeybucket(tmp_path: Path) -> None:
    """A honeypot tool's alert export: detected as CSV (all 301 rows); forced as CloudTrail, it is mapped."""
    path = shared(tmp_path, "otrf-aws-s3-honeybucket", "AWS_S3_HoneyBucketLogs.csv")
    with open(path, newline="", encoding="utf-8") as fh:
        table = list(csv.DictReader(fh))
    assert len(table) == 301
    ws = workspace(tmp_path)
    detected = ws.import_paths([path], sheet="csv")
    assert detected.format == "csv" and detected.rows == 301 and detected.rejected == 0
    forced = ws.import_paths([path], sheet="ct", format="cloudtrail", options={"keep_duplicates": True})
    assert forced.rows == 301 and forced.rejected == 0
    assert_sheet(ws, "ct")
    assert dict(ws.query("ct", build_query(group_by=["eventName"])).rows) == dict(Counter(r["Event Name"] for r in table))
    assert ws.count("ct", build_query(where="userIdentity.accountId = 'ANONYMOUS_PRINCIPAL'")) == sum(
        "'accountId': 'ANONYMOUS_PRINCIPAL'" in r["User ID"] for r in table
    )
    assert ws.count("ct", build_query(where="requestParameters.bucketName = 'microsoft-devtest'")) == sum(
        "'bucketName': 'microsoft-devtest'" in r["Request Parameters"] for r in table
    )
    assert ws.count("ct", build_query(where="eventTime is blank")) == 0
    first = table[0]
    row = rows(ws, "ct", ["eventID", "eventTime", "sourceIPAddress", "userAgent", "requestID", "eventType", "extra"])[
        first["Event ID"]
    ]
    assert row[1].isoformat().replace("+00:00", "Z") == first["Event DateTime"]
    assert row[2:6] == (first["Source IP"], first["Request User Agent"], first["Request ID"], first["Event Type"])
    assert json.loads(row[6]) == {k: first[k] for k in ("Alert", "Alarm DateTime", "Repeated Attempts")}
