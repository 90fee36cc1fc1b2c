"""The CloudTrail export: everyday traffic, the web server's own credentials, hostile values and the incident,
delivered as CloudTrail delivers to S3."""

from __future__ import annotations

import random
from pathlib import Path

from logsheet.demo.ct_background import background_records
from logsheet.demo.ct_delivery import Delivery, plan_deliveries, write_deliveries
from logsheet.demo.ct_hostile import hostile_records
from logsheet.demo.ct_incident import incident_records
from logsheet.demo.ct_instance import web_server_records, web_sessions
from logsheet.demo.ids import Ids

BACKGROUND_RECORDS = 48_000
REDELIVERED_RECORDS = 490


def write_cloudtrail(root: Path, seed: int) -> list[Delivery]:
    """Write the delivered files under ``root`` and return what was delivered, for checking."""
    ids = Ids(random.Random(f"{seed}:cloudtrail"))
    sessions = web_sessions(ids)
    incident = incident_records(sessions, ids)
    records = (
        background_records(ids, BACKGROUND_RECORDS) + web_server_records(sessions, ids) + hostile_records(ids) + incident.records
    )
    deliveries = plan_deliveries(records, ids.rng, incident.redelivered_ids, REDELIVERED_RECORDS)
    write_deliveries(root, deliveries, ids)
    return deliveries
