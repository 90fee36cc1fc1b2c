"""The columns of a VPC flow sheet that name an entity a responder follows (see
:data:`logsheet.ingest.formats.ENTITY_KINDS`): both ends of the flow (and the packet-level addresses of
version 3+), the instance and the account of the interface."""

from __future__ import annotations

ENTITY_COLUMNS: dict[str, tuple[str, ...]] = {
    "ip": ("srcaddr", "dstaddr", "pkt-srcaddr", "pkt-dstaddr"),
    "instance": ("instance-id",),
    "account": ("account-id",),
}
