"""The AWS VPC flow log field catalogue (names as AWS spells them, the version that added each, its type), and
how the layout of a file (which field is in which position) is found from its first lines.

Every value of a field is either ``-`` (not applicable: a blank) or matches its kind's pattern. The patterns
are written in the syntax that DuckDB's RE2 and Python's ``re`` share, so the import (in SQL, on every
line) and the sniffing (in Python, on the first lines) check the very same thing. ``HINTS`` are stricter
shapes (``vpc-…``, ``eni-…``, region names) used only to recognise a header-less layout, never to reject.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from logsheet.core.errors import LogsheetError

_IPV4 = r"[0-9]{1,3}(?:[.][0-9]{1,3}){3}"
_IPV6 = r"[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,8}(?::" + _IPV4 + ")?"
_PORT = r"6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|[0-5]?[0-9]{1,4}"


@dataclass(frozen=True)
class Kind:
    engine: str | None  # engine type of the column; None: text
    logical: str  # the sheet's logical type
    pattern: str  # what a value other than "-" must look like
    expect: str  # how a reject reason names it


KINDS = {
    "count": Kind("BIGINT", "integer", r"[0-9]{1,18}", "a whole number"),
    "small": Kind("INTEGER", "integer", r"[0-9]{1,9}", "a whole number"),
    "port": Kind("INTEGER", "integer", _PORT, "a port (0-65535)"),
    "protocol": Kind("INTEGER", "integer", r"25[0-5]|2[0-4][0-9]|1[0-9]{2}|[0-9]{1,2}", "a protocol number (0-255)"),
    "time": Kind("TIMESTAMPTZ", "timestamp", r"[0-9]{1,12}", "a time in unix seconds"),
    "ip": Kind(None, "text", _IPV4 + "|" + _IPV6, "an IPv4 or IPv6 address"),
    "action": Kind(None, "text", r"ACCEPT|REJECT", "ACCEPT or REJECT"),
    "status": Kind(None, "text", r"OK|NODATA|SKIPDATA", "OK, NODATA or SKIPDATA"),
    "text": Kind(None, "text", r"[^\x00-\x20\x7f]+", "text without spaces or control characters"),
}

# (name, version that introduced it, kind), in the order of AWS's "available fields" table.
CATALOGUE: tuple[tuple[str, int, str], ...] = (
    ("version", 2, "small"),
    ("account-id", 2, "text"),
    ("interface-id", 2, "text"),
    ("srcaddr", 2, "ip"),
    ("dstaddr", 2, "ip"),
    ("srcport", 2, "port"),
    ("dstport", 2, "port"),
    ("protocol", 2, "protocol"),
    ("packets", 2, "count"),
    ("bytes", 2, "count"),
    ("start", 2, "time"),
    ("end", 2, "time"),
    ("action", 2, "action"),
    ("log-status", 2, "status"),
    ("vpc-id", 3, "text"),
    ("subnet-id", 3, "text"),
    ("instance-id", 3, "text"),
    ("tcp-flags", 3, "small"),
    ("type", 3, "text"),
    ("pkt-srcaddr", 3, "ip"),
    ("pkt-dstaddr", 3, "ip"),
    ("region", 4, "text"),
    ("az-id", 4, "text"),
    ("sublocation-type", 4, "text"),
    ("sublocation-id", 4, "text"),
    ("pkt-src-aws-service", 5, "text"),
    ("pkt-dst-aws-service", 5, "text"),
    ("flow-direction", 5, "text"),
    ("traffic-path", 5, "small"),
    ("ecs-cluster-arn", 7, "text"),
    ("ecs-cluster-name", 7, "text"),
    ("ecs-container-instance-arn", 7, "text"),
    ("ecs-container-instance-id", 7, "text"),
    ("ecs-container-id", 7, "text"),
    ("ecs-second-container-id", 7, "text"),
    ("ecs-service-name", 7, "text"),
    ("ecs-task-definition-arn", 7, "text"),
    ("ecs-task-arn", 7, "text"),
    ("ecs-task-id", 7, "text"),
    ("reject-reason", 8, "text"),
)
# Newer fields, known by name (kept as text); no header-less layout is inferred with them.
NEWER = ("resource-id", "encryption-status")
KIND_OF: dict[str, str] = {name: kind for name, _, kind in CATALOGUE} | dict.fromkeys(NEWER, "text")
DEFAULT_V2 = tuple(name for name, version, _ in CATALOGUE if version == 2)
# Header-less files: all the fields up to a version, in the table's order (what elastic's samples hold).
ALL_FIELDS_OF = {
    sum(1 for _, v, _ in CATALOGUE if v <= version): (version, tuple(n for n, v, _ in CATALOGUE if v <= version))
    for version in (3, 4, 5, 7, 8)
}

HINTS = {
    "account-id": r"[0-9]{10,12}|unknown",
    "interface-id": r"eni-[0-9A-Za-z]+",
    "vpc-id": r"vpc-[0-9A-Za-z]+",
    "subnet-id": r"subnet-[0-9A-Za-z]+",
    "instance-id": r"i-[0-9A-Za-z]+",
    "type": r"IPv4|IPv6|EFA",
    "region": r"[a-z]{2}(?:-[a-z]+)+-[0-9]+",
    "az-id": r"[a-z]{2,5}[0-9]+-(?:az|lz|wl)[0-9A-Za-z-]+",
    "sublocation-type": r"wavelength|outpost|localzone",
    "pkt-src-aws-service": r"[A-Z0-9_]+",
    "pkt-dst-aws-service": r"[A-Z0-9_]+",
    "flow-direction": r"ingress|egress",
    "reject-reason": r"[A-Z_]+",
    **{name: r"arn:[^ ]+" for name, _, _ in CATALOGUE if name.endswith("-arn")},
}


_NAME = re.compile(r"\$\{([a-z][a-z0-9_-]*)\}|([a-z][a-z0-9_-]*)")


def kind(name: str) -> Kind:
    return KINDS[KIND_OF.get(name, "text")]


def value_pattern(name: str, hint: bool = False) -> str:
    """The pattern one field's value matches: ``-`` or its kind's (or, for sniffing, its hint's) shape."""
    pattern = HINTS.get(name, kind(name).pattern) if hint else kind(name).pattern
    return "-|" + pattern


def line_pattern(fields: tuple[str, ...], hint: bool = False) -> str:
    """A whole line of ``fields``: exactly that many single-space-separated values, each of its shape."""
    return " ".join("(?:" + value_pattern(name, hint) + ")" for name in fields)


# IANA protocol keywords, lower-cased, by number (None: unassigned or no keyword).
_PROTOCOL_KEYWORDS = (
    "hopopt icmp igmp ggp ipv4 st tcp cbt egp igp bbn-rcc-mon nvp-ii pup argus emcon xnet chaos udp mux dcn-meas "
    "hmp prm xns-idp trunk-1 trunk-2 leaf-1 leaf-2 rdp irtp iso-tp4 netblt mfe-nsp merit-inp dccp 3pc idpr xtp ddp "
    "idpr-cmtp tp++ il ipv6 sdrp ipv6-route ipv6-frag idrp rsvp gre dsr bna esp ah i-nlsp swipe narp min-ipv4 tlsp "
    "skip ipv6-icmp ipv6-nonxt ipv6-opts - cftp - sat-expak kryptolan rvd ippc - sat-mon visa ipcv cpnx cphb wsn pvp "
    "br-sat-mon sun-nd wb-mon wb-expak iso-ip vmtp secure-vmtp vines ttp nsfnet-igp dgp tcf eigrp ospfigp sprite-rpc "
    "larp mtp ax.25 ipip micp scc-sp etherip encap - gmtp ifmp pnni pim aris scps qnx a/n ipcomp snp compaq-peer "
    "ipx-in-ip vrrp pgm - l2tp ddx iatp stp srp uti smp sm ptp isis-over-ipv4 fire crtp crudp sscopmce iplt sps pipe "
    "sctp fc rsvp-e2e-ignore mobility-header udplite mpls-in-ip manet hip shim6 wesp rohc ethernet aggfrag nsh"
)
_PROTOCOLS = [None if p == "-" else p for p in _PROTOCOL_KEYWORDS.split()]
PROTOCOL_NAMES: tuple[str | None, ...] = tuple(_PROTOCOLS + [None] * (256 - len(_PROTOCOLS)))


# ------------------------------------------------------------------------------------------------ layouts
@dataclass(frozen=True)
class Layout:
    fields: tuple[str, ...]
    origin: str  # how it was decided, for notes and reasons
    headers: tuple[str, ...] = ()  # lines that are this layout's header (skipped wherever they appear)
    inferred: bool = False


def head_lines(text: str) -> list[str]:
    text = text.removeprefix("\ufeff")
    lines = text.split("\n") if "\n" in text else text.split("\r")
    return [line.removesuffix("\r") for line in lines]


def header_fields(line: str) -> tuple[str, ...] | None:
    """The field names of a header line (``name``, ``${name}``, ``name_with_underscores``), or None."""
    names = []
    for token in line.strip(" ").split(" "):
        match = _NAME.fullmatch(token)
        if match is None:
            return None
        raw = match.group(1) or match.group(2)
        hyphened = raw.replace("_", "-")
        names.append(hyphened if hyphened in KIND_OF else raw)
    known = sum(n in KIND_OF for n in names)
    if len(set(names)) != len(names) or not known or known * 2 < len(names):
        return None
    return tuple(names)


def given_fields(fields: list[str]) -> tuple[str, ...]:
    """The names given with ``--fields`` (a typo is an error, not a silent text column)."""
    names = tuple(f.removeprefix("${").removesuffix("}").replace("_", "-") for f in fields)
    unknown = [n for n in names if n not in KIND_OF]
    if unknown:
        raise LogsheetError(f"unknown VPC flow log field(s) in --fields: {', '.join(unknown)}; known fields: {' '.join(KIND_OF)}")
    if len(set(names)) != len(names):
        raise LogsheetError("--fields names a field twice")
    return names


def fits(line: str, fields: tuple[str, ...], hint: bool = False) -> bool:
    return re.fullmatch(line_pattern(fields, hint), line) is not None


def misfit(line: str, fields: tuple[str, ...]) -> str:
    """What is wrong with a line for a layout (the wording of the import's rejects)."""
    values = line.split(" ")
    if len(values) != len(fields):
        return f"expected {len(fields)} space-separated fields, found {len(values)}"
    for index, (field, value) in enumerate(zip(fields, values)):
        if not re.fullmatch(value_pattern(field), value):
            return f"field {index + 1} ({field}) is not {kind(field).expect}: {value[:80]}"
    return "it fits"


def layout(lines: list[str], fields: tuple[str, ...] | None) -> Layout | str:
    """The layout of a file from its first lines, or why there is none (a reason that says what to do)."""
    data = [line for line in lines if line.strip(" ")]
    header = header_fields(data[0]) if data else None
    if header is not None:
        return Layout(header, "its header line", (data[0],))
    if fields:
        return Layout(fields, "the fields given with --fields", (" ".join(fields),))
    if not data:
        return Layout(DEFAULT_V2, "the default format")
    width = Counter(len(line.split(" ")) for line in data).most_common(1)[0][0]
    same = [line for line in data if len(line.split(" ")) == width]
    if width == len(DEFAULT_V2) and any(fits(line, DEFAULT_V2) for line in same):
        return Layout(DEFAULT_V2, "the default format (version 2, 14 fields)", (" ".join(DEFAULT_V2),))
    if width in ALL_FIELDS_OF:
        version, names = ALL_FIELDS_OF[width]
        if sum(fits(line, names, hint=True) for line in same) >= 0.9 * len(same):
            origin = f"all version-{version} fields in AWS's order ({width} fields, inferred: no header)"
            return Layout(names, origin, (" ".join(names),), inferred=True)
    if width == len(DEFAULT_V2):
        return (
            "no header line, and the lines have 14 fields like the default format but not its values "
            f"({misfit(same[0], DEFAULT_V2)}); if this is a VPC flow log, name its fields with --fields"
        )
    return (
        f"no header line of flow log field names, and the lines have {width} space-separated fields: neither the "
        "default format (14) nor all the fields of a version in AWS's order (21, 25, 29, 39 or 40); if this is a "
        f"VPC flow log, name its fields with --fields (first line: {data[0][:60]!r})"
    )
