"""Enrichment files written by the tests, never downloaded: a small AWS ``ip-ranges.json`` (the shape AWS
publishes) and GeoIP ``.mmdb`` files made with ``mmdb-writer``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

#: 44.202.228.109 (the demo's web server) is in EC2's 44.192.0.0/11 in us-east-1, and in the generic AMAZON
#: 44.192.0.0/10; 52.95.245.0/24 is S3 in us-east-1 under AMAZON's 52.95.0.0/16; 123.214.118.119 is outside AWS.
AWS_PREFIXES = [
    ("44.192.0.0/10", "us-east-1", "AMAZON"),
    ("44.192.0.0/11", "us-east-1", "EC2"),
    ("52.95.0.0/16", "us-east-1", "AMAZON"),
    ("52.95.245.0/24", "us-east-1", "S3"),
    ("3.5.140.0/22", "ap-northeast-2", "S3"),
    ("3.5.140.0/22", "ap-northeast-2", "AMAZON"),
]
AWS_IPV6_PREFIXES = [("2600:1f18::/33", "us-east-1", "EC2"), ("2600:1f00::/24", "GLOBAL", "AMAZON")]


def write_ip_ranges(path: Path) -> Path:
    data = {
        "syncToken": "1700000000",
        "createDate": "2023-11-14-22-13-20",
        "prefixes": [{"ip_prefix": p, "region": r, "service": s, "network_border_group": r} for p, r, s in AWS_PREFIXES],
        "ipv6_prefixes": [
            {"ipv6_prefix": p, "region": r, "service": s, "network_border_group": r} for p, r, s in AWS_IPV6_PREFIXES
        ],
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")
    return path


#: network -> a GeoLite2-City-shaped record (country, city) merged with a GeoLite2-ASN one (ASN, organisation).
GEOIP_NETWORKS: dict[str, dict[str, Any]] = {
    "123.214.0.0/16": {
        "country": {"iso_code": "KR", "names": {"en": "South Korea"}},
        "city": {"names": {"en": "Seoul"}},
        "autonomous_system_number": 4766,
        "autonomous_system_organization": "Korea Telecom",
    },
    "44.192.0.0/11": {
        "country": {"iso_code": "US", "names": {"en": "United States"}},
        "city": {"names": {"en": "Ashburn"}},
        "autonomous_system_number": 14618,
        "autonomous_system_organization": "AMAZON-AES",
    },
    "2001:4860::/32": {
        "country": {"iso_code": "US", "names": {"en": "United States"}},
        "autonomous_system_number": 15169,
        "autonomous_system_organization": "GOOGLE",
    },
}


def write_mmdb(path: Path, networks: dict[str, dict[str, Any]] | None = None) -> Path:
    from mmdb_writer import MMDBWriter
    from netaddr import IPSet

    writer = MMDBWriter(ip_version=6, ipv4_compatible=True, database_type="GeoLite2-City", languages=["en"])
    for network, record in (networks or GEOIP_NETWORKS).items():
        writer.insert_network(IPSet([network]), record)
    path.parent.mkdir(parents=True, exist_ok=True)
    writer.to_db_file(str(path))
    return path
