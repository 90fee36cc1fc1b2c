"""One JSON Schema of the query, generated from the IR, and the OpenAPI document of the request bodies that
carry a view, a step or a predicate refers to it."""

from __future__ import annotations

import dataclasses
import typing
import warnings
from pathlib import Path
from typing import Any

import pytest
from ir_json_validator import errors

from logsheet.core import ir
from logsheet.core.ir_check import MAX_STRING
from logsheet.core.ir_schema import definitions, query_schema
from logsheet.workspace import Workspace

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # starlette: its TestClient will move from httpx to httpx2
    from fastapi.testclient import TestClient

NODES = [getattr(ir, n) for n in dir(ir) if isinstance(getattr(ir, n), type) and dataclasses.is_dataclass(getattr(ir, n))]


def test_every_node_is_a_closed_object_with_its_fields() -> None:
    defs = query_schema()["$defs"]
    assert {c.__name__ for c in NODES} | {"Predicate", "Step", "Scalar"} == set(defs)
    for cls in NODES:
        schema = defs[cls.__name__]
        assert schema["additionalProperties"] is False
        names = [f.name for f in dataclasses.fields(cls)]
        kind = getattr(cls, "kind", None)
        assert list(schema["properties"]) == (["kind"] if kind else []) + names
        if kind:
            assert schema["properties"]["kind"] == {"const": kind}
        required = [f.name for f in dataclasses.fields(cls) if f.default is dataclasses.MISSING]
        assert schema["required"] == (["kind"] if kind else []) + required


def test_literals_and_unions_come_from_the_ir() -> None:
    defs = query_schema()["$defs"]
    assert defs["Compare"]["properties"]["op"]["enum"] == list(ir.COMPARE_OPS)
    assert defs["Cast"]["properties"]["to"]["enum"] == list(ir.CAST_TYPES)
    assert defs["Agg"]["properties"]["fn"]["enum"] == list(ir.AGG_FNS)
    assert defs["Query"]["properties"]["version"]["enum"] == [ir.IR_VERSION]
    predicates = [m["$ref"].rsplit("/", 1)[1] for m in defs["Predicate"]["anyOf"]]
    assert predicates == [c.__name__ for c in typing.get_args(ir.Predicate)]
    assert defs["Split"]["properties"]["parts"] == {"type": "integer"}
    assert defs["Search"]["properties"]["text"] == {"type": "string", "maxLength": MAX_STRING}
    assert defs["Query"]["properties"]["where"] == {
        "anyOf": [{"$ref": "#/$defs/Predicate"}, {"type": "null"}],
        "default": None,
    }
    assert defs["GroupBy"]["properties"]["aggs"]["default"] == [{"fn": "count", "column": "", "name": ""}]


def test_every_reference_resolves() -> None:
    schema = query_schema()
    refs: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if "$ref" in node:
                refs.append(node["$ref"])
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(schema)
    assert refs and all(r.removeprefix("#/$defs/") in schema["$defs"] for r in refs)


@pytest.mark.parametrize(
    ("data", "valid"),
    [
        ({"where": {"kind": "compare", "column": "a", "op": "=", "value": 1}}, True),
        ({"where": {"kind": "compare", "column": "a", "op": "==", "value": 1}}, False),
        ({"steps": [{"kind": "split", "column": "a", "delimiter": " ", "parts": True}]}, False),
        ({"steps": [{"kind": "trim", "column": "a", "x": 1}]}, False),
        ({"group": {"keys": ["a"], "aggs": [{"fn": "max", "column": "b"}]}}, True),
        ({"group": {"aggs": []}}, False),
    ],
)
def test_schema_and_decoder_agree(data: dict[str, Any], valid: bool) -> None:
    schema = query_schema()
    assert (errors(data, schema, schema["$defs"]) == []) is valid
    try:
        ir.query_from_json(data)
        decoded = True
    except ir.InvalidQuery:
        decoded = False
    assert decoded is valid


def test_openapi_shows_the_ir_schema_for_the_bodies(tmp_path: Path) -> None:
    from logsheet.api.app import create_app

    spec = TestClient(create_app(Workspace(tmp_path / "ws"))).get("/openapi.json").json()
    schemas = spec["components"]["schemas"]
    for name, schema in definitions("#/components/schemas/").items():
        assert schemas[name] == schema
    query = {"$ref": "#/components/schemas/Query"}
    for body in ("QueryRequest", "HistogramRequest", "ProfileRequest", "PreviewRequest", "ExportRequest"):
        assert schemas[body]["properties"]["query"]["anyOf"] == [query, {"type": "null"}], body
    assert schemas["SaveViewRequest"]["properties"]["query"]["allOf"] == [query]
    assert schemas["PreviewRequest"]["properties"]["step"]["allOf"] == [{"$ref": "#/components/schemas/Step"}]
    where = schemas["FormatRequest"]["properties"]["where"]["anyOf"]
    assert where == [{"$ref": "#/components/schemas/Predicate"}, {"type": "null"}]
    refs = {r for r in _refs(spec) if r.startswith("#/components/schemas/")}
    assert all(r.rsplit("/", 1)[1] in schemas for r in refs)


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        return ([node["$ref"]] if "$ref" in node else []) + [r for v in node.values() for r in _refs(v)]
    if isinstance(node, list):
        return [r for v in node for r in _refs(v)]
    return []
