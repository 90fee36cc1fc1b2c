"""The check every IR node runs when it is built: each field's value against its annotation, and the size limits.

A value outside its ``Literal``, of the wrong type, a list too long, a text too long or a tree too deep is an
:class:`InvalidIR` that names where it is (``Compare.op: '~' is not one of '=', '!=', ...``). Nested nodes
have checked themselves when they were built, so a node looks only at its own fields; it remembers its depth
so that its parent need not walk the tree. The JSON decoder (:mod:`logsheet.core.irjson`) gives the same
messages with JSON paths (``steps[2].kind``).
"""

from __future__ import annotations

import math

from logsheet.core.errors import InvalidQuery
from logsheet.core.irshape import Lit, Named, Node, Prim, Seq, Shape, Tagged, fields_of

#: How deeply nodes may nest (a filter of ``and``/``or``/``not``); the filter language stops at 100 levels.
MAX_DEPTH = 128
#: The most items a list may hold (``in`` values, ``and`` items, steps, columns, ...).
MAX_ITEMS = 10_000
#: The longest text a field may hold, in characters.
MAX_TEXT = 100_000
#: The most JSON values one document may hold (bounds the decoder's work whatever the nesting).
MAX_VALUES = 200_000

DEPTH = "_ir_depth"  # the attribute where a node keeps its depth (1 for a node with no nested node)


class InvalidIR(InvalidQuery):
    """A node (or its JSON) that does not match the IR: ``path`` says where, ``problem`` what is wrong."""

    def __init__(self, path: str, problem: str) -> None:
        self.path = path
        self.problem = problem
        super().__init__(f"{path}: {problem}" if path else problem)


def check_node(node: object) -> None:
    """Check a node's fields (called from its ``__post_init__``) and remember its depth."""
    cls = type(node)
    depth = 0
    for f in fields_of(cls):
        depth = max(depth, check(f.shape, getattr(node, f.name), f"{cls.__name__}.{f.name}"))
    if depth + 1 > MAX_DEPTH:
        raise InvalidIR(cls.__name__, f"nested more than {MAX_DEPTH} levels deep")
    object.__setattr__(node, DEPTH, depth + 1)


def check(shape: Shape, value: object, path: str) -> int:
    """Refuse a value that does not have the shape; the depth of the deepest node in it (0 for none)."""
    if isinstance(shape, Prim):
        check_prim(shape, value, path)
        return 0
    if isinstance(shape, Lit):
        check_lit(shape, value, path)
        return 0
    if isinstance(shape, Seq):
        if not isinstance(value, tuple):
            raise InvalidIR(path, f"expected a tuple, not {show(value)}")
        check_length(len(value), path)
        return max((check(shape.item, v, f"{path}[{i}]") for i, v in enumerate(value)), default=0)
    if isinstance(shape, (Node, Tagged)):
        classes = (shape.cls,) if isinstance(shape, Node) else shape.classes
        if not isinstance(value, classes):
            raise InvalidIR(path, f"expected {describe(shape)}, not {show(value)}")
        return int(getattr(value, DEPTH, 1))
    if isinstance(shape, Named):
        return check(shape.shape, value, path)
    option = next((o for o in shape.options if fits(o, value)), None)
    if option is None:
        raise InvalidIR(path, f"expected {describe(shape)}, not {show(value)}")
    return check(option, value, path)


def check_prim(shape: Prim, value: object, path: str) -> None:
    if not fits(shape, value):
        raise InvalidIR(path, f"expected {describe(shape)}, not {show(value)}")
    if isinstance(value, str) and len(value) > MAX_TEXT:
        raise InvalidIR(path, f"text of at most {MAX_TEXT} characters, not {len(value)}")
    if isinstance(value, float) and not math.isfinite(value):
        raise InvalidIR(path, f"expected a finite number, not {value!r}")


def check_lit(shape: Lit, value: object, path: str) -> None:
    if not fits(shape, value):
        raise InvalidIR(path, f"{show(value)} is not one of {', '.join(repr(v) for v in shape.values)}")


def check_length(length: int, path: str) -> None:
    if length > MAX_ITEMS:
        raise InvalidIR(path, f"a list of at most {MAX_ITEMS} items, not {length}")


def fits(shape: Shape, value: object) -> bool:
    """Whether a value is of the shape's type at its top (a list for a list, a node for a node); no deeper."""
    if isinstance(shape, Prim):
        if shape.kind == "null":
            return value is None
        if shape.kind == "bool":
            return isinstance(value, bool)
        if shape.kind == "int":
            return isinstance(value, int) and not isinstance(value, bool)
        return isinstance(value, {"str": str, "float": float}[shape.kind])
    if isinstance(shape, Lit):
        return any(type(value) is type(v) and value == v for v in shape.values)
    if isinstance(shape, Seq):
        return isinstance(value, tuple)
    if isinstance(shape, Node):
        return isinstance(value, shape.cls)
    if isinstance(shape, Tagged):
        return isinstance(value, shape.classes)
    if isinstance(shape, Named):
        return fits(shape.shape, value)
    return any(fits(o, value) for o in shape.options)


def describe(shape: Shape) -> str:
    """What a shape is, for a message: ``text``, ``an integer``, ``a filter``, ``a GroupBy or null``."""
    if isinstance(shape, Prim):
        return {"str": "text", "int": "an integer", "float": "a number", "bool": "true or false", "null": "null"}[shape.kind]
    if isinstance(shape, Lit):
        return "one of " + ", ".join(repr(v) for v in shape.values)
    if isinstance(shape, Seq):
        return "a list"
    if isinstance(shape, Node):
        return f"a {shape.cls.__name__}"
    if isinstance(shape, Tagged):
        return f"a {shape.family}"
    if isinstance(shape, Named):
        return describe(shape.shape)
    return " or ".join(describe(o) for o in shape.options)


def show(value: object) -> str:
    """A value in a message, clipped (a hostile body may hold megabytes)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, (list, tuple)):
        return "a list"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
