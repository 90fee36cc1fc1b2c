"""The decoder's depth limit sits between the filter language's and the compiler's: every filter the language
accepts (nested up to its own limit) survives the trip through JSON that a saved view or a page's request
makes, and a query at the decoder's limit decodes and compiles in the stack a server thread has left."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest

from logsheet.compiler import ViewPlan, to_sql
from logsheet.core import ir
from logsheet.core.errors import InvalidQuery
from logsheet.core.ir_check import MAX_DEPTH
from logsheet.core.schema import Column, Schema
from logsheet.query import filterlang
from logsheet.query.spellings import ir_json

SCHEMA = Schema([Column("port", "integer")])


def alternating(levels: int) -> str:
    """``a0 = 1 or (a1 = 1 and (a2 = 1 or (... z = 1)))``: every level a new ``and``/``or`` node."""
    opened = "".join(f"a{i} = 1 {'and' if i % 2 else 'or'} (" for i in range(levels))
    return opened + "z = 1" + ")" * levels


def negated(levels: int) -> str:
    """``a0 = 1 or not (a1 = 1 and not (...))``: a ``not`` and an ``and``/``or`` per two levels."""
    opened = "".join(f"a{i} = 1 {'and' if i % 2 else 'or'} not (" for i in range(levels // 2))
    return opened + "z = 1" + ")" * (levels // 2)


@pytest.mark.parametrize("spell", [alternating, negated, lambda n: "not " * n + "a = 1"])
def test_the_deepest_filter_the_language_accepts_round_trips_through_json(spell: Any) -> None:
    with pytest.raises(InvalidQuery):  # past the language's own limit: refused where it is typed
        filterlang.parse_filter(spell(filterlang.MAX_DEPTH + 2))
    query = ir.Query(where=filterlang.parse_filter(spell(filterlang.MAX_DEPTH)))
    assert ir.query_from_json(ir_json(query)) == query  # a saved view reads back
    assert ir.query_from_json(ir.query_to_json(query)) == query  # a page sends back what /filter/parse gave it


def _deepest(kinds: tuple[str, ...]) -> dict[str, Any]:
    """A filter at the decoder's limit inside a query: MAX_DEPTH - 1 nodes, the last a comparison."""
    where: dict[str, Any] = {"kind": "compare", "column": "port", "op": "=", "value": 1}
    for i in range(MAX_DEPTH - 2):
        kind = kinds[i % len(kinds)]
        where = {"kind": "not", "item": where} if kind == "not" else {"kind": kind, "items": [where]}
    return where


def _on_a_worker_thread(work: Callable[[], object], frames: int = 150) -> object:
    """What ``work`` returns (or raises) when called some frames down a fresh thread's stack, as a request is."""
    outcome: list[object] = []

    def nested(left: int) -> None:
        if left:
            nested(left - 1)
            return
        try:
            outcome.append(work())
        except BaseException as exc:  # noqa: BLE001 - handed to the test
            outcome.append(exc)

    worker = threading.Thread(target=nested, args=(frames,))
    worker.start()
    worker.join()
    return outcome[0]


@pytest.mark.parametrize("kinds", [("and", "or"), ("not",), ("and", "not", "or")])
def test_a_query_at_the_limit_decodes_and_compiles_on_a_server_thread(kinds: tuple[str, ...]) -> None:
    where = _deepest(kinds)
    query = _on_a_worker_thread(lambda: ir.query_from_json({"where": where}))
    assert isinstance(query, ir.Query)
    sql = _on_a_worker_thread(lambda: to_sql(ViewPlan(query, SCHEMA, ["/data/p.parquet"]).filtered))
    assert isinstance(sql, str) and '"port" = 1' in sql
    with pytest.raises(InvalidQuery, match=f"deeper than {MAX_DEPTH}"):  # one node more is refused
        ir.query_from_json({"where": {"kind": "not", "item": where}})
