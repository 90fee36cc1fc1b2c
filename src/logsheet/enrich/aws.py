"""AWS ``ip-ranges.json`` (https://ip-ranges.amazonaws.com/ip-ranges.json, downloaded by the user): its IPv4
``prefixes`` and IPv6 ``ipv6_prefixes``, each with a ``service`` and a ``region``, as a range table."""

from __future__ import annotations

import ipaddress
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from logsheet.compiler.enrich import AWS_FACTS, GENERIC_AWS_SERVICE
from logsheet.core.errors import LogsheetError
from logsheet.core.schema import Schema
from logsheet.enrich.ranges import bounds, range_schema, write_ranges

SCHEMA: Schema = range_schema((source, type_) for _, source, type_ in AWS_FACTS)
GENERIC = GENERIC_AWS_SERVICE


@dataclass(frozen=True)
class AwsRanges:
    rows: list[dict[str, Any]]
    sync_token: str
    create_date: str

    def to_json(self) -> dict[str, Any]:
        ipv4 = sum(1 for r in self.rows if r["lo"] is not None)
        return {
            "prefixes": len(self.rows),
            "ipv4": ipv4,
            "ipv6": len(self.rows) - ipv4,
            "sync_token": self.sync_token,
            "create_date": self.create_date,
            "services": sorted({r["service"] for r in self.rows}),
        }


def read_aws_ranges(path: Path) -> AwsRanges:
    """The prefixes of an ``ip-ranges.json``; a clear error for a file that is not one."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise LogsheetError(f"cannot read {path}: {exc.strerror}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise LogsheetError(f"{path} is not an AWS ip-ranges.json: it is not JSON ({exc})") from None
    if not isinstance(data, dict) or not isinstance(data.get("prefixes"), list):
        raise LogsheetError(f'{path} is not an AWS ip-ranges.json: it has no "prefixes" list')
    rows = []
    for key, field in (("prefixes", "ip_prefix"), ("ipv6_prefixes", "ipv6_prefix")):
        items = data.get(key) or []
        if not isinstance(items, list):
            raise LogsheetError(f'{path}: "{key}" is not a list')
        for i, item in enumerate(items):
            rows.append(_row(path, key, i, field, item))
    if not rows:
        raise LogsheetError(f"{path} holds no prefixes")
    return AwsRanges(rows, str(data.get("syncToken", "")), str(data.get("createDate", "")))


def _row(path: Path, key: str, i: int, field: str, item: Any) -> dict[str, Any]:
    where = f"{path}: {key}[{i}]"
    if not isinstance(item, dict) or not isinstance(item.get(field), str):
        raise LogsheetError(f"{where} has no {field!r}")
    try:
        network = ipaddress.ip_network(item[field].strip(), strict=False)
    except ValueError:
        raise LogsheetError(f"{where}: {item[field]!r} is not a network") from None
    if network.version != (4 if field == "ip_prefix" else 6):
        raise LogsheetError(f"{where}: {item[field]!r} is not an IPv{4 if field == 'ip_prefix' else 6} network")
    service, region = item.get("service"), item.get("region")
    if not isinstance(service, str) or not isinstance(region, str):
        raise LogsheetError(f'{where} needs a "service" and a "region"')
    return {**bounds(network), "service": service, "region": region}


def store_aws_ranges(ranges: AwsRanges, path: Path) -> None:
    write_ranges(ranges.rows, SCHEMA, path)


__all__ = ["GENERIC", "SCHEMA", "AwsRanges", "read_aws_ranges", "store_aws_ranges"]
