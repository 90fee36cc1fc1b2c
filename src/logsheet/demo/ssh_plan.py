"""Every SSH connection to the web server over the period, planned once so that ``secure`` and the flow logs
tell the same story: internet scanners and password guessers, the admins' key logins, and the brute force
from 123.214.118.119 that ends in one root login.
"""

from __future__ import annotations

import enum
import random
from dataclasses import dataclass
from itertools import accumulate

from logsheet.demo import hostile
from logsheet.demo.clock import DAY, HOUR, is_weekend
from logsheet.demo.ids import Ids
from logsheet.demo.world import (
    BRUTE_FORCE_START,
    OFFICE_IP,
    PERIOD_END,
    PERIOD_START,
    ROOT_LOGIN,
    ROOT_LOGOUT,
    SSH_ATTACKER_IP,
    VPN_IP,
)

MAX_AUTH_TRIES = 6  # sshd_config: the sixth failure ends the connection
BRUTE_ROOT_CONNECTIONS = 72  # each ends at MaxAuthTries: 432 "Failed password for root"
BRUTE_ADMIN_CONNECTIONS = 16
BRUTE_ADMIN_TRIES = 3  # 48 "Failed password for invalid user admin"
SCANNER_CAMPAIGNS = 230
SCANNER_IPS = 260

_USERNAMES = (
    "admin", "test", "user", "oracle", "postgres", "ubuntu", "git", "guest", "ftpuser", "pi", "support",
    "hadoop", "deploy", "jenkins", "minecraft", "test1", "www", "mysql", "centos", "steam", "teamspeak",
    "nagios", "ansible", "elastic", "vagrant", "default", "sysadmin", "user1", "operator", "tomcat",
)  # fmt: skip


class Kind(enum.Enum):
    PROBE = "probe"  # connects, never authenticates
    INVALID_USER = "invalid user"  # guesses passwords for a user that does not exist
    ROOT_GUESS = "root guess"  # guesses root's password
    KEY_LOGIN = "key login"  # an admin's public-key session
    ROOT_LOGIN = "root login"  # the attacker's successful password login


@dataclass(frozen=True)
class Connection:
    kind: Kind
    src_ip: str
    src_port: int
    start: int
    end: int
    user: str = "root"
    failures: int = 0


def plan_ssh(rng: random.Random) -> list[Connection]:
    """All connections, in order of their start."""
    ids = Ids(rng)
    plan = scanner_connections(ids) + admin_sessions(rng) + brute_force(rng)
    return sorted(plan, key=lambda conn: conn.start)


def scanner_connections(ids: Ids) -> list[Connection]:
    """Campaigns of the internet's background noise: bursts of connections from a pool of addresses."""
    rng = ids.rng
    pool = [ids.public_ipv4() for _ in range(SCANNER_IPS)]
    busy_first = list(accumulate(1 / rank for rank in range(1, SCANNER_IPS + 1)))
    conns = [_hostile_guess(ids, user) for user in hostile.SECURE]
    for _ in range(SCANNER_CAMPAIGNS):
        ip = rng.choices(pool, cum_weights=busy_first)[0]
        style = rng.choices((Kind.PROBE, Kind.INVALID_USER, Kind.ROOT_GUESS), (3, 4, 3))[0]
        ts = rng.randrange(PERIOD_START, PERIOD_END - HOUR)
        port = rng.randint(32768, 60000)
        for _ in range(min(60, 1 + int(rng.expovariate(1 / 6)))):
            ts += rng.randint(2, 90)
            port += rng.randint(1, 40)
            conns.append(_guess(rng, style, ip, port, ts))
    return conns


def _guess(rng: random.Random, kind: Kind, ip: str, port: int, ts: int) -> Connection:
    if kind is Kind.PROBE:
        return Connection(kind, ip, port, ts, ts + rng.randint(0, 20), user="")
    user = "root" if kind is Kind.ROOT_GUESS else rng.choice(_USERNAMES)
    failures = rng.randint(1, MAX_AUTH_TRIES if kind is Kind.ROOT_GUESS else 3)
    return Connection(kind, ip, port, ts, ts + 2 * failures + rng.randint(1, 4), user, failures)


def _hostile_guess(ids: Ids, user: str) -> Connection:
    ts = ids.rng.randrange(PERIOD_START, PERIOD_END - HOUR)
    return Connection(Kind.INVALID_USER, ids.public_ipv4(), ids.rng.randint(32768, 60000), ts, ts + 4, user, 1)


def admin_sessions(rng: random.Random) -> list[Connection]:
    """ec2-user logging in with a key from the office or the VPN, a few times each working day."""
    sessions = []
    for day in range(PERIOD_START, PERIOD_END, DAY):
        count = 0 if is_weekend(day) else rng.randint(1, 3)
        for _ in range(count):
            start = day + rng.randint(14 * HOUR, 22 * HOUR)
            ip = rng.choice((OFFICE_IP, VPN_IP))
            sessions.append(
                Connection(Kind.KEY_LOGIN, ip, rng.randint(49152, 65000), start, start + rng.randint(300, 5400), "ec2-user")
            )
    return sessions


def brute_force(rng: random.Random) -> list[Connection]:
    """From 14:50, a connection every half minute or so, root and 'admin' mixed, then the root login at 15:40."""
    kinds = [Kind.ROOT_GUESS] * BRUTE_ROOT_CONNECTIONS + [Kind.INVALID_USER] * BRUTE_ADMIN_CONNECTIONS
    rng.shuffle(kinds)
    spacing = (ROOT_LOGIN - 30 - BRUTE_FORCE_START) / len(kinds)
    conns = []
    port = 41022
    for index, kind in enumerate(kinds):
        start = BRUTE_FORCE_START + int(index * spacing) + rng.randint(0, 4)
        port += rng.randint(1, 25)
        user, failures = ("root", MAX_AUTH_TRIES) if kind is Kind.ROOT_GUESS else ("admin", BRUTE_ADMIN_TRIES)
        conns.append(Connection(kind, SSH_ATTACKER_IP, port, start, start + 3 * failures + rng.randint(0, 3), user, failures))
    conns.append(Connection(Kind.ROOT_LOGIN, SSH_ATTACKER_IP, port + rng.randint(1, 25), ROOT_LOGIN, ROOT_LOGOUT))
    return conns
