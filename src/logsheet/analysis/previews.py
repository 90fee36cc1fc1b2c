"""The preview of one more step on a view (see :mod:`logsheet.analysis`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from logsheet.core import ir
from logsheet.core.schema import Schema

if TYPE_CHECKING:
    from logsheet.export.page import Page


@dataclass
class Preview:
    page: Page
    new_columns: list[str]

    def to_json(self) -> dict[str, Any]:
        out = self.page.to_json()
        out["new_columns"] = self.new_columns
        return out


def preview_query(query: ir.Query, step: ir.Step) -> ir.Query:
    """The view with ``step`` added, as rows (no group-by, every column, storage order: fast to show)."""
    return query.with_(steps=(*query.steps, step), group=None, columns=(), sort=())


def changed_columns(before: Schema, after: Schema, step: ir.Step) -> list[str]:
    """The columns a step adds (split, extract, combine, rename) or rewrites in place (cast, case, trim)."""
    added = [c.name for c in after if c.name not in before]
    if added:
        return added
    source = getattr(step, "column", None)
    return [source] if isinstance(source, str) and source in after else []
