"""The workspace's audit trail: an append-only file of what was done (``<workspace>/audit.jsonl``), one JSON
entry per line, each carrying the hash of the one before it.

An entry is ``{"seq", "at", "user", "action", "sheets", "cases", "detail", "prev", "hash"}``: ``seq`` counts from
1, ``prev`` is the hash of entry ``seq - 1`` (64 zeros for the first) and ``hash`` is the SHA-256 of the entry's
canonical JSON without its ``hash`` (keys sorted, no spaces, UTF-8). Editing an entry changes its hash;
removing one breaks the next entry's ``prev`` and the count; removing the last ones is caught by the head (the
last ``seq`` and ``hash``) that the workspace's catalog keeps beside the file. :func:`verify` walks the file
and names the first entry where the chain breaks.

Appends take an exclusive lock on the file (``fcntl.flock``), so the server, its import processes and the
command line can write to one trail at once; an entry is written with one ``write`` of one line and flushed to
disk before the lock is released.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from logsheet.core.errors import LogsheetError

FILE = "audit.jsonl"
GENESIS = "0" * 64
FIELDS = ("seq", "at", "user", "action", "sheets", "cases", "detail", "prev")
TAIL = 1 << 16  # bytes read back from the end of the file to find its last entry


def entry_hash(entry: dict[str, Any]) -> str:
    body = {k: entry[k] for k in FIELDS if k in entry}
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Head:
    seq: int
    hash: str


@dataclass(frozen=True)
class Verdict:
    """What :func:`verify` found: ``ok`` with the number of entries and the head, or where it breaks."""

    ok: bool
    entries: int
    head: str
    line: int | None = None  # the first line that breaks the chain (1-based)
    seq: int | None = None
    reason: str = ""

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"ok": self.ok, "entries": self.entries, "head": self.head}
        if not self.ok:
            out.update({"line": self.line, "seq": self.seq, "reason": self.reason})
        return out


class AuditLog:
    """The trail of one workspace (``path``), whose head is kept by ``remember_head`` / ``known_head``."""

    def __init__(self, path: Path, known_head: Any, remember_head: Any) -> None:
        self.path = path
        self._known_head = known_head  # () -> Head | None: what the catalog says the last entry is
        self._remember_head = remember_head  # (Head) -> None

    def append(
        self, at: str, user: str, action: str, sheets: Sequence[str] = (), cases: Sequence[str] = (), detail: Any = None
    ) -> dict[str, Any]:
        """Write one entry after the last; returns it (with its ``seq`` and ``hash``)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            last = _last_entry(fd)
            entry: dict[str, Any] = {
                "seq": (last["seq"] + 1) if last else 1,
                "at": at,
                "user": user,
                "action": action,
                "sheets": list(sheets),
                "cases": list(cases),
                "detail": detail if detail is not None else {},
                "prev": last["hash"] if last else GENESIS,
            }
            entry["hash"] = entry_hash(entry)
            line = json.dumps(entry, ensure_ascii=False, separators=(",", ":")) + "\n"
            os.write(fd, line.encode("utf-8"))
            os.fsync(fd)
            self._remember_head(Head(entry["seq"], entry["hash"]))
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)
        return entry

    def entries(self) -> Iterator[dict[str, Any]]:
        """Every entry that parses, in order (what ``logsheet audit`` lists; :func:`verify` checks them)."""
        if not self.path.exists():
            return
        with self.path.open(encoding="utf-8", errors="replace") as fh:
            for text in fh:
                try:
                    entry = json.loads(text)
                except json.JSONDecodeError:
                    continue
                if isinstance(entry, dict):
                    yield entry

    def verify(self) -> Verdict:
        """Walk the trail: every entry parses, counts on from the one before, names its hash as ``prev`` and
        hashes to its ``hash``; the last is the head the catalog kept."""
        previous, seq, line = GENESIS, 0, 0
        if self.path.exists():
            with self.path.open("rb") as fh:
                for line, raw in enumerate(fh, start=1):
                    problem = _check(raw, seq + 1, previous)
                    if problem is not None:
                        return Verdict(False, seq, previous, line, seq + 1, problem)
                    entry = json.loads(raw)
                    previous, seq = entry["hash"], entry["seq"]
        known = self._known_head()
        if known is not None and (known.seq, known.hash) != (seq, previous):
            if known.seq > seq:
                why = f"the trail ends at entry {seq}, but entry {known.seq} was written: entries were removed from its end"
            else:
                why = f"the last entry (entry {seq}) is not the one the workspace recorded (entry {known.seq})"
            return Verdict(False, seq, previous, line + 1 if known.seq > seq else line, known.seq, why)
        return Verdict(True, seq, previous)


def _check(raw: bytes, expected: int, previous: str) -> str | None:
    try:
        entry = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError):
        return f"entry {expected} is not a JSON entry (the line was edited or cut)"
    if not isinstance(entry, dict) or not isinstance(entry.get("hash"), str) or not isinstance(entry.get("seq"), int):
        return f"entry {expected} lacks its seq or hash"
    if entry["seq"] != expected:
        return f"entry {expected} is missing: the line holds entry {entry['seq']} (entries were removed or reordered)"
    if entry.get("prev") != previous:
        return f"entry {expected} does not follow entry {expected - 1}: its prev is not that entry's hash"
    if entry_hash(entry) != entry["hash"]:
        return f"entry {expected} was edited: its content does not hash to its hash"
    return None


def _last_entry(fd: int) -> dict[str, Any] | None:
    """The file's last entry, read from its end (the lock is held)."""
    size = os.lseek(fd, 0, os.SEEK_END)
    if size == 0:
        return None
    tail = TAIL
    while True:  # read back until the chunk holds the start of the last line (or the whole file)
        start = max(0, size - tail)
        os.lseek(fd, start, os.SEEK_SET)
        chunk = os.read(fd, size - start)
        body = chunk.rstrip(b"\n")
        if start == 0 or b"\n" in body:
            break
        tail *= 4
    lines = [ln for ln in body.split(b"\n") if ln.strip()]
    if not lines:
        return None
    try:
        entry = json.loads(lines[-1])
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise LogsheetError(
            f"the audit trail's last line does not parse ({os.fspath(FILE)}); run `logsheet audit verify`"
        ) from None
    if not isinstance(entry, dict) or "seq" not in entry or "hash" not in entry:
        raise LogsheetError("the audit trail's last line is not an entry; run `logsheet audit verify`")
    return entry
