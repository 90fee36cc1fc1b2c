"""``in cidr`` on Spark is pure SQL (no Python UDF to register on a cluster): IPv6 text is expanded to 32 hex
digits and compared as text. This checks it against Python's ipaddress, the reference the DuckDB engine
uses, on addresses written every way logs write them, and on text that only looks like an address."""

from __future__ import annotations

import ipaddress
import random
from typing import Any

import pytest

from fixtures import write_ndjson
from logsheet.core import ir
from logsheet.workspace import Workspace

NETWORKS = ["::/0", "2001:db8::/32", "2001:db8:0:1::/64", "fe80::/10", "::ffff:0:0/96", "::1/128", "10.0.0.0/8", "0.0.0.0/0"]
ODD = [
    "::", "::1", "1::", "1:2:3:4:5:6:7::", "::2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8", "::ffff:10.1.2.3", "::FFFF:192.0.2.1",
    "64:ff9b::192.0.2.33", "1:2:3:4:5:6:1.2.3.4", "::1.2.3.4", "fe80::1%eth0", " 2001:db8::7 ", "2001:DB8::A",
    "2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8:0:1:0:0:0:1",
    # not addresses
    "1:2:3:4:5:6:7:8:9", "1::2::3", "12345::1", ":1:2:3:4:5:6:7", "1:2:3:4:5:6:7:", "::ffff:256.1.1.1", "::ffff:1.2.3",
    "1:2:3:4:5:6:7:8::", "::1:2:3:4:5:6:7:8", "g::1", "", "2001:db8::/32", "10.0.0.1", "10.0.0.1 ", "not an ip", ":::", "1:2",
]  # fmt: skip


def addresses() -> list[str]:
    rng = random.Random(20220322)
    out = list(ODD)
    for _ in range(120):
        value = ipaddress.IPv6Address(rng.getrandbits(128) if rng.random() < 0.5 else (0x20010DB8 << 96) | rng.getrandbits(64))
        form = rng.choice(["compressed", "exploded", "upper"])
        text = value.compressed if form == "compressed" else value.exploded if form == "exploded" else value.compressed.upper()
        out.append(text)
    return out


def expected(address: str, network: str) -> bool:
    """What the DuckDB engine answers: Python's ipaddress for IPv6 (the address trimmed, its zone dropped); an
    exact dotted quad for IPv4 (no surrounding spaces)."""
    net = ipaddress.ip_network(network, strict=False)
    try:
        if net.version == 4:
            return ipaddress.ip_address(address) in net
        return ipaddress.ip_address(address.strip().split("%")[0]) in net
    except ValueError:
        return False


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory, spark_engine: Any) -> Workspace:
    folder = tmp_path_factory.mktemp("networks")
    data = write_ndjson(folder / "ips.ndjson", [{"i": i, "ip": a} for i, a in enumerate(addresses())])
    workspace = Workspace.open(folder / "home")
    workspace.import_paths([data], sheet="ips", format="json")
    workspace.use_spark(engine=spark_engine)
    return workspace


@pytest.mark.parametrize("network", NETWORKS)
def test_in_cidr_matches_python_ipaddress(ws: Workspace, network: str) -> None:
    all_addresses = addresses()
    truth = [i for i, a in enumerate(all_addresses) if expected(a, network)]
    query = ir.Query(where=ir.InCidr("ip", network), columns=("i",), sort=(ir.SortKey("i"),))
    for engine in ("duckdb", "spark"):
        found = [r[0] for r in ws.query("ips", query, limit=1000, engine=engine, with_total=False).rows]
        wrong = sorted(set(found) ^ set(truth))
        assert not wrong, (engine, [all_addresses[i] for i in wrong])
