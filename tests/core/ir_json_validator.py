"""A small JSON Schema checker for the keywords the IR's schema uses ($ref into $defs, type, const, enum,
properties, required, additionalProperties, items, anyOf, allOf, maxLength): enough to hold the decoder and
the schema to each other without a jsonschema dependency."""

from __future__ import annotations

from typing import Any

TYPES: dict[str, Any] = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
}
KNOWN = {"$ref", "$schema", "$defs", "type", "const", "enum", "properties", "required", "additionalProperties",
         "items", "anyOf", "allOf", "maxLength", "title", "description", "default"}  # fmt: skip


def errors(value: Any, schema: dict[str, Any], defs: dict[str, Any], prefix: str = "#/$defs/") -> list[str]:
    """Why ``value`` does not match ``schema`` (empty when it does)."""
    unknown = set(schema) - KNOWN
    assert not unknown, f"the checker does not know {unknown}"
    if "$ref" in schema:
        ref = schema["$ref"]
        assert ref.startswith(prefix), ref
        return errors(value, defs[ref[len(prefix) :]], defs, prefix)
    out: list[str] = []
    if "type" in schema and not TYPES[schema["type"]](value):
        return [f"{value!r} is not {schema['type']}"]
    if "const" in schema and not _same(value, schema["const"]):
        out.append(f"{value!r} != {schema['const']!r}")
    if "enum" in schema and not any(_same(value, e) for e in schema["enum"]):
        out.append(f"{value!r} not in {schema['enum']}")
    if "maxLength" in schema and isinstance(value, str) and len(value) > schema["maxLength"]:
        out.append("too long")
    if "anyOf" in schema and all(errors(value, s, defs, prefix) for s in schema["anyOf"]):
        out.append(f"{value!r} matches none of anyOf")
    for sub in schema.get("allOf", ()):
        out += errors(value, sub, defs, prefix)
    if isinstance(value, dict):
        properties = schema.get("properties", {})
        out += [f"missing {k}" for k in schema.get("required", ()) if k not in value]
        if schema.get("additionalProperties") is False:
            out += [f"unknown {k}" for k in value if k not in properties]
        for key, sub in properties.items():
            if key in value:
                out += [f"{key}: {e}" for e in errors(value[key], sub, defs, prefix)]
    if isinstance(value, list) and "items" in schema:
        for i, item in enumerate(value):
            out += [f"[{i}]: {e}" for e in errors(item, schema["items"], defs, prefix)]
    return out


def _same(a: Any, b: Any) -> bool:
    return type(a) is type(b) and a == b
