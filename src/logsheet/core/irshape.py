"""What an IR field holds, read from its dataclass annotation.

One reading of the annotations in :mod:`logsheet.core.ir` serves the three things that must agree with them:
the check a node runs when it is built (:mod:`logsheet.core.ircheck`), the strict JSON decoder
(:mod:`logsheet.core.irjson`) and the JSON Schema (:mod:`logsheet.core.ir_schema`). A shape is

- :class:`Prim`: text, an integer, a number, true/false or null (``str``, ``int``, ``float``, ``bool``, ``None``);
- :class:`Lit`: one of fixed values (``Literal[...]``);
- :class:`Seq`: a list of one shape (``tuple[X, ...]``; a JSON array);
- :class:`Node`: a dataclass node (a JSON object of its fields);
- :class:`Tagged`: one of several node classes told apart by their ``kind`` (``Predicate``, ``Step``);
- :class:`AnyOf`: one of several shapes (``GroupBy | None``, ``Scalar``);
- :class:`Named`: an alias given a name by the caller (the schema's definitions; the checks pass no names).
"""

from __future__ import annotations

import dataclasses
import functools
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal, Union

PrimKind = Literal["str", "int", "float", "bool", "null"]
LitValue = Union[str, int, bool]


@dataclass(frozen=True)
class Prim:
    kind: PrimKind


@dataclass(frozen=True)
class Lit:
    values: tuple[LitValue, ...]


@dataclass(frozen=True)
class Seq:
    item: Shape


@dataclass(frozen=True)
class Node:
    cls: type


@dataclass(frozen=True)
class Tagged:
    """Node classes with a ``kind`` class attribute each; ``family`` names them in messages (``filter``)."""

    classes: tuple[type, ...]

    @property
    def by_kind(self) -> dict[str, type]:
        return {kind_of(c): c for c in self.classes}

    @property
    def family(self) -> str:
        families = {getattr(c, "family", "node") for c in self.classes}
        return families.pop() if len(families) == 1 else "node"


@dataclass(frozen=True)
class AnyOf:
    options: tuple[Shape, ...]


@dataclass(frozen=True)
class Named:
    name: str
    shape: Shape


Shape = Union[Prim, Lit, Seq, Node, Tagged, AnyOf, Named]

REQUIRED = dataclasses.MISSING


@dataclass(frozen=True)
class FieldShape:
    """One field of a node: its name, its shape and its default (:data:`REQUIRED` when it has none)."""

    name: str
    shape: Shape
    default: object

    @property
    def required(self) -> bool:
        return self.default is REQUIRED


_PRIMS: dict[object, PrimKind] = {str: "str", int: "int", float: "float", bool: "bool", type(None): "null"}
_NO_NAMES: Mapping[str, object] = {}


def kind_of(cls: type) -> str:
    kind = cls.__dict__.get("kind")
    if not isinstance(kind, str):
        raise TypeError(f"{cls.__name__} has no 'kind'")
    return kind


def is_node_class(hint: object) -> bool:
    return isinstance(hint, type) and dataclasses.is_dataclass(hint)


def read(hint: object, names: Mapping[str, object] = _NO_NAMES) -> Shape:
    """The shape of a type annotation; an annotation equal to one of ``names`` becomes :class:`Named`."""
    for name, alias in names.items():
        if hint == alias:
            return Named(name, _read(alias, names))
    return _read(hint, names)


def _read(hint: object, names: Mapping[str, object]) -> Shape:
    if hint in _PRIMS:
        return Prim(_PRIMS[hint])
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin is Literal:
        return Lit(tuple(args))
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        return Seq(read(args[0], names))
    if origin is Union or origin is types.UnionType:
        return _read_union(args, names)
    if is_node_class(hint):
        assert isinstance(hint, type)
        return Node(hint)
    raise TypeError(f"an IR field cannot be annotated {hint!r}")


def _read_union(args: tuple[object, ...], names: Mapping[str, object]) -> Shape:
    if all(is_node_class(a) and "kind" in a.__dict__ for a in args):  # type: ignore[union-attr]
        return Tagged(tuple(a for a in args if isinstance(a, type)))
    rest = tuple(a for a in args if a is not type(None))
    if len(rest) < len(args) and len(rest) > 1:  # `Alias | None` is flattened into one Union: find the alias
        for name, alias in names.items():
            if Union[rest] == alias:  # noqa: UP007 - rebuilding a Union from its arguments
                return AnyOf((Named(name, _read(alias, names)), Prim("null")))
    return AnyOf(tuple(read(a, names) for a in args))


def fields_of(cls: type, names: Mapping[str, object] = _NO_NAMES) -> tuple[FieldShape, ...]:
    """The fields of a node class with their shapes, in declaration order."""
    if not names:
        return _fields_unnamed(cls)
    return _fields(cls, names)


@functools.cache
def _fields_unnamed(cls: type) -> tuple[FieldShape, ...]:
    return _fields(cls, _NO_NAMES)


def _fields(cls: type, names: Mapping[str, object]) -> tuple[FieldShape, ...]:
    hints = typing.get_type_hints(cls)
    out = []
    for f in dataclasses.fields(cls):
        if f.default is not dataclasses.MISSING:
            default: object = f.default
        elif f.default_factory is not dataclasses.MISSING:
            default = f.default_factory()
        else:
            default = REQUIRED
        out.append(FieldShape(f.name, read(hints[f.name], names), default))
    return tuple(out)
