"""Assembles one CloudTrail record, with the fields in CloudTrail's own order for its eventVersion.

Version 1.08 records carry ``readOnly``, ``managementEvent``, ``eventCategory``, ``tlsDetails`` and
``sessionCredentialFromConsole``; the older 1.05 records some services still wrote lack them.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from logsheet.demo.clock import iso_z
from logsheet.demo.ct_identity import Identity
from logsheet.demo.ids import Ids
from logsheet.demo.world import ACCOUNT_ID

Record = dict[str, Any]
Error = tuple[str, str]

_GLOBAL_HOSTS = {"iam": "iam.amazonaws.com", "sts": "sts.amazonaws.com", "s3": "s3.amazonaws.com"}
_TLS = (
    ("TLSv1.2", "ECDHE-RSA-AES128-GCM-SHA256"),
    ("TLSv1.2", "ECDHE-RSA-AES128-SHA"),
    ("TLSv1.3", "TLS_AES_128_GCM_SHA256"),
)


@dataclass(frozen=True)
class Draw:
    """What a request-parameter builder may draw on: randomness, the region and the time."""

    ids: Ids
    region: str
    ts: int

    @property
    def rng(self) -> random.Random:
        return self.ids.rng


@dataclass(frozen=True)
class Call:
    """The variable, per-event parts of a record."""

    params: dict[str, Any] | None = None
    response: dict[str, Any] | None = None
    resources: list[dict[str, str]] | None = None
    additional: dict[str, Any] | None = None


@dataclass(frozen=True)
class EventKind:
    """One API action: where it is served, whether it reads, how its parameters look, how it fails."""

    service: str
    name: str
    read_only: bool
    build: Callable[[Draw], Call] | None = None
    errors: tuple[Error, ...] = ()
    data: bool = False
    global_region: bool = False
    version: str = "1.08"

    def draw_call(self, draw: Draw) -> Call:
        """Random parameters for a background call; actions without a builder are only ever scripted."""
        if self.build is None:
            raise TypeError(f"{self.name} has no parameter builder")
        return self.build(draw)


@dataclass(frozen=True)
class Caller:
    """Who makes a request and from where; ``user_agent`` may be a template that ``ct_agents.render`` fills."""

    identity: Identity
    source_ip: str
    user_agent: str
    console: bool = False
    vpc_endpoint: str | None = None


def is_ip(source: str) -> bool:
    return source[:1].isdigit() or ":" in source


def make_record(kind: EventKind, caller: Caller, ts: int, region: str, call: Call, ids: Ids, error: Error | None) -> Record:
    modern = kind.version >= "1.08"
    rec: Record = {
        "eventVersion": kind.version,
        "userIdentity": caller.identity,
        "eventTime": iso_z(ts),
        "eventSource": f"{kind.service}.amazonaws.com",
        "eventName": kind.name,
        "awsRegion": region,
        "sourceIPAddress": caller.source_ip,
        "userAgent": caller.user_agent,
    }
    if error:
        rec["errorCode"] = error[0]
        rec["errorMessage"] = error[1].format(arn=caller.identity.get("arn", ""), action=f"{kind.service}:{kind.name}")
    rec["requestParameters"] = call.params
    rec["responseElements"] = None if error else call.response
    if call.additional is not None:
        rec["additionalEventData"] = call.additional
    rec["requestID"] = ids.hex(16).upper() if kind.service == "s3" else ids.uuid()
    rec["eventID"] = ids.uuid()
    if modern:
        rec["readOnly"] = kind.read_only
    if call.resources:
        rec["resources"] = call.resources
    rec["eventType"] = "AwsApiCall"
    if modern:
        rec["managementEvent"] = not kind.data
    rec["recipientAccountId"] = ACCOUNT_ID
    if caller.vpc_endpoint:
        rec["vpcEndpointId"] = caller.vpc_endpoint
    if modern:
        rec["eventCategory"] = "Data" if kind.data else "Management"
        if is_ip(caller.source_ip):
            rec["tlsDetails"] = tls_details(ids.rng, kind, region, call.params)
        if caller.console:
            rec["sessionCredentialFromConsole"] = "true"
    return rec


def tls_details(rng: random.Random, kind: EventKind, region: str, params: dict[str, Any] | None) -> dict[str, str]:
    version, cipher = rng.choices(_TLS, weights=(80, 12, 8))[0]
    return {"tlsVersion": version, "cipherSuite": cipher, "clientProvidedHostHeader": _host(kind, region, params)}


def _host(kind: EventKind, region: str, params: dict[str, Any] | None) -> str:
    host = (params or {}).get("Host")
    if isinstance(host, str):
        return host
    if kind.global_region and kind.service in _GLOBAL_HOSTS:
        return _GLOBAL_HOSTS[kind.service]
    return f"{kind.service}.{region}.amazonaws.com"
