"""The workspace's IP enrichment settings: an AWS ``ip-ranges.json`` and a GeoIP ``.mmdb`` file, each read and
checked once (``logsheet config ip-ranges FILE``, ``logsheet config geoip FILE.mmdb``, the settings endpoints)
and stored in the workspace under ``enrichment/`` as a range table (Parquet) that the enrich step joins, with
what was read recorded in the catalog's settings (``enrich.ip_ranges``, ``enrich.geoip``: file name, SHA-256,
counts). The ``.mmdb`` file is also copied there, for looking up one address (the entity page).
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any

from logsheet.compiler.enrich import AWS_RANGES, GEOIP_RANGES
from logsheet.core import ipclass
from logsheet.core.columns import ROWID
from logsheet.core.errors import LogsheetError
from logsheet.core.schema import Schema
from logsheet.enrich import aws, geoip

if TYPE_CHECKING:
    from logsheet.workspace.facade import Workspace

FOLDER = "enrichment"
AWS_KEY = "enrich.ip_ranges"
GEOIP_KEY = "enrich.geoip"
AWS_FILE = "aws-ranges.parquet"
GEOIP_FILE = "geoip-ranges.parquet"
MMDB_FILE = "geoip.mmdb"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _check_file(path: Path) -> Path:
    path = Path(path).expanduser()
    if not path.is_file():
        raise LogsheetError(f"no such file: {path}")
    return path


def set_ip_ranges(ws: Workspace, path: Path) -> dict[str, Any]:
    """Read and store an AWS ``ip-ranges.json``; what was stored."""
    path = _check_file(path)
    ranges = aws.read_aws_ranges(path)
    aws.store_aws_ranges(ranges, ws.root / FOLDER / AWS_FILE)
    info = {"file": path.name, "sha256": _sha256(path), **ranges.to_json()}
    ws.catalog.update_settings({AWS_KEY: json.dumps(info)})
    return info


def set_geoip(ws: Workspace, path: Path) -> dict[str, Any]:
    """Read and store a GeoIP ``.mmdb`` file; what was stored."""
    path = _check_file(path)
    folder = ws.root / FOLDER
    staged = folder / (GEOIP_FILE + ".new")
    try:
        found = geoip.store_geoip(path, staged)
    except BaseException:
        staged.unlink(missing_ok=True)
        raise
    staged.replace(folder / GEOIP_FILE)
    partial = folder / (MMDB_FILE + ".partial")
    shutil.copyfile(path, partial)
    partial.replace(folder / MMDB_FILE)
    info = {"file": path.name, "sha256": _sha256(path), **found.to_json()}
    ws.catalog.update_settings({GEOIP_KEY: json.dumps(info)})
    return info


def clear(ws: Workspace, which: str) -> None:
    """Forget the ip-ranges (``ip-ranges``) or GeoIP (``geoip``) setting and its stored files."""
    key, files = (AWS_KEY, (AWS_FILE,)) if which == "ip-ranges" else (GEOIP_KEY, (GEOIP_FILE, MMDB_FILE))
    ws.catalog.update_settings({key: None})
    for name in files:
        (ws.root / FOLDER / name).unlink(missing_ok=True)


def status(ws: Workspace) -> dict[str, Any]:
    """``{"ip_ranges": info or None, "geoip": info or None}``."""
    settings = ws.catalog.settings()
    return {name: _info(settings.get(key)) for name, key in (("ip_ranges", AWS_KEY), ("geoip", GEOIP_KEY))}


def _info(text: str | None) -> dict[str, Any] | None:
    if not text:
        return None
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        return None
    return data if isinstance(data, dict) else None


def tables(ws: Workspace) -> dict[str, tuple[Path, Schema]]:
    """The stored range tables the enrich step joins, by external key (only those configured)."""
    now = status(ws)
    out = {}
    for name, key, file, schema in (
        ("ip_ranges", AWS_RANGES, AWS_FILE, aws.SCHEMA),
        ("geoip", GEOIP_RANGES, GEOIP_FILE, geoip.SCHEMA),
    ):
        path = ws.root / FOLDER / file
        if now[name] is not None and path.is_file():
            out[key] = (path, schema)
    return out


def version(ws: Workspace) -> tuple[str, ...]:
    """What enriched results depend on (remembered totals are kept per version)."""
    now = status(ws)
    return tuple(str((info or {}).get("sha256", "")) for info in now.values())


def describe_ip(ws: Workspace, address: str) -> dict[str, Any]:
    """What the enrich step says of one address: class, AWS service and region, GeoIP facts (when configured)."""
    parsed = ipclass.parse_address(address.strip())
    out: dict[str, Any] = {"address": address, "class": ipclass.classify(address.strip())}
    now = status(ws)
    if now["ip_ranges"] is not None and parsed is not None:
        out.update(_aws_one(ws, parsed))
    if now["geoip"] is not None and parsed is not None:
        out["geoip"] = geoip.lookup_one(ws.root / FOLDER / MMDB_FILE, str(parsed))
    out["configured"] = {"ip_ranges": now["ip_ranges"] is not None, "geoip": now["geoip"] is not None}
    return out


def _aws_one(ws: Workspace, address: Any) -> dict[str, Any]:
    import pyarrow.parquet as pq

    table = pq.read_table(ws.root / FOLDER / AWS_FILE).to_pylist()
    number = int(address)
    best: tuple[int, int, int] | None = None
    found: dict[str, Any] = {"aws_service": None, "aws_region": None}
    for row in table:
        if address.version == 4:
            inside = row["lo"] is not None and row["lo"] <= number <= row["hi"]
        else:
            text = f"{number:032x}"
            inside = row["lo6"] is not None and row["lo6"] <= text <= row["hi6"]
        if not inside:
            continue
        rank = (int(row["service"] == aws.GENERIC), -int(row["bits"]), int(row[ROWID]))
        if best is None or rank < best:
            best = rank
            found = {"aws_service": row["service"], "aws_region": row["region"]}
    return found


__all__ = ["clear", "describe_ip", "set_geoip", "set_ip_ranges", "status", "tables", "version"]
