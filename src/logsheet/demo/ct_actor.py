"""An actor: one of the account's everyday principals, its habits, and how its calls are signed and sent."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from logsheet.demo import ct_agents as ua
from logsheet.demo.ct_identity import assumed_role, aws_service, console_user, iam_user
from logsheet.demo.ct_record import Caller, EventKind
from logsheet.demo.ids import Ids, stable_id

MakeCaller = Callable[[Ids, int], Caller]


@dataclass(frozen=True)
class Actor:
    """A principal's habits. ``share`` is its part of the background records; ``hours`` its UTC working hours."""

    name: str
    share: float
    caller: MakeCaller
    repertoire: tuple[tuple[EventKind, int], ...]
    regions: tuple[tuple[str, int], ...] = (("us-east-1", 1),)
    burst: tuple[int, int] = (1, 5)
    gap: tuple[int, int] = (0, 30)
    hours: tuple[int, int] | None = None
    weekend: float = 1.0
    error_rate: float = 0.03
    throttles: bool = False
    console_login: bool = False

    @property
    def mean_burst(self) -> float:
        return (self.burst[0] + self.burst[1]) / 2


def cli_user(name: str, ip: str, agent: str) -> MakeCaller:
    key = stable_id("AKIA", name, 16)
    return lambda ids, ts: Caller(iam_user(name, key), ids.complete_ip(ip), agent)


def console(name: str, ip: str) -> MakeCaller:
    return lambda ids, ts: Caller(console_user(name, ids.access_key(), ts), ip, ua.CONSOLE, console=True)


def role_session(role: str, session: Callable[[Ids], str], ips: tuple[str, ...], agent: str) -> MakeCaller:
    def make(ids: Ids, ts: int) -> Caller:
        created = ts - ids.rng.randint(60, 3000)
        ip = ids.complete_ip(ips[ids.rng.randrange(len(ips))])
        return Caller(assumed_role(role, session(ids), ids.access_key(), created), ip, agent)

    return make


def service(name: str) -> MakeCaller:
    """An AWS service acting on its own: it is its own source address and user agent."""
    return lambda ids, ts: Caller(aws_service(name), name, name)
