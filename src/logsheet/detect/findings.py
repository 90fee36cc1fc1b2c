"""Findings: what a rule flagged on a sheet, kept so that a responder can come back to it.

A :class:`Finding` is one detection rule's rows on one sheet, or one flagged window of a correlation rule
(its group key and its first and last event). Either way its rows are a filter (:attr:`Finding.where`), so
that opening a finding is opening a view: the rule's predicate, or, for a correlation window, its member
rules' predicates within the group and the window's time span (:func:`window_predicate`), which holds
exactly the events the window counted.

A finding's id is derived from the sheet, the rule and (for a window) the group key and the window's start,
so a run of the same rules on the same rows gives the same ids, and a view saved on a finding still means
the same rows after the rules run again.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from logsheet.core import ir
from logsheet.detect.sigma.correlation import CompiledCorrelation, Window

FindingKind = Literal["rule", "correlation"]
LEVELS: tuple[str, ...] = ("critical", "high", "medium", "low", "informational", "")
ENTITY_TOP = 20  # the most frequent values kept per entity kind
FIELDS: tuple[str, ...] = ("id", "rule", "title", "level", "tags", "attack", "kind", "sheet", "rows", "first_seen")
FIELDS += ("last_seen", "entities", "group", "description", "origin", "run_at")  # a finding's JSON, in order, then "where"


@dataclass(frozen=True)
class Finding:
    id: str
    rule: str  # the Sigma rule's id
    title: str
    level: str
    tags: tuple[str, ...]
    kind: FindingKind
    sheet: str
    rows: int
    first_seen: datetime | None
    last_seen: datetime | None
    where: ir.Predicate  # the finding's rows, as a filter on its sheet
    entities: dict[str, list[str]] = field(default_factory=dict)  # kind -> values, most frequent first
    group: dict[str, Any] = field(default_factory=dict)  # a correlation window's group-by field -> value
    description: str = ""
    origin: str = ""  # the rule's file (or "builtin:<path>" for the built-in pack)
    run_at: str = ""

    def to_json(self, memo: ir.Memo | None = None) -> dict[str, Any]:
        """``memo``: shared by the findings of one run, so that their rule's predicate is encoded once."""
        both = {**self._own(), **_rule_part(self)}
        return {**{k: both[k] for k in FIELDS}, "where": ir.node_to_json(self.where, memo)}

    def stored(self, memo: ir.Memo | None = None) -> dict[str, Any]:
        """What the catalog keeps of the finding: for a correlation's window whose group key is plain JSON
        values, only what is its own (the rule's title, description, members' predicates ... are kept once
        per rule and sheet, :func:`rule_record`, and its ``where`` is built again from them); else
        :meth:`to_json`."""
        if self.kind == "correlation" and all(v is None or isinstance(v, (str, int, float, bool)) for v in self.group.values()):
            return self._own()
        return self.to_json(memo)

    def _own(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "rule": self.rule,
            "kind": self.kind,
            "sheet": self.sheet,
            "rows": self.rows,
            "first_seen": iso(self.first_seen),
            "last_seen": iso(self.last_seen),
            "entities": self.entities,
            "group": {k: _json_value(v) for k, v in self.group.items()},
            "run_at": self.run_at,
        }


def _rule_part(finding: Finding) -> dict[str, Any]:
    return {
        "title": finding.title,
        "level": finding.level,
        "tags": list(finding.tags),
        "attack": attack_ids(finding.tags),
        "description": finding.description,
        "origin": finding.origin,
    }


def rule_record(correlation: CompiledCorrelation, time_column: str, memo: ir.Memo | None = None) -> dict[str, Any]:
    """What a correlation's findings on a sheet share, kept once (:meth:`Finding.stored`): the rule's title,
    level, tags, description and file, and how a window's rows are found (each member's predicate and
    group-by columns, the time column)."""
    return {
        "title": correlation.title,
        "level": correlation.level,
        "tags": list(correlation.tags),
        "attack": attack_ids(correlation.tags),
        "description": correlation.description,
        "origin": correlation.origin,
        "members": [{"where": ir.node_to_json(m.predicate, memo), "group_by": list(m.group_by)} for m in correlation.members],
        "time_column": time_column,
    }


def iso(moment: datetime | None) -> str | None:
    """ISO 8601 in UTC with a ``Z`` (microseconds only when there are some)."""
    if moment is None:
        return None
    text = moment.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def attack_ids(tags: tuple[str, ...]) -> list[str]:
    """ATT&CK technique ids from Sigma tags: ``attack.t1078.004`` → ``T1078.004``."""
    out = []
    for tag in tags:
        name = tag.lower().removeprefix("attack.")
        if tag.lower().startswith("attack.") and name[:1] == "t" and name[1:2].isdigit():
            out.append(name.upper())
    return out


def finding_id(sheet_id: int, rule_id: str, group: tuple[Any, ...] = (), start: datetime | None = None) -> str:
    key = json.dumps([sheet_id, rule_id, [_json_value(v) for v in group], iso(start)], sort_keys=True)
    return "F" + hashlib.sha256(key.encode()).hexdigest()[:12]


def window_predicate(correlation: CompiledCorrelation, window: Window, time_column: str) -> ir.Predicate:
    """The rows of one flagged window: any member rule's rows whose group key is the window's (compared as
    the correlation compares them: text case-insensitively) and whose time lies in the window."""
    members = [(m.predicate, m.group_by) for m in correlation.members]
    return window_where(members, window.group, iso(window.first), iso(window.last), time_column)


def window_where(
    members: Sequence[tuple[ir.Predicate, Sequence[str]]],
    group: Sequence[Any],
    first: str | None,
    last: str | None,
    time_column: str,
) -> ir.Predicate:
    """:func:`window_predicate` from its parts: each member's predicate and group-by columns, the window's
    group key and first and last time (ISO 8601)."""
    span = ir.Between(time_column, first, last)
    parts: list[ir.Predicate] = []
    for predicate, group_by in members:
        keys: list[ir.Predicate] = []
        for column, value in zip(group_by, group):
            if value is None:
                keys.append(ir.Compare(column, "=", None))
            elif isinstance(value, str):
                keys.append(ir.Compare(column, "=", value, case_sensitive=False))
            else:
                keys.append(ir.Compare(column, "=", _json_value(value)))
        parts.append(ir.And((predicate, *keys)) if keys else predicate)
    either = parts[0] if len(parts) == 1 else ir.Or(tuple(parts))
    return ir.And((either, span))


def level_rank(level: str) -> int:
    """Sort key: critical first, no level last."""
    return LEVELS.index(level) if level in LEVELS else len(LEVELS)


def _json_value(value: Any) -> Any:
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, datetime):
        return iso(value)
    return str(value)


def from_json(data: dict[str, Any], sheet: str, rule: dict[str, Any] | None = None) -> Finding:
    """A stored finding (:meth:`Finding.stored`), on its sheet's current name; ``rule``: its rule's record
    on the sheet (:func:`rule_record`), for a finding kept without what it shares with the rule's others."""
    if "where" not in data:
        if rule is None:
            raise ValueError(f"finding {data.get('id')} is kept without its rule's record")
        members = [(ir.predicate_from_json(m["where"]), tuple(m["group_by"])) for m in rule["members"]]
        group = list((data.get("group") or {}).values())
        where = window_where(members, group, data.get("first_seen"), data.get("last_seen"), str(rule["time_column"]))
        data = {**rule, **data}
    else:
        where = ir.predicate_from_json(data["where"])
    return Finding(
        id=str(data["id"]),
        rule=str(data["rule"]),
        title=str(data["title"]),
        level=str(data["level"]),
        tags=tuple(data.get("tags") or ()),
        kind=data["kind"],
        sheet=sheet,
        rows=int(data["rows"]),
        first_seen=_moment(data.get("first_seen")),
        last_seen=_moment(data.get("last_seen")),
        where=where,
        entities={k: list(v) for k, v in (data.get("entities") or {}).items()},
        group=dict(data.get("group") or {}),
        description=str(data.get("description") or ""),
        origin=str(data.get("origin") or ""),
        run_at=str(data.get("run_at") or ""),
    )


def _moment(text: Any) -> datetime | None:
    if not text:
        return None
    return datetime.fromisoformat(str(text).replace("Z", "+00:00"))
