"""The workspace's IOC lists, kept in the catalog (:meth:`Catalog.save_ioc_list` and friends): a list (its name,
where it came from, what was set aside) and its indicators (kind, normalised value, and the value as written,
its note and line, as JSON)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from logsheet.core.errors import NotFound
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
    """Store a list (replacing one of that name when ``replace``, else refusing to: Conflict)."""
    at = now()
    items = [(i.kind, i.value, json.dumps(i.to_json())) for i in indicators]
    catalog.save_ioc_list(name, json.dumps(info), items, at, replace)
    return IocList(name, at, info)


def lists(catalog: Catalog) -> list[IocList]:
    return [IocList(name, at, json.loads(body)) for name, at, body in catalog.ioc_lists()]


def get(catalog: Catalog, name: str) -> IocList:
    found = lists(catalog)
    for listed in found:
        if listed.name == name:
            return listed
    known = ", ".join(repr(x.name) for x in found) or "none; logsheet ioc import FILE"
    raise NotFound(f"no IOC list named {name!r} (lists: {known})")


def indicators(catalog: Catalog, name: str) -> list[Indicator]:
    """A list's indicators in the order they were read."""
    out = []
    for body in catalog.ioc_items(name):
        data = json.loads(body)
        out.append(Indicator(data["kind"], data["value"], data.get("original", ""), data.get("note", ""), data.get("line", 0)))
    return out


def delete(catalog: Catalog, name: str) -> bool:
    return catalog.delete_ioc_list(name)


def version(catalog: Catalog) -> str:
    """Changes whenever a list is imported, replaced or deleted (what views matching lists are cached by)."""
    return catalog.ioc_lists_version()
