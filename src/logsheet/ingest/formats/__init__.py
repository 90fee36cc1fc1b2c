"""The format registry: every log format logsheet reads, and content sniffing to choose one.

Formats are listed here explicitly (no registration by import side effect). Detection reads the first
64 KiB of each file (decompressed) and asks every format how sure it is; the most confident wins, and
``text`` (a row per line) catches everything else. An explicit format always wins over detection.
"""

from __future__ import annotations

import gzip
import zlib
from pathlib import Path
from typing import Any

from logsheet.core.errors import LogsheetError
from logsheet.ingest.formats.base import SAMPLE_BYTES, Detection, Sample
from logsheet.ingest.formats.cloudtrail import entities as cloudtrail_entities
from logsheet.ingest.formats.cloudtrail import order as cloudtrail_order
from logsheet.ingest.formats.cloudtrail import reader as cloudtrail
from logsheet.ingest.formats.generic import csvfmt, jsonfmt, parquetfmt, text
from logsheet.ingest.formats.syslog import entities as syslog_entities
from logsheet.ingest.formats.syslog import order as syslog_order
from logsheet.ingest.formats.syslog import reader as syslog
from logsheet.ingest.formats.vpcflow import entities as vpcflow_entities
from logsheet.ingest.formats.vpcflow import order as vpcflow_order
from logsheet.ingest.formats.vpcflow import reader as vpcflow

FORMATS: dict[str, Any] = {m.name: m for m in (cloudtrail, vpcflow, jsonfmt, csvfmt, parquetfmt, syslog, text)}

# The column order a responder expects, per format that knows its columns (the grid's default order).
COLUMN_ORDERS: dict[str, tuple[str, ...]] = {
    cloudtrail.name: cloudtrail_order.COLUMN_ORDER,
    vpcflow.name: vpcflow_order.COLUMN_ORDER,
    syslog.name: syslog_order.COLUMN_ORDER,
}

# The kinds of entity a responder follows across sheets, and per format the columns that hold them.
ENTITY_KINDS: tuple[str, ...] = ("ip", "user", "access_key", "account", "instance", "host")
ENTITY_COLUMNS: dict[str, dict[str, tuple[str, ...]]] = {
    cloudtrail.name: cloudtrail_entities.ENTITY_COLUMNS,
    vpcflow.name: vpcflow_entities.ENTITY_COLUMNS,
    syslog.name: syslog_entities.ENTITY_COLUMNS,
}

CERTAIN = 0.95  # a sniff this sure needs no second opinion


def get(name: str) -> Any:
    if name in FORMATS:
        return FORMATS[name]
    raise LogsheetError(f"unknown format {name!r}; known formats: {', '.join(names())}")


def column_order(name: str, columns: list[str]) -> list[str]:
    """The preferred order of a sheet of format ``name`` with these columns: the format's preferred columns that
    the sheet has, in the format's order (empty for a format without one, or a sheet without those columns)."""
    present = set(columns)
    return [c for c in COLUMN_ORDERS.get(name, ()) if c in present]


def entity_columns(name: str, columns: list[str]) -> dict[str, tuple[str, ...]]:
    """Per entity kind, the columns of a sheet of format ``name`` (with these columns) that hold it; kinds the
    sheet has no column for are left out (a generic sheet has none: its entities are found by value shape)."""
    present = set(columns)
    out = {}
    for kind, names in ENTITY_COLUMNS.get(name, {}).items():
        found = tuple(c for c in names if c in present)
        if found:
            out[kind] = found
    return out


def names() -> list[str]:
    return list(FORMATS)


def sample(path: Path, compressed: bool) -> Sample:
    """The first 64 KiB (decompressed); a gzip stream cut short still yields what precedes the cut."""
    opener = gzip.open if compressed else open
    head = b""
    try:
        with opener(path, "rb") as fh:
            while len(head) <= SAMPLE_BYTES:
                chunk = fh.read(SAMPLE_BYTES + 1 - len(head))
                if not chunk:
                    break
                head += chunk
    except EOFError:  # truncated .gz: sniff what precedes the cut (gzip's reader drops it); the reader reports it
        head = _head_before_cut(path)
    except (OSError, gzip.BadGzipFile) as exc:
        if compressed and not head:  # a member followed by bytes that are not gzip: sniff the member
            head = _head_before_cut(path)
        if not head:
            raise LogsheetError(f"cannot read {path}: {exc}") from None
    return Sample(head=head[:SAMPLE_BYTES], name=path.name, truncated=len(head) > SAMPLE_BYTES)


def _head_before_cut(path: Path) -> bytes:
    """The first SAMPLE_BYTES + 1 decompressed bytes of a gzip stream that is cut short."""
    inflate, head = zlib.decompressobj(31), b""
    with open(path, "rb") as fh:
        while len(head) <= SAMPLE_BYTES and (data := fh.read(1 << 16)):
            try:
                head += inflate.decompress(data, SAMPLE_BYTES + 1 - len(head))
            except zlib.error:
                break
    return head


def detect(sample_: Sample) -> Detection:
    """The most confident format for a sample; ``text`` when nothing else recognises it."""
    best = Detection("text", 0.0, "empty file")
    for module in FORMATS.values():
        found = module.sniff(sample_)
        if found is not None and found.confidence > best.confidence:
            best = found
        if best.confidence >= CERTAIN:
            break
    return best
