"""What the workspace records of what is done to it (:mod:`logsheet.store.audit`): each import, saved view,
annotation, rule run, IOC list and match, export, recipe and report, with the time, the user and the sheets and
cases it touched; listed per case and verified (``logsheet audit``, ``logsheet audit verify``).

The user is ``$LOGSHEET_USER`` when set (a server names the signed-in user so), else the operating system's
user name. Recording never changes what was done: a trail that cannot be written (a full disk) fails the
action that wanted recording, so that nothing is done unrecorded.
"""

from __future__ import annotations

import getpass
import hashlib
import os
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from logsheet.store.audit import FILE, AuditLog, Head, Verdict
from logsheet.store.catalog import now

if TYPE_CHECKING:
    from logsheet.workspace.facade import Workspace

HEAD_KEY = "audit.head"
MAX_SOURCES = 100  # source files listed in an import's entry (all are in the catalog)
MAX_DETAIL = 4000  # characters of one text value kept in an entry (a long comment, a view's JSON)


def current_user() -> str:
    named = os.environ.get("LOGSHEET_USER", "").strip()
    if named:
        return named[:200]
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return f"uid {os.getuid()}"


def trail(ws: Workspace) -> AuditLog:
    def known() -> Head | None:
        text = ws.catalog.settings().get(HEAD_KEY)
        if not text:
            return None
        seq, _, digest = text.partition(":")
        return Head(int(seq), digest)

    def remember(head: Head) -> None:
        ws.catalog.update_settings({HEAD_KEY: f"{head.seq}:{head.hash}"})

    return AuditLog(ws.root / FILE, known, remember)


def record(ws: Workspace, action: str, sheets: Sequence[str] = (), cases: Sequence[str] = (), **detail: Any) -> None:
    """Append an entry: ``action`` on ``sheets`` (and ``cases``), with ``detail`` (JSON values)."""
    trail(ws).append(now(), current_user(), action, list(sheets), list(cases), _clip(detail))


def entries(ws: Workspace, case: str | None = None, limit: int | None = None) -> list[dict[str, Any]]:
    """The trail's entries, oldest first: every one, or those touching the case (by name, or one of its sheets).
    A case's sheets are its sheets now; an entry naming a sheet since renamed names it as it was then."""
    found = list(trail(ws).entries())
    if case is not None:
        chosen = ws.case(case)
        held = set(chosen.sheets)
        found = [e for e in found if chosen.name in e.get("cases", ()) or held.intersection(e.get("sheets", ()))]
    return found[-limit:] if limit else found


def verify(ws: Workspace) -> Verdict:
    return trail(ws).verify()


def _clip(value: Any) -> Any:
    if isinstance(value, str):
        return value if len(value) <= MAX_DETAIL else value[:MAX_DETAIL] + f"... ({len(value):,} characters)"
    if isinstance(value, dict):
        return {str(k): _clip(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clip(v) for v in value]
    if value is None or isinstance(value, (bool, int, float)):
        return value
    return str(value)


def import_detail(summary: Any, append: bool) -> dict[str, Any]:
    """What an import entry keeps: the accounting, and every source file with its SHA-256 and size."""
    return {
        "format": summary.format,
        "rows": summary.rows,
        "rejected": summary.rejected,
        "duplicates": summary.duplicates,
        "append": append,
        "sources": [
            {"path": s.path, "sha256": s.sha256, "size": s.size, "records": s.records_read} for s in summary.sources[:MAX_SOURCES]
        ],
        "source_count": len(summary.sources),
        # every source, when there are more than the entry lists: the SHA-256 of their "path sha256" lines
        "sources_sha256": hashlib.sha256("".join(f"{s.path} {s.sha256}\n" for s in summary.sources).encode()).hexdigest(),
    }


def annotation_kind(star: bool, tag: str | None, comment: str | None, remove: bool) -> str:
    if star:
        return "unstar" if remove else "star"
    if tag is not None:
        return "untag" if remove else "tag"
    return "comment" if comment is not None else "annotate"


def view_of(query: Any) -> Any:
    from logsheet.core import ir

    return None if query is None else ir.query_to_json(query)
