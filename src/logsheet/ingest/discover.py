"""From the paths a user gives to the list of source files: folders walked, archives opened, files hashed.

- Folders are walked recursively in sorted order; hidden files and folders (``.DS_Store``, ``.git``) skipped.
- ``.gz`` files stay compressed: the readers decompress them as they go. The SHA-256 is of the file as it
  is on disk — the evidence the analyst holds.
- ``.zip``, ``.tar``, ``.tar.gz`` / ``.tgz`` are extracted into the import's staging folder under safe,
  generated names: a member called ``../../etc/passwd`` or ``/abs/path`` cannot write outside it, links and
  devices are skipped, and the member's own name is kept only as text in the source's display name.
  Each member is a source with its own SHA-256 and its archive's name and SHA-256.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import tarfile
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from logsheet.core.errors import LogsheetError

CHUNK = 1 << 20
MAX_MEMBER_BYTES = int(os.environ.get("LOGSHEET_MAX_MEMBER_BYTES", str(64 << 30)))


@dataclass(frozen=True)
class Found:
    path: Path
    display: str
    size: int
    sha256: str
    compressed: bool
    container: str | None = None
    container_sha256: str | None = None


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def discover(paths: list[Path], staging: Path) -> list[Found]:
    found: list[Found] = []
    for given in paths:
        if not given.exists():
            raise LogsheetError(f"no such file or folder: {given}")
        if given.is_dir():
            for path in _walk(given):
                found.extend(_expand(path, str(path), staging))
        else:
            found.extend(_expand(given, str(given), staging))
    return found


def _walk(folder: Path) -> list[Path]:
    out: list[Path] = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        out.extend(Path(root) / f for f in sorted(files) if not f.startswith("."))
    return out


def is_archive(path: Path) -> str | None:
    lowered = path.name.lower()
    if lowered.endswith(".zip"):
        return "zip"
    if lowered.endswith((".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tar.xz")):
        return "tar"
    return None


def _expand(path: Path, display: str, staging: Path) -> list[Found]:
    kind = is_archive(path)
    if kind is None:
        return [Found(path, display, path.stat().st_size, sha256_file(path), _is_gzip(path))]
    container_sha = sha256_file(path)
    target = staging / "extracted" / container_sha[:16]
    members = _extract_zip(path, target) if kind == "zip" else _extract_tar(path, target)
    out = []
    for member_path, member_name in members:
        out.append(
            Found(
                member_path,
                f"{display}!{member_name}",
                member_path.stat().st_size,
                sha256_file(member_path),
                _is_gzip(member_path),
                display,
                container_sha,
            )
        )
    return out


def _is_gzip(path: Path) -> bool:
    with open(path, "rb") as fh:
        return fh.read(2) == b"\x1f\x8b"


def safe_member_name(name: str) -> str:
    """A member name as text for display: no drive, no leading slash, no ``..`` segments."""
    parts = [p for p in PurePosixPath(name.replace("\\", "/")).parts if p not in ("", ".", "..", "/")]
    return "/".join(parts) or "unnamed"


def _extract_zip(path: Path, target: Path) -> list[tuple[Path, str]]:
    out: list[tuple[Path, str]] = []
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile as exc:
        raise LogsheetError(f"{path} is not a readable zip archive: {exc}") from None
    with archive:
        for index, info in enumerate(archive.infolist()):
            if info.is_dir() or info.file_size > MAX_MEMBER_BYTES or _hidden(info.filename):
                continue
            destination = _member_path(target, index, info.filename)
            with archive.open(info) as src, open(destination, "wb") as dst:
                shutil.copyfileobj(src, dst, CHUNK)
            _keep_mtime(destination, _zip_time(info))
            out.append((destination, safe_member_name(info.filename)))
    return out


def _extract_tar(path: Path, target: Path) -> list[tuple[Path, str]]:
    out: list[tuple[Path, str]] = []
    try:
        archive = tarfile.open(path)
    except tarfile.TarError as exc:
        raise LogsheetError(f"{path} is not a readable tar archive: {exc}") from None
    with archive:
        for index, member in enumerate(archive):
            if not member.isfile() or member.size > MAX_MEMBER_BYTES or _hidden(member.name):
                continue  # links, devices and folders are never created
            source = archive.extractfile(member)
            if source is None:
                continue
            destination = _member_path(target, index, member.name)
            with source, open(destination, "wb") as dst:
                shutil.copyfileobj(source, dst, CHUNK)
            _keep_mtime(destination, member.mtime)
            out.append((destination, safe_member_name(member.name)))
    return out


def _zip_time(info: zipfile.ZipInfo) -> float | None:
    """A zip member's stored modification time (zip stores local time without a zone; taken as UTC)."""
    import calendar

    try:
        return float(calendar.timegm((*info.date_time, 0, 0, 0)))
    except (OverflowError, ValueError):
        return None


def _keep_mtime(path: Path, mtime: float | None) -> None:
    """Give an extracted member its archived modification time: syslog year inference reads it."""
    if mtime is not None and mtime > 0:
        with contextlib.suppress(OverflowError, OSError, ValueError):
            os.utime(path, (mtime, mtime))


def _member_path(target: Path, index: int, name: str) -> Path:
    """A generated file name inside the staging folder; only a sanitised suffix of the member's name."""
    target.mkdir(parents=True, exist_ok=True)
    base = PurePosixPath(safe_member_name(name)).name
    suffix = "".join(ch for ch in base[-60:] if ch.isalnum() or ch in "._-")
    destination = (target / f"m{index:06d}-{suffix}").resolve()
    if target.resolve() not in destination.parents:
        raise LogsheetError(f"refusing an archive member outside the workspace: {name!r}")
    return destination


def _hidden(name: str) -> bool:
    """Dot-files and macOS metadata; ``..`` segments (traversal attempts) are not "hidden", just neutralised."""
    parts = PurePosixPath(name.replace("\\", "/")).parts
    return any((part.startswith(".") and part not in ("..", ".")) or part == "__MACOSX" for part in parts)
