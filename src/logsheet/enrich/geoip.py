"""A GeoIP ``.mmdb`` file (MaxMind GeoLite2/GeoIP2 City, Country or ASN, or DB-IP's compatible files), read
with ``maxminddb`` and stored as a range table: every network of the file with its country (ISO code), city
(English name), ASN and organisation, whichever the file has.

Converting once (``logsheet config geoip``) is what lets the enrich step run in SQL on both engines: a range join
on the sheet's distinct addresses. Looking addresses up one by one in Python would need the lookup results
registered per query and engine, and on Spark copied to the cluster; the one-off conversion costs seconds for
a country or ASN file and about a minute for a City file (docs/enrichment.md has the figures).
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from logsheet.compiler.enrich import GEOIP_FACTS
from logsheet.core.errors import LogsheetError
from logsheet.core.schema import Schema
from logsheet.enrich.ranges import bounds, range_schema, write_ranges

SCHEMA: Schema = range_schema((source, type_) for _, source, type_ in GEOIP_FACTS)
IPV4_SUBTREE = ipaddress.ip_network("::ffff:0:0/96")  # how an IPv6 database holds IPv4 (also at ::/96)
IPV4_COMPAT = ipaddress.ip_network("::/96")


@dataclass
class GeoIp:
    """What a stored GeoIP file held (the networks themselves went to the range table as they were read)."""

    networks: int
    database_type: str
    build_epoch: int
    has: list[str]

    def to_json(self) -> dict[str, Any]:
        return {"networks": self.networks, "database_type": self.database_type, "build_epoch": self.build_epoch, "has": self.has}


def facts(record: Any) -> dict[str, Any]:
    """The country, city, ASN and organisation of a MaxMind / DB-IP record (any of them may be missing)."""
    if not isinstance(record, dict):
        return {"country": None, "city": None, "asn": None, "org": None}
    country = record.get("country") or record.get("registered_country") or {}
    city = record.get("city") or {}
    asn = record.get("autonomous_system_number")
    return {
        "country": country.get("iso_code") if isinstance(country, dict) else None,
        "city": (city.get("names") or {}).get("en") if isinstance(city, dict) else None,
        "asn": int(asn) if isinstance(asn, int) else None,
        "org": record.get("autonomous_system_organization") or record.get("isp") or None,
    }


def open_reader(path: Path) -> Any:
    import maxminddb

    try:
        return maxminddb.open_database(str(path))
    except OSError as exc:
        raise LogsheetError(f"cannot read {path}: {exc.strerror or exc}") from None
    except (maxminddb.InvalidDatabaseError, ValueError) as exc:
        raise LogsheetError(f"{path} is not a MaxMind / DB-IP .mmdb file: {exc}") from None


def store_geoip(path: Path, target: Path) -> GeoIp:
    """Read every network of the ``.mmdb`` file at ``path`` into the range table at ``target`` (written a batch
    at a time: memory stays bounded however many networks the file holds); what it held. A clear error for a
    file that is not one, and then nothing is written."""
    import maxminddb

    reader = open_reader(path)
    seen: set[str] = set()

    def rows() -> Any:
        for network, record in reader:
            row = {**bounds(_ipv4(network)), **facts(record)}
            seen.update(name for name in ("country", "city", "asn", "org") if row[name] is not None)
            yield row

    try:
        count = write_ranges(rows(), SCHEMA, target)
    except maxminddb.InvalidDatabaseError as exc:
        raise LogsheetError(f"{path} is a damaged .mmdb file: {exc}") from None
    finally:
        meta = reader.metadata()
        reader.close()
    if not count:
        target.unlink(missing_ok=True)
        raise LogsheetError(f"{path} holds no networks")
    has: list[str] = [name for name in ("country", "city", "asn", "org") if name in seen]
    return GeoIp(count, str(meta.database_type), int(meta.build_epoch), has)


def _ipv4(network: Any) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    """IPv4 networks an IPv6 database holds under ``::ffff:0:0/96`` as the IPv4 networks they are."""
    if network.version == 6 and network.prefixlen >= 96:
        for subtree in (IPV4_SUBTREE, IPV4_COMPAT):
            if network.subnet_of(subtree):
                base = int(network.network_address) - int(subtree.network_address)
                return ipaddress.IPv4Network((base, network.prefixlen - 96))
    return network  # type: ignore[no-any-return]


def lookup_one(path: Path, address: str) -> dict[str, Any] | None:
    """The facts of one address (the entity page), None when the file has none for it."""
    reader = open_reader(path)
    try:
        record = reader.get(address)
    except ValueError:
        return None
    finally:
        reader.close()
    return facts(record) if record is not None else None


__all__ = ["SCHEMA", "GeoIp", "facts", "lookup_one", "store_geoip"]
