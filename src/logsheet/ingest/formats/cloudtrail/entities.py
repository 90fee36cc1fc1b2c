"""The columns of a CloudTrail sheet that name an entity a responder follows (see
:data:`logsheet.ingest.formats.ENTITY_KINDS`): who called (the principal's ARN and name, its access key),
from where, in which account. Dotted names are the sheet's ``userIdentity.*`` columns."""

from __future__ import annotations

ENTITY_COLUMNS: dict[str, tuple[str, ...]] = {
    "ip": ("sourceIPAddress",),
    "user": ("userIdentity.arn", "userIdentity.userName"),
    "access_key": ("userIdentity.accessKeyId",),
    "account": ("recipientAccountId", "userIdentity.accountId"),
}
