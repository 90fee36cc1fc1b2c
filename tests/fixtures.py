"""Generators for the small input files the tests import.

The project ships no third-party data: every fixture here is written into a test's ``tmp_path`` by code, with
contents the test knows exactly. (Real public logs live in ``../shared/data`` and are used only by the tests
marked ``shared_data``.)
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import tarfile
import zipfile
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ACCOUNT = "111122223333"
REGION = "us-east-1"
START = datetime(2022, 3, 22, 15, 0, 0, tzinfo=UTC)
EVENT_NAMES = ("RunInstances", "ListBuckets", "DescribeInstances", "GetObject", "AssumeRole")


# ---------------------------------------------------------------------------------------------- CloudTrail
def event_id(i: int) -> str:
    return f"00000000-0000-4000-8000-{i:012d}"


def ct_time(i: int) -> str:
    return (START + timedelta(seconds=i)).strftime("%Y-%m-%dT%H:%M:%SZ")


def ct_record(i: int, **overrides: Any) -> dict[str, Any]:
    """A CloudTrail record (eventVersion 1.08) whose fields are a known function of ``i``.

    eventName cycles through EVENT_NAMES; sourceIPAddress is ``10.0.<i % 4>.1``; requestParameters holds a
    bucketName (``bucket-<i % 3>``) and an instancesSet list; userIdentity.userName is ``user<i % 2>``.
    """
    record: dict[str, Any] = {
        "eventVersion": "1.08",
        "userIdentity": {
            "type": "IAMUser",
            "principalId": f"AIDA{i % 2:016d}",
            "arn": f"arn:aws:iam::{ACCOUNT}:user/user{i % 2}",
            "accountId": ACCOUNT,
            "accessKeyId": f"AKIA{i % 2:016d}",
            "userName": f"user{i % 2}",
            "sessionContext": {"attributes": {"mfaAuthenticated": "false", "creationDate": ct_time(0)}},
        },
        "eventTime": ct_time(i),
        "eventSource": "ec2.amazonaws.com",
        "eventName": EVENT_NAMES[i % len(EVENT_NAMES)],
        "awsRegion": REGION,
        "sourceIPAddress": f"10.0.{i % 4}.1",
        "userAgent": "aws-cli/2.4.0 Python/3.8.8",
        "requestParameters": {"bucketName": f"bucket-{i % 3}", "instancesSet": {"items": [{"imageId": f"ami-{i:08x}"}]}},
        "responseElements": None,
        "requestID": f"{i:08d}-aaaa-bbbb-cccc-dddddddddddd",
        "eventID": event_id(i),
        "readOnly": i % 2 == 0,
        "eventType": "AwsApiCall",
        "managementEvent": True,
        "recipientAccountId": ACCOUNT,
        "eventCategory": "Management",
        "tlsDetails": {"tlsVersion": "TLSv1.2", "cipherSuite": "ECDHE-RSA-AES128-GCM-SHA256"},
    }
    record.update(overrides)
    return record


def old_ct_record(i: int, **overrides: Any) -> dict[str, Any]:
    """An eventVersion 1.02 record: no readOnly, eventType, recipientAccountId, managementEvent, tlsDetails."""
    record = ct_record(i, eventVersion="1.02")
    for key in ("readOnly", "eventType", "recipientAccountId", "managementEvent", "eventCategory", "tlsDetails"):
        record.pop(key)
    record.update(overrides)
    return record


def ct_s3_key(root: Path, day: datetime, index: int, account: str = ACCOUNT, region: str = REGION) -> Path:
    """The path CloudTrail uses when it delivers to S3."""
    folder = root / "AWSLogs" / account / "CloudTrail" / region / f"{day:%Y}" / f"{day:%m}" / f"{day:%d}"
    stamp = day.strftime("%Y%m%dT%H%MZ")
    return folder / f"{account}_CloudTrail_{region}_{stamp}_{index:05d}abcdEFGH.json.gz"


def write_gz_json(path: Path, document: Any) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        json.dump(document, fh)
    return path


def write_gz_bytes(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(path, "wb") as fh:
        fh.write(data)
    return path


def write_ct_tree(root: Path, files: int, per_file: int, first: int = 0, days: int = 3) -> list[dict[str, Any]]:
    """``files`` gzipped ``{"Records": [...]}`` files of ``per_file`` records under an S3-style tree, spread over
    ``days`` days. Records are numbered from ``first``; returns them all, in order."""
    records: list[dict[str, Any]] = []
    for f in range(files):
        batch = [ct_record(first + f * per_file + j) for j in range(per_file)]
        day = START + timedelta(days=f % days, minutes=f)
        write_gz_json(ct_s3_key(root, day, f), {"Records": batch})
        records.extend(batch)
    return records


def records_text(records: Sequence[dict[str, Any]], separator: str = ",\n") -> str:
    """A ``{"Records": [...]}`` document written record by record (so a test can break it on purpose)."""
    return '{"Records": [\n' + separator.join(json.dumps(r) for r in records) + "\n]}\n"


# -------------------------------------------------------------------------------------------- generic files
def write_ndjson(path: Path, rows: Iterable[Any]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def write_json(path: Path, document: Any) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=2), encoding="utf-8")
    return path


def csv_text(header: Sequence[str], rows: Iterable[Sequence[Any]], delimiter: str = ",") -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def write_csv(
    path: Path, header: Sequence[str], rows: Iterable[Sequence[Any]], delimiter: str = ",", encoding: str = "utf-8"
) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(csv_text(header, rows, delimiter).encode(encoding))
    return path


def write_parquet(path: Path, columns: dict[str, list[Any]]) -> Path:
    import pyarrow as pa
    import pyarrow.parquet as pq

    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.table(columns), path)
    return path


# ------------------------------------------------------------------------------------------------- archives
def write_zip(path: Path, members: dict[str, bytes]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            # ZipInfo keeps the name exactly as given (ZipFile.writestr would keep it too, but be explicit).
            info = zipfile.ZipInfo(name, date_time=(2022, 3, 22, 15, 0, 0))
            archive.writestr(info, data)
    return path


def write_tar(
    path: Path, members: dict[str, bytes], symlinks: dict[str, str] | None = None, hardlinks: dict[str, str] | None = None
) -> Path:
    """A tar (gzipped when the name ends in .gz/.tgz) with regular members, symlinks and hard links."""
    path.parent.mkdir(parents=True, exist_ok=True)
    compressed = path.name.endswith((".gz", ".tgz"))
    with tarfile.open(path, "w:gz") if compressed else tarfile.open(path, "w") as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mtime = 1647961200
            archive.addfile(info, io.BytesIO(data))
        for name, target in (symlinks or {}).items():
            info = tarfile.TarInfo(name)
            info.type = tarfile.SYMTYPE
            info.linkname = target
            archive.addfile(info)
        for name, target in (hardlinks or {}).items():
            info = tarfile.TarInfo(name)
            info.type = tarfile.LNKTYPE
            info.linkname = target
            archive.addfile(info)
    return path


def ndjson_bytes(rows: Iterable[Any]) -> bytes:
    return "".join(json.dumps(r) + "\n" for r in rows).encode("utf-8")


# A child process's own peak resident memory, printed to stderr as ``PEAK <KiB>``: VmHWM starts afresh at exec,
# while ru_maxrss keeps the size of the forking parent (pytest's, over a gigabyte late in the suite).
PRINT_PEAK = "print('PEAK', [l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM')][0], file=sys.stderr)"


def peak_kib(stderr: str) -> int:
    """The peak a child printed with PRINT_PEAK, in KiB."""
    return int(stderr.split("PEAK")[-1].split()[0])
