"""Reading Sigma YAML with pySigma: each source (a path, a folder of ``.yml``/``.yaml`` files, or YAML text)
becomes its rules, and a source or a rule that pySigma cannot read becomes a :class:`Unreadable` saying why."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from sigma.collection import SigmaCollection
from sigma.correlations import SigmaCorrelationRule
from sigma.exceptions import SigmaError
from sigma.rule import SigmaRule

Source = str | Path

RULE_SUFFIXES = (".yml", ".yaml")


@dataclass(frozen=True)
class Unreadable:
    """A file or rule pySigma refused: where it came from, its id and title when known, and why."""

    origin: str
    reason: str
    id: str = ""
    title: str = ""


@dataclass(frozen=True)
class Loaded:
    """A rule pySigma read and validated (a detection rule or a correlation rule), and where it came from."""

    rule: SigmaRule | SigmaCorrelationRule
    origin: str


def load(sources: Iterable[Source]) -> list[Loaded | Unreadable]:
    """Every rule of every source, in order. A ``Path`` (or a string naming an existing file or folder) is
    read from disk, folders recursively in name order; any other string is YAML text."""
    out: list[Loaded | Unreadable] = []
    for source in sources:
        for origin, text in _texts(source):
            out.extend(_parse(origin, text))
    return out


def _texts(source: Source) -> list[tuple[str, str | None]]:
    path = _as_path(source)
    if path is None:
        return [("<text>", str(source))]
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in RULE_SUFFIXES)
        return [(str(p), _read(p)) for p in files]
    return [(str(path), _read(path))]


def _as_path(source: Source) -> Path | None:
    if isinstance(source, Path):
        return source
    if "\n" in source or len(source) > 4096:
        return None
    path = Path(source).expanduser()
    return path if path.exists() else None


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def _parse(origin: str, text: str | None) -> list[Loaded | Unreadable]:
    if text is None:
        return [Unreadable(origin, "cannot be read as UTF-8 text")]
    try:
        collection = SigmaCollection.from_yaml(text, collect_errors=True)
    except (SigmaError, ValueError, TypeError) as exc:  # YAML that does not parse at all
        return [Unreadable(origin, _first_line(str(exc)) or type(exc).__name__)]
    if not collection.rules and collection.errors:
        return [Unreadable(origin, _first_line(str(collection.errors[0])))]
    out: list[Loaded | Unreadable] = []
    for rule in collection.rules:
        errors = list(getattr(rule, "errors", []) or [])
        if errors:
            out.append(Unreadable(origin, _first_line(str(errors[0])), str(rule.id or ""), str(rule.title or "")))
        else:
            out.append(Loaded(rule, origin))
    if not out:
        out.append(Unreadable(origin, "holds no Sigma rule"))
    return out


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else ""
