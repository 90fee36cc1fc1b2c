"""Importing: CloudTrail S3 trees, bad input, archives, generic JSON / CSV / Parquet / text, append, evidence
hashes and atomicity. Every input is generated into tmp_path by tests/fixtures.py."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from fixtures import (
    START,
    ct_record,
    ct_s3_key,
    event_id,
    ndjson_bytes,
    old_ct_record,
    records_text,
    write_csv,
    write_ct_tree,
    write_gz_bytes,
    write_gz_json,
    write_json,
    write_ndjson,
    write_parquet,
    write_tar,
    write_zip,
)
from logsheet.core import ir
from logsheet.core.errors import ImportFailed, LogsheetError
from logsheet.workspace import Workspace, build_query

LOGSHEET = str(Path(sys.executable).parent / "logsheet")


def sources_by_name(ws: Workspace, sheet: str) -> dict[str, dict[str, Any]]:
    return {Path(s["path"].split("!")[-1]).name: s for s in ws.info(sheet)["sources"]}


def assert_accounting(ws: Workspace, sheet: str) -> None:
    info = ws.info(sheet)
    for s in info["sources"]:
        assert s["records_read"] == s["rows_kept"] + s["rejected"] + s["duplicates"], s
    assert sum(s["rows_kept"] for s in info["sources"]) == info["rows"] == ws.count(sheet)
    assert sum(s["rejected"] for s in info["sources"]) == info["rejected"] == ws.rejects(sheet).total
    assert sum(s["duplicates"] for s in info["sources"]) == info["duplicates_removed"]


def values(ws: Workspace, sheet: str, column: str, where: str | None = None) -> list[Any]:
    page = ws.query(sheet, build_query(where=where, columns=[column], sort=["eventID"]), limit=10_000)
    return [r[0] for r in page.rows]


# ------------------------------------------------------------------------------------------ CloudTrail tree
def test_cloudtrail_s3_tree_counts(ws: Workspace, inputs: Path) -> None:
    records = write_ct_tree(inputs, files=240, per_file=3)
    summary = ws.import_paths([inputs], sheet="ct")
    assert summary.format == "cloudtrail"
    assert summary.rows == 720 == len(records)
    assert summary.rejected == 0 and summary.duplicates == 0
    assert summary.time_column == "eventTime"
    assert len(summary.sources) == 240
    assert ws.count("ct") == 720
    by_name = ws.query("ct", build_query(group_by=["eventName"]))
    assert dict(by_name.rows) == {
        name: 144 for name in ("RunInstances", "ListBuckets", "DescribeInstances", "GetObject", "AssumeRole")
    }
    assert ws.count("ct", build_query(where="requestParameters.bucketName = 'bucket-1'")) == 240
    assert ws.count("ct", build_query(where="userIdentity.userName = 'user1' and readOnly = false")) == 360
    first = ws.query("ct", build_query(sort=["eventTime"], columns=["eventTime", "eventID"]), limit=1).rows[0]
    assert first[0].isoformat() == "2022-03-22T15:00:00+00:00" and first[1] == event_id(0)
    types = {c["name"]: c["type"] for c in ws.info("ct")["columns"]}
    assert types["eventTime"] == "timestamp"
    assert types["readOnly"] == types["managementEvent"] == "boolean"
    assert types["requestParameters"] == types["responseElements"] == types["resources"] == "json"
    assert types["userIdentity.sessionContext"] == "json"
    assert types["requestID"] == types["eventID"] == "text"  # never UUID
    assert_accounting(ws, "ct")
    assert_exact_rowids(ws, "ct")


def assert_exact_rowids(ws: Workspace, sheet: str) -> None:
    """Row ids are 64-bit integers, never doubles (a double loses them past 2^53, from source id 8192 on)."""
    import pyarrow.parquet as pq

    for part in ws.sheet(sheet).data_paths():
        schema = pq.read_schema(ws.root / part)
        assert str(schema.field("__rowid").type) == "int64", part


def test_cloudtrail_duplicates_removed_and_counted(ws: Workspace, inputs: Path) -> None:
    write_gz_json(ct_s3_key(inputs, START, 1), {"Records": [ct_record(i) for i in range(0, 6)]})
    write_gz_json(ct_s3_key(inputs, START, 2), {"Records": [ct_record(i) for i in range(4, 10)]})  # 4 and 5 again
    write_gz_json(ct_s3_key(inputs, START, 3), {"Records": [ct_record(0), ct_record(0)]})  # twice in one file
    summary = ws.import_paths([inputs], sheet="ct")
    assert summary.rows == 10
    assert summary.duplicates == 4
    assert sorted(values(ws, "ct", "eventID")) == [event_id(i) for i in range(10)]
    sources = sorted(ws.info("ct")["sources"], key=lambda s: s["path"])
    assert [(s["records_read"], s["rows_kept"], s["duplicates"]) for s in sources] == [(6, 6, 0), (6, 4, 2), (2, 0, 2)]
    assert ws.info("ct")["duplicates_removed"] == 4
    assert_accounting(ws, "ct")


def test_cloudtrail_quirks(ws: Workspace, inputs: Path) -> None:
    records = [
        old_ct_record(1),
        ct_record(2, requestParameters=None, sourceIPAddress="autoscaling.amazonaws.com"),
        ct_record(3, sourceIPAddress="AWS Internal", readOnly="true"),  # readOnly as a string
        ct_record(
            4,
            errorCode="AccessDenied",
            errorMessage="not allowed",
            userIdentity={"type": "AWSService", "invokedBy": "ec2.amazonaws.com"},
        ),
        ct_record(
            5, requestID="0e3a2c1f-0000-4000-8000-000000000005", resources=[{"ARN": "arn:aws:s3:::b", "type": "AWS::S3::Bucket"}]
        ),
        ct_record(6, additionalEventData={"x": [1, 2]}, responseElements={"instancesSet": {"items": [{"instanceId": "i-1"}]}}),
    ]
    write_gz_json(ct_s3_key(inputs, START, 1), {"Records": records})
    summary = ws.import_paths([inputs], sheet="ct")
    assert summary.rows == 6 and summary.rejected == 0
    page = ws.query(
        "ct",
        build_query(
            columns=["eventVersion", "readOnly", "eventType", "recipientAccountId", "requestParameters", "sourceIPAddress"],
            sort=["eventID"],
        ),
    )
    assert page.rows[0][:4] == ("1.02", None, None, None)  # old eventVersion: the newer fields are blank
    assert page.rows[1][4] is None and page.rows[1][5] == "autoscaling.amazonaws.com"
    assert page.rows[2][1] is True and page.rows[2][5] == "AWS Internal"
    assert ws.count("ct", build_query(where="requestParameters is blank")) == 1
    assert ws.count("ct", build_query(where="sourceIPAddress in cidr '10.0.0.0/8'")) == 4
    assert ws.count("ct", build_query(where="userIdentity.invokedBy = 'ec2.amazonaws.com'")) == 1
    assert ws.count("ct", build_query(where="errorCode is not blank")) == 1
    assert values(ws, "ct", "requestID", "eventID = '" + event_id(5) + "'") == ["0e3a2c1f-0000-4000-8000-000000000005"]
    assert ws.count("ct", build_query(where="resources[0].ARN = 'arn:aws:s3:::b'")) == 1
    assert ws.count("ct", build_query(where="responseElements.instancesSet.items[0].instanceId = 'i-1'")) == 1
    assert ws.count("ct", build_query(where="additionalEventData.x[1] = 2")) == 1


def test_cloudtrail_layouts_array_lines_and_plain_json(ws: Workspace, inputs: Path) -> None:
    write_json(inputs / "array.json", [ct_record(i) for i in range(3)])
    write_ndjson(inputs / "lines.json", [ct_record(i) for i in range(3, 7)])
    (inputs / "records.json").write_text(json.dumps({"Records": [ct_record(i) for i in range(7, 9)]}))
    write_gz_bytes(inputs / "lines.json.gz", ndjson_bytes([ct_record(i) for i in range(9, 11)]))
    summary = ws.import_paths([inputs], sheet="ct")
    assert summary.format == "cloudtrail"
    assert summary.rows == 11
    assert sorted(values(ws, "ct", "eventID")) == [event_id(i) for i in range(11)]
    assert_accounting(ws, "ct")
    assert_exact_rowids(ws, "ct")


def test_missing_comma_between_records(ws: Workspace, inputs: Path) -> None:
    write_ct_tree(inputs, files=5, per_file=4)
    broken = [ct_record(100 + i) for i in range(5)]
    text = records_text(broken).replace(",\n" + json.dumps(broken[2]), "\n" + json.dumps(broken[2]))
    bad = write_gz_bytes(ct_s3_key(inputs, START, 99), text.encode())
    summary = ws.import_paths([inputs], sheet="ct")
    assert summary.rows == 25  # every record of the broken file is recovered too
    assert summary.rejected == 1
    assert set(values(ws, "ct", "eventID", "eventID >= '" + event_id(100) + "'")) == {event_id(100 + i) for i in range(5)}
    (reject,) = ws.rejects("ct").rows
    source, position, reason, raw = reject
    assert source == str(bad)
    assert position == len(text[: text.index(json.dumps(broken[2]))].encode())  # byte offset in the file's text
    assert "missing" in reason and "record 3" in reason
    assert json.dumps(broken[2])[:50] in raw
    assert_accounting(ws, "ct")


def test_truncated_records_file_is_one_reject(ws: Workspace, inputs: Path) -> None:
    write_ct_tree(inputs, files=2, per_file=3)
    text = records_text([ct_record(100 + i) for i in range(3)])
    write_gz_bytes(ct_s3_key(inputs, START, 99), text[: len(text) - 200].encode())  # cut inside record 3
    summary = ws.import_paths([inputs], sheet="ct")
    assert summary.rows == 8
    assert summary.rejected == 1
    assert sources_by_name(ws, "ct")[ct_s3_key(inputs, START, 99).name]["records_read"] == 3


def test_truncated_records_file_keeps_whole_records(ws: Workspace, inputs: Path) -> None:
    write_ct_tree(inputs, files=2, per_file=3)
    text = records_text([ct_record(100 + i) for i in range(3)])
    bad = write_gz_bytes(ct_s3_key(inputs, START, 99), text[: len(text) - 200].encode())
    summary = ws.import_paths([inputs], sheet="ct")
    assert summary.rows == 8  # 6 good + the 2 whole records of the truncated file
    assert summary.rejected >= 1
    rejects = ws.rejects("ct").rows
    assert all(r[0] == str(bad) for r in rejects)
    assert "malformed JSON in record 3" in rejects[0][2]
    assert_accounting(ws, "ct")


def test_truncated_gzip_among_good_files(ws: Workspace, inputs: Path) -> None:
    write_ct_tree(inputs, files=4, per_file=3)
    data = gzip.compress(records_text([ct_record(100 + i) for i in range(50)]).encode())
    cut = ct_s3_key(inputs, START, 99)
    cut.write_bytes(data[: len(data) // 2])
    summary = ws.import_paths([inputs], sheet="ct")
    assert summary.rows >= 12
    assert any(r[0] == str(cut) for r in ws.rejects("ct").rows)
    assert_accounting(ws, "ct")


def test_non_json_file_forced_as_cloudtrail(ws: Workspace, inputs: Path) -> None:
    write_ct_tree(inputs, files=3, per_file=2)
    notes = inputs / "notes.txt"
    notes.write_text("this is not json\nat all\n")
    (inputs / "empty.json").write_text("")
    summary = ws.import_paths([inputs], sheet="ct", format="cloudtrail")
    assert summary.rows == 6
    rejects = ws.rejects("ct").rows
    assert [(r[0], r[1]) for r in rejects] == [(str(notes), 0)]
    assert "not CloudTrail JSON" in rejects[0][2]
    assert rejects[0][3].startswith("this is not json")
    sources = sources_by_name(ws, "ct")
    assert sources["empty.json"]["note"] == "empty file" and sources["empty.json"]["records_read"] == 0
    assert_accounting(ws, "ct")


def test_other_format_among_cloudtrail_is_set_aside_with_reason(ws: Workspace, inputs: Path) -> None:
    write_ct_tree(inputs, files=3, per_file=2)
    notes = inputs / "notes.txt"
    notes.write_text("hello\n")
    summary = ws.import_paths([inputs], sheet="ct")
    assert summary.format == "cloudtrail" and summary.rows == 6 and summary.rejected == 1
    (reject,) = ws.rejects("ct").rows
    assert reject[0] == str(notes) and "detected as text" in reject[2]
    assert "detected as text" in sources_by_name(ws, "ct")["notes.txt"]["note"]
    assert_accounting(ws, "ct")


def test_non_object_record_is_a_reject(ws: Workspace, inputs: Path) -> None:
    path = inputs / "rec.json"
    path.write_text(json.dumps({"Records": [ct_record(1), 5, ct_record(2)]}))
    summary = ws.import_paths([path], sheet="ct", format="cloudtrail")
    assert summary.rows == 2 and summary.rejected == 1
    assert "not a JSON object" in ws.rejects("ct").rows[0][2]
    assert_accounting(ws, "ct")


def test_json_without_cloudtrail_fields_forced_as_cloudtrail(ws: Workspace, inputs: Path) -> None:
    write_gz_json(ct_s3_key(inputs, START, 1), {"Records": [ct_record(1)]})
    write_ndjson(inputs / "other.json", [{"a": 1}, {"b": 2}])
    summary = ws.import_paths([inputs], sheet="ct", format="cloudtrail")
    assert summary.rows == 1
    assert summary.rejected == 2


# ------------------------------------------------------------------------------------------------ archives
def test_zip_with_hostile_member_names(ws: Workspace, tmp_path: Path, inputs: Path) -> None:
    def doc(i: int) -> bytes:
        return json.dumps({"Records": [ct_record(i), ct_record(i + 1)]}).encode()

    archive = write_zip(
        inputs / "logs.zip",
        {
            "../../evil.json": doc(0),
            "/abs/x.json": doc(10),
            "ok/dir/a.json": doc(20),
            ".hidden.json": b"{}",
            "__MACOSX/._a.json": b"x",
        },
    )
    before = {p for p in tmp_path.rglob("*") if not p.is_relative_to(tmp_path / "logsheet-home")}
    summary = ws.import_paths([archive], sheet="z")
    after = {p for p in tmp_path.rglob("*") if not p.is_relative_to(tmp_path / "logsheet-home")}
    assert after == before  # nothing written outside the workspace
    assert not (tmp_path.parent / "evil.json").exists() and not Path("/abs/x.json").exists()
    assert summary.rows == 6
    names = sorted(s.path for s in summary.sources)
    assert names == sorted(f"{archive}!{m}" for m in ("evil.json", "abs/x.json", "ok/dir/a.json"))
    container_sha = hashlib.sha256(archive.read_bytes()).hexdigest()
    members = {"evil.json": doc(0), "abs/x.json": doc(10), "ok/dir/a.json": doc(20)}
    for source in ws.info("z")["sources"]:
        assert source["container"] == str(archive)
        assert source["container_sha256"] == container_sha
        assert source["sha256"] == hashlib.sha256(members[source["path"].split("!", 1)[1]]).hexdigest()
    # the staging folder (where members were extracted) is gone
    assert list((ws.root / "staging").iterdir()) == []


def test_zip_member_with_windows_traversal_name_is_imported(ws: Workspace, inputs: Path) -> None:
    archive = write_zip(inputs / "logs.zip", {"..\\..\\win.json": json.dumps({"Records": [ct_record(1)]}).encode()})
    summary = ws.import_paths([archive], sheet="z")
    assert summary.rows == 1
    assert [s.path for s in summary.sources] == [f"{archive}!win.json"]


def test_tar_gz_with_links_and_traversal(ws: Workspace, tmp_path: Path, inputs: Path) -> None:
    members = {
        "../../tevil.json": ndjson_bytes([ct_record(1), ct_record(2)]),
        "/etc/tabs.json": ndjson_bytes([ct_record(3)]),
        "logs/inner.json.gz": gzip.compress(json.dumps({"Records": [ct_record(4), ct_record(5)]}).encode()),
    }
    archive = write_tar(
        inputs / "t.tar.gz",
        members,
        symlinks={"link.json": "/etc/passwd", "../up.json": "../../../../etc/hostname"},
        hardlinks={"hard.json": "/etc/passwd"},
    )
    before = {p for p in tmp_path.rglob("*") if not p.is_relative_to(tmp_path / "logsheet-home")}
    summary = ws.import_paths([archive], sheet="t")
    after = {p for p in tmp_path.rglob("*") if not p.is_relative_to(tmp_path / "logsheet-home")}
    assert after == before
    assert summary.rows == 5
    assert sorted(s.path.split("!", 1)[1] for s in summary.sources) == ["etc/tabs.json", "logs/inner.json.gz", "tevil.json"]
    assert not list(ws.root.rglob("link.json")) and not list(ws.root.rglob("*passwd*"))
    assert list((ws.root / "staging").iterdir()) == []


def test_plain_tar_and_archive_next_to_files(ws: Workspace, inputs: Path) -> None:
    write_tar(inputs / "a.tar", {"one.json": ndjson_bytes([ct_record(1), ct_record(2)])})
    write_gz_json(inputs / "b.json.gz", {"Records": [ct_record(3)]})
    summary = ws.import_paths([inputs], sheet="mix")
    assert summary.rows == 3 and summary.format == "cloudtrail"


def test_broken_archive_is_a_clear_error(ws: Workspace, inputs: Path) -> None:
    (inputs / "bad.zip").write_bytes(b"PK\x03\x04 this is not a zip")
    with pytest.raises(LogsheetError, match="not a readable zip"):
        ws.import_paths([inputs / "bad.zip"], sheet="b")
    assert ws.sheets() == []


# -------------------------------------------------------------------------------------------- generic JSON
def test_json_array_object_and_lines(ws: Workspace, inputs: Path) -> None:
    write_json(inputs / "arr.json", [{"a": 1, "b": {"c": "x"}}, {"a": 2, "b": {"c": "y"}, "d": [1, 2]}])
    summary = ws.import_paths([inputs / "arr.json"], sheet="arr")
    assert summary.format == "json"
    assert [(c.name, c.type) for c in summary.columns] == [("a", "integer"), ("b.c", "text"), ("d", "json")]
    assert ws.query("arr").rows == [(1, "x", None), (2, "y", "[1,2]")]

    write_json(inputs / "obj.json", {"a": 1, "b": {"c": "x"}})
    assert ws.import_paths([inputs / "obj.json"], sheet="obj").rows == 1
    assert ws.query("obj").rows == [(1, "x")]

    write_ndjson(inputs / "lines.ndjson", [{"k": i, "when": f"2022-03-22T15:00:0{i}Z"} for i in range(3)])
    summary = ws.import_paths([inputs / "lines.ndjson"], sheet="lines")
    assert summary.rows == 3 and summary.time_column == "when"
    assert [c.type for c in summary.columns] == ["integer", "timestamp"]


def test_ndjson_with_bad_lines(ws: Workspace, inputs: Path) -> None:
    path = inputs / "bad.ndjson"
    path.write_text('{"a":1}\n{"a":2}\nnot json here\n{"a":4}\n\n{"a":6,}\n{"a":7}\n')
    summary = ws.import_paths([path], sheet="bad")
    assert summary.format == "json"
    assert summary.rows == 4 and summary.rejected == 2
    assert [r[0] for r in ws.query("bad").rows] == [1, 2, 4, 7]
    rejects = ws.rejects("bad").rows
    assert [(r[0], r[1], r[3]) for r in rejects] == [(str(path), 3, "not json here"), (str(path), 6, '{"a":6,}')]
    assert "line 3" in rejects[0][2] and "line 6" in rejects[1][2]
    assert_accounting(ws, "bad")


def test_json_array_with_a_broken_element(ws: Workspace, inputs: Path) -> None:
    path = inputs / "arr.json"
    path.write_text('[{"a": 1}, {"a": 2}, {"a": 3,, }, {"a": 4}]')
    summary = ws.import_paths([path], sheet="arr", format="json")
    assert summary.rows == 2 and summary.rejected == 1
    assert ws.rejects("arr").rows[0][1] == 3  # the element's position
    assert_accounting(ws, "arr")


def test_json_scalars_become_a_value_column(ws: Workspace, inputs: Path) -> None:
    (inputs / "s.json").write_text('[1, "two", {"a": 3}]')
    summary = ws.import_paths([inputs / "s.json"], sheet="s")
    assert summary.rows == 3
    assert len(summary.columns) == 1


def test_json_integers_with_negative_values_stay_integers(ws: Workspace, inputs: Path) -> None:
    write_ndjson(inputs / "n.ndjson", [{"n": 5}, {"n": -1}, {"n": 12}])
    summary = ws.import_paths([inputs / "n.ndjson"], sheet="n")
    assert [(c.name, c.type) for c in summary.columns] == [("n", "integer")]
    assert ws.count("n", build_query(where="n > 5")) == 1


@pytest.mark.parametrize("kind", ["ndjson", "csv"])
def test_data_column_named_filename(ws: Workspace, inputs: Path, kind: str) -> None:
    if kind == "ndjson":
        path = write_ndjson(inputs / "f.ndjson", [{"filename": "a.exe", "k": 1}, {"filename": "b.dll", "k": 2}])
    else:
        path = write_csv(inputs / "f.csv", ["filename", "k"], [["a.exe", 1], ["b.dll", 2]])
    ws.import_paths([path], sheet="f")
    assert ws.query("f", build_query(columns=["filename", "k"])).rows == [("a.exe", 1), ("b.dll", 2)]


@pytest.mark.parametrize("name", ["__source", "__pos", "__rowid"])
def test_data_columns_named_like_system_columns_are_kept(ws: Workspace, inputs: Path, name: str) -> None:
    path = write_ndjson(inputs / "sys.ndjson", [{name: f"v{i}", "k": i} for i in range(3)])
    summary = ws.import_paths([path], sheet="s")
    assert summary.rows == 3
    page = ws.query("s")
    assert page.rows == [("v0", 0), ("v1", 1), ("v2", 2)]  # the value survives (perhaps renamed)


# ----------------------------------------------------------------------------------------------------- CSV
def test_csv_headers_quoting_and_types(ws: Workspace, inputs: Path) -> None:
    path = write_csv(
        inputs / "a.csv",
        ["Event Name", "Source IP", "count", "when", "details"],
        [
            ["Run, Instances", "1.2.3.4", 1, "2022-03-22T15:00:00Z", "{'type': 'AWSAccount', 'id': 5}"],
            ["List", "5.6.7.8", 2, "2022-03-22 16:00:00+00:00", 'say "hi", then go'],
            ["x", "", 3, "", ""],
        ],
    )
    summary = ws.import_paths([path], sheet="a")
    assert summary.format == "csv" and summary.rows == 3 and summary.rejected == 0
    assert [(c.name, c.type) for c in summary.columns] == [
        ("Event Name", "text"),
        ("Source IP", "text"),
        ("count", "integer"),
        ("when", "timestamp"),
        ("details", "text"),
    ]
    assert summary.time_column == "when"
    rows = ws.query("a").rows
    assert rows[0][0] == "Run, Instances" and rows[0][4] == "{'type': 'AWSAccount', 'id': 5}"
    assert rows[1][4] == 'say "hi", then go'
    assert rows[2][1] is None
    assert ws.count("a", build_query(where="\"Event Name\" contains ','")) == 1
    assert ws.count("a", build_query(where="\"Source IP\" in cidr '1.0.0.0/8'")) == 1


def test_csv_latin1_tsv_bom_crlf(ws: Workspace, inputs: Path) -> None:
    (inputs / "latin.csv").write_bytes("name,city\nJosé,Zürich\nRené,Köln\n".encode("latin-1"))
    assert ws.import_paths([inputs / "latin.csv"], sheet="latin").rows == 2
    assert ws.query("latin").rows == [("José", "Zürich"), ("René", "Köln")]
    write_csv(inputs / "t.tsv", ["a", "b c"], [["1", "x y"], ["2", "z"]], delimiter="\t")
    summary = ws.import_paths([inputs / "t.tsv"], sheet="tsv")
    assert summary.format == "csv" and [c.name for c in summary.columns] == ["a", "b c"]
    assert ws.query("tsv").rows == [(1, "x y"), (2, "z")]
    (inputs / "bom.csv").write_bytes(b"\xef\xbb\xbfa,b\r\n1,x\r\n2,y\r\n")
    ws.import_paths([inputs / "bom.csv"], sheet="bom")
    assert [c["name"] for c in ws.info("bom")["columns"]] == ["a", "b"]
    assert ws.query("bom").rows == [(1, "x"), (2, "y")]


def test_csv_line_with_wrong_field_count_is_a_reject(ws: Workspace, inputs: Path) -> None:
    lines = ["a,b,c"] + [f"{i},{i},{i}" for i in range(1, 21)]
    lines[5] = "5,5,5,EXTRA"
    lines[9] = "9,9"
    path = inputs / "bad.csv"
    path.write_text("\n".join(lines) + "\n")
    summary = ws.import_paths([path], sheet="bad")
    assert summary.format == "csv" and summary.rows == 18 and summary.rejected == 2
    rejects = ws.rejects("bad").rows
    assert [(r[0], r[1], r[3]) for r in rejects] == [(str(path), 6, "5,5,5,EXTRA"), (str(path), 10, "9,9")]
    assert 5 not in [r[0] for r in ws.query("bad").rows]
    assert_accounting(ws, "bad")


def test_csv_gzipped(ws: Workspace, inputs: Path) -> None:
    write_gz_bytes(inputs / "a.csv.gz", b"x,y\n1,a\n2,b\n")
    summary = ws.import_paths([inputs / "a.csv.gz"], sheet="gz")
    assert summary.format == "csv" and ws.query("gz").rows == [(1, "a"), (2, "b")]


# ------------------------------------------------------------------------------------------ parquet, text
def test_parquet(ws: Workspace, inputs: Path) -> None:
    path = write_parquet(inputs / "p.parquet", {"x": [1, 2, 3], "s": ["a", "b", None], "nested": [{"k": 1}, {"k": 2}, None]})
    summary = ws.import_paths([path], sheet="pq")
    assert summary.format == "parquet"
    assert [(c.name, c.type) for c in summary.columns] == [("x", "integer"), ("s", "text"), ("nested.k", "integer")]
    assert ws.query("pq").rows == [(1, "a", 1), (2, "b", 2), (3, None, None)]


def test_text_lines(ws: Workspace, inputs: Path) -> None:
    path = inputs / "t.log"
    path.write_bytes(b"line one\r\nline two\r\nbad \xff\xfe bytes\n\nlast no newline")
    summary = ws.import_paths([path], sheet="t")
    assert summary.format == "text"
    assert [(c.name, c.type) for c in summary.columns] == [("line_number", "integer"), ("line", "text")]
    assert ws.query("t").rows == [
        (1, "line one"),
        (2, "line two"),
        (3, "bad \\xff\\xfe bytes"),  # invalid UTF-8 kept visibly, never silently replaced
        (4, ""),
        (5, "last no newline"),
    ]


def test_unknown_formats_and_missing_inputs(ws: Workspace, inputs: Path) -> None:
    path = write_ndjson(inputs / "a.ndjson", [{"a": 1}])
    with pytest.raises(LogsheetError, match="unknown format 'nope'"):
        ws.import_paths([path], sheet="a", format="nope")
    from logsheet.ingest import formats

    assert set(formats.names()) == {"cloudtrail", "vpcflow", "syslog", "json", "csv", "parquet", "text"}
    with pytest.raises(LogsheetError, match="no such file"):
        ws.import_paths([inputs / "missing.json"], sheet="a")
    (inputs / "empty").mkdir()
    with pytest.raises(ImportFailed):
        ws.import_paths([inputs / "empty"], sheet="a")
    assert ws.sheets() == []


# ----------------------------------------------------------------------------------------- append, hashes
def test_append_cloudtrail_dedupes_against_existing_rows(ws: Workspace, inputs: Path) -> None:
    write_gz_json(inputs / "a" / "a.json.gz", {"Records": [ct_record(i) for i in range(5)]})
    write_gz_json(inputs / "b" / "b.json.gz", {"Records": [ct_record(i) for i in range(3, 8)]})
    assert ws.import_paths([inputs / "a"], sheet="ct").rows == 5
    summary = ws.import_paths([inputs / "b"], sheet="ct", append=True)
    assert summary.appended and summary.rows == 3 and summary.duplicates == 2
    assert ws.count("ct") == 8
    assert sorted(values(ws, "ct", "eventID")) == [event_id(i) for i in range(8)]
    info = ws.info("ct")
    assert info["rows"] == 8 and info["duplicates_removed"] == 2 and len(info["imports"]) == 2
    assert_accounting(ws, "ct")


def test_append_json_merges_columns(ws: Workspace, inputs: Path) -> None:
    write_ndjson(inputs / "a.ndjson", [{"k": 1, "v": "a"}, {"k": 2, "v": "b"}])
    write_ndjson(inputs / "b.ndjson", [{"k": 3, "v": "c", "extra": True}])
    ws.import_paths([inputs / "a.ndjson"], sheet="j")
    summary = ws.import_paths([inputs / "b.ndjson"], sheet="j", append=True)
    assert summary.appended and summary.rows == 1
    assert [c["name"] for c in ws.info("j")["columns"]] == ["k", "v", "extra"]
    assert ws.query("j").rows == [(1, "a", None), (2, "b", None), (3, "c", True)]
    assert ws.info("j")["rows"] == 3 and len(ws.info("j")["imports"]) == 2


def test_import_into_existing_sheet_needs_append(ws: Workspace, inputs: Path) -> None:
    path = write_ndjson(inputs / "a.ndjson", [{"k": 1}])
    ws.import_paths([path], sheet="j")
    with pytest.raises(LogsheetError, match="already exists"):
        ws.import_paths([path], sheet="j")
    with pytest.raises(LogsheetError, match="cannot append text"):
        ws.import_paths([path], sheet="j", append=True, format="text")
    assert ws.count("j") == 1


def test_sha256_of_every_source_and_originals_untouched(ws: Workspace, inputs: Path) -> None:
    write_ct_tree(inputs, files=5, per_file=2)
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in inputs.rglob("*") if p.is_file()}
    ws.import_paths([inputs], sheet="ct")
    info = ws.info("ct")
    assert len(info["sources"]) == 5
    for source in info["sources"]:
        path = Path(source["path"])
        assert source["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()  # of the .gz as it is on disk
        assert source["size"] == path.stat().st_size
    after = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in inputs.rglob("*") if p.is_file()}
    assert after == before


def test_sheet_data_is_zstd_parquet_in_the_workspace(ws: Workspace, inputs: Path) -> None:
    import pyarrow.parquet as pq

    write_ct_tree(inputs, files=2, per_file=2)
    ws.import_paths([inputs], sheet="ct")
    parts = list((ws.root / "sheets").rglob("data-*.parquet"))
    assert len(parts) == 1
    meta = pq.ParquetFile(parts[0]).metadata
    assert meta.num_rows == 4
    assert meta.row_group(0).column(0).compression == "ZSTD"


def test_delete_and_rename(ws: Workspace, inputs: Path) -> None:
    path = write_ndjson(inputs / "a.ndjson", [{"k": 1}])
    ws.import_paths([path], sheet="one")
    ws.rename_sheet("one", "two")
    assert [s.name for s in ws.sheets()] == ["two"]
    with pytest.raises(LogsheetError):
        ws.rename_sheet("two", "")
    ws.delete_sheet("two")
    assert ws.sheets() == []
    assert not any((ws.root / "sheets").rglob("*.parquet"))
    assert path.exists()


# ------------------------------------------------------------------------------------------------ atomicity
def _big_input(folder: Path, lines: int = 400_000) -> Path:
    path = folder / "big.log"
    with open(path, "w") as fh:
        for i in range(lines):
            fh.write(
                f"Mar  9 10:{i % 60:02d}:00 host sshd[{i}]: Failed password for user{i % 977} from 10.{i % 256}.0.1 port {i}\n"
            )
    return path


def _start_import(home: Path, path: Path, sheet: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "LOGSHEET_HOME": str(home)}
    return subprocess.Popen(
        [LOGSHEET, "import", str(path), "--sheet", sheet, "--format", "text", "--quiet"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def _wait_for_staging(home: Path, process: subprocess.Popen[bytes], settle: float) -> None:
    staging = home / "staging"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if staging.is_dir() and any(staging.iterdir()):
            time.sleep(settle)  # let it get properly under way
            assert process.poll() is None, "the import finished before it could be interrupted; make the input bigger"
            return
        assert process.poll() is None, process.communicate()
        time.sleep(0.005)
    raise AssertionError("the import never created its staging folder")


def _logsheet(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "LOGSHEET_HOME": str(home)}
    return subprocess.run([LOGSHEET, *args], env=env, capture_output=True, text=True, timeout=60)


def test_import_killed_with_sigkill_leaves_no_sheet(logsheet_home: Path, inputs: Path) -> None:
    big = _big_input(inputs)
    process = _start_import(logsheet_home, big, "big")
    try:
        _wait_for_staging(logsheet_home, process, settle=0.4)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == -signal.SIGKILL
    assert any((logsheet_home / "staging").iterdir())  # what the killed import left behind
    listed = _logsheet(logsheet_home, "sheets", "--json")
    assert listed.returncode == 0, listed.stderr
    assert json.loads(listed.stdout) == []
    assert list((logsheet_home / "staging").iterdir()) == []  # swept when the workspace opened
    assert not list((logsheet_home / "sheets").rglob("*.parquet"))
    fresh = _logsheet(logsheet_home, "import", str(big), "--sheet", "big", "--format", "text", "--json")
    assert fresh.returncode == 0, fresh.stderr
    assert json.loads(fresh.stdout)["rows"] == 400_000
    assert json.loads(_logsheet(logsheet_home, "sheets", "--json").stdout)[0]["rows"] == 400_000


def test_import_interrupted_with_sigint_leaves_no_sheet(logsheet_home: Path, inputs: Path) -> None:
    big = _big_input(inputs)
    process = _start_import(logsheet_home, big, "big")
    try:
        _wait_for_staging(logsheet_home, process, settle=0.3)
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 130, stderr
    assert b"Traceback" not in stderr
    assert stderr.decode().strip().splitlines()[-1] == "interrupted"
    assert list((logsheet_home / "staging").iterdir()) == []  # cleaned up on the way out
    assert json.loads(_logsheet(logsheet_home, "sheets", "--json").stdout) == []
    fresh = _logsheet(logsheet_home, "import", str(big), "--sheet", "big", "--format", "text", "--json")
    assert fresh.returncode == 0, fresh.stderr


def test_ctrl_c_during_an_engine_statement(inputs: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    import logsheet.ingest.pipeline as importer
    from logsheet.cli import main

    def interrupted_copy(*args: Any, **kwargs: Any) -> None:
        # exactly what duckdb 2.x raises when SIGINT arrives in the middle of a statement
        raise RuntimeError("Query interrupted")

    monkeypatch.setattr(importer, "_copy", interrupted_copy)
    write_gz_json(inputs / "a.json.gz", {"Records": [ct_record(i) for i in range(3)]})
    result = CliRunner().invoke(main, ["import", str(inputs), "--sheet", "ct", "--quiet"])
    assert json.loads(CliRunner().invoke(main, ["sheets", "--json"]).stdout) == []  # atomic either way
    assert result.exit_code == 130, result.stderr
    assert result.stderr.strip() == "interrupted"


def test_page_totals_are_remembered_per_sheet_version(ws: Workspace, inputs: Path) -> None:
    """A view's total and histogram are kept for the next page, and never outlive an import into the sheet."""
    ts = "2022-03-22T1{}:00:00Z"
    write_ndjson(inputs / "a.json", [{"n": i, "kind": "x" if i % 2 else "y", "ts": ts.format(i)} for i in range(5)])
    write_ndjson(inputs / "more" / "b.json", [{"n": i, "kind": "x", "ts": ts.format(i)} for i in range(5, 9)])
    ws.import_paths([inputs / "a.json"], sheet="s")
    odd = build_query(where="kind = 'x'")
    assert ws.histogram("s", odd).total == 2 and ws.histogram("s").total == 5
    assert ws.query("s", odd, limit=1).total == 2
    assert ws.query("s", odd.with_(sort=(ir.SortKey("n", True),)), limit=1, offset=1).total == 2  # same view, sorted
    assert ws.query("s", limit=1).total == 5
    ws.import_paths([inputs / "more"], sheet="s", append=True)
    assert ws.query("s", odd, limit=1).total == 6
    assert ws.query("s", limit=1).total == 9
    assert ws.query("s", build_query(where="kind = 'y'"), limit=1).total == 3
    assert ws.histogram("s", odd).total == 6 and ws.histogram("s").total == 9
