"""A lookup never changes the number of rows of its left side, and finds what a plain Python model finds:
Hypothesis picks both sheets' keys (duplicates, blanks, NULLs, case variants), the case toggle, and for CIDR
lookups addresses and overlapping networks (the most specific network wins, then the lowest row id).

The compiled plan runs on DuckDB over Parquet files written here (each with its hidden row ids), as the
workspace hands them to the compiler, so each example costs milliseconds."""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from logsheet.compiler import ViewPlan
from logsheet.compiler.dialects import DUCKDB
from logsheet.compiler.lookup import sheet_external
from logsheet.compiler.relation import sheet_relation
from logsheet.core import ir
from logsheet.core.columns import ROWID, SOURCE
from logsheet.core.schema import Column, Schema
from logsheet.engines.duckdb import DuckEngine

KEYS = st.sampled_from(["a", "A", "b", "B", "ab", "", " ", None, "c"])
LEFT = Schema([Column("k", "text"), Column("n", "integer")])
RIGHT = Schema([Column("key", "text"), Column("v", "integer")])


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> DuckEngine:
    return DuckEngine(tmp_path_factory.mktemp("duck"))


def write(path: Path, schema: Schema, rows: list[tuple[Any, ...]], rowids: list[int]) -> str:
    columns: dict[str, list[Any]] = {ROWID: rowids, SOURCE: [1] * len(rows)}
    for i, c in enumerate(schema):
        columns[c.name] = [r[i] for r in rows]
    types = {"text": pa.string(), "integer": pa.int64()}
    fields = [pa.field(ROWID, pa.int64()), pa.field(SOURCE, pa.int64())] + [pa.field(c.name, types[c.type]) for c in schema]
    pq.write_table(pa.table(columns, schema=pa.schema(fields)), path)
    return str(path)


def run(
    engine: DuckEngine,
    folder: Path,
    left: list[tuple[Any, ...]],
    right: list[tuple[Any, ...]],
    rowids: list[int],
    step: ir.Lookup,
) -> list[tuple[Any, ...]]:
    lpath = write(folder / "left.parquet", LEFT, left, list(range(len(left))))
    rpath = write(folder / "right.parquet", RIGHT, right, rowids)
    externals = {sheet_external("r"): sheet_relation(RIGHT, [rpath], DUCKDB)}
    query = ir.Query(steps=(step,), columns=("n", "r.v", "r.matched"))
    plan = ViewPlan(query, LEFT, [lpath], DUCKDB, externals=externals)
    assert int(engine.scalar(plan.count_sql())) == len(left)
    got = engine.fetch(plan.rows_sql(None, with_rowid=False)).rows
    assert len(got) == len(left) and sorted(r[0] for r in got) == list(range(len(left)))  # each left row once
    return sorted(got)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    left=st.lists(KEYS, max_size=25),
    right=st.lists(KEYS, max_size=25),
    order=st.randoms(use_true_random=False),
    case_sensitive=st.booleans(),
)
def test_exact_lookup_keeps_every_row_and_takes_the_lowest_row_id(
    engine: DuckEngine, tmp_path: Path, left: list[str | None], right: list[str | None], order: Any, case_sensitive: bool
) -> None:
    rowids = list(range(len(right)))
    order.shuffle(rowids)  # the right sheet's rows are not in row-id order in its file
    step = ir.Lookup("r", ("k",), ("key",), ("v",), case_sensitive=case_sensitive)
    got = run(engine, tmp_path, [(k, i) for i, k in enumerate(left)], [(k, i) for i, k in enumerate(right)], rowids, step)

    def norm(key: str | None) -> str | None:
        return None if not key else key if case_sensitive else key.lower()

    best: dict[str, tuple[int, int]] = {}
    for i, key in enumerate(right):
        if norm(key) is not None and (norm(key) not in best or rowids[i] < best[norm(key)][0]):  # type: ignore[operator]
            best[norm(key)] = (rowids[i], i)  # type: ignore[index]
    expected = [(n, best[norm(k)][1], True) if norm(k) in best else (n, None, False) for n, k in enumerate(left)]
    assert got == expected


ADDRESSES = (
    st.builds(lambda a, b: f"10.{a}.{b}.7", st.integers(0, 3), st.integers(0, 3))
    | st.builds(lambda a, b: f"2001:db8:{a:x}::{b:x}", st.sampled_from([0, 1, 0x8000, 0x8001, 0xFFFF]), st.integers(0, 3))
    | st.sampled_from(["x", "", None, "10.0.0", "2001:db8::g", "::1"])
)
NETWORKS = (
    st.builds(
        lambda a, b, bits: f"10.{a}.{b}.0/{bits}", st.integers(0, 3), st.integers(0, 3), st.sampled_from([8, 14, 16, 24, 32])
    )
    | st.builds(
        lambda a, bits: f"2001:db8:{a:x}::/{bits}",
        st.sampled_from([0, 1, 0x8000]),
        st.sampled_from([16, 32, 33, 35, 47, 48, 127, 128]),
    )
    | st.sampled_from(["junk", "10.0.0.0/40", "2001:db8::/129", "0.0.0.0/0", "::1", None])
)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(left=st.lists(ADDRESSES, max_size=25), right=st.lists(NETWORKS, max_size=15))
def test_cidr_lookup_keeps_every_row_and_takes_the_most_specific_network(
    engine: DuckEngine, tmp_path: Path, left: list[str | None], right: list[str | None]
) -> None:
    step = ir.Lookup("r", ("k",), ("key",), ("v",), mode="cidr")
    rowids = list(range(len(right)))
    got = run(engine, tmp_path, [(k, i) for i, k in enumerate(left)], [(k, i) for i, k in enumerate(right)], rowids, step)

    def network(text: str | None) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
        try:
            return ipaddress.ip_network(text or "", strict=False)
        except ValueError:
            return None

    expected = []
    for n, text in enumerate(left):
        try:
            address = ipaddress.ip_address(text or "")
        except ValueError:
            expected.append((n, None, False))
            continue
        # the same family only: none of these IPv6 networks holds the IPv4-mapped addresses
        holding = [
            (-(net.prefixlen + (96 if net.version == 4 else 0)), i)
            for i, t in enumerate(right)
            if (net := network(t)) is not None and net.version == address.version and address in net
        ]
        expected.append((n, min(holding)[1], True) if holding else (n, None, False))
    assert got == expected
