"""Annotations: stars, tags and comments on the rows of a sheet, kept by the workspace with their author and time.

The catalog (SQLite) holds them as rows (sheet, ``__rowid``, kind, value, author, time): the source of truth.
After every change the sheet's annotations are also written, in the same catalog transaction, as one Parquet
file of one row per annotated row id (:data:`logsheet.core.columns.ANNOTATION_COLUMNS`), under a new name
each time: the engines read it like the sheet's parts, and a view joins it only when it uses the annotations
(:mod:`logsheet.compiler.annotation`). The sheet's own parts are never touched.

Rows are chosen by a view (everything a filter or a search holds) and/or by row ids. The author is a
parameter (the OS user's name by default: the server will give its user's).
"""

from __future__ import annotations

import getpass
import os
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import pyarrow as pa
import pyarrow.parquet as pq

from logsheet.compiler import annotation as compiled
from logsheet.core import ir
from logsheet.core.columns import COMMENTS, ROWID, STARRED, TAGS, TAGSET
from logsheet.core.errors import LogsheetError, NotFound
from logsheet.engines.base import DEFAULT_TIMEOUT
from logsheet.store.catalog import AnnotatedRow, AnnotationRecord, Publish

if TYPE_CHECKING:
    from logsheet.workspace.facade import Workspace

Kind = Literal["star", "tag", "comment"]
KINDS: tuple[str, ...] = ("star", "tag", "comment")
MAX_TAG = 64  # characters in a tag
MAX_COMMENT = 4000  # characters in a comment
MAX_AUTHOR = 200
_MAX_ID = 2**63 - 1  # ids are 64-bit integers (SQLite's, DuckDB's BIGINT)
MAX_ROWIDS = 10_000  # row ids named one by one in one call (a whole view is chosen by its filter instead)


@dataclass(frozen=True)
class Annotation:
    """One annotation: ``kind`` star (value empty), tag (the tag) or comment (its text)."""

    id: int
    sheet: str
    rowid: int
    kind: str
    value: str
    author: str
    created_at: str

    @classmethod
    def of(cls, record: AnnotationRecord) -> Annotation:
        return cls(record.id, record.sheet, record.rowid, record.kind, record.value, record.author, record.created_at)

    def to_json(self) -> dict[str, object]:
        return dict(self.__dict__)


def default_author() -> str:
    """The OS user's name (what the CLI records); ``unknown`` when the system has none."""
    try:
        return getpass.getuser() or "unknown"
    except (KeyError, OSError):
        return "unknown"


def check_tag(tag: str) -> str:
    """A tag as stored: trimmed; refused when empty, longer than MAX_TAG, or holding a comma or a control character."""
    text = tag.strip()
    if not text:
        raise LogsheetError("a tag cannot be empty")
    if len(text) > MAX_TAG:
        raise LogsheetError(f"a tag holds at most {MAX_TAG} characters, not {len(text)}")
    if "," in text or any(ord(c) < 32 or ord(c) == 127 for c in text):
        raise LogsheetError(f"a tag cannot hold a comma or a control character: {text!r}")
    return text


def check_comment(comment: str) -> str:
    text = comment.strip()
    if not text:
        raise LogsheetError("a comment cannot be empty")
    if len(text) > MAX_COMMENT:
        raise LogsheetError(f"a comment holds at most {MAX_COMMENT} characters, not {len(text)}")
    if any((ord(c) < 32 and c not in "\n\t") or ord(c) == 127 for c in text):
        raise LogsheetError("a comment cannot hold control characters (other than new lines and tabs)")
    return text


def _author(author: str | None) -> str:
    name = (default_author() if author is None else author).strip()
    if not name or len(name) > MAX_AUTHOR or any(ord(c) < 32 for c in name):
        raise LogsheetError(f"an author is 1 to {MAX_AUTHOR} printable characters")
    return name


def _action(star: bool, tag: str | None, comment: str | None) -> tuple[Kind, str]:
    chosen = [kind for kind, given in (("star", star), ("tag", tag is not None), ("comment", comment is not None)) if given]
    if len(chosen) != 1:
        raise LogsheetError("choose one annotation: a star, a tag or a comment")
    if star:
        return "star", ""
    if tag is not None:
        return "tag", check_tag(tag)
    assert comment is not None
    return "comment", check_comment(comment)


# ------------------------------------------------------------------------------------------------ the rows
def chosen_rows(
    ws: Workspace, sheet: str, query: ir.Query | None, rowids: Sequence[int] | None, timeout: float | None = DEFAULT_TIMEOUT
) -> list[int]:
    """The row ids of the rows of ``query``'s view (the whole sheet when None), only among ``rowids`` when
    given; row ids the sheet does not hold are refused (NotFound)."""
    if query is None and rowids is None:
        raise LogsheetError("choose the rows: a view (a filter or a search) or row ids")
    if rowids is not None and len(rowids) > MAX_ROWIDS:
        raise LogsheetError(f"at most {MAX_ROWIDS:,} row ids at once; choose more rows by a filter")
    if rowids is not None and any(not 0 <= int(r) <= _MAX_ID for r in rowids):
        raise LogsheetError("a row id is a 64-bit integer, 0 or more")
    base = query or ir.Query()
    if base.group is not None:
        raise LogsheetError("annotations are on rows: choose a view without a group-by")
    plan, runner = ws.view(sheet, base.with_(columns=(), sort=()))
    wanted = None if rowids is None else sorted({int(r) for r in rowids})
    table = runner.arrow(compiled.rowids_sql(plan.filtered, wanted), timeout)
    found: list[int] = table.column(0).to_pylist()
    if wanted is not None and query is None and len(found) != len(wanted):
        missing = sorted(set(wanted) - set(found))
        raise NotFound(f"sheet {sheet!r} has no row with id {', '.join(str(m) for m in missing[:5])}")
    return found


# ------------------------------------------------------------------------------------------------ changes
def annotate_rows(
    ws: Workspace,
    sheet: str,
    query: ir.Query | None = None,
    rowids: Sequence[int] | None = None,
    *,
    star: bool = False,
    tag: str | None = None,
    comment: str | None = None,
    author: str | None = None,
) -> int:
    """Star, tag or comment the rows chosen (:func:`chosen_rows`); how many rows gained the annotation (a row
    already starred, or already carrying the tag, is not counted again)."""
    kind, value = _action(star, tag, comment)
    who = _author(author)
    record = ws.sheet(sheet)
    rows = chosen_rows(ws, sheet, query, rowids)
    return ws.catalog.add_annotations(record.id, rows, kind, value, who, _publisher(ws, record.directory))


def remove_annotations(
    ws: Workspace,
    sheet: str,
    query: ir.Query | None = None,
    rowids: Sequence[int] | None = None,
    *,
    star: bool = False,
    tag: str | None = None,
    comments: bool = False,
) -> int:
    """Unstar, untag (``tag``) or remove every comment (``comments``) of the rows chosen; how many rows lost it
    (for comments: how many comments went)."""
    kind, value = _action(star, tag, "-" if comments else None)
    record = ws.sheet(sheet)
    rows = chosen_rows(ws, sheet, query, rowids)
    publish = _publisher(ws, record.directory)
    return ws.catalog.remove_annotations(record.id, rows, kind, None if kind == "comment" else value, publish)


def change_known_rows(
    ws: Workspace,
    sheet: str,
    rowids: Sequence[int],
    *,
    star: bool = False,
    tag: str | None = None,
    comment: str | None = None,
    author: str | None = None,
    remove: bool = False,
) -> int:
    """Annotate (or, with ``remove``, take the star or the tag off) rows already read from the sheet (a
    timeline's rows mapped back to theirs, :mod:`logsheet.workspace.timeline_annotations`): no view is run again
    and their number is not limited. How many rows gained (or lost) it."""
    kind, value = _action(star, tag, comment)
    record = ws.sheet(sheet)
    publish = _publisher(ws, record.directory)
    if remove:
        return ws.catalog.remove_annotations(record.id, rowids, kind, None if kind == "comment" else value, publish)
    return ws.catalog.add_annotations(record.id, rowids, kind, value, _author(author), publish)


def delete_annotation(ws: Workspace, annotation_id: int) -> Annotation:
    """Remove one annotation by its id (a comment, say); NotFound when there is none."""
    found = ws.catalog.annotation(annotation_id) if 0 < annotation_id <= _MAX_ID else None
    removed = None
    if found is not None:
        removed = ws.catalog.delete_annotation(annotation_id, _publisher(ws, ws.sheet(found.sheet).directory))
    if removed is None:
        raise NotFound(f"no annotation with id {annotation_id}")
    return Annotation.of(removed)


def list_annotations(
    ws: Workspace,
    sheet: str | None = None,
    sheets: Sequence[str] | None = None,
    limit: int | None = None,
    offset: int = 0,
    newest_first: bool = False,
) -> list[Annotation]:
    """The annotations of one sheet, of ``sheets`` (a case's), or of every sheet, oldest first (or newest first)."""
    names = [sheet] if sheet is not None else (list(sheets) if sheets is not None else None)
    ids = None if names is None else [ws.sheet(n).id for n in names]
    return [Annotation.of(r) for r in ws.catalog.annotations(ids, limit, offset, newest_first)]


# ------------------------------------------------------------------------------------------------ the file
_ROW = pa.struct(
    [(ROWID, pa.int64()), (STARRED, pa.int8()), (TAGSET, pa.string()), (TAGS, pa.string()), (COMMENTS, pa.string())]
)  # an AnnotatedRow (logsheet.store.catalog), the file's columns (ANNOTATION_COLUMNS) with starred as 0/1


def _publisher(ws: Workspace, directory: str) -> Publish:
    def publish(rows: list[AnnotatedRow]) -> str:
        return write_file(ws.root, directory, rows)

    return publish


def write_file(root: os.PathLike[str] | str, directory: str, rows: list[AnnotatedRow]) -> str:
    """Write a sheet's annotated rows as a new Parquet file in its folder (a temporary name, then renamed);
    returns its path relative to the workspace. Earlier files are left to the sweep (a running view may read one)."""
    relative = f"{directory}/annotations-{uuid.uuid4().hex}.parquet"
    target = os.path.join(root, relative)
    read = pa.Table.from_struct_array(pa.array(rows, type=_ROW))  # in C++: 1M rows in a tenth of a second
    table = read.set_column(1, STARRED, read.column(STARRED).cast(pa.bool_()))
    partial = target + ".partial"
    pq.write_table(table, partial)
    os.replace(partial, target)
    return relative
