"""The contract every log format implements, and what the import pipeline gives it.

A format is a small module with an object that has a ``name``, ``sniff(sample)`` (how sure it is that a
file is of this format, and why) and ``read(sources, ctx)`` (a staged relation of the records). ``read``
returns a sqlglot SELECT with the columns ``__source`` (the source id), ``__pos`` (the record's position in
its source: line number or record index, 1-based) and the data columns. Records that cannot be read are
handed to ``ctx.reject`` with their position and the reason; nothing is dropped silently.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import duckdb
from sqlglot import exp

SAMPLE_BYTES = 64 * 1024


@dataclass(frozen=True)
class SourceFile:
    """One input file, as found on disk (archive members are extracted into the staging folder first)."""

    id: int
    path: Path  # where to read it (possibly compressed: .gz)
    display: str  # what the analyst calls it: the original path, or "archive.zip!member"
    size: int
    sha256: str
    compressed: bool = False
    container: str | None = None
    container_sha256: str | None = None


@dataclass(frozen=True)
class Sample:
    """The first bytes of a file (decompressed) and its name, for sniffing."""

    head: bytes
    name: str
    truncated: bool

    def text(self) -> str:
        return self.head.decode("utf-8", errors="replace")


@dataclass(frozen=True)
class Detection:
    format: str
    confidence: float  # 0..1
    reason: str


@dataclass
class Staged:
    """What a format hands back: the staged relation and what the sheet should know about it."""

    select: exp.Expr
    types: dict[str, str] = field(default_factory=dict)  # logical types the format knows (others: from engine)
    time_column: str | None = None
    dedupe_key: str | None = None  # e.g. CloudTrail's eventID
    notes: dict[int, str] = field(default_factory=dict)  # per source id, e.g. "digest file skipped"
    skipped: dict[int, int] = field(default_factory=dict)  # per source id: records recognised and skipped
    materialized: bool = False  # the select reads staging Parquet already (no need to stage it again)
    row_group_rows: int | None = None  # rows per Parquet row group of the part, for wide rows (default: stage's)


RejectFn = Callable[[SourceFile, int, str, str], None]


@dataclass
class ReadContext:
    con: duckdb.DuckDBPyConnection
    staging: Path
    reject: RejectFn
    options: dict[str, Any] = field(default_factory=dict)

    _serial: Iterator[int] = field(default_factory=itertools.count, repr=False)

    def new_path(self, stem: str, suffix: str) -> Path:
        """A new staging file's path (unique, also when formats stage from several threads)."""
        return self.staging / f"{stem}-{next(self._serial)}{suffix}"


class Format(Protocol):
    name: str
    description: str

    def sniff(self, sample: Sample) -> Detection | None: ...

    def read(self, sources: list[SourceFile], ctx: ReadContext) -> Staged: ...


def read_all(source: SourceFile) -> tuple[bytes, str]:
    """A source's whole content, decompressed; for a damaged gzip stream, what precedes the damage and a
    reason (the caller reports it as a reject)."""
    import gzip
    import zlib

    if not source.compressed:
        return source.path.read_bytes(), ""
    chunks: list[bytes] = []
    try:
        with gzip.open(source.path, "rb") as fh:
            while chunk := fh.read(1 << 20):
                chunks.append(chunk)
    except (EOFError, gzip.BadGzipFile, zlib.error) as exc:
        done = sum(len(c) for c in chunks)
        return b"".join(chunks), f"the gzip stream is damaged or cut short after {done:,} bytes: {exc or 'truncated'}"
    return b"".join(chunks), ""


class _Tolerant:
    """A gzip file whose cut-short or damaged stream reads as an early end of file instead of raising;
    ``damage`` then says what happened, for the caller to report as a reject."""

    def __init__(self, fh: Any) -> None:
        self._fh = fh
        self.damage = ""

    def read(self, size: int = -1) -> bytes:
        """Up to ``size`` bytes (all when negative); what precedes the damage is returned, never dropped
        with the call that meets it (a member followed by bytes that are not gzip)."""
        chunks: list[bytes] = []
        wanted = size if size >= 0 else 1 << 62
        while wanted > 0 and (chunk := self._guard(functools.partial(self._fh.read1, min(wanted, 1 << 20)))):
            chunks.append(chunk)
            wanted -= len(chunk)
        return b"".join(chunks)

    def readline(self, size: int = -1) -> bytes:
        return self._guard(lambda: self._fh.readline(size))

    def __iter__(self) -> Any:
        while line := self.readline():
            yield line

    def _guard(self, call: Callable[[], bytes]) -> bytes:
        import gzip
        import zlib

        if self.damage:
            return b""
        try:
            return call()
        except (EOFError, gzip.BadGzipFile, zlib.error) as exc:
            self.damage = f"the gzip stream is damaged or cut short: {exc or 'truncated'}"
            return b""

    def __enter__(self) -> _Tolerant:
        return self

    def __exit__(self, *exc: Any) -> None:
        self._fh.close()


def open_text(source: SourceFile) -> Any:
    """Open a source as bytes, transparently decompressing .gz (a damaged stream ends early: see ``damage``)."""
    import gzip

    if source.compressed:
        return _Tolerant(gzip.open(source.path, "rb"))
    return open(source.path, "rb")
