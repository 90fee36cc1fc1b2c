"""The IR's own checks, driven by the dataclass field annotations of its nodes.

:func:`check_fields` runs when a node is built from Python (the nodes' shared ``__post_init__``): every field
must hold a value of its annotated type — a ``Literal``'s values, ``str``/``int``/``float``/``bool`` (a bool is
not an int here), ``X | None``, a union of nodes, ``tuple[X, ...]`` / ``list[X]``.

:func:`decode` builds a node from JSON by the same annotations: unknown keys, missing required keys and values
of the wrong type are refused with :class:`~logsheet.core.errors.InvalidQuery`, naming the JSON path
(``steps[2].kind: 'foo' is not one of 'split', ...``). A node that is a member of a union is picked by its
``kind`` class variable. Against hostile bodies, a decoded document is bounded by :data:`MAX_DEPTH`,
:data:`MAX_NODES` and :data:`MAX_STRING`.

Nothing here knows the IR's classes: :mod:`logsheet.core.ir` uses it, :mod:`logsheet.core.ir_schema` shares its
limits.
"""

from __future__ import annotations

import dataclasses
import math
import types
import typing
from collections.abc import Mapping
from functools import cache
from typing import Any, Literal, Union

from logsheet.core.errors import InvalidQuery

MAX_DEPTH = 128
"""How many nodes a decoded document may nest (``and`` inside ``or`` inside ``not`` ..., the query counted): more
than the filter language's 100 levels, so every filter it writes decodes, and well within what the compiler's
recursion and the decoder's (at most five stack frames a node) can take on a server thread."""
MAX_NODES = 100_000
"""The most JSON values (objects, arrays, strings, numbers...) one decoded query may hold."""
MAX_STRING = 65_536
"""The longest string (in characters) any field of a node may hold: a column name, a value, a pattern."""


# ------------------------------------------------------------------------------------------- annotations
@cache
def field_types(cls: type) -> dict[str, Any]:
    """The resolved annotation of each dataclass field of ``cls`` (class variables left out)."""
    hints = typing.get_type_hints(cls)
    return {f.name: hints[f.name] for f in dataclasses.fields(cls)}


def is_node(hint: Any) -> bool:
    return isinstance(hint, type) and dataclasses.is_dataclass(hint)


def kind_of(cls: type) -> str | None:
    kind = getattr(cls, "kind", None)
    return kind if isinstance(kind, str) else None


def union_args(hint: Any) -> tuple[Any, ...] | None:
    """The members of a ``Union[...]`` / ``X | Y``, or None when ``hint`` is not a union."""
    if typing.get_origin(hint) in (Union, types.UnionType):
        return typing.get_args(hint)
    return None


def sequence_item(hint: Any) -> tuple[type, Any] | None:
    """``(tuple, X)`` for ``tuple[X, ...]``, ``(list, X)`` for ``list[X]``; None for anything else."""
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        return tuple, args[0]
    if origin is list and len(args) == 1:
        return list, args[0]
    return None


def describe(hint: Any) -> str:
    """A type in words, for error messages."""
    if hint is str:
        return "a string"
    if hint is bool:
        return "true or false"
    if hint is int:
        return "an integer"
    if hint is float:
        return "a number"
    if hint is type(None):
        return "null"
    if typing.get_origin(hint) is Literal:
        return "one of " + ", ".join(repr(a) for a in typing.get_args(hint))
    members = union_args(hint)
    if members is not None:
        if all(is_node(m) and kind_of(m) for m in members):
            return "an object of kind " + ", ".join(repr(kind_of(m)) for m in members)
        words = [describe(m) for m in members]
        return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]
    item = sequence_item(hint)
    if item is not None:
        return f"a list of {describe(item[1])}"
    if is_node(hint):
        return f"a {kind_of(hint) or hint.__name__} node"
    return str(hint)


def show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


# ------------------------------------------------------------------------------------ values from Python
def mismatch(value: Any, hint: Any) -> tuple[str, str] | None:
    """Why ``value`` is not of type ``hint``: ``(path below the value, message)``, or None when it is."""
    shape = _shape(hint)
    form = shape[0]
    if form == "literal":
        allowed = shape[1]
        if any(type(value) is type(a) and value == a for a in allowed):
            return None
        return "", f"{show(value)} is not one of {', '.join(repr(a) for a in allowed)}"
    if form == "str":
        if not isinstance(value, str):
            return "", f"{show(value)} is not a string"
        if len(value) > MAX_STRING:
            return "", f"a string of {len(value)} characters is longer than the limit of {MAX_STRING}"
        return None
    if form == "bool":
        return None if isinstance(value, bool) else ("", f"{show(value)} is not true or false")
    if form == "int":
        return None if isinstance(value, int) and not isinstance(value, bool) else ("", f"{show(value)} is not an integer")
    if form == "float":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return "", f"{show(value)} is not a number"
        return None
    if form == "none":
        return None if value is None else ("", f"{show(value)} is not null")
    if form == "union":
        _, optional, others, nodes = shape
        if value is None and optional:
            return None
        if len(others) == 1:  # X | None: say what is wrong inside X
            return mismatch(value, others[0])
        if nodes and isinstance(value, nodes):  # the common case, without building messages
            return None
        if any(mismatch(value, m) is None for m in others):
            return None
        return "", f"{show(value)} is not {describe(hint)}"
    if form == "sequence":
        _, container, item_hint = shape
        if not isinstance(value, container):
            return "", f"{show(value)} is not a {container.__name__} of {describe(item_hint)}"
        elements = typing.cast("tuple[Any, ...] | list[Any]", value)
        for i, element in enumerate(elements):
            problem = mismatch(element, item_hint)
            if problem is not None:
                return f"[{i}]{problem[0]}", problem[1]
        return None
    if form == "node":
        return None if isinstance(value, hint) else ("", f"{show(value)} is not {describe(hint)}")
    raise TypeError(f"the IR checks do not know the annotation {hint!r}")


@cache
def _shape(hint: Any) -> tuple[Any, ...]:
    """What :func:`mismatch` tests ``hint`` by, worked out once per annotation (the IR builds many nodes:
    reading ``typing``'s annotations again for each was most of a rule run's Python time)."""
    if typing.get_origin(hint) is Literal:
        return ("literal", typing.get_args(hint))
    for simple, name in ((str, "str"), (bool, "bool"), (int, "int"), (float, "float"), (type(None), "none")):
        if hint is simple:
            return (name,)
    members = union_args(hint)
    if members is not None:
        others = tuple(m for m in members if m is not type(None))
        nodes = tuple(m for m in others if is_node(m))
        return ("union", len(others) < len(members), others, nodes)
    item = sequence_item(hint)
    if item is not None:
        return ("sequence", *item)
    if is_node(hint):
        return ("node",)
    return ("unknown",)


def check_fields(node: object) -> None:
    """Refuse a node whose fields do not hold values of their annotated types (see the module's doc)."""
    cls: type = type(node)
    for name, hint in field_types(cls).items():
        problem = mismatch(getattr(node, name), hint)
        if problem is not None:
            raise InvalidQuery(f"{cls.__name__}.{name}{problem[0]}: {problem[1]}")


# -------------------------------------------------------------------------------------- values from JSON
class _Budget:
    def __init__(self) -> None:
        self.nodes = 0

    def spend(self, path: str) -> None:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise InvalidQuery(f"{_where(path)}: the query holds more than {MAX_NODES} values")


def decode(hint: Any, data: Any, path: str = "") -> Any:
    """The value of type ``hint`` that ``data`` (parsed JSON) spells; refuses anything else with the JSON path
    (relative to ``path``) of the first problem. JSON arrays become tuples where the annotation says tuple."""
    return _decode(hint, data, path, 0, _Budget())


def _decode(hint: Any, data: Any, path: str, depth: int, budget: _Budget) -> Any:
    """``depth``: how many nodes enclose ``data``."""
    budget.spend(path)
    members = union_args(hint)
    if members is not None:
        others = tuple(m for m in members if m is not type(None))
        if data is None and len(others) < len(members):
            return None
        if len(others) == 1:
            return _decode(others[0], data, path, depth, budget)
        if others and all(is_node(m) for m in others):
            return _decode_union(others, data, path, depth, budget)
    elif is_node(hint):
        return _decode_node(hint, data, path, depth, budget, tagged=kind_of(hint) is not None)
    item = sequence_item(hint)
    if item is not None:
        container, item_hint = item
        if not isinstance(data, list):
            raise InvalidQuery(f"{_where(path)}: {show(data)} is not a list of {describe(item_hint)}")
        values = [_decode(item_hint, v, f"{path}[{i}]", depth, budget) for i, v in enumerate(data)]
        return container(values)
    problem = mismatch(data, hint)
    if problem is not None:
        raise InvalidQuery(f"{_where(path + problem[0])}: {problem[1]}")
    if isinstance(data, float) and not math.isfinite(data):  # JSON has no NaN or Infinity; Python's parser does
        raise InvalidQuery(f"{_where(path)}: {data!r} is not a JSON number")
    return data


def _decode_union(classes: tuple[Any, ...], data: Any, path: str, depth: int, budget: _Budget) -> Any:
    table = {kind_of(c): c for c in classes}
    if not isinstance(data, Mapping):
        raise InvalidQuery(f"{_where(path)}: {show(data)} is not an object with a 'kind'")
    if "kind" not in data:
        raise InvalidQuery(f"{_where(_join(path, 'kind'))}: missing; one of {_known(table)}")
    kind = data["kind"]
    if not isinstance(kind, str) or kind not in table:
        family = getattr(classes[0], "family", "node")
        raise InvalidQuery(
            f"{_where(_join(path, 'kind'))}: {show(kind)} is not one of {_known(table)} (an unknown {family} kind)"
        )
    return _decode_node(table[kind], data, path, depth, budget, tagged=True)


def _decode_node(cls: type, data: Any, path: str, depth: int, budget: _Budget, *, tagged: bool) -> Any:
    if not isinstance(data, Mapping):
        raise InvalidQuery(f"{_where(path)}: {show(data)} is not {describe(cls)} (a JSON object)")
    if depth >= MAX_DEPTH:
        raise InvalidQuery(f"{_where(path)}: the query is nested deeper than {MAX_DEPTH} levels")
    hints = field_types(cls)
    known = set(hints) | ({"kind"} if tagged else set())
    for key in data:
        if key not in known:
            raise InvalidQuery(f"{_where(_join(path, str(key)))}: unknown key; {cls.__name__} has {', '.join(sorted(known))}")
    if tagged and data.get("kind", kind_of(cls)) != kind_of(cls):
        raise InvalidQuery(f"{_where(_join(path, 'kind'))}: {show(data['kind'])} is not {kind_of(cls)!r}")
    kwargs: dict[str, Any] = {}
    for f in dataclasses.fields(cls):  # type: ignore[arg-type]
        if f.name in data:
            kwargs[f.name] = _decode(hints[f.name], data[f.name], _join(path, f.name), depth + 1, budget)
        elif f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
            raise InvalidQuery(f"{_where(_join(path, f.name))}: missing (a {kind_of(cls) or cls.__name__} needs it)")
    return cls(**kwargs)


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _where(path: str) -> str:
    return path or "the query"


def _known(table: Mapping[str | None, type]) -> str:
    return ", ".join(repr(k) for k in table)


def encode(value: Any) -> Any:
    """A node (or a value inside one) as JSON-ready data: nodes become objects (``kind`` first when they have
    one), tuples become lists."""
    layout = _layout(type(value))  # type: ignore[arg-type]
    if layout is not None:
        kind, names = layout
        out: dict[str, Any] = {} if kind is None else {"kind": kind}
        for name in names:
            out[name] = encode(getattr(value, name))
        return out
    if isinstance(value, (tuple, list)):
        return [encode(v) for v in value]
    return value


@cache
def _layout(cls: type) -> tuple[str | None, tuple[str, ...]] | None:
    """A node class's ``kind`` and field names (None for anything that is not a node), worked out once."""
    if not is_node(cls):
        return None
    return kind_of(cls), tuple(f.name for f in dataclasses.fields(cls))
