"""The Public Suffix List, offline: the snapshot bundled with the ``tldextract`` package (read as a file; no
network fetch ever happens), compiled into SQL that finds a host name's registered domain.

Only the list's ICANN section counts (as ``tldextract`` does by default): ``example.co.uk`` is the registered
domain of ``www.example.co.uk``, ``github.io`` that of ``user.github.io``. Rules in Unicode are used in their
IDNA (punycode) spelling too. A host whose last label is no known suffix (``localhost``, an IP address) has no
registered domain.

The SQL works label by label: ``suffix(k)`` is the host's last ``k`` labels; the public suffix is the longest
rule that matches (a ``*.`` wildcard rule matches one more label; a ``!`` exception rule one fewer), and the
registered domain is the public suffix with one more label (none when the host is a public suffix itself).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib import resources

from sqlglot import exp

from logsheet.core.errors import InvalidQuery
from logsheet.core.sqlnames import lit

_SNAPSHOT = ".tld_set_snapshot"
_ICANN_END = "===END ICANN DOMAINS==="


@dataclass(frozen=True)
class SuffixRules:
    """The rules by their number of labels: ``plain[k]`` exact suffixes, ``wildcard[k]`` the bases of ``*.``
    rules, ``exceptions[k]`` the ``!`` rules."""

    plain: dict[int, frozenset[str]]
    wildcard: dict[int, frozenset[str]]
    exceptions: dict[int, frozenset[str]]

    @property
    def longest(self) -> int:
        return max([*self.plain, *(k + 1 for k in self.wildcard), 1])


@functools.cache
def rules() -> SuffixRules:
    try:
        text = resources.files("tldextract").joinpath(_SNAPSHOT).read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError) as exc:  # pragma: no cover - a dependency of logsheet
        raise InvalidQuery(f"the Public Suffix List snapshot (package tldextract) is missing: {exc}") from None
    plain: dict[int, set[str]] = {}
    wildcard: dict[int, set[str]] = {}
    exceptions: dict[int, set[str]] = {}
    for line in text.split(_ICANN_END, 1)[0].splitlines():
        rule = line.strip().split(" ", 1)[0].lower()
        if not rule or rule.startswith("//"):
            continue
        for spelling in _spellings(rule):
            if spelling.startswith("!"):
                name = spelling[1:]
                exceptions.setdefault(name.count(".") + 1, set()).add(name)
            elif spelling.startswith("*."):
                base = spelling[2:]
                wildcard.setdefault(base.count(".") + 1, set()).add(base)
            else:
                plain.setdefault(spelling.count(".") + 1, set()).add(spelling)
    freeze = lambda table: {k: frozenset(v) for k, v in table.items()}  # noqa: E731
    return SuffixRules(freeze(plain), freeze(wildcard), freeze(exceptions))


def _spellings(rule: str) -> list[str]:
    """The rule, and its IDNA spelling when it has non-ASCII labels."""
    if rule.isascii():
        return [rule]
    prefix = "!" if rule.startswith("!") else "*." if rule.startswith("*.") else ""
    body = rule[len(prefix) :]
    try:
        encoded = ".".join(label.encode("idna").decode("ascii") for label in body.split("."))
    except UnicodeError:
        return [rule]
    return [rule, prefix + encoded]


def suffix_labels(host: exp.Expr, k: int) -> exp.Expr:
    """The last ``k`` labels of a host name ('' when it has fewer)."""
    pattern = r"(?:^|\.)([^.]+" + r"(?:\.[^.]+)" * (k - 1) + ")$"
    return exp.RegexpExtract(this=host, expression=lit(pattern), group=lit(1))


def _member(value: exp.Expr, names: frozenset[str], tld: exp.Expr) -> exp.Expr:
    """Whether ``value`` (a host's last labels) is one of ``names``: anchored regexes of alternatives. An IN
    list of thousands of literals made queries slow to build and to plan, and one regex of thousands of rules is
    too big for RE2's fast automaton (ten times slower); so a long list is cut into :data:`CHUNKS` regexes by
    the host's top-level domain ``tld`` (a rule's chunk is the one of its own last label)."""
    if len(names) <= 64:
        return exp.RegexpLike(this=value, expression=lit(_alternatives(names)))
    chunks = _chunks(names)
    ifs = [
        exp.If(
            this=exp.GTE(this=tld.copy(), expression=lit(low)),
            true=exp.RegexpLike(this=value.copy(), expression=lit(_alternatives(group))),
        )
        for low, group in reversed(chunks[1:])
    ]
    return exp.Case(ifs=ifs, default=exp.RegexpLike(this=value.copy(), expression=lit(_alternatives(chunks[0][1]))))


CHUNKS = 4


@functools.cache
def _chunks(names: frozenset[str]) -> list[tuple[str, frozenset[str]]]:
    """The names in about :data:`CHUNKS` groups of whole top-level domains, in order, each with its lowest one."""
    by_tld: dict[str, set[str]] = {}
    for name in names:
        by_tld.setdefault(name.rsplit(".", 1)[-1], set()).add(name)
    size = -(-len(names) // CHUNKS)
    out: list[tuple[str, set[str]]] = []
    for tld in sorted(by_tld):  # code point order, which is UTF-8 byte order: how both engines compare text
        if not out or len(out[-1][1]) >= size:
            out.append((tld, set()))
        out[-1][1].update(by_tld[tld])
    return [(low, frozenset(group)) for low, group in out]


@functools.cache
def _alternatives(names: frozenset[str]) -> str:
    """``^(?:co\\.uk|com\\.au|...)$``, grouped by the last label so that a backtracking engine (Java's) tries
    only the rules of the value's top-level domain."""
    by_last: dict[str, list[str]] = {}
    for name in sorted(names):
        head, _, last = name.rpartition(".")
        by_last.setdefault(last, []).append(head)
    groups = []
    for last, heads in by_last.items():
        exact = "" in heads
        longer = [escape(h) for h in heads if h]
        if longer:
            inner = "(?:" + "|".join(longer) + ")" + "\\."
            groups.append(f"(?:{inner}){'?' if exact else ''}{escape(last)}")
        else:
            groups.append(escape(last))
    return "^(?:" + "|".join(groups) + ")$"


def escape(label: str) -> str:
    """A rule's text as a literal pattern in RE2 and Java: ASCII punctuation escaped, letters (any script),
    digits and marks as they are (RE2 refuses a backslash before a non-ASCII character)."""
    return "".join("\\" + ch if ch.isascii() and not ch.isalnum() else ch for ch in label)


def registered_domain(host: exp.Expr) -> exp.Expr:
    """The registered domain of a lower-case host name without a trailing dot, NULL when it has none."""
    table = rules()
    longest = table.longest
    suffix = {k: suffix_labels(host, k) for k in range(1, longest + 2)}
    ifs: list[exp.Expr] = []
    for k in range(longest, 0, -1):  # the longest rule first; at one length, exceptions before wildcards
        if k in table.exceptions:  # '!city.kobe.jp': the public suffix is one label shorter
            ifs.append(exp.If(this=_member(suffix[k].copy(), table.exceptions[k], suffix[1]), true=suffix[k].copy()))
        if k - 1 in table.wildcard:  # '*.kobe.jp': any one label more is a public suffix
            has_label = exp.NEQ(this=suffix[k].copy(), expression=lit(""))
            test = exp.And(this=_member(suffix[k - 1].copy(), table.wildcard[k - 1], suffix[1]), expression=has_label)
            ifs.append(exp.If(this=test, true=suffix[k + 1].copy()))
        if k in table.plain:
            ifs.append(exp.If(this=_member(suffix[k].copy(), table.plain[k], suffix[1]), true=suffix[k + 1].copy()))
    return exp.Nullif(this=exp.Case(ifs=ifs, default=lit("")), expression=lit(""))
