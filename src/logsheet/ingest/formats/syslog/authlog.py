"""Auth events in syslog messages: pure functions from (program, message) to the auth columns.

Which patterns apply depends on the program, read the way real files spell it: ``sshd``, ``sshd-session``
(OpenSSH 9.8+), ``sshd(pam_unix)`` (old PAM, loghub), ``[sshd]`` all mean sshd (patterns in
:mod:`logsheet.ingest.formats.syslog.sshd`); ``sudo``, ``su``, the shadow tools (``useradd``, ``groupadd``,
``passwd``, ...); PAM messages (``pam_unix(svc:auth): authentication failure; logname= uid=0 euid=0 tty=ssh
ruser= rhost=HOST  user=NAME``, also the older ``(pam_unix) ...`` and ``pam_unix: ...`` forms, and ``PAM N more
authentication failures``) are read whatever the program (vsftpd, pure-ftpd, cron, su, sudo...); and Linux
audit records (``type=USER_AUTH ... acct="root" ... addr=1.2.3.4 ... res=failed``, ``acct`` maybe hex-encoded).

Columns: ``user`` is the account the event is about, except where someone acts as someone else (sudo, su,
a PAM session "for user root by vagrant"): there ``user`` is who acted and ``target_user`` whom they became.
A remote host is ``src_ip`` when it is an address (IPv4, IPv6; IPv4-mapped ``::ffff:a.b.c.d`` as a.b.c.d) and
``src_host`` when it is a name (sshd with UseDNS, PAM's rhost). PAM's ``rhost=`` is the last ``rhost=`` word of
the line and ``ruser=`` everything before it, because both are attacker-controlled (``ruser=test
rhost=192.0.2.151 rhost=192.0.2.1`` is a login as "test rhost=192.0.2.151" from 192.0.2.1); ``user`` is PAM's
``user=``, else its ``ruser=``. sudo's ``3 incorrect password attempts`` / ``user NOT in sudoers`` are a
``sudo_failure`` with that ``reason`` (and ``attempts``). A message that is no auth event gives no columns.
"""

from __future__ import annotations

import functools
import ipaddress
import re
from typing import Any

from logsheet.ingest.formats.syslog.sshd import PATTERNS, PREFIX, SUFFIX

COLUMNS: tuple[tuple[str, str], ...] = (
    ("event", "text"),
    ("outcome", "text"),
    ("user", "text"),
    ("target_user", "text"),
    ("invalid_user", "boolean"),
    ("src_ip", "text"),
    ("src_host", "text"),
    ("src_port", "integer"),
    ("method", "text"),
    ("key_fingerprint", "text"),
    ("tty", "text"),
    ("pwd", "text"),
    ("command", "text"),
    ("group_name", "text"),
    ("attempts", "integer"),
    ("reason", "text"),
)
METHODS = {"password", "publickey", "keyboard_interactive", "hostbased", "gssapi", "none", "unknown"}
IPV4 = re.compile(r"\d{1,3}(?:\.\d{1,3}){3}")
NOT_A_HOST = {"", "?", "-", "UNKNOWN", "unknown", "(null)"}
Rule = tuple[str, re.Pattern[str], str, str | None]  # (text the message must hold, pattern, event, outcome)
LITERAL = re.compile(r"[^\\\[\](){}.*+?^$|]*")


def _rules(*rules: tuple[str, str, str | None], needles: tuple[str, ...] = ()) -> list[Rule]:
    """Compiled rules; a rule's needle (a cheap ``in`` test before the regex) is its leading literal text."""
    found = needles or tuple(LITERAL.match(p)[0] for p, _, _ in rules)  # type: ignore[index]
    return [(needle, re.compile(p, re.S), event, outcome) for needle, (p, event, outcome) in zip(found, rules)]


PAM = _rules(
    (r"(?:pam_\w+(?:\([^)]*\))?:? |\(pam_unix\) )?(?:PAM (?P<attempts>\d+) more )?authentication failures?; (?P<pam>logname=.*)",
     "auth_failure", "failure"),
    (r"(?:pam_\w+\([^)]*\):? )?check pass; user unknown", "invalid_user", "failure"),
    (r"(?:pam_\w+\([^)]*\):? |\(pam_unix\) )?session opened for user (?P<user>[^\s(]+)(?:\(uid=\d+\))?"
     r"(?: by (?P<by>[^\s(]*)(?:\(uid=\d+\))?)?", "session_opened", "success"),
    (r"(?:pam_\w+\([^)]*\):? |\(pam_unix\) )?session closed for user (?P<user>[^\s(]+)(?:\(uid=\d+\))?", "session_closed", None),
    (r"(?:pam_\w+\([^)]*\):? )?password changed for (?P<user>\S+)", "password_changed", "success"),
)  # fmt: skip
PAM_FIELDS = re.compile(
    r"logname=(?P<logname>.*?) uid=\d* euid=\d* tty=(?P<tty>\S*) "
    r"ruser=(?P<ruser>.*?) rhost=(?P<host>\S*)(?:\s+user=(?P<user>.*?))?\s*",
    re.S,
)
SUDO = re.compile(
    r"\s*(?P<user>\S+) : (?:(?P<reason>[^;]*?) ; )?TTY=(?P<tty>\S*) ; PWD=(?P<pwd>.*?) ; USER=(?P<target>\S+) ;"
    r"(?: GROUP=(?P<group>\S+) ;)?(?: TSID=\S+ ;)?(?: ENV=.*? ;)? COMMAND=(?P<command>.*)",
    re.S,
)
SUDO_CONTINUED = re.compile(r"\s*(?P<user>\S+) : \(command continued\) (?P<command>.*)", re.S)
FINGERPRINT = re.compile(r": [A-Z][A-Z0-9-]* (\S+?),?(?:\s|$)")  # "ssh2: RSA SHA256:..." or "ssh2: DSA 36:48:..."
ATTEMPTS = re.compile(r"(\d+) incorrect password attempts?")
SU = _rules(
    (r"Successful su for (?P<target>\S+) by (?P<user>\S+)", "su", "success"),
    (r"FAILED su for (?P<target>\S+) by (?P<user>\S+)", "su", "failure"),
    (r"(?P<sign>[+-]) (?P<tty>\S+) (?P<user>[^\s:]*):(?P<target>\S+)", "su", None),
    (r"\(to (?P<target>\S+)\) (?P<user>\S+) on (?P<tty>\S+)", "su", "success"),
)
ACCOUNTS = _rules(
    (r"new user: name=(?P<user>[^,]+), UID=\d+, GID=\d+, .*", "user_added", "success"),
    (r"new group: name=(?P<group>[^,]+)(?:, GID=\d+)?", "group_added", "success"),
    (r"delete user '(?P<user>[^']+)'", "user_deleted", "success"),
    (r"group '(?P<group>[^']+)' removed", "group_deleted", "success"),
    (r"add '(?P<user>[^']+)' to group '(?P<group>[^']+)'", "group_member_added", "success"),
    (r"change user '(?P<user>[^']+)' password", "password_changed", "success"),
    (r"password for '(?P<user>[^']+)' changed by '[^']*'", "password_changed", "success"),
    (r"changed password expiry for (?P<user>\S+)", "password_expiry_changed", "success"),
    (r"changed user '(?P<user>[^']+)' information", "user_changed", "success"),
)
GENERIC = _rules(
    (r"(?P<root>ROOT) LOGIN (?:ON|on) (?P<tty>\S+)(?: FROM (?P<host>\S+))?", "login", "success"),
    (r"LOGIN ON (?P<tty>\S+) BY (?P<user>\S+)(?: FROM (?P<host>\S+))?", "login", "success"),
    (r"FAILED LOGIN \(?(?P<attempts>\d+)\)? (?:on '(?P<tty>[^']*)' )?(?:FROM '?(?P<host>[^\s']*)'? )?FOR '?(?P<user>[^']*?)'?, "
     r"(?P<reason>.*)", "login_failure", "failure"),
    (r"Authentication failed from (?P<host>\S+) \([^)]*\): (?P<reason>.*)", "auth_failure", "failure"),
    (r"connection from (?P<host>\S+) \([^)]*\)(?: at .*)?", "connection", None),
    needles=("LOGIN", "LOGIN ON", "FAILED LOGIN", "Authentication failed from", "connection from"),
)  # fmt: skip
SSHD = _rules(*PATTERNS)
ACCOUNT_TOOLS = {"useradd", "userdel", "usermod", "groupadd", "groupdel", "groupmod", "passwd", "chpasswd", "chage", "chfn"}
AUDIT_TYPE = re.compile(r"(?:node=\S+ )?type=(?P<type>USER_AUTH|USER_LOGIN|USER_ERR) ")
AUDIT_KEYS = {k: re.compile(rf"\b{k}=(\"[^\"]*\"|[^\s']+)") for k in ("op", "acct", "addr", "hostname", "terminal", "res")}


@functools.lru_cache(maxsize=4096)
def family(program: str | None) -> str:
    """``sshd`` for sshd-session, sshd(pam_unix), ...; the lower-case name otherwise ('' when there is none)."""
    if not program:
        return ""
    name = program.lower().strip("[]").split("(", 1)[0]
    return "sshd" if name.startswith("sshd") else name


def auth_fields(program: str | None, message: str) -> dict[str, Any]:
    """The auth columns of one message (only those that have a value); {} when it is no auth event."""
    kind = family(program)
    text = message.rstrip()
    if kind == "sshd":
        text = SUFFIX.sub("", PREFIX.sub("", text, count=1), count=1)
        found = _first(SSHD, text)
        if found:
            return found
    elif kind == "sudo" and (m := SUDO.fullmatch(text)):
        return _sudo(m)
    elif kind == "audit":
        return _audit(text)
    own = SU if kind == "su" else ACCOUNTS if kind in ACCOUNT_TOOLS else []
    return _first(own, text) or _first(PAM, text) or _first(GENERIC, text)


def sudo_continuation(message: str) -> tuple[str, str] | None:
    """(user, text) of a sudo ``user : (command continued) text`` line."""
    m = SUDO_CONTINUED.fullmatch(message.rstrip("\n"))
    return (m["user"], m["command"]) if m else None


def source(host: str | None) -> dict[str, str]:
    """``src_ip`` for an address, ``src_host`` for a name."""
    if host is None:
        return {}
    name = host.strip("[]")
    if name.lower().startswith("::ffff:") and IPV4.fullmatch(name[7:]):
        name = name[7:]
    if IPV4.fullmatch(name) or _ipv6(name):
        return {"src_ip": name}
    return {} if name in NOT_A_HOST else {"src_host": name}


# ---------------------------------------------------------------------------------------------- builders
def _first(rules: list[Rule], text: str) -> dict[str, Any]:
    for needle, pattern, event, outcome in rules:
        if needle in text and (m := pattern.fullmatch(text)) is not None:
            return _build(m, event, outcome)
    return {}


def _build(m: re.Match[str], event: str, outcome: str | None) -> dict[str, Any]:
    g = {k: v for k, v in m.groupdict().items() if v is not None}
    out: dict[str, Any] = {"event": event, "outcome": outcome}
    if "method" in g:
        name = g["method"].split("/", 1)[0].replace("-", "_").removesuffix("_with_mic").removesuffix("_keyex")
        out.update(method=g["method"], event=event.format(method=name) if name in METHODS else event.format(method="auth"))
    if "invalid" in g:
        out["invalid_user"] = True
    user = "root" if "root" in g else g.get("user")
    if user is not None and user != "<invalid username>":
        out["user"] = user
    out.update(source(g.get("host")))
    for key, column in (("port", "src_port"), ("attempts", "attempts")):
        if key in g:
            out[column] = _small(g[key])
    for key, column in (("reason", "reason"), ("tty", "tty"), ("pwd", "pwd"), ("command", "command"), ("group", "group_name")):
        if g.get(key):
            out[column] = g[key]
    if "target" in g:
        out["target_user"] = g["target"]
    if "sign" in g:
        out["outcome"] = "success" if g["sign"] == "+" else "failure"
    if g.get("by") and g["by"] != g.get("user"):
        out.update(user=g["by"], target_user=g["user"])
    if "info" in g and (fingerprint := FINGERPRINT.match(g["info"])):
        out["key_fingerprint"] = fingerprint[1]
    if "pam" in g:
        out.update(_pam(g["pam"]))
    return {k: v for k, v in out.items() if v is not None}


def _pam(fields: str) -> dict[str, Any]:
    m = PAM_FIELDS.fullmatch(fields)
    if m is None:
        return {}
    out: dict[str, Any] = source(m["host"])
    user = m["user"] or m["ruser"] or m["logname"]
    if user:
        out["user"] = user
    if m["tty"]:
        out["tty"] = m["tty"]
    return out


def _sudo(m: re.Match[str]) -> dict[str, Any]:
    reason = m["reason"]
    out = _build(m, "sudo_failure" if reason else "sudo_command", "failure" if reason else "success")
    if reason and (attempts := ATTEMPTS.search(reason)):
        out["attempts"] = _small(attempts[1])
    return out


def _audit(text: str) -> dict[str, Any]:
    kind = AUDIT_TYPE.match(text)
    if kind is None:
        return {}
    values = {k: (found[1].strip('"') if (found := p.search(text)) else None) for k, p in AUDIT_KEYS.items()}
    failed = values["res"] not in ("success", "yes")
    op = values["op"] or ""
    method = {"pubkey": "publickey"}.get(op, op)
    if kind["type"] == "USER_LOGIN":
        event = "login_failure" if failed else "login"
    elif kind["type"] == "USER_ERR":
        event = "bad_protocol" if op == "PAM:bad_ident" else "auth_failure"
    elif method in METHODS:
        event = ("failed_" if failed else "accepted_") + method
    else:
        event = "auth_failure" if failed else "auth_success"
    out: dict[str, Any] = {"event": event, "outcome": "failure" if failed else "success"}
    if kind["type"] == "USER_AUTH":
        out["method"] = method or None
    out.update(source(values["addr"]) or source(values["hostname"]))
    account = AUDIT_KEYS["acct"].search(text)
    out.update(user=_audit_account(account[1]) if account else None, tty=values["terminal"])
    return {k: v for k, v in out.items() if v not in (None, "?")}


def _audit_account(raw: str) -> str | None:
    """audit writes ``acct="name"``, or the name hex-encoded when it holds odd characters."""
    if raw.startswith('"'):
        return raw.strip('"')
    if raw == "?" or len(raw) % 2 or not re.fullmatch(r"[0-9A-Fa-f]+", raw):
        return raw
    return bytes.fromhex(raw).decode("utf-8", errors="backslashreplace")


def _small(digits: str) -> int | None:
    return int(digits) if len(digits) <= 18 else None


def _ipv6(name: str) -> bool:
    if ":" not in name:
        return False
    try:
        ipaddress.IPv6Address(name.split("%", 1)[0])
    except ValueError:
        return False
    return True
