"""The S3 URL and the options of one S3 import, parsed and checked once for every shell (CLI, API, Python)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from logsheet.core.errors import LogsheetError

SCHEME = "s3://"
BUCKET = re.compile(r"[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9]")
ACCOUNT = re.compile(r"[0-9]{12}")
REGION = re.compile(r"[a-z]{2}(-[a-z]+)+-[0-9]{1,2}")
MAX_WORKERS = 64
OPTION_KEYS = ("endpoint_url", "profile", "s3_region", "requester_pays", "accounts", "regions", "since", "until", "workers")
TRUE = ("1", "true", "yes", "on")
FALSE = ("", "0", "false", "no", "off")


class InvalidS3Option(LogsheetError):
    """An S3 URL or S3 import option logsheet cannot use."""


def is_s3_url(text: object) -> bool:
    return isinstance(text, str) and text[:5].lower() == SCHEME


@dataclass(frozen=True)
class S3Url:
    bucket: str
    prefix: str

    @classmethod
    def parse(cls, text: str) -> S3Url:
        if not is_s3_url(text):
            raise InvalidS3Option(f"an S3 location is s3://BUCKET/PREFIX, not {text!r}")
        rest = text[len(SCHEME) :]
        bucket, _, prefix = rest.partition("/")
        if not BUCKET.fullmatch(bucket) or ".." in bucket:
            raise InvalidS3Option(
                f"{bucket!r} is not an S3 bucket name (3 to 63 lower-case letters, digits, '.' and '-'): {text!r}"
            )
        if any(not ch.isprintable() for ch in prefix):
            raise InvalidS3Option(f"the S3 prefix of {text!r} holds a control character")
        return cls(bucket, prefix)

    def __str__(self) -> str:
        return f"{SCHEME}{self.bucket}/{self.prefix}"

    def key_url(self, key: str) -> str:
        return f"{SCHEME}{self.bucket}/{key}"


@dataclass(frozen=True)
class S3Request:
    """Where to read and what to select.

    ``endpoint_url``: an S3-compatible store (MinIO, a local test server) instead of AWS; ``profile``: a named
    profile of ``~/.aws/config`` (default: the standard credential chain); ``s3_region``: the bucket's region
    (default: the profile's, else us-east-1); ``requester_pays``: the bucket charges the reader; ``accounts``,
    ``regions``, ``since``, ``until``: the CloudTrail / VPC flow deliveries to read (by their key layout:
    account, region, delivery day in UTC, both ends included); ``workers``: concurrent downloads."""

    url: S3Url
    endpoint_url: str | None = None
    profile: str | None = None
    s3_region: str | None = None
    requester_pays: bool = False
    accounts: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    since: date | None = None
    until: date | None = None
    workers: int = 8

    def __post_init__(self) -> None:
        if self.endpoint_url is not None and not re.fullmatch(r"https?://[^\s/]+(/\S*)?", self.endpoint_url):
            raise InvalidS3Option(f"--endpoint-url must be an http:// or https:// URL, not {self.endpoint_url!r}")
        for account in self.accounts:
            if not ACCOUNT.fullmatch(account):
                raise InvalidS3Option(f"--account takes a 12-digit AWS account id, not {account!r}")
        for region in self.regions:
            if not REGION.fullmatch(region):
                raise InvalidS3Option(f"--region takes an AWS region such as us-east-1, not {region!r}")
        if self.s3_region is not None and not REGION.fullmatch(self.s3_region):
            raise InvalidS3Option(f"--s3-region takes an AWS region such as eu-west-1, not {self.s3_region!r}")
        if self.since and self.until and self.since > self.until:
            raise InvalidS3Option(f"--since {self.since.isoformat()} is after --until {self.until.isoformat()}")
        if isinstance(self.workers, bool) or not isinstance(self.workers, int) or not 1 <= self.workers <= MAX_WORKERS:
            raise InvalidS3Option(f"the number of concurrent downloads is 1 to {MAX_WORKERS}, not {self.workers!r}")

    @property
    def selects(self) -> bool:
        """Whether the request selects deliveries by the AWSLogs/ key layout."""
        return bool(self.accounts or self.regions or self.since or self.until)

    @classmethod
    def build(
        cls,
        url: str,
        *,
        endpoint_url: str | None = None,
        profile: str | None = None,
        s3_region: str | None = None,
        requester_pays: object = False,
        accounts: Iterable[str] | str | None = None,
        regions: Iterable[str] | str | None = None,
        since: object = None,
        until: object = None,
        workers: object = None,
    ) -> S3Request:
        """From the spellings of a command line or a form: lists may be comma separated, dates text."""
        return cls(
            S3Url.parse(url),
            endpoint_url=_text(endpoint_url),
            profile=_text(profile),
            s3_region=_text(s3_region),
            requester_pays=_flag("requester_pays", requester_pays),
            accounts=_names(accounts),
            regions=_names(regions),
            since=parse_day(since, "--since"),
            until=parse_day(until, "--until"),
            workers=_workers(workers),
        )

    @classmethod
    def from_mapping(cls, given: Mapping[str, Any]) -> S3Request:
        """A JSON object or form (the API): ``url`` and the option names of :meth:`build`."""
        keys = ("url", *OPTION_KEYS)
        unknown = sorted(k for k in given if k not in keys)
        if unknown:
            raise InvalidS3Option(f"unknown S3 option(s): {', '.join(unknown)}; options: {', '.join(keys)}")
        url = given.get("url")
        if not isinstance(url, str):
            raise InvalidS3Option("an S3 import needs its url, s3://BUCKET/PREFIX")
        return cls.build(url, **{k: v for k, v in given.items() if k != "url"})

    def to_json(self) -> dict[str, Any]:
        return {
            "url": str(self.url),
            "endpoint_url": self.endpoint_url,
            "profile": self.profile,
            "s3_region": self.s3_region,
            "requester_pays": self.requester_pays,
            "accounts": list(self.accounts),
            "regions": list(self.regions),
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat() if self.until else None,
            "workers": self.workers,
        }


def parse_day(value: object, option: str) -> date | None:
    """``2022-03-22`` (or an ISO time stamp, whose UTC day is taken) → a date; empty → None."""
    if value is None or isinstance(value, date) and not isinstance(value, datetime):
        return value
    text = str(value).strip()
    if not text:
        return None
    try:
        if len(text) == 10:
            return date.fromisoformat(text)
        stamp = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise InvalidS3Option(f"{option} takes a date such as 2022-03-22, not {text!r}") from None
    if stamp.tzinfo is not None:
        from datetime import UTC

        stamp = stamp.astimezone(UTC)
    return stamp.date()


def _text(value: object) -> str | None:
    if value is None:
        return None
    return str(value).strip() or None


def _flag(name: str, value: object) -> bool:
    if value is None or isinstance(value, bool):
        return bool(value)
    text = str(value).strip().lower()
    if text in TRUE:
        return True
    if text in FALSE:
        return False
    raise InvalidS3Option(f"{name} must be true or false, not {value!r}")


def _names(value: Iterable[str] | str | None) -> tuple[str, ...]:
    if value is None:
        return ()
    items = [value] if isinstance(value, str) else list(value)
    out: list[str] = []
    for item in items:
        out.extend(n for n in str(item).replace(",", " ").split() if n and n not in out)
    return tuple(out)


def _workers(value: object) -> int:
    if value is None or value == "":
        return 8
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    text = str(value).strip()
    if not text.isdigit():
        raise InvalidS3Option(f"the number of concurrent downloads is 1 to {MAX_WORKERS}, not {value!r}")
    return int(text)
