"""The hidden columns every sheet carries, defined once.

Each row of a sheet's Parquet parts has a stable row id and the id of the source file it came from; while a
file is being read, each record also carries its position in that file, from which the row id is made. The
grid, the exports, the compiler and every import format name these columns only through this module.
"""

from __future__ import annotations

from sqlglot import exp

from logsheet.core.sqlnames import cast, col, lit

ROWID = "__rowid"  # stable row id: source id × 2^40 + position in the source (see row_id)
SOURCE = "__source"  # the id of the source file the row came from (the catalog's sources)
POS = "__pos"  # while importing: the record's position (line or record number) in its source file
SYSTEM_COLUMNS = (ROWID, SOURCE)  # what every sheet stores beside its own columns
POSITION_BITS = 40  # a source may hold up to 2^40 records


def row_id(source: exp.Expr | None = None, position: exp.Expr | None = None) -> exp.Expr:
    """The SQL of the row id the import writes: ``source × 2^40 + position`` as a BIGINT."""
    source = col(SOURCE) if source is None else source
    position = col(POS) if position is None else position
    return cast(exp.Add(this=exp.Mul(this=source, expression=lit(1 << POSITION_BITS)), expression=position), "BIGINT")


# The annotations of a sheet's rows (stars, tags, comments: logsheet.workspace.annotations), kept by the workspace
# beside the sheet, never in its Parquet parts. The engines read them as one relation of one row per annotated
# row id; a view that uses them joins it on ROWID (logsheet.compiler.annotation).
STARRED = "__starred"  # boolean: the row is starred
TAGSET = "__tagset"  # the row's tags as ",a,b," (sorted; a tag holds no comma): what `tag = 'a'` tests
TAGS = "__tags"  # the row's tags for reading: "a, b"
COMMENTS = "__comment"  # the row's comments, oldest first, joined by COMMENT_SEPARATOR
ANNOTATION_COLUMNS = (ROWID, STARRED, TAGSET, TAGS, COMMENTS)  # the annotation relation's columns
COMMENT_SEPARATOR = " | "
#: The read-only columns a view shows for the annotations (hidden column, shown name, type), when the sheet has
#: annotations and no column of its own goes by that name.
ANNOTATION_DISPLAY = ((STARRED, "starred", "boolean"), (TAGS, "tags", "text"), (COMMENTS, "comment", "text"))
