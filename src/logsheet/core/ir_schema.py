"""The JSON Schema (2020-12) of a query, generated from the IR's dataclass annotations.

:func:`query_schema` is the one description of the IR JSON (:func:`logsheet.core.ir.query_to_json`): the API
shows it as the OpenAPI schema of every request body that carries a view, and the front end's types are tested
against it. Each node is a definition (an object with ``additionalProperties: false``; a predicate or step has
its ``kind`` as a constant); ``Predicate``, ``Step`` and ``Scalar`` are named unions; strings carry the
decoder's length limit.
"""

from __future__ import annotations

import dataclasses
import typing
from typing import Any, Literal, Union

from logsheet.core import ir
from logsheet.core.ir_check import MAX_STRING, encode, field_types, is_node, kind_of, sequence_item, union_args

JsonSchema = dict[str, Any]
DEFS = "#/$defs/"
NAMED_UNIONS: dict[str, Any] = {"Predicate": ir.Predicate, "Step": ir.Step, "Scalar": ir.Scalar}


def query_schema(ref_prefix: str = DEFS) -> JsonSchema:
    """The schema of a Query's JSON. With the default ``ref_prefix`` it stands alone (``$defs``); the API passes
    ``#/components/schemas/`` and puts :func:`definitions` among the OpenAPI components."""
    schema: JsonSchema = {"$ref": f"{ref_prefix}Query"}
    if ref_prefix == DEFS:
        schema = {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema, "$defs": definitions(ref_prefix)}
    return schema


def definitions(ref_prefix: str = DEFS) -> dict[str, JsonSchema]:
    """One schema per node class reachable from Query, and one per named union, by name."""
    out: dict[str, JsonSchema] = {}
    _Walker(ref_prefix, out).node(ir.Query)
    return dict(sorted(out.items()))


class _Walker:
    def __init__(self, prefix: str, out: dict[str, JsonSchema]) -> None:
        self.prefix = prefix
        self.out = out

    def ref(self, name: str) -> JsonSchema:
        return {"$ref": f"{self.prefix}{name}"}

    def node(self, cls: type) -> JsonSchema:
        name = cls.__name__
        if name not in self.out:
            self.out[name] = {}  # placeholder: recursive nodes (and, or, not) refer back to themselves
            properties: dict[str, JsonSchema] = {}
            required: list[str] = []
            kind = kind_of(cls)
            if kind is not None:
                properties["kind"] = {"const": kind}
                required.append("kind")
            for f in dataclasses.fields(cls):
                prop = self.type(field_types(cls)[f.name])
                if f.default is not dataclasses.MISSING:
                    prop = {**prop, "default": encode(f.default)}
                else:
                    required.append(f.name)
                properties[f.name] = prop
            schema: JsonSchema = {"title": name, "type": "object"}
            doc = " ".join((cls.__doc__ or "").split())
            if doc and not doc.startswith(f"{name}("):  # not the signature dataclass writes when there is none
                schema["description"] = doc
            schema.update(properties=properties, required=required, additionalProperties=False)
            self.out[name] = schema
        return self.ref(name)

    def type(self, hint: Any) -> JsonSchema:
        for name, union in NAMED_UNIONS.items():
            if hint == union:
                if name not in self.out:
                    self.out[name] = {}
                    self.out[name] = {"title": name, "anyOf": [self.type(m) for m in typing.get_args(union)]}
                return self.ref(name)
        if typing.get_origin(hint) is Literal:
            values = list(typing.get_args(hint))
            kinds = {type(v) for v in values}
            base = self.type(kinds.pop()) if len(kinds) == 1 else {}
            return {**{k: v for k, v in base.items() if k == "type"}, "enum": values}
        if hint is str:
            return {"type": "string", "maxLength": MAX_STRING}
        if hint is int:
            return {"type": "integer"}
        if hint is float:
            return {"type": "number"}
        if hint is bool:
            return {"type": "boolean"}
        if hint is type(None):
            return {"type": "null"}
        members = union_args(hint)
        if members is not None:
            others = tuple(m for m in members if m is not type(None))
            if 1 < len(others) < len(members):  # Predicate | None flattens: keep the name of Predicate
                return {"anyOf": [self.type(Union[others]), {"type": "null"}]}
            return {"anyOf": [self.type(m) for m in members]}
        item = sequence_item(hint)
        if item is not None:
            return {"type": "array", "items": self.type(item[1])}
        if is_node(hint):
            return self.node(hint)
        raise TypeError(f"no JSON Schema for the annotation {hint!r}")
