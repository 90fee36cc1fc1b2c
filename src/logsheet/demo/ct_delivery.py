"""Delivery the way CloudTrail writes to S3: per region, a gzipped ``{"Records":[...]}`` every 5 to 15 minutes,
named ``<account>_CloudTrail_<region>_<YYYYMMDDTHHMMZ>_<random>.json.gz`` under
``AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/``. Records inside a file are in no particular order, and a
few are delivered a second time in a later file, as CloudTrail's at-least-once delivery does.
"""

from __future__ import annotations

import bisect
import gzip
import json
import random
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from logsheet.demo.clock import compact_z
from logsheet.demo.ct_record import Record
from logsheet.demo.ids import Ids
from logsheet.demo.world import ACCOUNT_ID

_WINDOW = (300, 900)  # seconds of events gathered into one file
_LATENCY = 300  # files are named after their delivery, up to five minutes after the last event
_REDELIVERY_REACH = 3  # a redelivered record lands in one of the next few files of its region


@dataclass(frozen=True)
class Delivery:
    """One file: the region, the delivery time in its name, and its records."""

    region: str
    stamp: int
    records: list[Record]


def plan_deliveries(
    records: list[Record], rng: random.Random, must_redeliver: tuple[str, ...], redeliveries: int
) -> list[Delivery]:
    """Batch ``records`` into files, then deliver exactly ``redeliveries`` of them twice, ``must_redeliver`` included."""
    by_region: dict[str, list[Record]] = {}
    for rec in sorted(records, key=lambda r: str(r["eventTime"])):
        by_region.setdefault(rec["awsRegion"], []).append(rec)
    files = [delivery for region in sorted(by_region) for delivery in _batch(region, by_region[region], rng)]
    _redeliver(files, rng, must_redeliver, redeliveries)
    for delivery in files:
        rng.shuffle(delivery.records)
    return files


def write_deliveries(root: Path, files: list[Delivery], ids: Ids) -> None:
    for delivery in files:
        day = time.strftime("%Y/%m/%d", time.gmtime(delivery.stamp))
        name = f"{ACCOUNT_ID}_CloudTrail_{delivery.region}_{compact_z(delivery.stamp)}_{ids.chars(16)}.json.gz"
        path = root / "AWSLogs" / ACCOUNT_ID / "CloudTrail" / delivery.region / day / name
        path.parent.mkdir(parents=True, exist_ok=True)
        body = json.dumps({"Records": delivery.records}, ensure_ascii=False, separators=(",", ":")).encode()
        path.write_bytes(gzip.compress(body, compresslevel=6, mtime=0))


def _epoch(rec: Record) -> int:
    return int(datetime.fromisoformat(rec["eventTime"]).timestamp())


def _batch(region: str, records: list[Record], rng: random.Random) -> list[Delivery]:
    times = [_epoch(rec) for rec in records]
    files = []
    first = 0
    while first < len(records):
        end = times[first] + rng.randint(*_WINDOW)
        last = bisect.bisect_left(times, end, lo=first)
        stamp = times[last - 1] + rng.randint(60, _LATENCY)
        files.append(Delivery(region, stamp - stamp % 300 + 300, records[first:last]))
        first = last
    return files


def _redeliver(files: list[Delivery], rng: random.Random, must: tuple[str, ...], count: int) -> None:
    """Copy records into a later file of the same region; a region's last file is never a source."""
    by_region: dict[str, list[int]] = {}
    for index, delivery in enumerate(files):
        by_region.setdefault(delivery.region, []).append(index)
    later = {
        index: indices[k + 1 : k + 1 + _REDELIVERY_REACH]
        for indices in by_region.values()
        for k, index in enumerate(indices[:-1])
    }
    candidates = [(index, rec) for index in later for rec in files[index].records]
    forced = [pair for pair in candidates if pair[1]["eventID"] in must]
    if len(forced) != len(must):
        raise ValueError("a record that must be redelivered is in its region's last file")
    others = [pair for pair in candidates if pair[1]["eventID"] not in must]
    for index, rec in forced + rng.sample(others, count - len(forced)):
        files[rng.choice(later[index])].records.append(rec)
