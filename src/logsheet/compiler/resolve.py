"""Resolving names against a schema, and coercing literals to a column's type.

A name is a column when the schema has it exactly (``userIdentity.arn`` is a real column of a CloudTrail
sheet). Otherwise it may be a JSON path: the longest dotted prefix that is a ``json`` column, followed by
keys and array indexes (``requestParameters.instancesSet.items[0].imageId``, or ``resources.0.ARN``).

Column names are matched exactly first; only when that finds nothing are they matched ignoring case
(``eventname`` finds ``eventName``), the whole name and a JSON path's column alike (keys inside the JSON
stay exact: they are data). When two columns differ only by case, a name that is neither of them exactly
is refused with both names.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlglot import exp

from logsheet.core.errors import InvalidQuery
from logsheet.core.schema import Column, Schema
from logsheet.core.sqlnames import cast, col, lit

_SEGMENT = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


@dataclass(frozen=True)
class Resolved:
    expression: exp.Expr
    type: str  # logical type of the expression
    json_path: bool = False


#: Finds the column a name means (``json_only``: only a ``json`` column), or None.
Lookup = Callable[[str, Schema, bool], Column | None]


def resolve(name: str, schema: Schema) -> Resolved:
    found = _resolve(name, schema, _exact) or _resolve(name, schema, _caseless)
    if found is None:
        raise InvalidQuery(unknown_column_message(name, schema))
    return found


def column_named(name: str, schema: Schema) -> Column | None:
    """The column ``name`` means: the one spelt exactly so, else the one equal to it ignoring case (an error
    when several are)."""
    return _exact(name, schema, False) or _caseless(name, schema, False)


def name_taken(name: str, schema: Schema) -> Column | None:
    """A column a new column called ``name`` would clash with: the same name ignoring case (DuckDB and Spark
    do not tell such names apart)."""
    key = name.casefold()
    return next((c for c in schema if c.name.casefold() == key), None)


def _resolve(name: str, schema: Schema, lookup: Lookup) -> Resolved | None:
    column = lookup(name, schema, False)
    if column is not None:
        return Resolved(col(column.name), column.type)
    parts = name.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        base, indexes = _strip_indexes(".".join(parts[:cut]))
        column = lookup(base, schema, True)
        if column is not None:
            path = _json_path(indexes + _path_segments(".".join(parts[cut:])))
            return Resolved(exp.JSONExtractScalar(this=col(column.name), expression=path), "text", json_path=True)
    base, indexes = _strip_indexes(name)
    column = lookup(base, schema, True) if indexes else None
    if column is not None:
        return Resolved(exp.JSONExtractScalar(this=col(column.name), expression=_json_path(indexes)), "text", True)
    return None


def _exact(name: str, schema: Schema, json_only: bool) -> Column | None:
    column = schema.get(name)
    return column if column is not None and (column.type == "json" or not json_only) else None


def _caseless(name: str, schema: Schema, json_only: bool) -> Column | None:
    """The one column equal to ``name`` ignoring case; a clear error when there are several."""
    key = name.casefold()
    matches = [c for c in schema if c.name.casefold() == key and (c.type == "json" or not json_only)]
    if len(matches) > 1:
        names = ", ".join(repr(c.name) for c in matches[:-1]) + f" and {matches[-1].name!r}"
        raise InvalidQuery(
            f"column {name!r} is ambiguous: columns {names} differ only by case; write the name exactly as one of them"
        )
    return matches[0] if matches else None


def unknown_column_message(name: str, schema: Schema) -> str:
    close = difflib.get_close_matches(name, schema.names(), n=3, cutoff=0.6)
    hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
    return f"unknown column {name!r}{hint}"


def _strip_indexes(name: str) -> tuple[str, list[str | int]]:
    """``resources[0]`` -> ("resources", [0])."""
    match = re.fullmatch(r"(.*?)((?:\[\d+\])+)", name)
    if not match:
        return name, []
    return match.group(1), [int(i) for i in re.findall(r"\[(\d+)\]", match.group(2))]


def _path_segments(path: str) -> list[str | int]:
    segments: list[str | int] = []
    for key, index in _SEGMENT.findall(path):
        if index:
            segments.append(int(index))
        elif key.isdigit():
            segments.append(int(key))
        else:
            segments.append(key)
    if not segments:
        raise InvalidQuery(f"empty JSON path {path!r}")
    return segments


def _json_path(segments: list[str | int]) -> exp.JSONPath:
    parts: list[exp.Expr] = [exp.JSONPathRoot()]
    for s in segments:
        parts.append(exp.JSONPathSubscript(this=s) if isinstance(s, int) else exp.JSONPathKey(this=s))
    return exp.JSONPath(expressions=parts)


# ------------------------------------------------------------------------------------------------ literals
def coerce(value: object, type_: str, column: str) -> exp.Expr:
    """A literal of the column's type, or a clear error when the value cannot be one."""
    if value is None:
        return exp.Null()
    if type_ in ("text", "json"):
        if isinstance(value, bool):
            return lit("true" if value else "false")
        return lit(value if isinstance(value, str) else _number_text(value))
    if type_ == "integer":
        number = _number(value, column)
        return lit(int(number) if float(number).is_integer() else number)
    if type_ == "float":
        return lit(float(_number(value, column)))
    if type_ == "boolean":
        return lit(_boolean(value, column))
    if type_ == "timestamp":
        return cast(lit(parse_timestamp(value, column).isoformat(sep=" ")), "TIMESTAMPTZ")
    if type_ == "date":
        return cast(lit(_date(value, column).isoformat()), "DATE")
    raise InvalidQuery(f"column {column!r} has an unknown type {type_!r}")


def parse_timestamp(value: object, column: str = "") -> datetime:
    """ISO 8601 text (``Z`` or an offset; no offset means UTC) or epoch seconds, as an aware UTC datetime."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return datetime.fromtimestamp(value, tz=UTC)
    if isinstance(value, str):
        text = value.strip().replace("Z", "+00:00").replace("z", "+00:00")
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            pass
        else:
            if parsed.tzinfo is None:
                parsed = parsed.replace(tzinfo=UTC)
            return parsed.astimezone(UTC)
    where = f" for column {column!r}" if column else ""
    raise InvalidQuery(f"{value!r} is not a timestamp{where}; use ISO 8601 such as '2022-03-22T15:48:02Z'")


def _date(value: object, column: str) -> date:
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip()[:10])
        except ValueError:
            pass
    raise InvalidQuery(f"{value!r} is not a date for column {column!r}; use YYYY-MM-DD")


def _number(value: object, column: str) -> int | float:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            try:
                return float(value.strip())
            except ValueError:
                pass
    raise InvalidQuery(f"{value!r} is not a number, and column {column!r} holds numbers")


def _boolean(value: object, column: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    raise InvalidQuery(f"{value!r} is not true or false, and column {column!r} is a boolean")


def _number_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
