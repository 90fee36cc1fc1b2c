"""Reading Sigma YAML with pySigma: each source (a path, a folder of ``.yml``/``.yaml`` files, or YAML text)
becomes its rules, and a source or a rule that pySigma cannot read becomes a :class:`Unreadable` saying why."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import yaml
from sigma.collection import SigmaCollection
from sigma.correlations import SigmaCorrelationRule
from sigma.exceptions import SigmaError
from sigma.rule import SigmaRule

Source = str | Path  # a file, a folder, or YAML text

# Correlations refer to rules by name or id, maybe in other files: references are resolved once every
# source is read (logsheet.detect.sigma.rules), not per file.

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
    """Every rule of every source, in order. A ``Path`` (or a one-line string naming a file or folder, or
    ending in ``.yml``/``.yaml``) is read from disk, folders recursively in name order; any other string is
    YAML text."""
    out: list[Loaded | Unreadable] = []
    for source in sources:
        for item in _texts(source):
            out.extend([item] if isinstance(item, Unreadable) else _parse(*item))
    return out


def _texts(source: Source) -> list[tuple[str, str] | Unreadable]:
    path = _as_path(source)
    if path is None:
        return [("<text>", str(source))]
    if not path.exists():
        return [Unreadable(str(path), "no such file or folder")]
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in RULE_SUFFIXES)
        return [_read(p) for p in files] or [Unreadable(str(path), "holds no .yml or .yaml file")]
    return [_read(path)]


def _as_path(source: Source) -> Path | None:
    """The path a source names, or None for YAML text; a one-line string ending in .yml/.yaml is a path even
    when nothing is there (so a mistyped name says "no such file", not a YAML error)."""
    if isinstance(source, Path):
        return source
    if "\n" in source or len(source) > 4096:
        return None
    path = Path(source).expanduser()
    return path if path.exists() or source.lower().endswith(RULE_SUFFIXES) else None


def _read(path: Path) -> tuple[str, str] | Unreadable:
    try:
        return str(path), path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return Unreadable(str(path), "cannot be read: not UTF-8 text")
    except OSError as exc:
        return Unreadable(str(path), f"cannot be read: {exc.strerror or exc}")


def _parse(origin: str, text: str) -> list[Loaded | Unreadable]:
    try:
        documents = [d for d in yaml.safe_load_all(text) if d is not None]
    except yaml.YAMLError as exc:
        return [Unreadable(origin, "not YAML: " + " ".join(str(exc).split()))]
    if not all(isinstance(d, dict) for d in documents):
        return [Unreadable(origin, "not a Sigma rule: each YAML document must be a mapping (title, logsource, ...)")]
    try:
        collection = SigmaCollection.from_dicts(documents, collect_errors=True, resolve_references=False)
    except (SigmaError, ValueError, TypeError, AttributeError, KeyError) as exc:  # pySigma's own checks
        return [Unreadable(origin, "not a Sigma rule: " + (_first_line(str(exc)) or type(exc).__name__))]
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
