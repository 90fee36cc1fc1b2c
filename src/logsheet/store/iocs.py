"""The workspace's IOC lists, in the catalog: a list (its name, where it came from, what was set aside) and
its indicators (kind, normalised value, and the value as written, its note and line, as JSON)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from logsheet.core.errors import Conflict, NotFound
from logsheet.detect.iocs import Indicator
from logsheet.store.catalog import Catalog, now


@dataclass(frozen=True)
class IocList:
    name: str
    imported_at: str
    info: dict[str, Any]  # source, sha256, size, format, level, by_kind, rejected, duplicates, notes

    @property
    def level(self) -> str:
        return str(self.info.get("level") or "high")

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "imported_at": self.imported_at, **self.info}


def save(catalog: Catalog, name: str, info: dict[str, Any], indicators: list[Indicator], replace: bool) -> IocList:
    """Store a list (replacing one of that name when ``replace``, else refusing to)."""
    at = now()
    with catalog.transaction() as db:
        row = db.execute("SELECT id FROM ioc_lists WHERE name = ?", (name,)).fetchone()
        if row is not None:
            if not replace:
                raise Conflict(f"an IOC list named {name!r} exists; --replace to replace it, or --name another")
            db.execute("DELETE FROM ioc_lists WHERE id = ?", (row[0],))
        list_id = db.execute(
            "INSERT INTO ioc_lists (name, body, imported_at) VALUES (?, ?, ?)", (name, json.dumps(info), at)
        ).lastrowid
        db.executemany(
            "INSERT INTO iocs (list_id, kind, value, body) VALUES (?, ?, ?, ?)",
            [(list_id, i.kind, i.value, json.dumps(i.to_json())) for i in indicators],
        )
    return IocList(name, at, info)


def lists(catalog: Catalog) -> list[IocList]:
    with catalog.transaction() as db:
        rows = db.execute("SELECT name, imported_at, body FROM ioc_lists ORDER BY name").fetchall()
    return [IocList(r[0], r[1], json.loads(r[2])) for r in rows]


def get(catalog: Catalog, name: str) -> IocList:
    for found in lists(catalog):
        if found.name == name:
            return found
    known = ", ".join(repr(x.name) for x in lists(catalog)) or "none; logsheet ioc import FILE"
    raise NotFound(f"no IOC list named {name!r} (lists: {known})")


def indicators(catalog: Catalog, name: str) -> list[Indicator]:
    """A list's indicators in the order they were read."""
    with catalog.transaction() as db:
        rows = db.execute(
            "SELECT i.body FROM iocs i JOIN ioc_lists l ON l.id = i.list_id WHERE l.name = ? ORDER BY i.rowid", (name,)
        ).fetchall()
    out = []
    for (body,) in rows:
        data = json.loads(body)
        out.append(Indicator(data["kind"], data["value"], data.get("original", ""), data.get("note", ""), data.get("line", 0)))
    return out


def delete(catalog: Catalog, name: str) -> bool:
    with catalog.transaction() as db:
        return db.execute("DELETE FROM ioc_lists WHERE name = ?", (name,)).rowcount > 0


def version(catalog: Catalog) -> str:
    """Changes whenever a list is imported, replaced or deleted (what views matching lists are cached by)."""
    with catalog.transaction() as db:
        rows = db.execute("SELECT id, name, imported_at, body FROM ioc_lists ORDER BY id").fetchall()
    return json.dumps(rows)
