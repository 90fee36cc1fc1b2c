"""Building blocks shared by the event catalogs: constant parameters and the usual failures."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from logsheet.demo.ct_record import Call, Draw, Error, EventKind

EC2_DENIED: Error = ("Client.UnauthorizedOperation", "You are not authorized to perform this operation.")
IAM_DENIED: Error = (
    "AccessDenied",
    "User: {arn} is not authorized to perform: {action} because no identity-based policy allows the {action} action",
)
ACCESS_DENIED_EXCEPTION: Error = (
    "AccessDeniedException",
    "User: {arn} is not authorized to perform: {action} because no identity-based policy allows the {action} action",
)
S3_DENIED: Error = ("AccessDenied", "Access Denied")
NO_SUCH_BUCKET: Error = ("NoSuchBucket", "The specified bucket does not exist")
_EC2_THROTTLED: Error = ("Client.RequestLimitExceeded", "Request limit exceeded.")
_THROTTLED: Error = ("ThrottlingException", "Rate exceeded")


def fixed(params: dict[str, Any] | None) -> Callable[[Draw], Call]:
    """A builder for an action whose parameters never vary (they are only ever read, never mutated)."""
    call = Call(params=params)
    return lambda _draw: call


def throttled(kind: EventKind) -> Error:
    """The error a service answers when a caller polls it too hard."""
    return _EC2_THROTTLED if kind.service == "ec2" else _THROTTLED


def pick(draw: Draw, options: tuple[str, ...]) -> str:
    return options[draw.rng.randrange(len(options))]
