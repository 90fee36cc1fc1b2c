"""From the paths a user gives to the list of source files: folders walked, archives opened, files hashed.

- Folders are walked recursively in sorted order; hidden files and folders (``.DS_Store``, ``.git``) skipped.
- ``.gz`` files stay compressed: the readers decompress them as they go. The SHA-256 is of the file as it
  is on disk — the evidence the analyst holds. In the same pass the file's expansion is measured
  (:mod:`logsheet.ingest.decompress`): a decompression bomb is refused, and becomes one reject of the import.
- Only regular files are read: FIFOs, sockets, devices and dangling links are skipped with a note, and so
  are links (to files or folders) that lead outside the folder given, unless links are to be followed.
- ``.zip``, ``.tar``, ``.tar.gz`` / ``.tgz`` are extracted into the import's staging folder under safe,
  generated names: a member called ``../../etc/passwd`` or ``/abs/path`` cannot write outside it, links and
  devices are skipped with a note, members expand only as far as the limits allow, and the member's name
  is kept only as text in the source's display name. Each member is a source with its own SHA-256 and its
  archive's name and SHA-256.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import stat
import tarfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO, Any

from logsheet.core.errors import LogsheetError
from logsheet.ingest.decompress import Limits, Meter, inspect_file

CHUNK = 1 << 20


@dataclass(frozen=True)
class Found:
    path: Path
    display: str
    size: int
    sha256: str
    compressed: bool
    container: str | None = None
    container_sha256: str | None = None
    refused: str | None = None  # why the file is not read (a decompression bomb): one reject of the import
    s3: dict[str, Any] | None = None  # an object fetched from S3: its evidence (logsheet.ingest.s3)


@dataclass
class Discovery:
    found: list[Found] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what was skipped, and why (for the import's warnings)


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def discover(paths: list[Path], staging: Path, *, follow_links: bool = False, limits: Limits | None = None) -> Discovery:
    walk = _Walker(staging, follow_links, limits or Limits.from_env())
    for given in paths:
        if not os.path.lexists(given):
            raise LogsheetError(f"no such file or folder: {given}")
        if given.is_dir():
            walk.folder(given)
        else:
            walk.file(given, str(given), None)
    return walk.out


class _Walker:
    def __init__(self, staging: Path, follow_links: bool, limits: Limits, list_only: bool = False) -> None:
        self.staging, self.follow_links, self.limits = staging, follow_links, limits
        self.out = Discovery()
        self.list_only = list_only  # only list the files (no hashing, no extraction)
        self.listed: list[Path] = []

    def folder(self, folder: Path) -> None:
        top = folder.resolve()
        seen = {top}
        for root, dirs, files in os.walk(folder, followlinks=self.follow_links):
            here = Path(root)
            kept = []
            for d in sorted(d for d in dirs if not d.startswith(".")):
                path = here / d
                if path.is_symlink():
                    target = path.resolve()
                    if not self.follow_links:
                        self.out.notes.append(f"{path}: skipped, a link to the folder {target} (use --follow-links to read it)")
                        continue
                    if target in seen:
                        self.out.notes.append(f"{path}: skipped, a link back to a folder already read ({target})")
                        continue
                    seen.add(target)
                kept.append(d)
            dirs[:] = kept
            for name in sorted(f for f in files if not f.startswith(".")):
                self.file(here / name, str(here / name), top)

    def file(self, path: Path, display: str, top: Path | None) -> None:
        """One file: read if it is a regular file (or a link to one that may be followed), else a note."""
        if path.is_symlink():
            target = Path(os.path.realpath(path))
            if not target.exists():
                self.out.notes.append(f"{display}: skipped, a dangling link (to {os.readlink(path)})")
                return
            if top is not None and not self.follow_links and top not in target.parents:
                self.out.notes.append(f"{display}: skipped, a link to {target}, outside the folder (use --follow-links)")
                return
        try:
            mode = path.stat().st_mode
        except OSError as exc:
            self.out.notes.append(f"{display}: skipped, it cannot be read ({exc.strerror})")
            return
        if not stat.S_ISREG(mode):
            self.out.notes.append(f"{display}: skipped, {_kind(mode)}, not a regular file")
            return
        if self.list_only:
            self.listed.append(path)
            return
        self.out.found.extend(self._expand(path, display))

    def _expand(self, path: Path, display: str) -> list[Found]:
        kind = is_archive(path)
        if kind is None:
            seen = inspect_file(path, self.limits)
            return [Found(path, display, path.stat().st_size, seen.sha256, seen.compressed, refused=seen.refused)]
        container_sha = sha256_file(path)
        target = self.staging / "extracted" / container_sha[:16]
        meter = Meter(path.stat().st_size, self.limits)
        extract = _extract_zip if kind == "zip" else _extract_tar
        out = []
        for member in extract(path, target, meter, self.out.notes, display):
            if member.refused:
                out.append(
                    Found(path, f"{display}!{member.name}", member.size, "", False, display, container_sha, member.refused)
                )
                continue
            seen = inspect_file(member.path, self.limits)
            out.append(
                Found(
                    member.path,
                    f"{display}!{member.name}",
                    member.path.stat().st_size,
                    seen.sha256,
                    seen.compressed,
                    display,
                    container_sha,
                    seen.refused,
                )
            )
        return out


def walk_files(folder: Path) -> list[Path]:
    """The regular files a folder holds, as an import reads them (for ``logsheet detect``)."""
    walker = _Walker(Path(os.devnull), False, Limits(), list_only=True)
    walker.folder(folder)
    return walker.listed


def is_gzip(path: Path) -> bool:
    with open(path, "rb") as fh:
        return fh.read(2) == b"\x1f\x8b"


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a file"


def is_archive(path: Path) -> str | None:
    lowered = path.name.lower()
    if lowered.endswith(".zip"):
        return "zip"
    if lowered.endswith((".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tar.xz")):
        return "tar"
    return None


def safe_member_name(name: str) -> str:
    """A member name as text for display: no drive, no leading slash, no ``..`` segments."""
    parts = [p for p in PurePosixPath(name.replace("\\", "/")).parts if p not in ("", ".", "..", "/")]
    return "/".join(parts) or "unnamed"


@dataclass(frozen=True)
class _Member:
    path: Path
    name: str  # the member's name, as safe text
    size: int
    refused: str | None = None


def _copy(src: IO[bytes], destination: Path, meter: Meter) -> str | None:
    """Copy an archive member out, stopping (and removing the part written) when it expands past the limits."""
    with open(destination, "wb") as dst:
        while chunk := src.read(CHUNK):
            dst.write(chunk)
            refused = meter.add(len(chunk))
            if refused:
                break
        else:
            return None
    destination.unlink()
    return refused


def _extract_zip(path: Path, target: Path, meter: Meter, notes: list[str], display: str) -> list[_Member]:
    out: list[_Member] = []
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile as exc:
        raise LogsheetError(f"{path} is not a readable zip archive: {exc}") from None
    with archive:
        for index, info in enumerate(archive.infolist()):
            name = safe_member_name(info.filename)
            if info.is_dir() or _hidden(info.filename):
                continue
            refused = meter.limits.refusal(meter.compressed, meter.expanded + info.file_size)  # as the header says
            if refused:
                out.append(_Member(path, name, info.compress_size, refused))
                continue
            destination = _member_path(target, index, info.filename)
            with archive.open(info) as src:
                refused = _copy(src, destination, meter)
            if refused:
                out.append(_Member(path, name, info.compress_size, refused))
                continue
            _keep_mtime(destination, _zip_time(info))
            out.append(_Member(destination, name, info.file_size))
    return out


def _extract_tar(path: Path, target: Path, meter: Meter, notes: list[str], display: str) -> list[_Member]:
    out: list[_Member] = []
    try:
        archive = tarfile.open(path)
    except tarfile.TarError as exc:
        raise LogsheetError(f"{path} is not a readable tar archive: {exc}") from None
    with archive:
        for index, member in enumerate(archive):
            if member.isdir() or _hidden(member.name):
                continue
            name = safe_member_name(member.name)
            if not member.isfile():  # links, devices and FIFOs are never created
                notes.append(f"{display}!{name}: skipped, {_tar_kind(member)} in the archive, not a file")
                continue
            refused = meter.limits.refusal(meter.compressed, meter.expanded + member.size)
            if refused:
                out.append(_Member(path, name, 0, refused))
                continue
            source = archive.extractfile(member)
            if source is None:
                continue
            destination = _member_path(target, index, member.name)
            with source:
                refused = _copy(source, destination, meter)
            if refused:
                out.append(_Member(path, name, 0, refused))
                continue
            _keep_mtime(destination, member.mtime)
            out.append(_Member(destination, name, member.size))
    return out


def _tar_kind(member: tarfile.TarInfo) -> str:
    if member.issym():
        return f"a symbolic link (to {member.linkname!r})"
    if member.islnk():
        return f"a hard link (to {member.linkname!r})"
    if member.isfifo():
        return "a FIFO"
    if member.ischr() or member.isblk():
        return "a device"
    return "an entry of another kind"


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
