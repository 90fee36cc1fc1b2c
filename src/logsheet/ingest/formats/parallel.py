"""Reading many files on every core: batches of files, each read by its own DuckDB cursor, side by side.

DuckDB reads one compressed file on one thread; a batch of files per cursor, several cursors at once, keeps
every core busy whatever the mix of file sizes, and bounds the memory a reader holds to about one batch
per core.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import duckdb

from logsheet.ingest.formats.base import ReadContext, SourceFile

T = TypeVar("T")


def uncompressed_size(source: SourceFile) -> int:
    """The file's size once decompressed (a ``.gz``'s trailer tells it, modulo 4 GiB)."""
    if not source.compressed or source.size < 4:
        return source.size
    with open(source.path, "rb") as fh:
        fh.seek(-4, 2)
        trailer = int.from_bytes(fh.read(4), "little")  # gzip ISIZE: the size modulo 2^32
    return max(trailer, source.size)


def batches(sources: list[SourceFile], limit: int) -> list[list[SourceFile]]:
    """Consecutive runs of sources whose uncompressed sizes add up to at most ``limit`` (at least one each)."""
    out: list[list[SourceFile]] = []
    size = 0
    for source in sources:
        bytes_ = uncompressed_size(source)
        if not out or size + bytes_ > limit:
            out.append([])
            size = 0
        out[-1].append(source)
        size += bytes_
    return out


def side_by_side(
    ctx: ReadContext, groups: list[list[SourceFile]], read: Callable[[list[SourceFile], duckdb.DuckDBPyConnection], list[T]]
) -> list[T]:
    """``read(batch, cursor)`` for every batch, as many at once as there are cores; results in batch order."""

    def run(batch: list[SourceFile]) -> list[T]:
        cursor = ctx.con.cursor()
        try:
            return read(batch, cursor)
        finally:
            cursor.close()

    if len(groups) <= 1:
        return [item for batch in groups for item in run(batch)]
    with ThreadPoolExecutor(min(len(groups), os.cpu_count() or 1)) as pool:
        return [item for items in pool.map(run, groups) for item in items]
