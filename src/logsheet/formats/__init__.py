"""The format registry: every log format logsheet reads, and content sniffing to choose one.

Formats are listed here explicitly (no registration by import side effect). Detection reads the first
64 KiB of each file (decompressed) and asks every format how sure it is; the most confident wins, and
``text`` (a row per line) catches everything else. An explicit format always wins over detection.
"""

from __future__ import annotations

import gzip
from pathlib import Path
from typing import Any

from logsheet.errors import LogsheetError
from logsheet.formats import cloudtrail, csvfmt, jsonfmt, parquetfmt, text
from logsheet.formats.base import SAMPLE_BYTES, Detection, Sample

FORMATS: dict[str, Any] = {m.name: m for m in (cloudtrail, jsonfmt, csvfmt, parquetfmt, text)}
# Formats that are named (so --format accepts them) but whose parser is not in this version yet.
PLANNED = {"syslog": "syslog / auth.log / secure", "vpcflow": "AWS VPC flow logs"}


CERTAIN = 0.95  # a sniff this sure needs no second opinion


def get(name: str) -> Any:
    if name in FORMATS:
        return FORMATS[name]
    if name in PLANNED:
        raise LogsheetError(
            f"the {name} parser ({PLANNED[name]}) is not available yet; import as 'text' and "
            "split the lines into columns, or as csv/json if the file is structured"
        )
    raise LogsheetError(f"unknown format {name!r}; known formats: {', '.join(names())}")


def names() -> list[str]:
    return list(FORMATS) + list(PLANNED)


def sample(path: Path, compressed: bool) -> Sample:
    opener = gzip.open if compressed else open
    try:
        with opener(path, "rb") as fh:
            head = fh.read(SAMPLE_BYTES + 1)
    except (OSError, EOFError) as exc:
        raise LogsheetError(f"cannot read {path}: {exc}") from None
    return Sample(head=head[:SAMPLE_BYTES], name=path.name, truncated=len(head) > SAMPLE_BYTES)


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
