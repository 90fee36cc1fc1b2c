"""Properties of the IR's JSON: valid IR round-trips through JSON and matches the schema; a value mutated to
the wrong type is refused with the JSON path of the mutation."""

from __future__ import annotations

import dataclasses
import json
import typing
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from ir_json_validator import errors

from logsheet.core import ir
from logsheet.core.errors import InvalidQuery
from logsheet.core.ir_check import field_types, sequence_item, union_args
from logsheet.core.ir_schema import query_schema

SCHEMA = query_schema()
text = st.text(max_size=8)
scalar = st.one_of(st.none(), st.booleans(), st.integers(-(2**40), 2**40), st.floats(allow_nan=False, allow_infinity=False), text)


def _for(hint: Any) -> st.SearchStrategy[Any]:
    if hint is ir.Predicate:
        return predicates
    if hint is ir.Step:
        return st.one_of(*[st.builds(c, **_fields(c)) for c in typing.get_args(ir.Step)])
    if typing.get_origin(hint) is typing.Literal:
        return st.sampled_from(typing.get_args(hint))
    if hint == ir.Scalar:
        return scalar
    simple = {str: text, int: st.integers(0, 50), bool: st.booleans()}
    if hint in simple:
        return simple[hint]
    members = union_args(hint)
    if members is not None:
        return st.one_of(*[st.none() if m is type(None) else _for(m) for m in members])
    item = sequence_item(hint)
    if item is not None:
        return st.lists(_for(item[1]), max_size=3).map(tuple)
    return st.builds(hint, **_fields(hint))


def _fields(cls: type) -> dict[str, st.SearchStrategy[Any]]:
    return {name: _for(hint) for name, hint in field_types(cls).items()}


leaves = st.one_of(*[st.builds(c, **_fields(c)) for c in typing.get_args(ir.Predicate) if c not in (ir.And, ir.Or, ir.Not)])
predicates = st.recursive(
    leaves,
    lambda inner: st.one_of(
        st.builds(ir.And, st.lists(inner, max_size=3).map(tuple)),
        st.builds(ir.Or, st.lists(inner, max_size=3).map(tuple)),
        st.builds(ir.Not, inner),
    ),
    max_leaves=8,
)
queries = st.builds(ir.Query, **{k: v for k, v in _fields(ir.Query).items() if k != "version"})


@settings(max_examples=150, deadline=None)
@given(queries)
def test_valid_ir_round_trips_through_json_and_matches_the_schema(query: ir.Query) -> None:
    data = json.loads(json.dumps(ir.query_to_json(query)))
    assert ir.query_from_json(data) == query
    assert errors(data, SCHEMA, SCHEMA["$defs"]) == []


WRONG = [{"x": 1}, [1], 1.5, True, "nope", 7]


def _paths(data: Any, path: str = "") -> list[str]:
    """The JSON paths of every value below an object's keys (not the kinds)."""
    out = []
    if isinstance(data, dict):
        for key, value in data.items():
            if key != "kind":
                sub = f"{path}.{key}" if path else key
                out += [sub, *_paths(value, sub)]
    elif isinstance(data, list):
        for i, value in enumerate(data):
            out += [f"{path}[{i}]", *_paths(value, f"{path}[{i}]")]
    return out


def _set(data: Any, path: str, value: Any) -> Any:
    import re

    parts = re.findall(r"\w+|\[\d+\]", path)
    target = data
    for part in parts[:-1]:
        target = target[int(part[1:-1])] if part.startswith("[") else target[part]
    last = parts[-1]
    if last.startswith("["):
        target[int(last[1:-1])] = value
    else:
        target[last] = value
    return data


@settings(max_examples=150, deadline=None)
@given(queries, st.data())
def test_a_mutated_value_is_refused_with_its_path(query: ir.Query, draw: st.DataObject) -> None:
    data = json.loads(json.dumps(ir.query_to_json(query)))
    paths = _paths(data)
    path = draw.draw(st.sampled_from(paths))
    wrong = draw.draw(st.sampled_from(WRONG))
    mutated = _set(json.loads(json.dumps(data)), path, wrong)
    if path == "version" or mutated == data:
        return
    valid_schema = errors(mutated, SCHEMA, SCHEMA["$defs"]) == []
    try:
        ir.query_from_json(mutated)
    except InvalidQuery as exc:
        assert not valid_schema
        message = str(exc)
        assert message.split(": ", 1)[0].startswith(path) or path.startswith(message.split(": ", 1)[0]), (message, path)
    else:
        assert valid_schema, (path, wrong)  # a value of another allowed type (a Scalar) is not a mutation


def test_dataclass_fields_all_have_strategies() -> None:
    assert all(dataclasses.is_dataclass(c) for c in typing.get_args(ir.Step))
