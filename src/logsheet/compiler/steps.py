"""Derived-column steps (IR) as projections over the previous relation.

Each step yields the list of output columns as (name, expression, logical type); the compiler wraps the
previous relation in a subquery that projects exactly those, so the schema is known after every step and
later steps, filters and groups can use the new columns.
"""

from __future__ import annotations

import re
from typing import Any

from sqlglot import exp

from logsheet.compiler import textsteps
from logsheet.compiler.dialects import Dialect
from logsheet.compiler.formula import auto_timestamp, check_new_name, compile_formula
from logsheet.compiler.predicates import PredicateCompiler
from logsheet.compiler.resolve import column_named, name_taken, resolve
from logsheet.core import ir
from logsheet.core.errors import InvalidQuery
from logsheet.core.schema import ENGINE_TYPE, Column, Schema
from logsheet.core.sqlnames import cast, col, func, lit, to_text

Projection = list[tuple[str, exp.Expr, str]]

MAX_SPLIT_PARTS = 256


def identity(schema: Schema) -> Projection:
    return [(c.name, col(c.name), c.type) for c in schema]


def apply_step(step: ir.Step, schema: Schema, dialect: Dialect) -> Projection:
    handler: Any = _HANDLERS.get(type(step))
    if handler is None:
        raise InvalidQuery(f"unsupported step {getattr(step, 'kind', step)!r}")
    return handler(step, schema, dialect)


def projected_schema(projection: Projection) -> Schema:
    return Schema(Column(name, type_) for name, _, type_ in projection)


def _require(schema: Schema, name: str) -> Column:
    column = column_named(name, schema)
    if column is None:
        resolve(name, schema)  # raises the standard unknown-column message (JSON paths are not columns here)
        raise InvalidQuery(f"{name!r} is a JSON path, not a column; extract it into a column first")
    return column


def _add(schema: Schema, new: Any) -> Projection:
    names = [n for n, _, _ in new]
    for name in names:
        if not name:
            raise InvalidQuery("a new column needs a name")
        taken = name_taken(name, schema)
        if taken is not None:
            raise InvalidQuery(f"a column named {taken.name!r} already exists; choose another name")
    if len({n.casefold() for n in names}) != len(names):
        raise InvalidQuery(f"duplicate new column names: {', '.join(names)}")
    return identity(schema) + new


def _replace(schema: Schema, name: str, expression: exp.Expr, type_: str) -> Projection:
    return [(c.name, expression, type_) if c.name == name else (c.name, col(c.name), c.type) for c in schema]


def _split(step: ir.Split, schema: Schema, dialect: Dialect) -> Projection:
    source = _require(schema, step.column)
    if not step.delimiter:
        raise InvalidQuery("split needs a delimiter")
    if not 1 <= step.parts <= MAX_SPLIT_PARTS:
        raise InvalidQuery(f"split into 1 to {MAX_SPLIT_PARTS} columns, not {step.parts}")
    names = list(step.names) or [f"{source.name}_{i}" for i in range(1, step.parts + 1)]
    if len(names) != step.parts:
        raise InvalidQuery(f"split into {step.parts} columns needs {step.parts} names, got {len(names)}")
    value = col(source.name) if source.type in ("text", "json") else to_text(col(source.name))
    items = dialect.split(value, step.delimiter, step.collapse)
    delimiter = " " if step.collapse and step.delimiter.isspace() else step.delimiter
    new = []
    for i, name in enumerate(names, start=1):
        if step.keep_rest and i == step.parts:
            new.append((name, dialect.tail_join(items, i, delimiter), "text"))
        else:
            new.append((name, exp.Nullif(this=dialect.element(items, i), expression=lit("")), "text"))
    return _add(schema, new)


def _regex_extract(step: ir.RegexExtract, schema: Schema, dialect: Dialect) -> Projection:
    source = _require(schema, step.column)
    try:
        groups = re.compile(step.pattern).groupindex
    except re.error as exc:
        raise InvalidQuery(f"invalid regular expression {step.pattern!r}: {exc}") from None
    if not groups:
        raise InvalidQuery("regex extract needs named groups such as (?P<user>\\w+)")
    value = col(source.name) if source.type in ("text", "json") else to_text(col(source.name))
    pattern = lit(dialect.regex(step.pattern))
    new = [
        (name, exp.Nullif(this=exp.RegexpExtract(this=value, expression=pattern, group=lit(index)), expression=lit("")), "text")
        for name, index in sorted(groups.items(), key=lambda item: item[1])
    ]
    return _add(schema, new)


def _combine(step: ir.Combine, schema: Schema, dialect: Dialect) -> Projection:
    if len(step.columns) < 2:
        raise InvalidQuery("combine needs at least two columns")
    parts = [to_text(col(_require(schema, c).name)) for c in step.columns]
    return _add(schema, [(step.name, func("concat_ws", lit(step.separator), *parts), "text")])


def _rename(step: ir.Rename, schema: Schema, dialect: Dialect) -> Projection:
    source = _require(schema, step.column)
    if not step.name:
        raise InvalidQuery("rename needs a new name")
    taken = name_taken(step.name, schema)
    if taken is not None and taken.name != source.name:
        raise InvalidQuery(f"a column named {taken.name!r} already exists")
    return [(step.name if c.name == source.name else c.name, col(c.name), c.type) for c in schema]


_CAST_LOGICAL = {
    "text": "text",
    "integer": "integer",
    "float": "float",
    "boolean": "boolean",
    "timestamp": "timestamp",
    "date": "date",
}


def _cast(step: ir.Cast, schema: Schema, dialect: Dialect) -> Projection:
    source = _require(schema, step.column)
    if step.to not in _CAST_LOGICAL:
        raise InvalidQuery(f"cannot cast to {step.to!r}; types: {', '.join(_CAST_LOGICAL)}")
    value: exp.Expr = col(source.name)
    if step.to in ("integer", "float", "boolean", "timestamp", "date") and source.type in ("text", "json"):
        value = exp.Trim(this=value)
    expression = cast(value, ENGINE_TYPE[step.to], safe=True)
    return _replace(schema, source.name, expression, step.to)


def _case(step: ir.ChangeCase, schema: Schema, dialect: Dialect) -> Projection:
    source = _require(schema, step.column)
    if step.mode not in ("upper", "lower"):
        raise InvalidQuery(f"change case to 'upper' or 'lower', not {step.mode!r}")
    kind = exp.Upper if step.mode == "upper" else exp.Lower
    return _replace(schema, source.name, kind(this=to_text(col(source.name))), "text")


def _trim(step: ir.Trim, schema: Schema, dialect: Dialect) -> Projection:
    source = _require(schema, step.column)
    return _replace(schema, source.name, exp.Trim(this=to_text(col(source.name))), "text")


def _parse_timestamp(step: ir.ParseTimestamp, schema: Schema, dialect: Dialect) -> Projection:
    source = _require(schema, step.column)
    value = exp.Trim(this=to_text(col(source.name)))
    if step.format:
        expression = dialect.strptime(value, step.format)
    else:
        expression = auto_timestamp(value)
    if step.name and step.name != source.name:
        return _add(schema, [(step.name, expression, "timestamp")])
    return _replace(schema, source.name, expression, "timestamp")


def _extract_json(step: ir.ExtractJson, schema: Schema, dialect: Dialect) -> Projection:
    target = resolve(step.path, schema)
    if not target.json_path:
        raise InvalidQuery(f"{step.path!r} is a column, not a path inside a JSON column")
    name = step.name or step.path
    return _add(schema, [(name, target.expression, "text")])


def _formula(step: ir.Formula, schema: Schema, dialect: Dialect) -> Projection:
    check_new_name(step.name, schema)
    compiled = compile_formula(step.expression, schema, dialect)
    return _add(schema, [(step.name, compiled.sql, compiled.type)])


def _find_replace(step: ir.FindReplace, schema: Schema, dialect: Dialect) -> Projection:
    source = _require(schema, step.column)
    value = col(source.name) if source.type in ("text", "json") else to_text(col(source.name))
    expression = textsteps.find_replace(step, value, dialect)
    if step.name and step.name != source.name:
        return _add(schema, [(step.name, expression, "text")])
    return _replace(schema, source.name, expression, "text")


def _url_parts(step: ir.UrlParts, schema: Schema, dialect: Dialect) -> Projection:
    source = _require(schema, step.column)
    unknown = [p for p in step.parts if p not in ir.URL_PARTS]
    if not step.parts or unknown or len(set(step.parts)) != len(step.parts):
        problem = f"{unknown[0]!r} is not a URL part" if unknown else "name each URL part once" if step.parts else "no URL part"
        raise InvalidQuery(f"{problem}; parts: {', '.join(ir.URL_PARTS)}")
    value = col(source.name) if source.type in ("text", "json") else to_text(col(source.name))
    return _add(schema, [(f"{source.name}.{part}", textsteps.url_part(part, value), "text") for part in step.parts])


def _labels(step: ir.Labels, schema: Schema, dialect: Dialect) -> Projection:
    if not step.labels:
        raise InvalidQuery("a labels step needs at least one label")
    compiler = PredicateCompiler(schema, dialect)
    parts = [
        exp.Case(ifs=[exp.If(this=exp.Paren(this=compiler.compile(label.when)), true=lit(label.text))]) for label in step.labels
    ]
    joined = func("concat_ws", lit(", "), *parts)
    return _add(schema, [(step.name, exp.Nullif(this=joined, expression=lit("")), "text")])


def _unresolved(step: ir.MarkIoc, schema: Schema, dialect: Dialect) -> Projection:
    raise InvalidQuery("an IOC column is resolved against the workspace's IOC lists; open the view through a workspace")


_HANDLERS = {
    ir.Split: _split,
    ir.RegexExtract: _regex_extract,
    ir.Combine: _combine,
    ir.Rename: _rename,
    ir.Cast: _cast,
    ir.ChangeCase: _case,
    ir.Trim: _trim,
    ir.ParseTimestamp: _parse_timestamp,
    ir.ExtractJson: _extract_json,
    ir.Formula: _formula,
    ir.FindReplace: _find_replace,
    ir.UrlParts: _url_parts,
    ir.Labels: _labels,
    ir.MarkIoc: _unresolved,
}
