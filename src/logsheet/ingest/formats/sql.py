"""sqlglot building blocks shared by the formats that read through DuckDB's own readers."""

from __future__ import annotations

from sqlglot import exp

from logsheet.core.columns import POS, SOURCE
from logsheet.core.sqlnames import col, func, ident, lit, render
from logsheet.ingest.formats.base import SourceFile


def named(name: str, value: exp.Expr) -> exp.Expr:
    """A named table-function argument: ``name = value``."""
    return exp.EQ(this=exp.var(name), expression=value)


def struct_literal(items: dict[str, str]) -> exp.Expr:
    """A DuckDB struct literal ``{'key': 'value', ...}`` (used for ``columns=`` of the readers)."""
    return exp.Struct(expressions=[exp.PropertyEQ(this=exp.Literal.string(k), expression=lit(v)) for k, v in items.items()])


def type_text(type_: str) -> str:
    """Render an engine type through sqlglot (never by string concatenation of names)."""
    return render(exp.DataType.build(type_, dialect="duckdb"))


def struct_type(fields: dict[str, str]) -> str:
    """``STRUCT("a" VARCHAR, ...)`` built as a sqlglot DataType from field names and type texts."""
    built = exp.DataType(
        this=exp.DataType.Type.STRUCT,
        expressions=[exp.ColumnDef(this=ident(name), kind=exp.DataType.build(t, dialect="duckdb")) for name, t in fields.items()],
        nested=True,
    )
    return render(built)


def files_array(sources: list[SourceFile]) -> exp.Expr:
    return exp.Array(expressions=[lit(str(s.path)) for s in sources])


def source_ids(sources: list[SourceFile], alias: str = "src") -> exp.Expr:
    """A derived table (path, id) to join a reader's ``filename`` column to source ids."""
    rows = [exp.Tuple(expressions=[lit(str(s.path)), lit(s.id)]) for s in sources]
    return exp.Values(
        expressions=rows,
        alias=exp.TableAlias(this=ident(alias), columns=[ident("path"), ident("id")]),
    )


def with_source(select: exp.Select, sources: list[SourceFile], table: str = "x") -> exp.Select:
    """Join a reader result (a subquery ``table`` with a ``filename`` column) to source ids as ``__source``."""
    on = exp.EQ(this=exp.column("filename", table), expression=exp.column("path", "src"))
    joined = select.join(source_ids(sources), on=on)
    return joined.select(exp.alias_(exp.column("id", "src"), SOURCE, quoted=True))


# Reader columns logsheet adds; named so that no data column ("filename", "__i") can collide with them.
FILE_COL = "__logsheet_file"
ROW_COL = "__logsheet_i"


def file_column() -> exp.Expr:
    """The reader option that adds the file name column: ``filename = '__logsheet_file'``."""
    return named("filename", lit(FILE_COL))


def attach_source(numbered: exp.Select, sources: list[SourceFile]) -> exp.Select:
    """For a reader select with ``FILE_COL`` and ``ROW_COL`` (position) columns: every column of the reader,
    plus ``__source`` and ``__pos``, minus those two."""
    joined = exp.select(
        exp.alias_(exp.column("id", "src"), SOURCE, quoted=True),
        exp.alias_(exp.Column(this=ident(ROW_COL), table=ident("x")), POS, quoted=True),
        exp.Column(this=exp.Star(), table=ident("x")),
    ).from_(numbered.subquery("x"))
    on = exp.EQ(this=exp.Column(this=ident(FILE_COL), table=ident("x")), expression=exp.column("path", "src"))
    joined = joined.join(source_ids(sources), on=on)
    return exp.select(exp.Star(except_=[col(ROW_COL), col(FILE_COL)])).from_(joined.subquery("j"))


def pos_alias(expression: exp.Expr) -> exp.Expr:
    return exp.alias_(expression, POS, quoted=True)


def table_function(name: str, *args: exp.Expr) -> exp.Table:
    return exp.Table(this=func(name, *args))


__all__ = [
    "col",
    "files_array",
    "named",
    "pos_alias",
    "source_ids",
    "struct_literal",
    "struct_type",
    "table_function",
    "type_text",
    "with_source",
]
