"""Everyday CloudTrail traffic: actors' sessions (bursts of calls) spread over the period by their working hours."""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Iterator
from itertools import accumulate

from logsheet.demo import ct_agents as ua
from logsheet.demo.clock import hour_of_day, is_weekend
from logsheet.demo.ct_actor import Actor
from logsheet.demo.ct_common import throttled
from logsheet.demo.ct_console import console_login
from logsheet.demo.ct_machines import MACHINES
from logsheet.demo.ct_people import PEOPLE
from logsheet.demo.ct_record import Caller, Draw, Error, EventKind, Record, make_record
from logsheet.demo.ids import Ids
from logsheet.demo.world import PERIOD_END, PERIOD_START

_OFF_HOURS = 0.04  # how active a person is outside their working hours
_CONSOLE_INTERNAL = 0.2  # share of console calls that AWS proxies ("AWS Internal")
_FAILED_LOGIN = 0.06
ACTORS = MACHINES + PEOPLE


def background_records(ids: Ids, count: int) -> list[Record]:
    """Exactly ``count`` records: whole sessions of randomly chosen actors, the last one cut short."""
    cum_weights = list(accumulate(actor.share / actor.mean_burst for actor in ACTORS))
    records: list[Record] = []
    while len(records) < count:
        actor = ids.rng.choices(ACTORS, cum_weights=cum_weights)[0]
        records.extend(_session(actor, ids))
    del records[count:]
    return records


def _session(actor: Actor, ids: Ids) -> Iterator[Record]:
    rng = ids.rng
    ts = _session_start(actor, rng)
    region = rng.choices([r for r, _ in actor.regions], [w for _, w in actor.regions])[0]
    caller = actor.caller(ids, ts)
    if actor.console_login:
        yield from _sign_in(caller, ts, ids)
    kinds = [kind for kind, _ in actor.repertoire]
    weights = [weight for _, weight in actor.repertoire]
    for _ in range(rng.randint(*actor.burst)):
        ts += rng.randint(*actor.gap)
        if ts >= PERIOD_END:
            return
        kind = rng.choices(kinds, weights)[0]
        where = "us-east-1" if kind.global_region else region
        call = kind.draw_call(Draw(ids, where, ts))
        yield make_record(kind, _as_sent(caller, kind, rng), ts, where, call, ids, _error(actor, kind, rng))


def _session_start(actor: Actor, rng: random.Random) -> int:
    while True:
        ts = rng.randrange(PERIOD_START, PERIOD_END)
        if rng.random() < _activity(actor, ts):
            return ts


def _activity(actor: Actor, ts: int) -> float:
    if actor.hours is None:
        return 1.0
    start, end = actor.hours
    active = 1.0 if start <= hour_of_day(ts) < end else _OFF_HOURS
    return active * (actor.weekend if is_weekend(ts) else 1.0)


def _sign_in(caller: Caller, ts: int, ids: Ids) -> Iterator[Record]:
    user = caller.identity["userName"]
    if ids.rng.random() < _FAILED_LOGIN:
        yield console_login(user, caller.source_ip, max(PERIOD_START, ts - 40), ids, success=False)
    yield console_login(user, caller.source_ip, ts, ids)


def _as_sent(caller: Caller, kind: EventKind, rng: random.Random) -> Caller:
    """The caller with this call's user agent; some console calls arrive through AWS's own proxies."""
    if caller.console and rng.random() < _CONSOLE_INTERNAL:
        return dataclasses.replace(caller, source_ip=ua.AWS_INTERNAL, user_agent=ua.AWS_INTERNAL)
    return dataclasses.replace(caller, user_agent=ua.render(caller.user_agent, kind))


def _error(actor: Actor, kind: EventKind, rng: random.Random) -> Error | None:
    if rng.random() >= actor.error_rate:
        return None
    if actor.throttles and (not kind.errors or rng.random() < 0.5):
        return throttled(kind)
    return rng.choice(kind.errors) if kind.errors else None
