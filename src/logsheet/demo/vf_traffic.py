"""Traffic seen by the web server's network interface (and the database's), as VPC flow log records.

Each conversation gives one record per direction per 10-minute aggregation interval. Traffic to the Amazon
DNS resolver and the instance metadata service is not logged by AWS, so it is absent here too.
"""

from __future__ import annotations

import math
import random
from itertools import accumulate
from typing import NamedTuple

from logsheet.demo.clock import HOUR
from logsheet.demo.ct_incident import ATTACKER_STEPS
from logsheet.demo.ids import Ids
from logsheet.demo.ssh_plan import Connection, Kind
from logsheet.demo.world import DB_ENI_ID, DB_PRIVATE_IP, PERIOD_END, PERIOD_START, WEB_ENI_ID, WEB_IPV6, WEB_PRIVATE_IP

AGGREGATION = 600
TCP, UDP, ICMP = 6, 17, 1

_API_ENDPOINTS = {"sts": "54.239.29.25", "s3": "52.217.97.22", "iam": "52.94.225.3", "ec2": "54.239.28.85"}
_S3_PREFIXES = ("52.216.", "52.217.", "3.5.")
_RESOLVERS = ("8.8.8.8", "1.1.1.1")
_IPV6_PREFIXES = ("2a02:8109", "2600:1700", "2001:56a", "2a01:cb00", "2607:fb90")
_SCANNED = ((TCP, 23), (TCP, 3389), (TCP, 445), (TCP, 1433), (TCP, 3306), (TCP, 5900), (TCP, 6379), (TCP, 8080),
            (TCP, 8443), (TCP, 9200), (TCP, 2375), (TCP, 5432), (TCP, 27017), (UDP, 123), (UDP, 161),
            (UDP, 1900), (UDP, 5060), (ICMP, 0))  # fmt: skip


class FlowRow(NamedTuple):
    interface: str
    src: str | None
    dst: str | None
    sport: int | None
    dport: int | None
    protocol: int | None
    packets: int | None
    bytes: int | None
    start: int
    end: int
    action: str | None
    status: str


class Size(NamedTuple):
    """Packets in each direction, and bytes per packet in each direction."""

    packets: tuple[int, int]
    replies: tuple[int, int]
    payload: tuple[int, int]
    reply_payload: tuple[int, int]


_SSH = Size((8, 30), (8, 30), (60, 160), (60, 220))
_SSH_SESSION = Size((300, 2500), (300, 3000), (60, 120), (80, 900))
_HTTPS = Size((6, 120), (6, 200), (60, 700), (200, 1400))
_HTTP = Size((4, 8), (3, 6), (60, 400), (60, 300))
_S3 = Size((10, 300), (10, 600), (60, 400), (400, 1400))
_DB = Size((4, 60), (4, 80), (60, 300), (80, 1200))
_DNS = Size((1, 1), (1, 1), (60, 80), (80, 300))
_API = Size((12, 30), (12, 40), (80, 900), (100, 1400))


Endpoint = tuple[str, int]


def conversation(
    rng: random.Random, interface: str, client: Endpoint, server: Endpoint, proto: int, start: int, end: int, size: Size
) -> list[FlowRow]:
    """Both directions of one accepted conversation, a record pair per aggregation interval."""
    (client_ip, client_port), (server_ip, server_port) = client, server
    rows = []
    for window in range(start, end + 1, AGGREGATION):
        last = min(end, window + AGGREGATION - 1)
        out, back = rng.randint(*size.packets), rng.randint(*size.replies)
        out_bytes, back_bytes = out * rng.randint(*size.payload), back * rng.randint(*size.reply_payload)
        rows.append(
            FlowRow(
                interface, client_ip, server_ip, client_port, server_port, proto, out, out_bytes, window, last, "ACCEPT", "OK"
            )
        )
        rows.append(
            FlowRow(
                interface, server_ip, client_ip, server_port, client_port, proto, back, back_bytes, window, last, "ACCEPT", "OK"
            )
        )
    return rows


def ssh_rows(plan: list[Connection], rng: random.Random) -> list[FlowRow]:
    """Every planned SSH connection: the security group lets port 22 in from anywhere."""
    rows = []
    for conn in plan:
        size = _SSH_SESSION if conn.kind in (Kind.KEY_LOGIN, Kind.ROOT_LOGIN) else _SSH
        client = (conn.src_ip, conn.src_port)
        rows += conversation(rng, WEB_ENI_ID, client, (WEB_PRIVATE_IP, 22), TCP, conn.start, conn.end, size)
    return rows


def attacker_api_rows(rng: random.Random) -> list[FlowRow]:
    """The attacker's AWS CLI calls leaving the instance for the API endpoints, at CloudTrail's times."""
    rows = []
    for step in ATTACKER_STEPS:
        client, server = (WEB_PRIVATE_IP, rng.randint(32768, 60999)), (_API_ENDPOINTS[step.kind.service], 443)
        rows += conversation(rng, WEB_ENI_ID, client, server, TCP, step.ts - 1, step.ts + 1, _API)
    return rows


def status_rows(rng: random.Random, nodata: int, skipdata: int) -> list[FlowRow]:
    """Intervals with no traffic to report (NODATA) or records the service had to skip (SKIPDATA)."""
    rows = []
    for status, count in (("NODATA", nodata), ("SKIPDATA", skipdata)):
        for _ in range(count):
            start = rng.randrange(PERIOD_START, PERIOD_END - AGGREGATION)
            interface = DB_ENI_ID if status == "NODATA" else WEB_ENI_ID
            rows.append(FlowRow(interface, None, None, None, None, None, None, None, start, start + 60, None, status))
    return rows


class Filler:
    """Everyday traffic, drawn conversation by conversation until exactly the wanted number of records."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.ids = Ids(rng)
        hours = range(PERIOD_START, PERIOD_END, HOUR)
        self.hours = list(hours)
        self.busy = list(accumulate(1.0 + 0.8 * math.cos(2 * math.pi * ((h // HOUR) % 24 - 20) / 24) for h in hours))
        self.kinds = (self.https, self.https6, self.http, self.s3, self.db, self.dns, self.scan)
        self.weights = list(accumulate((50, 6, 7, 7, 10, 8, 12)))

    def rows(self, count: int) -> list[FlowRow]:
        rows: list[FlowRow] = []
        while len(rows) < count:
            more = self.rng.choices(self.kinds, cum_weights=self.weights)[0](self._when())
            rows += more if len(rows) + len(more) <= count else self.scan(self._when())
        return rows

    def _when(self) -> int:
        return self.rng.choices(self.hours, cum_weights=self.busy)[0] + self.rng.randrange(HOUR)

    def _until(self, start: int, longest: int) -> int:
        return min(PERIOD_END - 1, start + self.rng.randint(0, longest))

    def _inbound(self, client: str, server: Endpoint, start: int, longest: int, size: Size) -> list[FlowRow]:
        """A client on the internet talking to the web server."""
        return conversation(self.rng, WEB_ENI_ID, (client, self._port()), server, TCP, start, self._until(start, longest), size)

    def _outbound(self, server: Endpoint, proto: int, start: int, longest: int, size: Size) -> list[FlowRow]:
        """The web server talking to something else."""
        client = (WEB_PRIVATE_IP, self._port())
        return conversation(self.rng, WEB_ENI_ID, client, server, proto, start, self._until(start, longest), size)

    def _port(self) -> int:
        return self.rng.randint(32768, 60999)

    def https(self, start: int) -> list[FlowRow]:
        return self._inbound(self.ids.public_ipv4(), (WEB_PRIVATE_IP, 443), start, 90, _HTTPS)

    def https6(self, start: int) -> list[FlowRow]:
        # a /32 prefix, a /64 subnet and an interface id of two groups: eight groups with "::" for the zeros
        prefix = self.rng.choice(_IPV6_PREFIXES)
        subnet, host = f"{self.ids.hex(4)}:{self.ids.hex(4)}", f"{self.ids.hex(4)}:{self.ids.hex(4)}"
        client = f"{prefix}:{subnet}::{host}"
        return self._inbound(client, (WEB_IPV6, 443), start, 90, _HTTPS)

    def http(self, start: int) -> list[FlowRow]:
        return self._inbound(self.ids.public_ipv4(), (WEB_PRIVATE_IP, 80), start, 2, _HTTP)

    def s3(self, start: int) -> list[FlowRow]:
        return self._outbound((self.ids.complete_ip(self.rng.choice(_S3_PREFIXES)), 443), TCP, start, 30, _S3)

    def db(self, start: int) -> list[FlowRow]:
        """Seen twice: leaving the web server's interface and arriving at the database's."""
        web = self._outbound((DB_PRIVATE_IP, 3306), TCP, start, 20, _DB)
        return web + [row._replace(interface=DB_ENI_ID) for row in web]

    def dns(self, start: int) -> list[FlowRow]:
        return self._outbound((self.rng.choice(_RESOLVERS), 53), UDP, start, 0, _DNS)

    def scan(self, start: int) -> list[FlowRow]:
        """One rejected probe: the security group drops it, so there is no reply."""
        proto, port = self.rng.choice(_SCANNED)
        packets = self.rng.randint(1, 3)
        source_port = 0 if proto == ICMP else self.rng.randint(1024, 65535)
        source, size, end = self.ids.public_ipv4(), packets * self.rng.randint(40, 60), self._until(start, 30)
        return [FlowRow(WEB_ENI_ID, source, WEB_PRIVATE_IP, source_port, port, proto, packets, size, start, end, "REJECT", "OK")]
