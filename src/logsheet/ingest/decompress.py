"""Bounded decompression: how far a compressed input may expand before it is refused as a bomb.

Real logs compress 5 to 25 times with gzip (CloudTrail, VPC flow, syslog, Windows event text); a
decompression bomb — a megabyte of gzip'd repeated bytes — expands a thousand times. Every compressed input is
measured as it streams, in bounded memory: a ``.gz`` file once while it is hashed, each archive member as it
is extracted. Past :attr:`Limits.ratio_floor` decompressed bytes, an expansion above :attr:`Limits.max_ratio`
refuses the file; so does any file past :attr:`Limits.max_bytes`. A refused file becomes one reject of its
import with the reason (the ratio and size reached), and the rest of the import goes on.

The limits come from the environment (``LOGSHEET_MAX_EXPANSION``, ``LOGSHEET_MAX_MEMBER_BYTES``), so that an
analyst who really holds a file that compresses a hundredfold can raise them for one import.
"""

from __future__ import annotations

import hashlib
import os
import zlib
from dataclasses import dataclass
from pathlib import Path

from logsheet.core.errors import LogsheetError

CHUNK = 1 << 20
GZIP_MAGIC = b"\x1f\x8b"


@dataclass(frozen=True)
class Limits:
    max_ratio: float = 100.0  # decompressed / compressed bytes
    ratio_floor: int = 64 << 20  # the ratio is judged only past this many decompressed bytes
    max_bytes: int = 64 << 30  # no single input expands past this, whatever its ratio

    @classmethod
    def from_env(cls) -> Limits:
        return cls(
            max_ratio=_env_number("LOGSHEET_MAX_EXPANSION", cls.max_ratio, float),
            max_bytes=int(_env_number("LOGSHEET_MAX_MEMBER_BYTES", cls.max_bytes, int)),
        )

    def refusal(self, compressed: int, expanded: int) -> str | None:
        """Why ``compressed`` bytes expanding to ``expanded`` (so far) must stop, or None."""
        if expanded > self.max_bytes:
            return (
                f"refused: it expands past {self.max_bytes:,} bytes (LOGSHEET_MAX_MEMBER_BYTES); "
                f"{compressed:,} compressed bytes reached {expanded:,}"
            )
        ratio = expanded / max(compressed, 1)
        if expanded > self.ratio_floor and ratio > self.max_ratio:
            return (
                f"refused as a decompression bomb: {compressed:,} compressed bytes expanded past {expanded:,} "
                f"({ratio:,.0f}:1, more than the {self.max_ratio:,.0f}:1 LOGSHEET_MAX_EXPANSION allows)"
            )
        return None


def _env_number(name: str, default: float, kind: type[float] | type[int]) -> float:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = kind(raw)
    except ValueError:
        raise LogsheetError(f"{name}={raw!r} is not a number") from None
    if not value > 0 or value == float("inf"):
        raise LogsheetError(f"{name}={raw!r} must be a positive, finite number")
    return value


class Meter:
    """Counts the bytes a stream has expanded to and says when they pass the limits."""

    def __init__(self, compressed: int, limits: Limits) -> None:
        self.compressed = compressed
        self.limits = limits
        self.expanded = 0

    def add(self, n: int) -> str | None:
        self.expanded += n
        return self.limits.refusal(self.compressed, self.expanded)


@dataclass(frozen=True)
class Inspected:
    sha256: str  # of the file as it is on disk
    compressed: bool  # a gzip stream
    refused: str | None = None  # why it is not to be read (a decompression bomb)


def inspect_file(path: Path, limits: Limits) -> Inspected:
    """Hash a file and, when it is gzip, measure its expansion in the same single pass (bounded memory).

    A damaged or cut-short stream is not refused here: the readers keep what precedes the damage and report
    it. Multi-member gzip files (concatenated streams, as CloudTrail and logrotate write) count in full."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        head = fh.read(CHUNK)
        digest.update(head)
        if not head.startswith(GZIP_MAGIC):
            while chunk := fh.read(CHUNK):
                digest.update(chunk)
            return Inspected(digest.hexdigest(), False)
        gauge = _GzipGauge(Meter(path.stat().st_size, limits))
        refused = gauge.feed(head)
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
            if refused is None:
                refused = gauge.feed(chunk)
    return Inspected(digest.hexdigest(), True, refused)


class _GzipGauge:
    """Decompresses to nowhere, at most :data:`CHUNK` bytes at a time, counting the output."""

    def __init__(self, meter: Meter) -> None:
        self.meter = meter
        self._inflate: zlib._Decompress | None = zlib.decompressobj(wbits=31)
        self._stopped = False  # damaged, or trailing bytes that are not another member

    def feed(self, data: bytes) -> str | None:
        while data and not self._stopped:
            if self._inflate is None:  # between members: what follows must be another gzip member
                if not data.startswith(GZIP_MAGIC[: len(data)]):
                    self._stopped = True
                    return None
                self._inflate = zlib.decompressobj(wbits=31)
            try:
                out = self._inflate.decompress(data, CHUNK)
            except zlib.error:
                self._stopped = True  # damaged: the reader reports where
                return None
            refused = self.meter.add(len(out))
            if refused:
                return refused
            if self._inflate.eof:
                data = self._inflate.unused_data
                self._inflate = None
            else:
                data = self._inflate.unconsumed_tail
        return None
