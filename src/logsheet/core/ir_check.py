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
from collections.abc import Callable, Mapping
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
Problem = Union[tuple[str, str], None]
Checker = Callable[[Any], Problem]


def mismatch(value: Any, hint: Any) -> Problem:
    """Why ``value`` is not of type ``hint``: ``(path below the value, message)``, or None when it is."""
    return _checker(hint)(value)


@cache
def _checker(hint: Any) -> Checker:
    """The test of ``hint``, worked out once per annotation, its parts' tests bound in (the IR builds many
    nodes: reading ``typing``'s annotations again for each was most of a rule run's Python time)."""
    if typing.get_origin(hint) is Literal:
        allowed = typing.get_args(hint)
        kinds = frozenset((type(a), a) for a in allowed)

        def literal(value: Any) -> Problem:
            try:
                if (type(value), value) in kinds:
                    return None
            except TypeError:  # an unhashable value is none of them
                pass
            return "", f"{show(value)} is not one of {', '.join(repr(a) for a in allowed)}"

        return literal
    if hint in _SIMPLE:
        return _SIMPLE[hint]
    members = union_args(hint)
    if members is not None:
        return _union_checker(hint, members)
    item = sequence_item(hint)
    if item is not None:
        container, item_hint = item
        inner = _checker(item_hint)

        def sequence(value: Any) -> Problem:
            if not isinstance(value, container):
                return "", f"{show(value)} is not a {container.__name__} of {describe(item_hint)}"
            for i, element in enumerate(typing.cast("tuple[Any, ...] | list[Any]", value)):
                problem = inner(element)
                if problem is not None:
                    return f"[{i}]{problem[0]}", problem[1]
            return None

        return sequence
    if is_node(hint):

        def node(value: Any) -> Problem:
            return None if isinstance(value, hint) else ("", f"{show(value)} is not {describe(hint)}")

        return node
    raise TypeError(f"the IR checks do not know the annotation {hint!r}")


def _union_checker(hint: Any, members: tuple[Any, ...]) -> Checker:
    others = tuple(m for m in members if m is not type(None))
    optional = len(others) < len(members)
    nodes = tuple(m for m in others if is_node(m))
    if len(others) == 1:  # X | None: say what is wrong inside X
        only = _checker(others[0])

        def optional_one(value: Any) -> Problem:
            return None if value is None and optional else only(value)

        return optional_one
    checks = tuple(_checker(m) for m in others)
    plain = frozenset(m for m in (int, float, bool) if m in others) | ({type(None)} if optional else set())
    text = str in others

    def union(value: Any) -> Problem:
        kind = type(value)
        if kind in plain or (text and kind is str and len(value) <= MAX_STRING):  # a scalar, at once
            return None
        if nodes and isinstance(value, nodes):  # the common case, without building messages
            return None
        if any(check(value) is None for check in checks):
            return None
        return "", f"{show(value)} is not {describe(hint)}"

    return union


def _string(value: Any) -> Problem:
    if not isinstance(value, str):
        return "", f"{show(value)} is not a string"
    if len(value) > MAX_STRING:
        return "", f"a string of {len(value)} characters is longer than the limit of {MAX_STRING}"
    return None


def _boolean(value: Any) -> Problem:
    return None if isinstance(value, bool) else ("", f"{show(value)} is not true or false")


def _integer(value: Any) -> Problem:
    return None if isinstance(value, int) and not isinstance(value, bool) else ("", f"{show(value)} is not an integer")


def _number(value: Any) -> Problem:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return "", f"{show(value)} is not a number"
    return None


def _null(value: Any) -> Problem:
    return None if value is None else ("", f"{show(value)} is not null")


_SIMPLE: dict[Any, Checker] = {str: _string, bool: _boolean, int: _integer, float: _number, type(None): _null}


@cache
def _field_checks(cls: type) -> tuple[tuple[str, Checker], ...]:
    return tuple((name, _checker(hint)) for name, hint in field_types(cls).items())


def check_fields(node: object) -> None:
    """Refuse a node whose fields do not hold values of their annotated types (see the module's doc)."""
    cls: type = type(node)
    for name, check in _field_checks(cls):
        problem = check(getattr(node, name))
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
            shown = str(key) if str(key).isprintable() else repr(str(key))  # an error is one line of text
            raise InvalidQuery(f"{_where(_join(path, shown))}: unknown key; {cls.__name__} has {', '.join(sorted(known))}")
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


Memo = dict[int, tuple[Any, Any]]
"""Nodes already encoded, by identity (each kept beside its JSON, so that its id is not reused meanwhile)."""


def encode(value: Any, memo: Memo | None = None) -> Any:
    """A node (or a value inside one) as JSON-ready data: nodes become objects (``kind`` first when they have
    one), tuples become lists. With ``memo``, a node met again (many findings share their rule's predicate)
    is encoded once: its JSON is shared, not copied (callers serialise it, never change it)."""
    layout = _layout(type(value))  # type: ignore[arg-type]
    if layout is not None:
        if memo is not None:
            hit = memo.get(id(value))
            if hit is not None and hit[0] is value:
                return hit[1]
        kind, names = layout
        out: dict[str, Any] = {} if kind is None else {"kind": kind}
        for name in names:
            out[name] = encode(getattr(value, name), memo)
        if memo is not None:
            memo[id(value)] = (value, out)
        return out
    if isinstance(value, (tuple, list)):
        return [encode(v, memo) for v in value]
    return value


@cache
def _layout(cls: type) -> tuple[str | None, tuple[str, ...]] | None:
    """A node class's ``kind`` and field names (None for anything that is not a node), worked out once."""
    if not is_node(cls):
        return None
    return kind_of(cls), tuple(f.name for f in dataclasses.fields(cls))
