"""IOC lists: indicators of compromise read from a file, each with its kind and a normalised value.

A list is plain text (one indicator per line, ``#`` comments), CSV (a ``value``/``indicator``/``ioc`` column,
optionally ``type``/``kind`` and ``comment``/``note``/``description``; MISP's CSV export reads as is; without a
header, the first column) or a STIX 2.1 bundle (its ``indicator`` objects' STIX patterns, and observed-data
objects such as ``ipv4-addr``). Each value's kind is told by its shape — ``ip``, ``cidr``, ``domain``, ``url``,
``hash``, ``access_key``, ``user`` (an ARN or an e-mail address), ``instance``, ``account`` — or given (a CSV's
type column, ``--kind`` for a whole file: user names have no shape of their own).

Values are normalised for matching the way the logs write them (an IPv6 address compressed and lower-cased, a
network to its network address, a domain or a hash lower-cased, a trailing dot dropped) and defanged
indicators are refanged (``1.2.3[.]4``, ``hxxps://evil[.]example``); the value as written is kept beside it.
Nothing is dropped silently: a line that holds no indicator, or an indicator of an unsupported kind, is
set aside with its line and the reason, and duplicates are counted.
"""

from __future__ import annotations

import csv
import io
import ipaddress
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from logsheet.core.errors import LogsheetError

KINDS: tuple[str, ...] = ("ip", "cidr", "domain", "url", "hash", "access_key", "user", "instance", "account")
MAX_BYTES = 64 * 1024 * 1024
MAX_INDICATORS = 200_000
MAX_VALUE = 2048
MAX_REJECTS = 1000  # the rejected lines kept with their reasons (all are counted)

# a CSV "type" column's values (MISP's attribute types, STIX object types and plain words) -> kind
TYPE_WORDS: dict[str, str] = {
    **dict.fromkeys(("ip", "ipv4", "ipv6", "ip-src", "ip-dst", "ip-addr", "ipv4-addr", "ipv6-addr", "address"), "ip"),
    **dict.fromkeys(("cidr", "network", "subnet", "netblock", "ip-range"), "cidr"),
    **dict.fromkeys(("domain", "hostname", "host", "fqdn", "domain-name"), "domain"),
    **dict.fromkeys(("url", "uri", "link"), "url"),
    **dict.fromkeys(("hash", "md5", "sha1", "sha-1", "sha256", "sha-256", "sha512", "sha-512", "filehash"), "hash"),
    **dict.fromkeys(("access_key", "access-key", "accesskey", "access_key_id", "aws-access-key"), "access_key"),
    **dict.fromkeys(("user", "username", "user-name", "user_name", "account-login", "user-account", "arn", "email"), "user"),
    **dict.fromkeys(("email-src", "email-dst", "principal"), "user"),
    **dict.fromkeys(("instance", "instance_id", "instance-id"), "instance"),
    **dict.fromkeys(("account", "account_id", "aws-account", "account-id"), "account"),
}
VALUE_COLUMNS = ("value", "indicator", "ioc", "observable", "ip", "domain", "url", "hash")
KIND_COLUMNS = ("type", "kind", "indicator_type", "ioc_type")
NOTE_COLUMNS = ("comment", "note", "description", "notes", "context", "tags")

_HEX = re.compile(r"[0-9a-fA-F]+")
_NETWORK = re.compile(r"[0-9A-Fa-f:.]+/[0-9]{1,3}")
_HASH_LENGTHS = {32: "md5", 40: "sha1", 64: "sha256", 128: "sha512"}
_ACCESS_KEY = re.compile(r"(?:AKIA|ASIA)[A-Z0-9]{12,124}")
_INSTANCE = re.compile(r"i-(?:[0-9a-f]{8}|[0-9a-f]{17})")
_ACCOUNT = re.compile(r"[0-9]{12}")
_ARN = re.compile(r"arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:[0-9]*:\S+")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[A-Za-z]{2,}")
_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://\S+")
_LABEL = r"(?!-)[A-Za-z0-9_-]{1,63}(?<!-)"
_DOMAIN = re.compile(rf"(?:{_LABEL}\.)+(?:[A-Za-z]{{2,63}}|xn--[A-Za-z0-9-]{{1,59}})")
_USER = re.compile(r"[\w+=,.@-]{1,128}")
_DEFANG = (
    (re.compile(r"\[\s*\.\s*\]|\(\s*\.\s*\)|\{\s*\.\s*\}|\[dot\]|\(dot\)", re.IGNORECASE), "."),
    (re.compile(r"\[\s*:\s*\]"), ":"),
    (re.compile(r"\[\s*/\s*\]"), "/"),
    (re.compile(r"\[@\]|\[at\]", re.IGNORECASE), "@"),
    (re.compile(r"^hxxp(s?)(?=://|\[:\])", re.IGNORECASE), r"http\1"),
    (re.compile(r"^fxp(?=://)", re.IGNORECASE), "ftp"),
)


@dataclass(frozen=True)
class Indicator:
    kind: str
    value: str  # normalised for matching
    original: str = ""  # as written in the file, when it differs
    note: str = ""
    line: int = 0

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind, "value": self.value}
        if self.original and self.original != self.value:
            out["original"] = self.original
        if self.note:
            out["note"] = self.note
        if self.line:
            out["line"] = self.line
        return out


@dataclass(frozen=True)
class Rejected:
    line: int
    text: str
    reason: str

    def to_json(self) -> dict[str, Any]:
        return {"line": self.line, "text": self.text, "reason": self.reason}


@dataclass
class Parsed:
    """What a file held: its format, the indicators (first occurrence of each), what was set aside and why,
    how many repeated an earlier indicator, and notes on what was read in a narrower sense than written."""

    format: str
    indicators: list[Indicator] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    rejected_count: int = 0
    duplicates: int = 0
    notes: list[str] = field(default_factory=list)
    _seen: set[tuple[str, str]] = field(default_factory=set, repr=False)

    def add(self, indicator: Indicator) -> None:
        key = (indicator.kind, indicator.value)
        if key in self._seen:
            self.duplicates += 1
            return
        if len(self.indicators) >= MAX_INDICATORS:
            raise LogsheetError(f"an IOC list holds at most {MAX_INDICATORS:,} indicators; split the file")
        self._seen.add(key)
        self.indicators.append(indicator)

    def reject(self, line: int, text: str, reason: str) -> None:
        self.rejected_count += 1
        if len(self.rejected) < MAX_REJECTS:
            self.rejected.append(Rejected(line, text[:200], reason))

    def by_kind(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for indicator in self.indicators:
            counts[indicator.kind] = counts.get(indicator.kind, 0) + 1
        return dict(sorted(counts.items()))


# ------------------------------------------------------------------------------------------- one value
def refang(text: str) -> str:
    """``1.2.3[.]4`` -> ``1.2.3.4``, ``hxxps://evil[.]example`` -> ``https://evil.example``."""
    out = text
    for pattern, replacement in _DEFANG:
        out = pattern.sub(replacement, out)
    return out


def classify(text: str) -> str | None:
    """The kind a value's shape says it is, or None (a bare word: a user name or anything else)."""
    value = text.strip()
    if _NETWORK.fullmatch(value):
        try:
            ipaddress.ip_network(value, strict=False)
        except ValueError:
            return None
        return "cidr"
    try:
        ipaddress.ip_address(value)
    except ValueError:
        pass
    else:
        return "ip"
    if _HEX.fullmatch(value) and len(value) in _HASH_LENGTHS:
        return "hash"
    if _ACCESS_KEY.fullmatch(value):
        return "access_key"
    if _INSTANCE.fullmatch(value):
        return "instance"
    if _ACCOUNT.fullmatch(value):
        return "account"
    if _ARN.fullmatch(value) or _EMAIL.fullmatch(value):
        return "user"
    if _URL.fullmatch(value):
        return "url"
    if _DOMAIN.fullmatch(value.rstrip(".")):
        return "domain"
    return None


def normalise(kind: str, text: str) -> str:
    """The value as it is matched; raises ValueError (the reason) when it is not a value of ``kind``."""
    value = text.strip()
    if not value:
        raise ValueError("blank value")
    if len(value) > MAX_VALUE:
        raise ValueError(f"longer than {MAX_VALUE} characters")
    if kind == "ip":
        if "/" in value:
            return normalise("cidr", value)
        try:
            return str(ipaddress.ip_address(value))
        except ValueError:
            raise ValueError(f"{value!r} is not an IP address") from None
    if kind == "cidr":
        try:
            network = ipaddress.ip_network(value, strict=False)
        except ValueError:
            raise ValueError(f"{value!r} is not a network such as 10.0.0.0/8") from None
        return str(network)
    if kind == "domain":
        domain = value.rstrip(".").lower()
        if not _DOMAIN.fullmatch(domain):
            raise ValueError(f"{value!r} is not a domain name")
        return domain
    if kind == "hash":
        if not (_HEX.fullmatch(value) and len(value) in _HASH_LENGTHS):
            raise ValueError(f"{value!r} is not an MD5, SHA-1, SHA-256 or SHA-512 hash in hex")
        return value.lower()
    if kind == "url":
        if not _URL.fullmatch(value):
            raise ValueError(f"{value!r} is not a URL with a scheme (https://...)")
        scheme, rest = value.split("://", 1)
        host, sep, tail = rest.partition("/")
        return f"{scheme.lower()}://{host.lower()}{sep}{tail}"
    if kind == "access_key":
        if not _ACCESS_KEY.fullmatch(value):
            raise ValueError(f"{value!r} is not an access key id (AKIA... or ASIA...)")
        return value
    if kind == "instance":
        if not _INSTANCE.fullmatch(value.lower()):
            raise ValueError(f"{value!r} is not an EC2 instance id (i-...)")
        return value.lower()
    if kind == "account":
        if not _ACCOUNT.fullmatch(value):
            raise ValueError(f"{value!r} is not a 12-digit AWS account id")
        return value
    if kind == "user":
        if not (_ARN.fullmatch(value) or _USER.fullmatch(value)):
            raise ValueError(f"{value!r} is not a user name or ARN (no spaces)")
        return value
    raise ValueError(f"unknown kind {kind!r}; kinds: {', '.join(KINDS)}")


def indicator(text: str, kind: str | None = None, note: str = "", line: int = 0) -> Indicator:
    """One indicator from a value as written (refanged, its kind told by its shape unless given)."""
    written = text.strip()
    value = refang(written)
    if kind is None:
        kind = classify(value)
        if kind is None:
            raise ValueError(
                "not an IP address, network, domain, URL, hash, access key id, ARN, e-mail address, instance or "
                "account id (a list of user names needs --kind user, or a CSV with a type column)"
            )
    elif kind == "ip" and "/" in value:
        kind = "cidr"
    normal = normalise(kind, value)
    if kind == "cidr" and normal.endswith(("/32", "/128")):
        kind, normal = "ip", normal.rsplit("/", 1)[0]
    return Indicator(kind, normal, written if written != normal else "", note.strip()[:500], line)


# -------------------------------------------------------------------------------------------- one file
def parse(data: bytes, name: str = "", kind: str | None = None) -> Parsed:
    """The indicators of a file's bytes (its format told by its content, then its name)."""
    if len(data) > MAX_BYTES:
        raise LogsheetError(f"an IOC file is at most {MAX_BYTES // (1024 * 1024)} MiB; {name or 'this one'} is larger")
    if kind is not None and kind not in KINDS:
        raise LogsheetError(f"unknown indicator kind {kind!r}; kinds: {', '.join(KINDS)}")
    if b"\x00" in data[:8192]:
        raise LogsheetError(f"{name or 'the file'} is binary, not a text, CSV or STIX file of indicators")
    text = data.decode("utf-8-sig", errors="replace")
    head = text.lstrip()[:1]
    if head in ("{", "["):
        return _stix(text, name, kind)
    lines = text.splitlines()
    first = next((ln for ln in lines if ln.strip() and not ln.lstrip().startswith("#")), "")
    if _is_csv(first, name):
        return _csv(text, kind)
    return _plain(lines, kind)


def _is_csv(first: str, name: str) -> bool:
    if name.lower().endswith((".csv", ".tsv")):
        return True
    cells = [c.strip().strip('"').lower() for c in re.split(r"[,\t]", first)]
    return len(cells) > 1 and any(c in VALUE_COLUMNS or c in KIND_COLUMNS for c in cells)


def _plain(lines: Iterable[str], kind: str | None) -> Parsed:
    out = Parsed("text")
    for number, raw in enumerate(lines, start=1):
        text = raw.strip()
        if not text or text.startswith("#"):
            continue
        note = ""
        if " #" in text:  # a trailing comment
            text, note = (part.strip() for part in text.split(" #", 1))
        _take(out, number, raw, text, kind, note)
    return out


def _take(out: Parsed, line: int, raw: str, text: str, kind: str | None, note: str = "") -> None:
    try:
        out.add(indicator(text, kind, note, line))
    except ValueError as exc:
        out.reject(line, raw, str(exc))


def _csv(text: str, kind: str | None) -> Parsed:
    out = Parsed("csv")
    sample = text[:4096]
    delimiter = "\t" if sample.count("\t") > sample.count(",") else ","
    rows = csv.reader(io.StringIO(text), delimiter=delimiter)
    header: list[str] | None = None
    value_at, kind_at, note_at = 0, -1, -1
    for number, row in enumerate(rows, start=1):
        if not row or not any(c.strip() for c in row) or row[0].lstrip().startswith("#"):
            continue
        if header is None:
            names = [c.strip().lower() for c in row]
            if any(n in VALUE_COLUMNS or n in KIND_COLUMNS for n in names):
                header = names
                value_at = _first_of(names, VALUE_COLUMNS, 0)
                kind_at = _first_of(names, KIND_COLUMNS, -1)
                note_at = _first_of(names, NOTE_COLUMNS, -1)
                continue
            header = []
        raw = delimiter.join(row)
        value = row[value_at] if value_at < len(row) else ""
        given = kind
        if given is None and 0 <= kind_at < len(row) and row[kind_at].strip():
            word = row[kind_at].strip().lower()
            given = TYPE_WORDS.get(word) or TYPE_WORDS.get(word.split("|")[0])
            if given is None:
                out.reject(number, raw, f"indicator type {row[kind_at].strip()!r} is not one logsheet matches")
                continue
        note = row[note_at] if 0 <= note_at < len(row) else ""
        _take(out, number, raw, value, given, note)
    return out


def _first_of(names: list[str], wanted: tuple[str, ...], default: int) -> int:
    for word in wanted:
        if word in names:
            return names.index(word)
    return default


# ---------------------------------------------------------------------------------------------- STIX 2.1
_COMPARISON = re.compile(
    r"(?P<object>[a-z0-9-]+):(?P<path>[A-Za-z0-9_.'-]+)\s*(?P<op>=|ISSUBSET|!=|LIKE|MATCHES|IN|>|<|>=|<=|ISSUPERSET)\s*"
    r"(?P<value>'(?:[^'\\]|\\.)*'|\([^)]*\))",
)
_STIX_KINDS: dict[tuple[str, str], str] = {
    ("ipv4-addr", "value"): "ip",
    ("ipv6-addr", "value"): "ip",
    ("domain-name", "value"): "domain",
    ("url", "value"): "url",
    ("user-account", "user_id"): "user",
    ("user-account", "account_login"): "user",
    ("email-addr", "value"): "user",
}
_SCO_TYPES = {"ipv4-addr": "ip", "ipv6-addr": "ip", "domain-name": "domain", "url": "url"}


def _stix(text: str, name: str, kind: str | None) -> Parsed:
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as exc:
        raise LogsheetError(f"{name or 'the file'} starts like JSON but does not parse: {exc}") from None
    objects = data.get("objects") if isinstance(data, dict) else data
    if not isinstance(objects, list):
        raise LogsheetError(f"{name or 'the file'} is JSON but not a STIX 2.1 bundle (no 'objects' list)")
    out = Parsed("stix")
    anded = 0
    for number, obj in enumerate(objects, start=1):
        if not isinstance(obj, dict):
            out.reject(number, str(obj), "not a STIX object")
            continue
        type_ = obj.get("type")
        label = str(obj.get("name") or obj.get("id") or "")
        if type_ in _SCO_TYPES and isinstance(obj.get("value"), str):
            _take(out, number, obj["value"], obj["value"], kind or _SCO_TYPES[type_], label)
            continue
        if type_ == "file" and isinstance(obj.get("hashes"), dict):
            for algorithm, digest in obj["hashes"].items():
                _take(out, number, f"{algorithm}={digest}", str(digest), "hash", label)
            continue
        if type_ != "indicator":
            continue
        pattern = obj.get("pattern")
        if obj.get("pattern_type", "stix") != "stix" or not isinstance(pattern, str):
            out.reject(number, label, f"pattern type {obj.get('pattern_type')!r} is not a STIX pattern")
            continue
        found = list(_comparisons(pattern))
        if not found:
            out.reject(number, pattern, "the pattern holds no comparison of a kind logsheet matches")
            continue
        anded += 1 if " AND " in pattern.upper() and len(found) > 1 else 0
        for object_kind, value, reason in found:
            if reason:
                out.reject(number, pattern, reason)
            else:
                _take(out, number, value, value, kind or object_kind, label)
    if anded:
        out.notes.append(f"{anded} pattern(s) join comparisons with AND (or FOLLOWEDBY); each value is matched on its own")
    return out


def _comparisons(pattern: str) -> Iterator[tuple[str, str, str]]:
    """(kind, value, "") per equality comparison of a supported object path; (kind, "", reason) for one that
    is not an equality (LIKE, MATCHES, ...), which logsheet does not match."""
    for match in _COMPARISON.finditer(pattern):
        obj, path, op = match["object"], match["path"], match["op"]
        literal = match["value"]
        if obj == "file" and path.startswith("hashes."):
            kind: str | None = "hash"
        else:
            kind = _STIX_KINDS.get((obj, path))
        if kind is None:
            yield "", "", f"{obj}:{path} is not a kind logsheet matches"
            continue
        if op == "ISSUBSET" and kind == "ip":
            kind = "cidr"
        elif op == "IN" and literal.startswith("("):
            for item in re.findall(r"'((?:[^'\\]|\\.)*)'", literal):
                yield kind, _unquote(item), ""
            continue
        elif op != "=":
            yield kind, "", f"{obj}:{path} {op} ... is not an equality; logsheet matches equal values only"
            continue
        yield kind, _unquote(literal[1:-1]), ""


def _unquote(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)
