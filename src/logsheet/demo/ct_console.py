"""``ConsoleLogin``: the sign-in event, which has its own shape (eventVersion 1.05, no requestID, no errorCode)."""

from __future__ import annotations

from logsheet.demo.clock import iso_z
from logsheet.demo.ct_agents import BROWSER
from logsheet.demo.ct_record import Record
from logsheet.demo.ids import Ids, stable_id
from logsheet.demo.world import ACCOUNT_ID

_LOGIN_TO = "https://console.aws.amazon.com/console/home?state=hashArgs%23&isauthcode=true"


def console_login(user: str, source_ip: str, ts: int, ids: Ids, *, success: bool = True) -> Record:
    identity = {"type": "IAMUser", "principalId": stable_id("AIDA", user), "accountId": ACCOUNT_ID}
    if success:
        identity["arn"] = f"arn:aws:iam::{ACCOUNT_ID}:user/{user}"
    else:
        identity["accessKeyId"] = ""
    identity["userName"] = user
    rec: Record = {
        "eventVersion": "1.05",
        "userIdentity": identity,
        "eventTime": iso_z(ts),
        "eventSource": "signin.amazonaws.com",
        "eventName": "ConsoleLogin",
        "awsRegion": "us-east-1",
        "sourceIPAddress": source_ip,
        "userAgent": BROWSER,
    }
    if not success:
        rec["errorMessage"] = "Failed authentication"
    rec["requestParameters"] = None
    rec["responseElements"] = {"ConsoleLogin": "Success" if success else "Failure"}
    rec["additionalEventData"] = {"LoginTo": _LOGIN_TO, "MobileVersion": "No", "MFAUsed": "Yes" if success else "No"}
    rec["eventID"] = ids.uuid()
    rec["eventType"] = "AwsConsoleSignIn"
    rec["recipientAccountId"] = ACCOUNT_ID
    return rec
