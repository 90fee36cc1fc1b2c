"""What interrupted imports and uploads leave behind, and how the workspace sweeps it.

``sweep`` runs whenever a workspace opens: staging folders of dead processes, part files no sheet references.
``sweep_uploads`` runs when a server starts (``api.jobs.Jobs``): the folders under ``uploads/`` of jobs that a
killed server never finished. An unfinished job's folder holds ``.owner`` (the server's pid), locked with
``flock`` by the server for as long as the job lives (:class:`UploadOwner`); the kernel drops the lock when that
process dies, however it dies. A folder whose ``.owner`` is not locked and whose files no sheet's sources name
is removed; one whose files a sheet does name (the import committed just before the server died) keeps its
files and loses only the stale ``.owner``. Folders of finished imports carry no ``.owner`` and are never
touched: they are the evidence. A folder without ``.owner`` or ``manifest.json`` (an upload cut short by a
server older than the owner file), older than the starting server and named by no sheet, is removed too.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path
from typing import IO

from logsheet.store.catalog import Catalog

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: the owner's pid is checked instead of its lock
    fcntl = None  # type: ignore[assignment]

OWNER = ".owner"

SWEEP_AGE = 3600.0  # part files no sheet references are removed once this old (an import may be committing them)


def sweep(root: Path, catalog: Catalog) -> None:
    """Remove what interrupted imports left: staging folders of dead processes, and old part files that
    no committed sheet references."""
    for folder in (root / "staging").iterdir():
        pid = folder.name.split("-", 1)[0]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)
    referenced = catalog.referenced_paths()
    directories = catalog.directories()
    cutoff = time.time() - SWEEP_AGE
    for folder in (root / "sheets").iterdir():
        relative = f"sheets/{folder.name}"
        for part in folder.glob("*.parquet"):
            if str(part.relative_to(root)) not in referenced and part.stat().st_mtime < cutoff:
                part.unlink(missing_ok=True)
        if relative not in directories and not any(folder.iterdir()):
            folder.rmdir()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class UploadOwner:
    """The ``.owner`` file of an unfinished upload, held locked by the process receiving and importing it."""

    def __init__(self, path: Path, handle: IO[str]) -> None:
        self.path = path
        self._handle: IO[str] | None = handle

    @classmethod
    def take(cls, folder: Path) -> UploadOwner:
        path = folder / OWNER
        handle = open(path, "x", encoding="ascii")  # noqa: SIM115 - held open (and locked) until release()
        if fcntl is not None:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        return cls(path, handle)

    def release(self, remove: bool) -> None:
        if remove:
            self.path.unlink(missing_ok=True)
        if self._handle is not None:
            self._handle.close()  # closing the file drops the lock
            self._handle = None


def sweep_uploads(root: Path, catalog: Catalog, started: float, live: frozenset[str] = frozenset()) -> list[str]:
    """Remove the upload folders interrupted jobs left (see the module's text); ``live`` names folders of
    jobs the caller runs. Returns the names of the folders removed."""
    uploads = root / "uploads"
    if not uploads.is_dir():
        return []
    named = _named_upload_folders(uploads, catalog)
    removed = []
    for folder in sorted(uploads.iterdir()):
        if folder.name in live or folder.is_symlink() or not folder.is_dir():
            continue
        owner = folder / OWNER
        if owner.exists():
            if not _owner_gone(owner):
                continue
            if folder.name in named:
                owner.unlink(missing_ok=True)
                continue
        elif folder.name in named or (folder / "manifest.json").exists() or folder.stat().st_mtime >= started:
            continue
        shutil.rmtree(folder, ignore_errors=True)
        removed.append(folder.name)
    return removed


def _named_upload_folders(uploads: Path, catalog: Catalog) -> set[str]:
    """The upload folders some sheet's sources (or their archives) lie in."""
    prefix = str(uploads) + os.sep
    named = set()
    for name in catalog.sheet_names():
        record = catalog.get_sheet(name)
        if record is None:
            continue
        for source in catalog.sources(record.id):
            for path in (source.path, source.container or ""):
                if path.startswith(prefix):
                    named.add(path[len(prefix) :].split(os.sep, 1)[0])
    return named


def _owner_gone(owner: Path) -> bool:
    """True when no process holds the owner file's lock (or, without ``flock``, its pid is dead)."""
    try:
        handle = open(owner, encoding="ascii")  # noqa: SIM115 - closed below
    except OSError:
        return False  # removed meanwhile: its job has just finished
    with handle:
        if fcntl is None:  # pragma: no cover
            pid = handle.read().strip()
            return not (pid.isdigit() and _alive(int(pid)))
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return False
        return True
