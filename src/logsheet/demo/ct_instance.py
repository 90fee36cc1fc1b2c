"""The web server's instance profile: EC2 refreshing its role credentials every hour, and the web app's own use
of them (S3 reads through the VPC gateway endpoint, so from the private address, never the public one).

The attacker later uses whichever of these credentials is current when they run the AWS CLI as root.
"""

from __future__ import annotations

from dataclasses import dataclass

from logsheet.demo import ct_agents as ua
from logsheet.demo.clock import HOUR
from logsheet.demo.ct_identity import assumed_role, aws_service
from logsheet.demo.ct_kinds_identity import ASSUME_ROLE, assume_role_call
from logsheet.demo.ct_kinds_storage import GET_OBJECT, object_call
from logsheet.demo.ct_record import Caller, Draw, Record, make_record
from logsheet.demo.ids import Ids
from logsheet.demo.world import PERIOD_END, PERIOD_START, S3_VPC_ENDPOINT, WEB_INSTANCE_ID, WEB_PRIVATE_IP, WEB_ROLE

_EC2 = "ec2.amazonaws.com"
_STATIC_BUCKET = "acme-web-static"
READS_PER_HOUR = 3


@dataclass(frozen=True)
class InstanceSession:
    """One set of role credentials that EC2 delivered to the instance through IMDS."""

    created: int
    access_key: str

    def caller(self, source_ip: str, user_agent: str, vpc_endpoint: str | None = None) -> Caller:
        identity = assumed_role(WEB_ROLE, WEB_INSTANCE_ID, self.access_key, self.created, ec2_role_delivery=True)
        return Caller(identity, source_ip, user_agent, vpc_endpoint=vpc_endpoint)


def web_sessions(ids: Ids) -> list[InstanceSession]:
    """One credential refresh a few minutes into every hour of the period."""
    return [InstanceSession(hour + ids.rng.randint(60, 600), ids.access_key()) for hour in range(PERIOD_START, PERIOD_END, HOUR)]


def session_at(sessions: list[InstanceSession], ts: int) -> InstanceSession:
    """The credentials the instance holds at ``ts``."""
    return max((s for s in sessions if s.created <= ts), key=lambda s: s.created)


def web_server_records(sessions: list[InstanceSession], ids: Ids) -> list[Record]:
    """Per session: EC2's ``AssumeRole`` that issued the key, then the app's reads with it."""
    records: list[Record] = []
    for session in sessions:
        draw = Draw(ids, "us-east-1", session.created)
        call = assume_role_call(draw, WEB_ROLE, WEB_INSTANCE_ID, session.access_key)
        records.append(
            make_record(ASSUME_ROLE, Caller(aws_service(_EC2), _EC2, _EC2), session.created, "us-east-1", call, ids, None)
        )
        caller = session.caller(WEB_PRIVATE_IP, ua.BOTO3, S3_VPC_ENDPOINT)
        for _ in range(READS_PER_HOUR):
            ts = session.created + ids.rng.randint(30, HOUR - 120)
            read = object_call(Draw(ids, "us-east-1", ts), _STATIC_BUCKET, f"static/img/{ids.hex(10)}.png", upload=False)
            records.append(make_record(GET_OBJECT, caller, ts, "us-east-1", read, ids, None))
    return records
