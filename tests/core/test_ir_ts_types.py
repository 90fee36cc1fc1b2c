"""The front end's IR types (web/src/types.ts) are tied to the IR's JSON Schema: the node kinds, field names,
literal unions and field types the TypeScript declares are those of the schema, so the two cannot drift."""

from __future__ import annotations

import json
import re
from typing import Any

from logsheet.core.ir_schema import query_schema
from repo_paths import WEB

TYPES_TS = WEB / "src" / "types.ts"
DEFS = query_schema()["$defs"]


def ts_of(schema: dict[str, Any]) -> str:
    """A field's schema written as the TypeScript type it should have."""
    if "$ref" in schema:
        return str(schema["$ref"]).rsplit("/", 1)[1]
    if "enum" in schema:
        return " | ".join(json.dumps(v) for v in schema["enum"])
    if "anyOf" in schema:
        return " | ".join(ts_of(s) for s in schema["anyOf"])
    kind = schema["type"]
    if kind == "array":
        return ts_of(schema["items"]) + "[]"
    return {"string": "string", "integer": "number", "number": "number", "boolean": "boolean", "null": "null"}[kind]


# Fields the front end keeps beside the IR in the same object, never sent as part of a view: the finding a
# view is narrowed to travels as the request body's own "finding" (web/src/api.ts), not inside "query".
UI_ONLY = {"Query": {"finding"}}


def _source() -> str:
    text = re.sub(r"/\*.*?\*/", "", TYPES_TS.read_text(encoding="utf-8"), flags=re.S)
    return re.sub(r"//[^\n]*", "", text)


def _aliases(text: str) -> dict[str, str]:
    found = re.finditer(r"export type (\w+) =\s*([^;{]+);", text)
    return {m[1]: " ".join(m[2].split()) for m in found if m[1] not in DEFS}  # AggFn, not Scalar


def _fields(body: str, aliases: dict[str, str]) -> dict[str, tuple[str, bool]]:
    out = {}
    for part in (p.strip() for p in body.split(";")):
        if part:
            name, _, type_ = part.partition(":")
            type_ = " ".join(type_.split())
            out[name.strip().rstrip("?")] = (aliases.get(type_, type_), name.strip().endswith("?"))
    return out


def declared() -> dict[str, dict[str, tuple[str, bool]]]:
    """Per node kind (or interface name): field -> (TypeScript type, optional)."""
    text = _source()
    aliases = _aliases(text)
    out: dict[str, dict[str, tuple[str, bool]]] = {}
    for union in ("Predicate", "Step"):
        block = re.search(rf"export type {union} =(.*?);\n\n", text, re.S)
        assert block, union
        for member in re.findall(r"\{([^}]*)\}", block[1]):
            fields = _fields(member, aliases)
            out[json.loads(fields.pop("kind")[0])] = fields
    for interface in ("Agg", "SortKey", "GroupBy", "Query", "Label"):
        block = re.search(rf"export interface {interface} \{{(.*?)\}}", text, re.S)
        assert block, interface
        fields = _fields(block[1], aliases)
        for name in UI_ONLY.get(interface, set()):
            assert fields.pop(name)[1], f"{interface}.{name} is the UI's own: it must be optional"
        out[interface] = fields
    return out


def expected() -> dict[str, dict[str, tuple[str, bool]]]:
    out = {}
    for name, schema in DEFS.items():
        if "properties" not in schema:
            continue
        props = dict(schema["properties"])
        kind = props.pop("kind", None)
        fields = {f: (ts_of(s), f not in schema["required"]) for f, s in props.items()}
        out[kind["const"] if kind else name] = fields
    return out


def test_the_front_end_declares_every_node_with_the_schemas_fields_and_types() -> None:
    ts, schema = declared(), expected()
    assert set(ts) == set(schema)
    for kind, fields in schema.items():
        assert set(ts[kind]) == set(fields), kind
        for name, (type_, optional) in fields.items():
            ts_type, ts_optional = ts[kind][name]
            assert ts_type == type_, f"{kind}.{name}: types.ts has {ts_type}, the schema {type_}"
            assert not ts_optional or optional, f"{kind}.{name} is required by the schema"


def test_the_tie_catches_drift() -> None:
    fields = _fields('column: string; op: "=" | "!="; value: Scalar; extra?: boolean', {})
    compare = expected()["compare"]
    assert set(fields) != set(compare)
    assert fields["op"][0] != compare["op"][0]
