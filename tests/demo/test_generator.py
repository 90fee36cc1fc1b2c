"""The demo incident generator, checked by reading its files back with json, gzip and plain text only."""

from __future__ import annotations

import gzip
import hashlib
import ipaddress
import json
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from logsheet.demo import DEFAULT_SEED, FACTS, DemoFiles, generate

ATTACKER_API_IP = "44.202.228.109"
SSH_ATTACKER_IP = "123.214.118.119"
FILE_NAME = re.compile(r"123456789012_CloudTrail_(?P<region>[a-z0-9-]+)_(?P<stamp>\d{8}T\d{4}Z)_[A-Za-z0-9]{16}\.json\.gz")
SYSLOG_LINE = re.compile(
    r"(?P<stamp>[A-Z][a-z]{2} [ 1-3]\d \d\d:\d\d:\d\d) ip-172-31-83-20 (?P<tag>[a-z]+(\[\d+\])?): (?P<msg>.*)"
)
VPCFLOW_HEADER = (
    "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status"
)

Record = dict[str, Any]


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> DemoFiles:
    return generate(tmp_path_factory.mktemp("demo"))


@pytest.fixture(scope="module")
def deliveries(files: DemoFiles) -> list[tuple[Path, list[Record]]]:
    """Every delivered file with its records, in file-name order."""
    paths = sorted(files.cloudtrail_dir.rglob("*.json.gz"), key=lambda p: p.name)
    return [(path, json.loads(gzip.decompress(path.read_bytes()))["Records"]) for path in paths]


@pytest.fixture(scope="module")
def unique(deliveries: list[tuple[Path, list[Record]]]) -> list[Record]:
    return list({rec["eventID"]: rec for _, records in deliveries for rec in records}.values())


@pytest.fixture(scope="module")
def secure_lines(files: DemoFiles) -> list[str]:
    return files.secure_log.read_text(encoding="utf-8").splitlines()


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def _ndjson(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


# CloudTrail


def test_cloudtrail_files_are_s3_deliveries_of_gzipped_records(
    files: DemoFiles, deliveries: list[tuple[Path, list[Record]]]
) -> None:
    assert len(deliveries) == FACTS.cloudtrail_files
    assert len(deliveries) > 300
    regions = set()
    for path, records in deliveries:
        match = FILE_NAME.fullmatch(path.name)
        assert match, path.name
        stamp = match["stamp"]
        expected = ("AWSLogs", "123456789012", "CloudTrail", match["region"], stamp[:4], stamp[4:6], stamp[6:8], path.name)
        assert path.relative_to(files.cloudtrail_dir).parts == expected
        assert isinstance(records, list) and records
        assert {rec["awsRegion"] for rec in records} == {match["region"]}
        regions.add(match["region"])
    assert {"us-east-1", "us-west-2", "eu-west-1"} <= regions


def test_records_look_like_cloudtrail(unique: list[Record]) -> None:
    versions = Counter(rec["eventVersion"] for rec in unique)
    assert versions["1.08"] > 0.9 * len(unique) and versions["1.05"] > 0
    for rec in unique:
        assert re.fullmatch(r"2022-03-(19|2[0-3])T\d\d:\d\d:\d\dZ", rec["eventTime"]), rec["eventTime"]
        assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", rec["eventID"])
        assert rec["recipientAccountId"] == "123456789012"
        assert ("readOnly" in rec) == (rec["eventVersion"] == "1.08")
        assert ("errorCode" in rec) <= ("errorMessage" in rec)
    failures = sum("errorMessage" in rec for rec in unique) / len(unique)
    assert 0.01 < failures < 0.06
    assert {"IAMUser", "AssumedRole", "AWSService"} <= {rec["userIdentity"]["type"] for rec in unique}


def test_duplicates_are_whole_records_redelivered_in_a_later_file(deliveries: list[tuple[Path, list[Record]]]) -> None:
    seen: dict[str, tuple[Path, Record]] = {}
    redelivered = 0
    for path, records in deliveries:
        for rec in records:
            if rec["eventID"] not in seen:
                seen[rec["eventID"]] = (path, rec)
                continue
            first_path, first = seen[rec["eventID"]]
            assert rec == first and path != first_path
            assert _stamp(path) >= _stamp(first_path)
            redelivered += 1
    raw = sum(len(records) for _, records in deliveries)
    assert (raw, redelivered, len(seen)) == (
        FACTS.cloudtrail_raw_records,
        FACTS.cloudtrail_duplicates,
        FACTS.cloudtrail_unique_records,
    )
    assert raw == len(seen) + redelivered
    assert 0.005 < redelivered / raw < 0.02


def test_run_instances(unique: list[Record]) -> None:
    runs = [rec for rec in unique if rec["eventName"] == "RunInstances"]
    assert len(runs) == FACTS.run_instances == 7
    assert sum("errorMessage" in rec and "errorCode" in rec for rec in runs) == FACTS.run_instances_with_error == 4
    console = [rec for rec in runs if rec["sourceIPAddress"] == "AWS Internal"]
    assert len(console) == FACTS.run_instances_aws_internal == 2
    assert all(rec["userIdentity"]["type"] == "IAMUser" and rec.get("sessionCredentialFromConsole") == "true" for rec in console)
    cli = [rec for rec in runs if rec["sourceIPAddress"] == ATTACKER_API_IP]
    assert len(cli) == FACTS.run_instances_from_attacker_ip == 5
    assert all("aws-cli" in rec["userAgent"] for rec in cli)
    assert {rec["awsRegion"] for rec in runs} == {"us-east-1"}
    assert all("2022-03-22T15:18:02Z" <= rec["eventTime"] <= "2022-03-22T16:18:02Z" for rec in runs)
    (launch,) = [rec for rec in cli if rec["eventTime"] == "2022-03-22T15:48:02Z"]
    assert "errorCode" not in launch
    assert launch["requestParameters"]["instanceType"] == FACTS.launched_instance_type == "t2.micro"
    assert launch["responseElements"]["instancesSet"]["items"][0]["instanceId"] == FACTS.launched_instance_id


def test_attacker_requests_use_the_web_servers_instance_credentials(unique: list[Record]) -> None:
    requests = [rec for rec in unique if rec["sourceIPAddress"] == ATTACKER_API_IP]
    assert len(requests) == FACTS.attacker_api_requests == 12
    assert Counter(rec["eventName"] for rec in requests)["ListBuckets"] == FACTS.attacker_list_buckets == 1
    for rec in requests:
        identity = rec["userIdentity"]
        assert identity["type"] == "AssumedRole"
        assert identity["arn"] == f"arn:aws:sts::123456789012:assumed-role/WebServerRole/{FACTS.web_instance_id}"
        assert identity["accessKeyId"].startswith("ASIA")
        assert identity["sessionContext"]["sessionIssuer"]["userName"] == "WebServerRole"
        assert identity["sessionContext"]["ec2RoleDelivery"] == "2.0"


def test_incident_records_are_among_the_redelivered(deliveries: list[tuple[Path, list[Record]]]) -> None:
    raw = Counter(rec["eventName"] for _, records in deliveries for rec in records if rec["sourceIPAddress"] == ATTACKER_API_IP)
    assert raw["ListBuckets"] == 2
    assert raw["RunInstances"] >= 6
    assert sum(raw.values()) >= 14


def test_hostile_values_are_planted_in_background_records_only(unique: list[Record]) -> None:
    is_incident = [rec["sourceIPAddress"] == ATTACKER_API_IP or rec["eventName"] == "RunInstances" for rec in unique]
    incident = [rec for rec, flag in zip(unique, is_incident, strict=True) if flag]
    background = [rec for rec, flag in zip(unique, is_incident, strict=True) if not flag]
    planted = set(FACTS.hostile_cloudtrail)
    found = {value for rec in background for value in _strings(rec) if value in planted}
    assert found == planted
    in_incident = {value for rec in incident for value in _strings(rec)}
    assert not in_incident & planted
    assert max(len(value) for value in planted) == 20_000
    assert any(rec["userIdentity"].get("userName") == "ïñtérnätiønål-用户-🙂" for rec in background)
    assert any("\u202e" in value for value in planted)


# /var/log/secure


def test_secure_lines_are_rfc3164(files: DemoFiles, secure_lines: list[str]) -> None:
    assert len(secure_lines) == FACTS.secure_lines
    assert 5_000 <= len(secure_lines) <= 15_000
    for line in secure_lines:
        assert SYSLOG_LINE.fullmatch(line), line
    assert secure_lines[0].startswith("Mar 19 ") and secure_lines[-1].startswith("Mar 23 ")
    assert files.secure_log.name == "secure"


def test_brute_force_then_one_root_login(secure_lines: list[str]) -> None:
    failed = [line for line in secure_lines if "Failed password" in line and f"from {SSH_ATTACKER_IP} " in line]
    assert len(failed) == FACTS.brute_force_failed_password
    assert sum("Failed password for root from" in line for line in failed) == FACTS.brute_force_failed_root
    assert sum("Failed password for invalid user admin from" in line for line in failed) == FACTS.brute_force_failed_invalid_admin
    assert failed[0].startswith("Mar 22 14:5") and failed[-1].startswith("Mar 22 15:")
    pam = [line for line in secure_lines if f"rhost={SSH_ATTACKER_IP}  user=root" in line]
    assert len(pam) > 50
    accepted = [i for i, line in enumerate(secure_lines) if "Accepted password for root" in line]
    assert len(accepted) == FACTS.accepted_password_root == 1
    login = secure_lines[accepted[0]]
    assert login.startswith("Mar 22 15:40:17 ") and f"from {SSH_ATTACKER_IP} port " in login
    assert "session opened for user root by (uid=0)" in secure_lines[accepted[0] + 1]
    assert not [line for line in secure_lines if "Accepted" in line and SSH_ATTACKER_IP in line and line != login]


def test_secure_rows_mirror_the_log(files: DemoFiles, secure_lines: list[str]) -> None:
    rows = _ndjson(files.secure_rows)
    assert len(rows) == len(secure_lines)
    for row, line in zip(rows, secure_lines, strict=True):
        assert set(row) == {"timestamp", "host", "program", "pid", "message"}
        assert re.fullmatch(r"2022-03-\d\dT\d\d:\d\d:\d\dZ", row["timestamp"])
        tag = row["program"] if row["pid"] is None else f"{row['program']}[{row['pid']}]"
        assert line.endswith(f" {row['host']} {tag}: {row['message']}")
    messages = "\n".join(row["message"] for row in rows)
    for name in FACTS.hostile_secure:
        assert f"Invalid user {name} from " in messages


# VPC flow logs


def test_vpcflow_text_and_rows(files: DemoFiles) -> None:
    lines = files.vpcflow_log.read_text(encoding="utf-8").splitlines()
    assert lines[0] == VPCFLOW_HEADER
    rows = _ndjson(files.vpcflow_rows)
    assert len(lines) - 1 == len(rows) == FACTS.vpcflow_rows
    keys = VPCFLOW_HEADER.split()
    for line, row in zip(lines[1:], rows, strict=True):
        fields = line.split(" ")
        assert list(row) == keys and len(fields) == 14
        for key, text in zip(keys, fields, strict=True):
            if text == "-":
                assert row[key] is None
            elif key in ("start", "end"):
                assert re.fullmatch(r"2022-03-\d\dT\d\d:\d\d:\d\dZ", row[key])
            elif text.isdigit() and key != "account-id":
                assert row[key] == int(text)
            else:
                assert row[key] == text
    statuses = Counter(row["log-status"] for row in rows)
    assert statuses["NODATA"] and statuses["SKIPDATA"]
    assert any(":" in (row["srcaddr"] or "") for row in rows)
    addresses = {row[k] for row in rows for k in ("srcaddr", "dstaddr") if row[k] is not None}
    assert [a for a in addresses if not _is_ip(a)] == []  # IPv6 clients too: eight groups, or "::"
    assert Counter(row["action"] for row in rows)["REJECT"] > 1000


def test_vpcflow_shows_the_brute_force(files: DemoFiles) -> None:
    rows = [row for row in _ndjson(files.vpcflow_rows) if row["srcaddr"] == SSH_ATTACKER_IP and row["dstport"] == 22]
    assert len(rows) == FACTS.vpcflow_attacker_ssh_rows
    assert all(row["action"] == "ACCEPT" and row["protocol"] == 6 and row["dstaddr"] == "172.31.83.20" for row in rows)
    assert "2022-03-22T14:50:00Z" <= min(row["start"] for row in rows) < "2022-03-22T14:51:00Z"
    assert max(row["end"] for row in rows) <= "2022-03-22T16:30:00Z"


# The whole set


def test_same_seed_same_bytes(files: DemoFiles, tmp_path: Path) -> None:
    again = generate(tmp_path / "again", seed=DEFAULT_SEED)
    first_root, second_root = files.cloudtrail_dir.parent, again.cloudtrail_dir.parent
    listing = sorted(p.relative_to(first_root) for p in first_root.rglob("*") if p.is_file())
    assert listing == sorted(p.relative_to(second_root) for p in second_root.rglob("*") if p.is_file())
    for relative in listing:
        assert _digest(first_root / relative) == _digest(second_root / relative), relative


def test_another_seed_changes_the_background_not_the_incident(files: DemoFiles, tmp_path: Path) -> None:
    other = generate(tmp_path / "other", seed=7)
    assert files.secure_log.read_bytes() != other.secure_log.read_bytes()
    records = [
        rec
        for path in other.cloudtrail_dir.rglob("*.json.gz")
        for rec in json.loads(gzip.decompress(path.read_bytes()))["Records"]
        if rec["sourceIPAddress"] == ATTACKER_API_IP
    ]
    assert len({rec["eventID"] for rec in records}) == 12


def test_refuses_to_mix_two_data_sets(files: DemoFiles) -> None:
    with pytest.raises(FileExistsError):
        generate(files.cloudtrail_dir.parent)


def _stamp(path: Path) -> str:
    """The delivery time in a CloudTrail file's name, ``20220322T1545Z``."""
    match = FILE_NAME.fullmatch(path.name)
    assert match
    return match["stamp"]


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
