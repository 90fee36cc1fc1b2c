"""What sshd (OpenSSH 7.4 on Amazon Linux 2, with PAM) and sudo write to /var/log/secure for one connection."""

from __future__ import annotations

import base64
import hashlib
import random
from typing import NamedTuple

from logsheet.demo.ssh_plan import MAX_AUTH_TRIES, Connection, Kind

_PAM_FAILURE = "pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost={ip}"
_PAM_MORE = "PAM {more} more authentication failures; logname= uid=0 euid=0 tty=ssh ruser= rhost={ip}"
_AS_ROOT = "  user=root"  # pam_unix separates it with two spaces
_SUDO_COMMANDS = (
    "/bin/yum update",
    "/bin/systemctl restart nginx",
    "/bin/tail -n 200 /var/log/nginx/error.log",
    "/bin/vi /etc/nginx/conf.d/app.conf",
    "/bin/journalctl -u app --since today",
    "/bin/systemctl status app",
)
_KEX_OFFER = "diffie-hellman-group14-sha1,diffie-hellman-group-exchange-sha1,diffie-hellman-group1-sha1"


class SyslogEvent(NamedTuple):
    ts: int
    program: str
    pid: int | None
    message: str


def connection_lines(conn: Connection, pid: int, rng: random.Random) -> list[SyslogEvent]:
    render = {
        Kind.PROBE: _probe,
        Kind.INVALID_USER: _invalid_user,
        Kind.ROOT_GUESS: _root_guess,
        Kind.KEY_LOGIN: _key_login,
        Kind.ROOT_LOGIN: _root_login,
    }[conn.kind]
    return [SyslogEvent(ts, program, pid if program == "sshd" else None, message) for ts, program, message in render(conn, rng)]


Lines = list[tuple[int, str, str]]


def _where(conn: Connection) -> str:
    return f"{conn.src_ip} port {conn.src_port}"


def _probe(conn: Connection, rng: random.Random) -> Lines:
    where = _where(conn)
    style = rng.randrange(4)
    if style == 0:
        return [(conn.end, "sshd", f"Connection closed by {where} [preauth]")]
    if style == 1:
        return [(conn.end, "sshd", f"Did not receive identification string from {where}")]
    if style == 2:
        return [
            (
                conn.end,
                "sshd",
                f"Unable to negotiate with {where}: no matching key exchange method found. Their offer: {_KEX_OFFER} [preauth]",
            )
        ]
    return _bye(conn)


def _bye(conn: Connection) -> Lines:
    where = _where(conn)
    return [
        (conn.end, "sshd", f"Received disconnect from {where}:11: Bye Bye [preauth]"),
        (conn.end, "sshd", f"Disconnected from {where} [preauth]"),
    ]


def _failures(conn: Connection, message: str) -> Lines:
    step = max(1, (conn.end - conn.start) // (conn.failures + 1))
    return [(conn.start + step * (n + 1), "sshd", message) for n in range(conn.failures)]


def _invalid_user(conn: Connection, rng: random.Random) -> Lines:
    where = _where(conn)
    lines = [
        (conn.start, "sshd", f"Invalid user {conn.user} from {where}"),
        (conn.start, "sshd", f"input_userauth_request: invalid user {conn.user} [preauth]"),
        (conn.start + 1, "sshd", "pam_unix(sshd:auth): check pass; user unknown"),
        (conn.start + 1, "sshd", _PAM_FAILURE.format(ip=conn.src_ip)),
    ]
    lines += _failures(conn, f"Failed password for invalid user {conn.user} from {where} ssh2")
    if conn.failures > 1:
        more = _PAM_MORE.format(more=conn.failures - 1, ip=conn.src_ip)
        lines.append((conn.end, "sshd", more))
    if rng.random() < 0.5:
        return lines + [(conn.end, "sshd", f"Connection closed by {where} [preauth]")]
    return lines + _bye(conn)


def _root_guess(conn: Connection, rng: random.Random) -> Lines:
    where = _where(conn)
    pam_user = _PAM_FAILURE.format(ip=conn.src_ip) + _AS_ROOT
    lines = [(conn.start + 1, "sshd", pam_user)]
    lines += _failures(conn, f"Failed password for root from {where} ssh2")
    pam_rest = _PAM_MORE.format(more=conn.failures - 1, ip=conn.src_ip) + _AS_ROOT
    if conn.failures == MAX_AUTH_TRIES:
        return lines + [
            (conn.end, "sshd", f"error: maximum authentication attempts exceeded for root from {where} ssh2 [preauth]"),
            (conn.end, "sshd", "Disconnecting: Too many authentication failures [preauth]"),
            (conn.end, "sshd", pam_rest),
            (conn.end, "sshd", f"PAM service(sshd) ignoring max retries; {MAX_AUTH_TRIES} > 3"),
        ]
    if conn.failures > 1:
        lines.append((conn.end, "sshd", pam_rest))
    return lines + _bye(conn)


def _session(conn: Connection, accepted: str) -> tuple[Lines, Lines]:
    where = _where(conn)
    opened = [
        (conn.start, "sshd", f"{accepted} for {conn.user} from {where} ssh2" + _key_suffix(conn)),
        (conn.start, "sshd", f"pam_unix(sshd:session): session opened for user {conn.user} by (uid=0)"),
    ]
    closed = [
        (conn.end, "sshd", f"Received disconnect from {where}:11: disconnected by user"),
        (conn.end, "sshd", f"Disconnected from {where}"),
        (conn.end, "sshd", f"pam_unix(sshd:session): session closed for user {conn.user}"),
    ]
    return opened, closed


def _key_suffix(conn: Connection) -> str:
    if conn.kind is not Kind.KEY_LOGIN:
        return ""
    digest = base64.b64encode(hashlib.sha256(conn.src_ip.encode()).digest()).decode().rstrip("=")
    return f": RSA SHA256:{digest}"


def _key_login(conn: Connection, rng: random.Random) -> Lines:
    opened, closed = _session(conn, "Accepted publickey")
    sudo: Lines = []
    for _ in range(rng.randint(0, 4)):
        ts = rng.randint(conn.start + 5, conn.end - 5)
        command = rng.choice(_SUDO_COMMANDS)
        sudo += [
            (ts, "sudo", f"{conn.user} : TTY=pts/0 ; PWD=/home/{conn.user} ; USER=root ; COMMAND={command}"),
            (ts, "sudo", f"pam_unix(sudo:session): session opened for user root by {conn.user}(uid=0)"),
            (ts + rng.randint(1, 4), "sudo", "pam_unix(sudo:session): session closed for user root"),
        ]
    return opened + sudo + closed


def _root_login(conn: Connection, rng: random.Random) -> Lines:
    opened, closed = _session(conn, "Accepted password")
    return opened + closed
