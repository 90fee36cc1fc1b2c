"""The IR checks itself: nodes refuse bad values when built from Python or decoded from JSON."""

from __future__ import annotations

from typing import Any

import pytest

from logsheet.core import ir
from logsheet.core.errors import InvalidQuery
from logsheet.core.ir_check import MAX_DEPTH, MAX_NODES, MAX_STRING


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: ir.Compare("port", "~", 1), "Compare.op: '~' is not one of '='"),
        (lambda: ir.Agg("median", "port"), "Agg.fn: 'median' is not one of 'count'"),
        (lambda: ir.Cast("msg", "money"), "Cast.to: 'money'"),
        (lambda: ir.ChangeCase("msg", "title"), "ChangeCase.mode: 'title'"),
        (lambda: ir.Split("a", " ", True), "Split.parts: True is not an integer"),
        (lambda: ir.Split("a", " ", 2.0), "Split.parts: 2.0 is not an integer"),
        (lambda: ir.Compare("a", "=", 1, case_sensitive=1), "Compare.case_sensitive: 1 is not true or false"),
        (lambda: ir.InList("a", [1]), "InList.values: [1] is not a tuple"),
        (lambda: ir.InList("a", (1, [2])), "InList.values[1]: [2] is not a string, an integer"),
        (lambda: ir.And((ir.Search("x"), "y")), "And.items[1]: 'y' is not an object of kind 'compare'"),
        (lambda: ir.Not(ir.Trim("a")), "Not.item"),
        (lambda: ir.Query(steps=(ir.Search("x"),)), "Query.steps[0]"),
        (lambda: ir.Query(where=ir.Trim("x")), "Query.where"),
        (lambda: ir.Query(version=2), "Query.version: 2 is not one of 1"),
        (lambda: ir.Search(3), "Search.text: 3 is not a string"),
        (lambda: ir.Rename("a", "x" * (MAX_STRING + 1)), "longer than the limit"),
    ],
)
def test_python_construction_refuses_bad_values(build: Any, message: str) -> None:
    with pytest.raises(InvalidQuery) as caught:
        build()
    assert message in str(caught.value)


def test_python_construction_accepts_good_values() -> None:
    assert ir.Compare("a", "=", 1.5).value == 1.5
    assert ir.Compare("a", "=", None).value is None
    assert ir.Compare("a", "=", True).value is True
    assert ir.Query(where=ir.Not(ir.Or((ir.Blank("a"), ir.Search("x"))))).where is not None
    assert ir.GroupBy(("a",)).aggs == (ir.Agg("count"),)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"steps": [{"kind": "trim", "column": "a"}, {"kind": "trim", "column": "b"}, {"kind": "foo"}]},
            "steps[2].kind: 'foo' is not one of 'split', 'regex_extract'",
        ),
        ({"steps": [{"column": "a"}]}, "steps[0].kind: missing"),
        ({"steps": [{"kind": "trim", "column": "a", "extra": 1}]}, "steps[0].extra: unknown key"),
        ({"steps": [{"kind": "trim"}]}, "steps[0].column: missing"),
        ({"steps": {"kind": "trim"}}, "steps: {'kind': 'trim'} is not a list"),
        ({"where": {"kind": "compare", "column": "x", "op": "==", "value": 1}}, "where.op: '==' is not one of"),
        ({"where": {"kind": "in", "column": "x", "values": [1, {}]}}, "where.values[1]: {} is not a string"),
        ({"where": {"kind": "not", "item": {"kind": "and", "items": [{"kind": "search"}]}}}, "where.item.items[0].text: missing"),
        (
            {"where": {"kind": "compare", "column": "x", "op": "=", "value": float("nan")}},
            "where.value: nan is not a JSON number",
        ),
        ({"sort": [{"column": 1}]}, "sort[0].column: 1 is not a string"),
        ({"sort": [{"column": "a", "descending": "yes"}]}, "sort[0].descending: 'yes' is not true or false"),
        ({"group": {"aggs": []}}, "group.keys: missing"),
        ({"group": {"keys": ["a"], "aggs": [{"fn": "median"}]}}, "group.aggs[0].fn: 'median' is not one of"),
        ({"search": None}, "search: None is not a string"),
        ({"nope": 1}, "nope: unknown key"),
        ({"version": 2}, "query version 2 is not supported"),
        ({"version": True}, "not supported"),
        ("[1", "does not parse"),
        ([], "must be a JSON object"),
    ],
)
def test_json_decoding_names_the_path(data: Any, message: str) -> None:
    with pytest.raises(InvalidQuery) as caught:
        ir.query_from_json(data)
    assert message in str(caught.value)


def test_limits_against_hostile_bodies() -> None:
    deep: dict[str, Any] = {"kind": "search", "text": "x"}
    for _ in range(MAX_DEPTH):
        deep = {"kind": "not", "item": deep}
    with pytest.raises(InvalidQuery, match=f"deeper than {MAX_DEPTH}"):
        ir.predicate_from_json(deep)
    wide = {"kind": "in", "column": "a", "values": list(range(MAX_NODES))}
    with pytest.raises(InvalidQuery, match=f"more than {MAX_NODES} values"):
        ir.predicate_from_json(wide)
    with pytest.raises(InvalidQuery, match="where.text: a string of"):
        ir.predicate_from_json({"kind": "search", "text": "x" * (MAX_STRING + 1)})
    shallow = {"kind": "search", "text": "x"}
    for _ in range(20):
        shallow = {"kind": "not", "item": shallow}
    assert isinstance(ir.predicate_from_json(shallow), ir.Not)


def test_step_and_predicate_paths_start_at_their_field() -> None:
    with pytest.raises(InvalidQuery, match=r"^step\.to: 'money'"):
        ir.step_from_json({"kind": "cast", "column": "a", "to": "money"})
    with pytest.raises(InvalidQuery, match=r"^where\.kind: missing"):
        ir.predicate_from_json({})


def test_existing_spellings_decode() -> None:
    partial = ir.query_from_json({"where": {"kind": "compare", "column": "a", "op": "=", "value": 1}})
    assert partial == ir.Query(where=ir.Compare("a", "=", 1))
    assert ir.query_from_json({"group": {"keys": ["a"]}}).group == ir.GroupBy(("a",))
    assert ir.query_from_json({"group": None, "where": None}) == ir.Query()
    full = ir.Query(
        steps=(ir.Split("a", " ", 2, names=("x", "y")), ir.Cast("x", "integer")),
        where=ir.And((ir.InList("x", (1, "b", None, 2.5, False)), ir.Not(ir.Blank("y")))),
        search="s",
        columns=("x",),
        sort=(ir.SortKey("x", True),),
        group=ir.GroupBy(("x",), (ir.Agg("max", "y", "top"),)),
    )
    assert ir.query_from_json(ir.query_to_json(full)) == full
