"""``logsheet import s3://BUCKET/PREFIX`` through the CLI's entry point, against a local S3 server (moto's
server mode on loopback, counting the requests it answers): the selection lists only the prefixes it needs,
an import killed half-way and run again imports every record once, new deliveries are appended, and bad
credentials, a missing bucket or an object that cannot be read each give one clear line."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from datetime import date
from pathlib import Path
from typing import Any

import boto3
import pytest
from click.testing import CliRunner, Result

from logsheet.cli import main
from s3_server import ACCOUNT, OTHER_ACCOUNT, CountingMotoServer, days, delivery_key, put_deliveries

REGIONS = ("us-east-1", "eu-west-1", "ap-southeast-2")
FIRST = date(2022, 3, 19)
DAYS = days(FIRST, 5)
PER_DAY = 20  # deliveries per region per day: 3 regions x 5 days x 20 = 300 objects
RECORDS = 10  # records per delivery
DIGEST = (
    f"AWSLogs/{ACCOUNT}/CloudTrail-Digest/us-east-1/2022/03/20/"
    f"{ACCOUNT}_CloudTrail-Digest_us-east-1_t_us-east-1_20220320T000000Z.json.gz"
)
LOGSHEET = str(Path(sys.executable).parent / "logsheet")


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def ok(*args: str) -> Result:
    result = run(*args)
    assert result.exit_code == 0, result.stdout + result.stderr
    return result


def one_line_error(*args: str) -> str:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.stderr and "Traceback" not in result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    return lines[0]


def summary(*args: str) -> dict[str, Any]:
    return json.loads(ok(*args, "--json").stdout)


def info(sheet: str) -> dict[str, Any]:
    return json.loads(ok("info", sheet, "--json").stdout)


def standard_keys() -> list[str]:
    return [delivery_key(day, region, i) for region in REGIONS for day in DAYS for i in range(PER_DAY)]


@pytest.fixture(scope="module")
def trail(s3_server: CountingMotoServer) -> str:
    """A bucket of 300 CloudTrail deliveries (3 regions, 5 days) and a digest file; read-only for the tests."""
    client = boto3.client(
        "s3", endpoint_url=s3_server.url, region_name="us-east-1", aws_access_key_id="t", aws_secret_access_key="t"
    )
    name = f"trail-{uuid.uuid4().hex[:12]}"
    client.create_bucket(Bucket=name)
    put_deliveries(client, name, standard_keys(), RECORDS)
    client.put_object(Bucket=name, Key=DIGEST, Body=b'{"digestStartTime":"2022-03-20T00:00:00Z"}')
    return name


def test_a_week_of_one_region_lists_only_its_day_prefixes(trail: str, s3_server: CountingMotoServer) -> None:
    before_lists, before_gets = len(s3_server.log.lists(trail)), len(s3_server.log.gets(trail))
    got = summary(
        "import", f"s3://{trail}/", "--sheet", "ct", "--endpoint-url", s3_server.url, "--account", ACCOUNT,
        "--region", "eu-west-1", "--since", "2022-03-20", "--until", "2022-03-22",
    )  # fmt: skip
    assert got["format"] == "cloudtrail"
    assert got["rows"] == 3 * PER_DAY * RECORDS
    lists = s3_server.log.lists(trail)[before_lists:]
    listed = [(s.query.get("prefix", [""])[0], s.query.get("delimiter", [""])[0]) for s in lists]
    account = f"AWSLogs/{ACCOUNT}/"
    day_prefixes = [f"{account}CloudTrail/eu-west-1/2022/03/{d}/" for d in ("20", "21", "22")]
    # the bucket's top (where is AWSLogs/?), AWSLogs/ (organisation folders?), the account's services (digests
    # noted), then one listing per day: not the other regions, days or accounts
    assert listed == [("", "/"), ("AWSLogs/", "/"), (account, "/")] + [(p, "") for p in day_prefixes]
    assert got["s3"]["list_requests"] == len(lists) == 6
    gets = s3_server.log.gets(trail)[before_gets:]
    assert len(gets) == 3 * PER_DAY
    assert all(g.key.startswith(tuple(day_prefixes)) for g in gets)
    assert any("CloudTrail-Digest" in w and "skipped" in w for w in got["warnings"])


def test_info_lists_each_object_with_its_evidence(trail: str, s3_server: CountingMotoServer) -> None:
    day = f"s3://{trail}/AWSLogs/{ACCOUNT}/CloudTrail/us-east-1/2022/03/21/"
    ok("import", day, "--sheet", "day", "--endpoint-url", s3_server.url, "-q")
    sources = info("day")["sources"]
    client = boto3.client("s3", endpoint_url=s3_server.url, region_name="us-east-1")
    expected = [k for k in standard_keys() if "/us-east-1/2022/03/21/" in k]
    assert sorted(s["s3"]["key"] for s in sources) == sorted(expected)
    import hashlib

    for source in sources[:5]:
        key = source["s3"]["key"]
        assert source["path"] == f"s3://{trail}/{key}"
        head = client.head_object(Bucket=trail, Key=key)
        body = client.get_object(Bucket=trail, Key=key)["Body"].read()
        assert source["sha256"] == hashlib.sha256(body).hexdigest()
        assert source["size"] == source["s3"]["size"] == head["ContentLength"] == len(body)
        assert source["s3"]["etag"] == head["ETag"].strip('"')
        assert source["s3"]["bucket"] == trail
        assert source["s3"]["last_modified"] == head["LastModified"].strftime("%Y-%m-%dT%H:%M:%SZ")
        assert source["records_read"] == source["rows_kept"] == RECORDS


def test_the_whole_bucket_with_its_digest_skipped(trail: str, s3_server: CountingMotoServer) -> None:
    got = summary("import", f"s3://{trail}", "--sheet", "all", "--endpoint-url", s3_server.url)
    assert got["rows"] == len(standard_keys()) * RECORDS
    assert got["s3"]["objects_imported"] == len(standard_keys())
    assert not any("CloudTrail-Digest" in s["path"] for s in got["sources"])
    # run again: nothing new, nothing read twice
    gets = len(s3_server.log.gets(trail))
    again = summary("import", f"s3://{trail}", "--sheet", "all", "--endpoint-url", s3_server.url)
    assert again["rows"] == 0 and again["s3"]["objects_already_imported"] == len(standard_keys())
    assert len(s3_server.log.gets(trail)) == gets
    assert info("all")["rows"] == len(standard_keys()) * RECORDS


def test_new_deliveries_are_appended_once(bucket: str, s3: Any, s3_server: CountingMotoServer) -> None:
    first = [delivery_key(d, "us-east-1", i) for d in DAYS[:2] for i in range(30)]
    put_deliveries(s3, bucket, first, RECORDS)
    url = f"s3://{bucket}/"
    assert summary("import", url, "--sheet", "ct", "--endpoint-url", s3_server.url)["rows"] == 60 * RECORDS
    later = [delivery_key(DAYS[2], "us-east-1", i) for i in range(15)]
    put_deliveries(s3, bucket, later, RECORDS, seed=1000)
    gets = len(s3_server.log.gets(bucket))
    got = summary("import", url, "--sheet", "ct", "--endpoint-url", s3_server.url, "--append")
    assert got["appended"] and got["rows"] == 15 * RECORDS and got["duplicates_removed"] == 0
    assert got["s3"]["objects_already_imported"] == 60 and got["s3"]["objects_imported"] == 15
    assert sorted(g.key for g in s3_server.log.gets(bucket)[gets:]) == sorted(later)
    sheet = info("ct")
    assert sheet["rows"] == 75 * RECORDS and len(sheet["sources"]) == 75


def test_an_import_killed_half_way_and_run_again_imports_every_record_once(
    bucket: str, s3: Any, s3_server: CountingMotoServer, logsheet_home: Path
) -> None:
    keys = [delivery_key(d, r, i) for r in REGIONS[:2] for d in DAYS[:3] for i in range(50)]  # 300
    put_deliveries(s3, bucket, keys, RECORDS)
    args = [LOGSHEET, "import", f"s3://{bucket}/", "--sheet", "ct", "--endpoint-url", s3_server.url, "--quiet", "--workers", "2"]
    env = {**os.environ, "LOGSHEET_S3_BATCH_OBJECTS": "20"}
    child = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while len(s3_server.log.gets(bucket)) < 130 and child.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)
    child.send_signal(signal.SIGKILL)
    child.communicate()
    assert child.returncode == -signal.SIGKILL, "the import ended before it could be killed half-way"
    killed_at = len(s3_server.log.gets(bucket))
    assert killed_at < len(keys)
    partial = run("info", "ct", "--json")
    held = json.loads(partial.stdout)["rows"] if partial.exit_code == 0 else 0
    assert 0 < held < len(keys) * RECORDS  # some batches committed (the downloads run two batches ahead at most), not all
    # the same command again: only what did not commit is read, and every record is there once
    got = summary("import", f"s3://{bucket}/", "--sheet", "ct", "--endpoint-url", s3_server.url)
    assert got["s3"]["objects_already_imported"] == held // RECORDS
    assert got["rows"] == len(keys) * RECORDS - held
    assert got["duplicates_removed"] == 0
    sheet = info("ct")
    assert sheet["rows"] == len(keys) * RECORDS
    assert sorted(s["s3"]["key"] for s in sheet["sources"]) == sorted(keys)
    assert sum(s["records_read"] for s in sheet["sources"]) == len(keys) * RECORDS
    assert ok("query", "ct", "--count").stdout.strip().replace(",", "") == str(len(keys) * RECORDS)
    assert not any((logsheet_home / "staging").iterdir())  # the killed import's downloads were swept


def test_wrong_credentials_give_one_clear_line(
    trail: str, s3_server: CountingMotoServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from moto import settings

    monkeypatch.setattr(settings, "INITIAL_NO_AUTH_ACTION_COUNT", 0)  # moto checks the keys against its IAM users
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIANOTAREALKEY00000")
    line = one_line_error("import", f"s3://{trail}/", "--sheet", "x", "--endpoint-url", s3_server.url)
    assert line.startswith("error: ") and "InvalidAccessKeyId" in line and "credentials" in line
    assert run("info", "x").exit_code != 0


def test_no_credentials_at_all_give_one_clear_line(
    trail: str, s3_server: CountingMotoServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    line = one_line_error("import", f"s3://{trail}/", "--sheet", "x", "--endpoint-url", s3_server.url)
    assert "no usable AWS credentials" in line


def test_a_missing_bucket_gives_one_clear_line(s3_server: CountingMotoServer) -> None:
    line = one_line_error("import", "s3://no-such-bucket-here/AWSLogs/", "--sheet", "x", "--endpoint-url", s3_server.url)
    assert line == f"error: no bucket named 'no-such-bucket-here' at {s3_server.url}"


def test_a_named_profile(trail: str, s3_server: CountingMotoServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    prefix = f"s3://{trail}/AWSLogs/{ACCOUNT}/CloudTrail/ap-southeast-2/2022/03/23/"
    got = summary("import", prefix, "--sheet", "p", "--endpoint-url", s3_server.url, "--profile", "ir")
    assert got["rows"] == PER_DAY * RECORDS
    line = one_line_error("import", prefix, "--sheet", "q", "--endpoint-url", s3_server.url, "--profile", "nope")
    assert line == "error: no AWS profile named 'nope' (in ~/.aws/config or ~/.aws/credentials)"


def test_an_unreadable_object_is_reported_and_the_rest_import(bucket: str, s3: Any, s3_server: CountingMotoServer) -> None:
    keys = [delivery_key(DAYS[0], "us-east-1", i) for i in range(12)]
    put_deliveries(s3, bucket, keys, RECORDS)
    s3_server.deny.add(keys[3])
    s3_server.cut[keys[5]] = 2  # cut short twice, then whole: read again with back-off
    try:
        result = ok("import", f"s3://{bucket}/", "--sheet", "ct", "--endpoint-url", s3_server.url)
    finally:
        s3_server.deny.discard(keys[3])
    assert "11 S3 object(s)" in result.stdout and f"{11 * RECORDS:,} rows" in result.stdout
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning: ")]
    assert any(f"s3://{bucket}/{keys[3]}: not imported, access denied" in w for w in warnings), warnings
    assert sum(1 for g in s3_server.log.gets(bucket) if g.key == keys[5]) == 3
    # run again once it can be read: only that object is read
    gets = len(s3_server.log.gets(bucket))
    again = summary("import", f"s3://{bucket}/", "--sheet", "ct", "--endpoint-url", s3_server.url)
    assert again["rows"] == RECORDS and [g.key for g in s3_server.log.gets(bucket)[gets:]] == [keys[3]]
    assert info("ct")["rows"] == 12 * RECORDS


def test_organisation_trails_and_several_accounts(bucket: str, s3: Any, s3_server: CountingMotoServer) -> None:
    org = "o-abcdef1234"
    keys = [
        *(delivery_key(DAYS[1], "us-east-1", i, account=ACCOUNT).replace("AWSLogs/", f"AWSLogs/{org}/") for i in range(4)),
        *(delivery_key(DAYS[1], "us-east-1", i, account=OTHER_ACCOUNT).replace("AWSLogs/", f"AWSLogs/{org}/") for i in range(3)),
        *(delivery_key(DAYS[1], "us-east-1", i, account=OTHER_ACCOUNT, prefix=f"{org}/") for i in range(2)),
    ]
    put_deliveries(s3, bucket, keys, RECORDS)
    got = summary(
        "import", f"s3://{bucket}/", "--sheet", "org", "--endpoint-url", s3_server.url, "--account", OTHER_ACCOUNT,
        "--since", "2022-03-20", "--until", "2022-03-20",
    )  # fmt: skip
    assert got["rows"] == 5 * RECORDS
    assert sorted(s["s3"]["key"] for s in got["sources"]) == sorted(keys[4:])


def test_vpc_flow_log_deliveries(bucket: str, s3: Any, s3_server: CountingMotoServer) -> None:
    import gzip

    header = "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status"
    line = "2 {a} eni-0a1b2c3d 10.0.0.{n} 44.202.228.109 443 {p} 6 10 840 1647964082 1647964142 ACCEPT OK"
    for n, day in enumerate(DAYS[:2]):
        for region in ("us-east-1", "eu-west-1"):
            body = "\n".join([header, *(line.format(a=ACCOUNT, n=i, p=40000 + i) for i in range(7))]) + "\n"
            name = f"{ACCOUNT}_vpcflowlogs_{region}_fl-1_{day:%Y%m%d}T0000Z_{n}.log.gz"
            key = f"AWSLogs/{ACCOUNT}/vpcflowlogs/{region}/{day:%Y/%m/%d}/{name}"
            s3.put_object(Bucket=bucket, Key=key, Body=gzip.compress(body.encode()))
    got = summary("import", f"s3://{bucket}/", "--sheet", "flows", "--endpoint-url", s3_server.url, "--region", "eu-west-1")
    assert got["format"] == "vpcflow" and got["rows"] == 2 * 7
    assert all("/vpcflowlogs/eu-west-1/" in s["path"] for s in got["sources"])


def test_bad_options_are_refused_in_one_line(s3_server: CountingMotoServer, inputs: Path) -> None:
    url = "s3://some-bucket/"
    assert "12-digit" in one_line_error("import", url, "--account", "12345", "--endpoint-url", s3_server.url)
    assert "us-east-1" in one_line_error("import", url, "--region", "mars", "--endpoint-url", s3_server.url)
    assert "2022-03-22" in one_line_error("import", url, "--since", "yesterday", "--endpoint-url", s3_server.url)
    assert "is after" in one_line_error("import", url, "--since", "2022-03-22", "--until", "2022-03-01")
    assert "bucket name" in one_line_error("import", "s3://A_Bucket/x")
    local = inputs / "x.json"
    local.write_text("{}", encoding="utf-8")
    result = CliRunner().invoke(main, ["import", str(local), "--account", ACCOUNT])
    assert result.exit_code == 2 and "--account apply to an import from s3://BUCKET/PREFIX" in result.stderr


def test_a_selection_on_a_bucket_without_the_layout_is_refused(bucket: str, s3: Any, s3_server: CountingMotoServer) -> None:
    s3.put_object(Bucket=bucket, Key="exports/events.json", Body=b'{"Records": []}')
    line = one_line_error("import", f"s3://{bucket}/exports/", "--region", "us-east-1", "--endpoint-url", s3_server.url)
    assert "holds no AWSLogs/ folder" in line


def test_requester_pays_and_the_buckets_region_reach_every_request(trail: str, s3_server: CountingMotoServer) -> None:
    before = len(s3_server.log.seen)
    prefix = f"s3://{trail}/AWSLogs/{ACCOUNT}/CloudTrail/eu-west-1/2022/03/19/"
    args = ("--endpoint-url", s3_server.url, "--requester-pays", "--s3-region", "eu-west-1")
    assert summary("import", prefix, "--sheet", "rp", *args)["rows"] == PER_DAY * RECORDS
    with s3_server.log.lock:
        ours = [s for s in s3_server.log.seen[before:] if s.bucket == trail]
    assert len(ours) == 1 + PER_DAY  # the day listed, and each of its objects read
    assert {s.payer for s in ours} == {"requester"}
    assert {s.signed_region for s in ours} == {"eu-west-1"}
