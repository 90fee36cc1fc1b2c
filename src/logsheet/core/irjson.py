"""IR nodes to JSON and back, driven by the nodes' annotations (:mod:`logsheet.core.irshape`).

:func:`encode` writes a node as an object of all its fields, tagged with its ``kind`` when it has one; tuples
become lists. :func:`decode` is strict: an unknown key, a missing required key (a field without a default),
a value of the wrong type or outside its ``Literal``, and a document past the size limits of
:mod:`logsheet.core.ircheck` are each an :class:`~logsheet.core.ircheck.InvalidIR` naming the JSON path of
the bad value (``steps[2].kind: 'foo' is not one of 'split', ...``). Sizes are checked before the decoder
descends, so a hostile body meets a limit, never the recursion limit or an endless loop.
"""

from __future__ import annotations

from typing import Any, Union

from logsheet.core.ircheck import (
    MAX_DEPTH,
    MAX_VALUES,
    InvalidIR,
    check_length,
    check_lit,
    check_prim,
    describe,
    fits,
    show,
)
from logsheet.core.irshape import AnyOf, Lit, Named, Node, Prim, Seq, Shape, Tagged, fields_of, kind_of

JSON = Union[dict[str, "JSON"], list["JSON"], str, int, float, bool, None]


def encode(value: object) -> Any:
    """A node, a tuple of them or a plain value as JSON-ready data."""
    if isinstance(value, tuple):
        return [encode(v) for v in value]
    cls = type(value)
    if not hasattr(cls, "__dataclass_fields__"):
        return value
    out: dict[str, Any] = {}
    if "kind" in cls.__dict__:
        out["kind"] = kind_of(cls)
    for f in fields_of(cls):
        out[f.name] = encode(getattr(value, f.name))
    return out


def decode(shape: Shape, data: object, path: str = "") -> Any:
    """The value of ``shape`` that ``data`` (parsed JSON) describes; refuses anything else."""
    return _Decoder().value(shape, data, path, 0)


class _Decoder:
    def __init__(self) -> None:
        self.values = 0

    def value(self, shape: Shape, data: object, path: str, depth: int) -> Any:
        self.values += 1
        if self.values > MAX_VALUES:
            raise InvalidIR(path, f"the document holds more than {MAX_VALUES} values")
        while isinstance(shape, (Named, AnyOf)):  # unwrapped here, not by recursion: a deep tree costs fewer frames
            if isinstance(shape, Named):
                shape = shape.shape
                continue
            option = next((o for o in shape.options if _fits_json(o, data)), None)
            if option is None:
                raise InvalidIR(path, f"expected {_describe_json(shape)}, not {show(data)}")
            shape = option
        if isinstance(shape, Prim):
            check_prim(shape, data, path)
            return data
        if isinstance(shape, Lit):
            check_lit(shape, data, path)
            return data
        if isinstance(shape, Seq):
            if not isinstance(data, (list, tuple)):
                raise InvalidIR(path, f"expected a list, not {show(data)}")
            check_length(len(data), path)
            items = []
            for i, item in enumerate(data):
                items.append(self.value(shape.item, item, f"{path}[{i}]", depth))
            return tuple(items)
        if isinstance(shape, Node):
            return self.node(shape.cls, data, path, depth, tagged=False)
        return self.node(self.kind(shape, data, path), data, path, depth, tagged=True)

    def kind(self, shape: Tagged, data: object, path: str) -> type:
        if not isinstance(data, dict):
            raise InvalidIR(path, f"expected {describe(shape)} (an object with a 'kind'), not {show(data)}")
        known = shape.by_kind
        where = _join(path, "kind")
        if "kind" not in data:
            raise InvalidIR(where, f"missing; a {shape.family} has a kind: one of {_listing(known)}")
        kind = data["kind"]
        if not isinstance(kind, str) or kind not in known:
            raise InvalidIR(where, f"{show(kind)} is not one of {_listing(known)} (an unknown {shape.family} kind)")
        return known[kind]

    def node(self, cls: type, data: object, path: str, depth: int, *, tagged: bool) -> object:
        name = f"a {kind_of(cls)!r} {getattr(cls, 'family', 'node')}" if tagged else f"a {cls.__name__}"
        if not isinstance(data, dict):
            raise InvalidIR(path, f"expected {name} (an object), not {show(data)}")
        if depth + 1 > MAX_DEPTH:
            raise InvalidIR(path, f"nested more than {MAX_DEPTH} levels deep")
        fields = fields_of(cls)
        allowed = {f.name for f in fields} | ({"kind"} if tagged else set())
        for key in data:
            if key not in allowed:
                keys = ", ".join(f.name for f in fields)
                raise InvalidIR(_join(path, str(key)), f"unknown key; {name} has {keys}")
        values: dict[str, object] = {}
        for f in fields:
            where = _join(path, f.name)
            if f.name in data:
                values[f.name] = self.value(f.shape, data[f.name], where, depth + 1)
            elif f.required:
                needed = ", ".join(g.name for g in fields if g.required)
                raise InvalidIR(where, f"missing; {name} needs {needed}")
        try:
            return cls(**values)
        except InvalidIR as exc:  # a check of the node itself, beyond its fields' shapes
            raise InvalidIR(path, exc.problem) from None


def _fits_json(shape: Shape, data: object) -> bool:
    """Whether parsed JSON is of the shape's type at its top (so that a union picks the option to decode)."""
    if isinstance(shape, (Prim, Lit)):
        return fits(shape, data)
    if isinstance(shape, Seq):
        return isinstance(data, (list, tuple))
    if isinstance(shape, (Node, Tagged)):
        return isinstance(data, dict)
    if isinstance(shape, Named):
        return _fits_json(shape.shape, data)
    return any(_fits_json(o, data) for o in shape.options)


def _describe_json(shape: Shape) -> str:
    if isinstance(shape, Node):
        return f"a {shape.cls.__name__} object"
    if isinstance(shape, AnyOf):
        return " or ".join(_describe_json(o) for o in shape.options)
    if isinstance(shape, Named):
        return _describe_json(shape.shape)
    return describe(shape)


def _listing(known: dict[str, type]) -> str:
    return ", ".join(repr(k) for k in known)


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key
