"""What sshd says, as (pattern, event, outcome): fifteen years of OpenSSH messages (fail2ban's collection).

Matched against the message after ``authlog`` has dropped a journal ``kernel: [  970.699397]`` prefix, a
Solaris ``[ID 800047 auth.info]`` prefix, an
``error:`` / ``fatal:`` prefix and a ``[preauth]`` / ``[net]`` suffix. Named groups become columns:
``user``, ``host`` (``src_ip``, or ``src_host`` when it is a name), ``port``, ``method``, ``invalid`` (sshd said
"invalid user" / "illegal user"), ``root`` (the user is root), ``info`` (a key fingerprint after ``ssh2:``),
``reason``; ``{method}`` in an event name is the method (``failed_password``, ``accepted_publickey``,
``accepted_keyboard_interactive``). The first pattern that matches the whole message wins.

Quirks, each from a real message:
- ``port N`` and ``ssh2`` may be absent (old versions, and ``Failed password ... from HOST`` alone);
- the host may be IPv6, IPv4-mapped (``::ffff:1.2.3.4``, kept as 1.2.3.4) or a host name;
- user names are attacker-chosen and may hold spaces or look like the rest of the line (``Failed password
  for invalid user test from 10.10.1.2 port 55555 ssh2 from 127.0.0.1 port 58946 ssh2``): the host is the one
  before the final ``port N ssh2``, or before the ``: ...`` auth info, never one inside the user name;
- the user may be empty (``Invalid user  from 192.0.2.68``) and is then an empty text, not blank;
- ``Received disconnect from HOST port N:11: ...`` and the older ``from HOST: 11: ...``.
"""

from __future__ import annotations

import re

H = r"(?P<host>\S+)"
P = r"(?: port (?P<port>\d+))?"
PORT = r" port (?P<port>\d+)"  # required where a user name comes first: it anchors the host from the end
INV = r"(?P<invalid>(?:invalid|illegal) user )?"
VIA = r"(?: (?:authenticating|(?P<invalid>invalid)) user| user)"  # "Connection closed by invalid user X HOST ..."
BREAK_IN = "POSSIBLE BREAK-IN ATTEMPT!?"
TOO_MANY = "Too many authentication failures"
HOST_COLON = r"(?P<host>\S*[^\s:])"  # a host followed by ':' (the last character of the host is not one)

PATTERNS: list[tuple[str, str, str | None]] = [
    (rf"Accepted (?P<method>\S+) for (?P<user>.*?) from {H}{P}(?: ssh\d?)?(?P<info>: .*)?", "accepted_{method}", "success"),
    (rf"Failed (?P<method>\S+) for {INV}(?P<user>.*?) from {H}{P}(?: ssh\d?)?(?P<info>: .*)?", "failed_{method}", "failure"),
    (rf"(?P<invalid>Invalid|Illegal) user (?P<user>.*?) from {H}{P}", "invalid_user", "failure"),
    (r"input_userauth_request: (?P<invalid>invalid|illegal) user (?P<user>.*)", "invalid_user", "failure"),
    (rf"User (?P<user>.*?) from {H} not allowed because (?P<reason>.*)", "user_not_allowed", "failure"),
    (r"User (?P<user>\S+) not allowed because (?P<reason>.*)", "user_not_allowed", "failure"),
    (rf"(?P<root>ROOT) LOGIN REFUSED FROM {H}{P}", "root_login_refused", "failure"),
    (r"refused connect from (?:\S*@)?(?P<name>\S+) \((?P<host>[^)\s]+)\)", "connection_refused", "failure"),
    (rf"Address {H} maps to \S+, but this does not map back to the address - {BREAK_IN}", "break_in_attempt", None),
    (
        rf"reverse mapping checking getaddrinfo for \S+ \[(?P<host>[^\]]+)\] failed(?: - {BREAK_IN})?",
        "break_in_attempt",
        None,
    ),
    (
        rf"PAM: (?P<reason>[Aa]uthentication (?:failure|error)|User not known to the underlying authentication module) "
        rf"for {INV}(?P<user>.*?) from {H}(?: via \S+)?",
        "auth_failure",
        "failure",
    ),
    (rf"Received disconnect from {HOST_COLON}{P}: ?\d+: (?P<reason>.*)", "disconnect", None),
    (rf"Disconnected from{VIA} (?P<user>.*) {H}{PORT}", "disconnect", None),
    (rf"Disconnected from {H}{P}", "disconnect", None),
    (rf"Disconnecting: {TOO_MANY}(?: for (?P<invalid>invalid user )?(?P<user>.*))?", "max_auth_attempts", "failure"),
    (rf"Disconnecting{VIA} (?P<user>.*?) {H}{PORT}: {TOO_MANY}", "max_auth_attempts", "failure"),
    (rf"Disconnecting{VIA} (?P<user>.*?) {H}{PORT}: (?P<reason>.*)", "disconnect", None),
    (rf"maximum authentication attempts exceeded for {INV}(?P<user>.*?) from {H}{P}(?: ssh\d?)?", "max_auth_attempts", "failure"),
    (rf"Connection closed by{VIA} (?P<user>.*) {H}{PORT}", "connection_closed", None),
    (r"kex_exchange_identification: (?P<reason>.*)", "bad_protocol", "failure"),
    (rf"Connection closed by (?!remote host$){H}{P}", "connection_closed", None),
    (rf"Connection reset by{VIA} (?P<user>.*) {H}{PORT}", "connection_reset", None),
    (r"(?:Read from socket failed: )?Connection reset by peer", "connection_reset", None),
    (rf"Connection reset by {H}{P}", "connection_reset", None),
    (rf"Connection from {H}{P}(?: on \S+ port \d+)?(?: rdomain .*)?", "connection", None),
    (rf"Did not receive identification string from {H}{P}", "no_identification", "failure"),
    (rf"Bad protocol version identification .* from {H}{P}", "bad_protocol", "failure"),
    (rf"banner exchange: Connection from {H} port (?P<port>\d+): (?P<reason>.*)", "bad_protocol", "failure"),
    (rf"ssh_dispatch_run_fatal: Connection from {H} port (?P<port>\d+): (?P<reason>.*)", "protocol_error", "failure"),
    (rf"Unable to negotiate with {H} port (?P<port>\d+): (?P<reason>.*)", "negotiation_failed", "failure"),
    (r"Unable to negotiate a key exchange method|no matching \w+ found: .*", "negotiation_failed", "failure"),
    (rf"Timeout before authentication for (?:connection from )?{H}(?: port (?P<port>\d+)| to .*)?", "auth_timeout", "failure"),
    (rf"Postponed (?P<method>\S+) for {INV}(?P<user>.*?) from {H}{P}(?: ssh\d?)?", "auth_postponed", None),
    (rf"Starting session: (?P<reason>.*?) for (?P<user>\S+) from {H}{P}(?: id \d+)?", "session_started", None),
    (r"subsystem request for (?P<command>\S+)(?: by user (?P<user>.*))?", "subsystem_request", None),
]
PREFIX = re.compile(r"(?:kernel: ?\[ *\d+\.\d+\]:? )?(?:\[ID \d+ [\w.]+\] )?(?:(?:error|fatal|warning): )?")
SUFFIX = re.compile(r"\s*\[(?:preauth|net|monitor)\]\s*$")
