"""What kind of address an IP is, from the IANA special-purpose address registries (IPv4 and IPv6).

One table, :data:`SPECIAL_NETWORKS`, read by the compiler (the ``<column>.class`` column of the enrich step, in
SQL) and by :func:`classify` (Python, for one address: the entity page). Networks are listed most specific
first where they overlap; an address in none of them is ``public``; text that is no address has no class.

Sources: https://www.iana.org/assignments/iana-ipv4-special-registry and
https://www.iana.org/assignments/iana-ipv6-special-registry (RFC 6890 and its updates), plus multicast
(224.0.0.0/4, ff00::/8) and the reserved class E block (240.0.0.0/4).
"""

from __future__ import annotations

import ipaddress
from typing import Final

CLASSES: Final = ("private", "loopback", "link-local", "cgnat", "multicast", "documentation", "reserved", "public")

SPECIAL_NETWORKS: Final[tuple[tuple[str, str], ...]] = (
    # IPv4
    ("0.0.0.0/8", "reserved"),  # "this network" (RFC 791)
    ("10.0.0.0/8", "private"),  # RFC 1918
    ("100.64.0.0/10", "cgnat"),  # shared address space (RFC 6598)
    ("127.0.0.0/8", "loopback"),
    ("169.254.0.0/16", "link-local"),
    ("172.16.0.0/12", "private"),
    ("192.0.0.0/24", "reserved"),  # IETF protocol assignments
    ("192.0.2.0/24", "documentation"),  # TEST-NET-1
    ("192.88.99.0/24", "reserved"),  # deprecated 6to4 relay anycast
    ("192.168.0.0/16", "private"),
    ("198.18.0.0/15", "reserved"),  # benchmarking (RFC 2544)
    ("198.51.100.0/24", "documentation"),  # TEST-NET-2
    ("203.0.113.0/24", "documentation"),  # TEST-NET-3
    ("224.0.0.0/4", "multicast"),
    ("240.0.0.0/4", "reserved"),  # class E and the limited broadcast address
    # IPv6
    ("::1/128", "loopback"),
    ("::/128", "reserved"),  # unspecified
    ("64:ff9b:1::/48", "reserved"),  # local-use IPv4/IPv6 translation
    ("100::/64", "reserved"),  # discard-only
    ("2001:db8::/32", "documentation"),
    ("2001::/23", "reserved"),  # IETF protocol assignments
    ("3fff::/20", "documentation"),
    ("fc00::/7", "private"),  # unique local
    ("fe80::/10", "link-local"),
    ("ff00::/8", "multicast"),
)

MAPPED = ipaddress.ip_network("::ffff:0:0/96")


def networks() -> list[tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, str]]:
    return [(ipaddress.ip_network(text), kind) for text, kind in SPECIAL_NETWORKS]


def parse_address(text: str | None) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The address text holds (an IPv4-mapped IPv6 address as its IPv4 address), or None."""
    if not text:
        return None
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def classify(text: str | None) -> str | None:
    """The class of an address (``public`` outside every special network), None for text that is no address.
    The SQL of the enrich step gives the same answers."""
    address = parse_address(text)
    if address is None:
        return None
    for network, kind in networks():
        if address.version == network.version and address in network:
            return kind
    return "public"


__all__ = ["CLASSES", "SPECIAL_NETWORKS", "classify", "networks", "parse_address"]
