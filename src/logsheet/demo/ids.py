"""Identifiers in the shapes AWS and the internet use, drawn from a seeded RNG.

Fixed principals (IAM users, roles, KMS keys) get ids from a hash of their name instead, so they are the
same whatever the seed.
"""

from __future__ import annotations

import base64
import hashlib
import random
import string
import uuid

from logsheet.demo.world import INCIDENT_IPS

ALNUM = string.ascii_letters + string.digits
UPPER_ALNUM = string.ascii_uppercase + string.digits
# First octets that are private, shared, loopback, link-local, documentation or multicast space.
_NOT_INTERNET = frozenset({0, 10, 100, 127, 169, 172, 192, 198, 203})


def stable_id(prefix: str, name: str, length: int = 17) -> str:
    """An AWS-style id (``AIDA…``, ``AROA…``) that depends only on ``name``."""
    digest = base64.b32encode(hashlib.sha256(f"{prefix}:{name}".encode()).digest()).decode()
    return prefix + digest[:length]


def stable_uuid(name: str) -> str:
    return str(uuid.UUID(bytes=hashlib.sha256(name.encode()).digest()[:16], version=4))


class Ids:
    """Random identifiers from one seeded ``random.Random``: same seed, same ids."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def uuid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def hex(self, length: int) -> str:
        return f"{self.rng.getrandbits(4 * length):0{length}x}"

    def chars(self, length: int, alphabet: str = ALNUM) -> str:
        return "".join(self.rng.choices(alphabet, k=length))

    def access_key(self, prefix: str = "ASIA") -> str:
        return prefix + self.chars(16, UPPER_ALNUM)

    def b64(self, nbytes: int) -> str:
        return base64.b64encode(self.rng.randbytes(nbytes)).decode()

    def public_ipv4(self) -> str:
        """An internet address outside reserved space and never one of the incident's."""
        while True:
            first = self.rng.randint(1, 223)
            if first in _NOT_INTERNET:
                continue
            ip = f"{first}.{self.rng.randint(0, 255)}.{self.rng.randint(0, 255)}.{self.rng.randint(1, 254)}"
            if ip not in INCIDENT_IPS:
                return ip

    def complete_ip(self, pattern: str) -> str:
        """``"3.236."`` → ``"3.236.41.7"``; a full address or a service name is returned as is."""
        while pattern.endswith("."):
            pattern += str(self.rng.randint(1, 254)) + ("." if pattern.count(".") < 3 else "")
        return pattern
