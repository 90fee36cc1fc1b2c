"""Cases: named sets of sheets (the workspace's side of ``logsheet case`` and ``/api/cases``).

A workspace holds several cases and a sheet may belong to more than one. Every workspace has the default case
(``default``), which cannot be deleted or renamed; a new sheet joins it when it is imported (in the catalog's
import transaction), and ``import_paths(..., case=NAME)`` also adds it to that case, made if missing. The
catalog keeps the membership by ids: renaming a sheet or a case keeps it, deleting a sheet takes it out of its
cases, deleting a case leaves its sheets alone.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from logsheet.core.errors import Conflict, LogsheetError, NotFound
from logsheet.core.sheetnames import validate_case_name
from logsheet.detect.findings import Finding
from logsheet.store.catalog import DEFAULT_CASE
from logsheet.workspace.annotations import Annotation, list_annotations

if TYPE_CHECKING:
    from logsheet.workspace.facade import Workspace


@dataclass(frozen=True)
class Case:
    """A case: its name, its sheets (by name) and when it was made."""

    name: str
    sheets: tuple[str, ...]
    created_at: str

    @property
    def default(self) -> bool:
        return self.name == DEFAULT_CASE

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "sheets": list(self.sheets), "created_at": self.created_at, "default": self.default}


def list_cases(ws: Workspace) -> list[Case]:
    """Every case, by name."""
    return [Case(name, tuple(sheets), created) for name, created, sheets in ws.catalog.cases()]


def get_case(ws: Workspace, name: str | None = None) -> Case:
    """The case of that name; without one, the default case (what a command without --case works on)."""
    name = DEFAULT_CASE if name is None else name
    for case in list_cases(ws):
        if case.name == name:
            return case
    known = ", ".join(c.name for c in list_cases(ws))
    raise NotFound(f"no case named {name!r}; cases: {known}")


def create_case(ws: Workspace, name: str, sheets: Sequence[str] = ()) -> Case:
    """A new case holding ``sheets`` (each must exist); Conflict when the name is taken."""
    validate_case_name(name)
    ws.catalog.create_case(name, _sheet_ids(ws, sheets))
    return get_case(ws, name)


def rename_case(ws: Workspace, old: str, new: str) -> Case:
    validate_case_name(new)
    get_case(ws, old)
    if old == DEFAULT_CASE and new != old:
        raise LogsheetError(f"the default case keeps its name {DEFAULT_CASE!r}")
    ws.catalog.rename_case(old, new)
    return get_case(ws, new)


def delete_case(ws: Workspace, name: str) -> None:
    """Forget a case; its sheets stay in the workspace (and in their other cases)."""
    get_case(ws, name)
    if name == DEFAULT_CASE:
        raise LogsheetError(f"the default case {DEFAULT_CASE!r} cannot be deleted")
    ws.catalog.delete_case(name)


def add_to_case(ws: Workspace, name: str, sheets: Sequence[str]) -> Case:
    """Add sheets to a case (a sheet already in it stays once)."""
    case_id = _case_id(ws, name)
    ws.catalog.add_to_case(case_id, _sheet_ids(ws, _some(sheets, "add")))
    return get_case(ws, name)


def remove_from_case(ws: Workspace, name: str, sheets: Sequence[str]) -> Case:
    """Take sheets out of a case (the sheets themselves stay); NotFound for a sheet the case does not hold."""
    case = get_case(ws, name)
    for sheet in _some(sheets, "remove"):
        if sheet not in case.sheets:
            raise NotFound(f"case {name!r} does not hold a sheet named {sheet!r}")
    ws.catalog.remove_from_case(_case_id(ws, name), _sheet_ids(ws, sheets))
    return get_case(ws, name)


def join_case(ws: Workspace, name: str, sheet: str) -> None:
    """Put an imported sheet in case ``name``, making the case when there is none of that name."""
    if ws.catalog.case_id(name) is None:
        with contextlib.suppress(Conflict):  # another import made it meanwhile
            ws.catalog.create_case(name)
    add_to_case(ws, name, [sheet])


def case_findings(ws: Workspace, name: str) -> list[Finding]:
    """The stored findings of the case's sheets, the most severe first."""
    sheets = set(get_case(ws, name).sheets)
    return [f for f in ws.findings() if f.sheet in sheets]


def case_annotations(
    ws: Workspace, name: str, limit: int | None = None, offset: int = 0, newest_first: bool = False
) -> list[Annotation]:
    """The annotations (stars, tags, comments) of every sheet of the case, oldest first (or newest first);
    NotFound for an unknown case."""
    return list_annotations(ws, sheets=get_case(ws, name).sheets, limit=limit, offset=offset, newest_first=newest_first)


def _case_id(ws: Workspace, name: str) -> int:
    case_id = ws.catalog.case_id(name)
    if case_id is None:
        get_case(ws, name)  # raises NotFound with the cases listed
        raise NotFound(f"no case named {name!r}")
    return case_id


def _sheet_ids(ws: Workspace, sheets: Sequence[str]) -> list[int]:
    return [ws.sheet(s).id for s in dict.fromkeys(sheets)]


def _some(sheets: Sequence[str], verb: str) -> Sequence[str]:
    if not sheets:
        raise LogsheetError(f"name one or more sheets to {verb}")
    return sheets
