"""Real public CloudTrail samples from ../shared/data, checked against jq run on the same files.

The files are copied into tmp_path first (the originals are only ever read). Every test here is marked
``shared_data`` and skips with a reason when ../shared/data (or jq) is absent.
"""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from logsheet.workspace import Workspace, build_query

pytestmark = pytest.mark.shared_data

JQ = shutil.which("jq") or "/usr/bin/jq"


def jq(program: str, *files: Path, slurp: bool = False, text: str | None = None) -> Any:
    if not Path(JQ).exists():
        pytest.skip("jq is not installed (expected at /usr/bin/jq)")
    args = [JQ, "-c"] + (["-s"] if slurp else []) + [program] + [str(f) for f in files]
    done = subprocess.run(args, input=text, capture_output=True, text=True, timeout=60, check=True)
    return json.loads(done.stdout)


def pairs(rows: list[list[Any]]) -> dict[Any, int]:
    """jq's [[key, count], ...] as a dict."""
    return {key: count for key, count in rows}


def groups(ws: Workspace, sheet: str, *keys: str, where: str | None = None) -> dict[Any, int]:
    page = ws.query(sheet, build_query(where=where, group_by=list(keys)), limit=10_000)
    assert page.total == len(page.rows)
    if len(keys) == 1:
        return {row[0]: row[1] for row in page.rows}
    return {tuple(row[:-1]): row[-1] for row in page.rows}


COUNT_BY = "group_by(.) | map([.[0], length])"


# --------------------------------------------------------------------------------------------------- grycap
def test_grycap_records_envelope(ws: Workspace, shared_copy: Any) -> None:
    path = shared_copy("grycap-cloudtrail-sample", "sample-cloudtrail-event.json")
    summary = ws.import_paths([path], sheet="grycap")
    assert summary.format == "cloudtrail" and summary.rejected == 0
    assert summary.rows == jq(".Records | length", path) == 142
    assert ws.count("grycap") == 142
    assert groups(ws, "grycap", "eventName") == pairs(jq(f"[.Records[].eventName] | {COUNT_BY}", path))
    assert groups(ws, "grycap", "eventVersion") == pairs(jq(f"[.Records[].eventVersion] | {COUNT_BY}", path))
    # a JSON path inside requestParameters, grouped and filtered
    balancers = pairs(jq(f"[.Records[] | .requestParameters.loadBalancerName? // null] | {COUNT_BY}", path))
    assert groups(ws, "grycap", "requestParameters.loadBalancerName") == balancers
    named = {k: v for k, v in balancers.items() if k is not None}
    assert sum(named.values()) == 16
    name, count = max(named.items(), key=lambda kv: kv[1])
    assert ws.count("grycap", build_query(where=f"requestParameters.loadBalancerName = '{name}'")) == count
    roles = jq("[.Records[] | select(.requestParameters.roleArn? != null)] | length", path)
    assert ws.count("grycap", build_query(where="requestParameters.roleArn starts with 'arn:aws:iam::'")) == roles == 9
    volumes = jq("[.Records[] | .requestParameters.volumeSet.items[0].volumeId? // empty] | length", path)
    assert ws.count("grycap", build_query(where="requestParameters.volumeSet.items[0].volumeId is not blank")) == volumes
    # old eventVersions have no readOnly: blank, not false
    without = jq('[.Records[] | select(has("readOnly") | not)] | length', path)
    assert ws.count("grycap", build_query(where="readOnly is blank")) == without
    # a two-level group-by
    expected = {tuple(k): v for k, v in jq(f"[.Records[] | [.eventSource, .userIdentity.type]] | {COUNT_BY}", path)}
    assert groups(ws, "grycap", "eventSource", "userIdentity.type") == expected
    # the evidence hash
    import hashlib

    assert ws.info("grycap")["sources"][0]["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()


# -------------------------------------------------------------------------------------------------- zmallen
def _fixed_copy(path: Path) -> str:
    """The malformed file with the missing commas put back (a line '{' right after a line ending in '}')."""
    lines = path.read_text().split("\n")
    fixed: list[str] = []
    for line in lines:
        if line.startswith("{") and fixed and fixed[-1].rstrip().endswith("}"):
            fixed[-1] += ","
        fixed.append(line)
    return "\n".join(fixed)


def test_zmallen_with_its_malformed_file(ws: Workspace, shared_copy: Any) -> None:
    folder = shared_copy("zmallen-cloudtrail2sightings")
    files = sorted(folder.glob("*.json"))
    malformed = folder / "aws.execution.ec2-user-data.json"
    good = [f for f in files if f != malformed]
    with pytest.raises(subprocess.CalledProcessError):
        jq(".Records | length", malformed)  # jq cannot read it either
    expected_bad = jq(".Records | length", text=_fixed_copy(malformed))
    expected_total = sum(jq(".Records | length", f) for f in good) + expected_bad

    summary = ws.import_paths(files, sheet="zm")
    assert summary.rows == expected_total == 15
    sources = {Path(s["path"]).name: s for s in ws.info("zm")["sources"]}
    assert sources[malformed.name]["rows_kept"] == expected_bad == 3
    rejects = ws.rejects("zm").rows
    assert {r[0] for r in rejects} == {str(malformed)}
    assert all("a ',' is missing" in r[2] for r in rejects)
    assert any("line 112" in r[2] for r in rejects)
    for s in sources.values():
        assert s["records_read"] == s["rows_kept"] + s["rejected"] + s["duplicates"]
    names = [r["eventName"] for f in good for r in jq(".Records", f)]
    names += [r["eventName"] for r in jq(".Records", text=_fixed_copy(malformed))]
    assert groups(ws, "zm", "eventName") == dict(Counter(names))


def test_zmallen_zip_matches_its_files(ws: Workspace, shared_copy: Any) -> None:
    folder = shared_copy("zmallen-cloudtrail2sightings")
    from_files = ws.import_paths(sorted(folder.glob("*.json")), sheet="files")
    from_zip = ws.import_paths([folder / "cloudtrail.zip"], sheet="zip")
    assert from_zip.rows == from_files.rows and from_zip.rejected == from_files.rejected
    assert all(s.container == str(folder / "cloudtrail.zip") for s in from_zip.sources)
    assert groups(ws, "zip", "eventName") == groups(ws, "files", "eventName")


# -------------------------------------------------------------------------------------------------- stratus
def test_stratus_bare_arrays(ws: Workspace, shared_copy: Any) -> None:
    folder = shared_copy("stratus-red-team-detonation-logs")
    files = sorted(folder.glob("*.json"))
    assert len(files) == 35
    summary = ws.import_paths([folder], sheet="stratus")  # LICENSE and NOTICE are set aside, with a reason
    assert summary.format == "cloudtrail"
    assert summary.rows == jq("map(length) | add", *files, slurp=True) == 310
    assert {Path(r[0]).name for r in ws.rejects("stratus").rows} == {"LICENSE", "NOTICE"}
    assert groups(ws, "stratus", "eventName") == pairs(jq(f"[.[][].eventName] | {COUNT_BY}", *files, slurp=True))
    # the fake regions are kept as they are
    assert groups(ws, "stratus", "awsRegion") == pairs(jq(f"[.[][].awsRegion] | {COUNT_BY}", *files, slurp=True))
    expected = jq('[.[][] | select(.userIdentity.type == "AssumedRole")] | length', *files, slurp=True)
    assert ws.count("stratus", build_query(where="userIdentity.type = 'AssumedRole'")) == expected
    with_error = jq("[.[][] | select(.errorCode != null)] | length", *files, slurp=True)
    assert ws.count("stratus", build_query(where="errorCode is not blank")) == with_error
    tls = jq(f"[.[][] | .tlsDetails.tlsVersion] | {COUNT_BY}", *files, slurp=True)
    assert groups(ws, "stratus", "tlsDetails.tlsVersion") == pairs(tls)


# ----------------------------------------------------------------------------------------------------- otrf
def test_otrf_json_lines(ws: Workspace, shared_copy: Any) -> None:
    path = shared_copy("otrf-aws-ec2-proxy-s3-exfil", "ec2_proxy_s3_exfiltration_2020-09-14011940.json")
    summary = ws.import_paths([path], sheet="otrf")
    assert summary.format == "cloudtrail" and summary.rejected == 0
    assert summary.rows == jq("length", path, slurp=True) == 103
    assert groups(ws, "otrf", "eventName") == pairs(jq(f"[.[].eventName] | {COUNT_BY}", path, slurp=True))
    assert groups(ws, "otrf", "sourceIPAddress") == pairs(jq(f"[.[].sourceIPAddress] | {COUNT_BY}", path, slurp=True))
    buckets = pairs(jq(f"[.[] | .requestParameters.bucketName? // null] | {COUNT_BY}", path, slurp=True))
    assert groups(ws, "otrf", "requestParameters.bucketName") == buckets
    next_token = jq(
        "[.[] | select(.requestParameters.DescribeInstanceTypesRequest.NextToken? != null)] | length", path, slurp=True
    )
    where = "requestParameters.DescribeInstanceTypesRequest.NextToken is not blank"
    assert ws.count("otrf", build_query(where=where)) == next_token > 0


def test_otrf_rows_have_a_time(ws: Workspace, shared_copy: Any) -> None:
    path = shared_copy("otrf-aws-ec2-proxy-s3-exfil", "ec2_proxy_s3_exfiltration_2020-09-14011940.json")
    summary = ws.import_paths([path], sheet="otrf")
    assert summary.time_column is not None
    assert ws.count("otrf", build_query(where=f'"{summary.time_column}" is blank')) == 0
    # the time is the events' @timestamp (there is no eventTime): first and last per eventName agree with jq
    program = 'group_by(.eventName) | map([.[0].eventName, length, (map(.["@timestamp"]) | min), (map(.["@timestamp"]) | max)])'
    expected = {name: (n, first, last) for name, n, first, last in jq(program, path, slurp=True)}
    aggs = ["count", f"first:{summary.time_column}", f"last:{summary.time_column}"]
    page = ws.query("otrf", build_query(group_by=["eventName"], aggs=aggs), limit=1000)
    stamp = "%Y-%m-%dT%H:%M:%S.000Z"
    got = {name: (n, first.strftime(stamp), last.strftime(stamp)) for name, n, first, last in page.rows}
    assert got == expected


# ------------------------------------------------------------------------------------------------ honeybucket
def test_honeybucket_csv(ws: Workspace, shared_copy: Any) -> None:
    path = shared_copy("otrf-aws-s3-honeybucket", "AWS_S3_HoneyBucketLogs.csv")
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 301
    summary = ws.import_paths([path], sheet="honey")
    assert summary.format == "csv" and summary.rows == 301 and summary.rejected == 0
    names = [c.name for c in summary.columns]
    assert names == list(rows[0].keys())  # headers with spaces kept as they are
    types = {c.name: c.type for c in summary.columns}
    assert types["Event DateTime"] == types["Alarm DateTime"] == "timestamp"  # both timestamp spellings
    assert types["Repeated Attempts"] == "integer"
    assert types["User ID"] == types["Request Parameters"] == "text"  # Python-dict-looking cells stay text
    page = ws.query("honey", build_query(columns=["User ID", "Request Parameters", "Alert"]), limit=301)
    assert [list(r) for r in page.rows] == [[row["User ID"], row["Request Parameters"], row["Alert"]] for row in rows]
    assert page.rows[0][0].startswith("{'type': ")
    assert groups(ws, "honey", "Event Name") == dict(Counter(r["Event Name"] for r in rows))
    assert groups(ws, "honey", "Source IP") == dict(Counter(r["Source IP"] or None for r in rows))
    expected = sum(1 for r in rows if "'bucketName': " in r["Request Parameters"])
    assert ws.count("honey", build_query(where="\"Request Parameters\" contains '''bucketName'': '")) == expected
    assert ws.count("honey", build_query(where='"Repeated Attempts" > 1')) == sum(
        1 for r in rows if r["Repeated Attempts"] and int(r["Repeated Attempts"]) > 1
    )
