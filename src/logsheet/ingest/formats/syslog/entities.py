"""The columns of a syslog sheet that name an entity a responder follows (see
:data:`logsheet.ingest.formats.ENTITY_KINDS`): the remote address and user of an sshd/PAM/sudo message, and
the host that logged it."""

from __future__ import annotations

ENTITY_COLUMNS: dict[str, tuple[str, ...]] = {
    "ip": ("src_ip",),
    "user": ("user",),
    "host": ("host",),
}
