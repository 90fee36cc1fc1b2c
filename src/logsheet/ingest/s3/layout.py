"""Which objects of a bucket an S3 import reads, listing only the prefixes its selection needs.

CloudTrail delivers to ``[PREFIX/]AWSLogs/<account>/CloudTrail/<region>/<YYYY>/<MM>/<DD>/`` (organisation
trails: ``AWSLogs/<org-id>/<account>/...``, and a trail's own key prefix may put ``<org-id>/`` or any folder
before ``AWSLogs/``); VPC flow logs to ``AWSLogs/<account>/vpcflowlogs/<region>/<YYYY>/<MM>/<DD>/`` (text, or
Parquet, with or without hourly folders below the day). Accounts, regions and days are folders, so a selection
is a set of prefixes: the levels the user fixed (in the URL or with ``--account``, ``--region``, ``--since``,
``--until``) are written out, the others found with ``Delimiter='/'`` listings of one level, and only the days
in the range are listed in full. A week of one region of one account costs a listing of ``AWSLogs/`` (to find
organisation folders) and one listing per day, whatever else the bucket holds.

Digest files (``CloudTrail-Digest/``: signatures of the log files, not records) are never read, and are
noted. A prefix without an ``AWSLogs/`` layout is listed in full (every object under it is read), unless a
selection was asked for, which then cannot be honoured and is refused.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from logsheet.ingest.s3.client import S3Error
from logsheet.ingest.s3.request import ACCOUNT, S3Request

ORG = re.compile(r"o-[a-z0-9]{10,32}")
SERVICES = {"cloudtrail": "CloudTrail", "vpcflow": "vpcflowlogs"}
DIGEST = "CloudTrail-Digest"
SEARCH_FOLDERS = 50  # folders looked into (one level) for an AWSLogs/ below a custom key prefix


@dataclass(frozen=True)
class S3Object:
    key: str
    size: int
    etag: str
    last_modified: str  # ISO 8601, UTC

    def identity(self) -> tuple[str, int, str]:
        return (self.key, self.size, self.etag)


@dataclass
class Selection:
    objects: list[S3Object] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    prefixes: list[str] = field(default_factory=list)  # listed in full
    requests: int = 0  # ListObjectsV2 requests made (each page counts)
    digests: int = 0


class Lister:
    """ListObjectsV2 through ``client`` (each request counted), errors in words."""

    def __init__(self, client: Any, request: S3Request) -> None:
        self.client, self.request = client, request
        self.bucket = request.url.bucket
        self.requests = 0

    def _pages(self, prefix: str, delimiter: str | None) -> Iterator[dict[str, Any]]:
        params: dict[str, Any] = {"Bucket": self.bucket, "Prefix": prefix}
        if delimiter:
            params["Delimiter"] = delimiter
        if self.request.requester_pays:
            params["RequestPayer"] = "requester"
        from logsheet.ingest.s3.client import explain, is_boto_error

        while True:
            self.requests += 1
            try:
                page = self.client.list_objects_v2(**params)
            except Exception as exc:
                if is_boto_error(exc):
                    raise explain(exc, self.request, f"listing s3://{self.bucket}/{prefix}") from None
                raise
            yield page
            token = page.get("NextContinuationToken")
            if not page.get("IsTruncated") or not token:
                return
            params["ContinuationToken"] = token

    def folders(self, prefix: str) -> list[str]:
        """The folders (common prefixes) one level below ``prefix``, as full prefixes ending in ``/``."""
        out: list[str] = []
        for page in self._pages(prefix, "/"):
            out.extend(p["Prefix"] for p in page.get("CommonPrefixes", ()))
        return out

    def objects(self, prefix: str) -> Iterator[S3Object]:
        for page in self._pages(prefix, None):
            for item in page.get("Contents", ()):
                stamp = item.get("LastModified")
                yield S3Object(
                    key=item["Key"],
                    size=int(item.get("Size", 0)),
                    etag=str(item.get("ETag", "")).strip('"'),
                    last_modified=stamp.strftime("%Y-%m-%dT%H:%M:%SZ") if hasattr(stamp, "strftime") else str(stamp or ""),
                )


def select(lister: Lister, request: S3Request, fmt: str | None) -> Selection:
    """The objects to read for ``request`` (in key order), with notes and the count of listing requests."""
    walk = _Walk(lister, request, fmt)
    walk.run()
    walk.out.requests = lister.requests
    if walk.out.digests:
        walk.out.notes.append(f"{walk.out.digests} CloudTrail digest file(s) skipped (signatures of the log files, not records)")
    walk.out.objects.sort(key=lambda o: o.key)
    return walk.out


@dataclass
class _Walk:
    lister: Lister
    request: S3Request
    fmt: str | None
    out: Selection = field(default_factory=Selection)

    def run(self) -> None:
        root = self.request.url.prefix
        if root and not root.endswith("/"):
            if f"{root}/" in self.lister.folders(root):
                root += "/"
            else:
                self._flat_only(root)
                return
        segments = root.split("/")[:-1] if root else []
        if "AWSLogs" in segments:
            at = segments.index("AWSLogs")
            self._owner("/".join(segments[: at + 1]) + "/", segments[at + 1 :], org_seen=False)
            return
        bases = self._find_awslogs(root)
        if not bases:
            self._flat_only(root)
            return
        for base in bases:
            self._owner(base, [], org_seen=False)

    # ---------------------------------------------------------------------------------------- the levels
    def _find_awslogs(self, root: str) -> list[str]:
        kids = self.lister.folders(root)
        found = [f"{root}AWSLogs/"] if f"{root}AWSLogs/" in kids else []
        # <org-id>/AWSLogs/ beside it, or (when there is none here) a trail's own key prefix
        look = [k for k in kids if ORG.fullmatch(k[len(root) : -1])] if found else kids[:SEARCH_FOLDERS]
        for kid in look:
            if f"{kid}AWSLogs/" in self.lister.folders(kid):
                found.append(f"{kid}AWSLogs/")
        return found

    def _owner(self, base: str, rest: list[str], org_seen: bool) -> None:
        """``base`` ends at ``AWSLogs/`` (or at an organisation's folder below it): accounts are next."""
        if rest:
            name, rest = rest[0], rest[1:]
            if ORG.fullmatch(name) and not org_seen:
                self._owner(f"{base}{name}/", rest, org_seen=True)
            else:
                self._account(f"{base}{name}/", rest)
            return
        wanted = self.request.accounts
        names = [k[len(base) : -1] for k in self.lister.folders(base)]
        accounts = [n for n in names if ACCOUNT.fullmatch(n)]
        for org in (n for n in names if ORG.fullmatch(n)) if not org_seen else ():
            self._owner(f"{base}{org}/", [], org_seen=True)
        chosen = [a for a in accounts if not wanted or a in wanted]
        missing = [a for a in wanted if a not in accounts]
        if missing and not org_seen:
            self.out.notes.append(f"no deliveries for account(s) {', '.join(missing)} under s3://{self.lister.bucket}/{base}")
        for account in chosen:
            self._account(f"{base}{account}/", [])

    def _account(self, base: str, rest: list[str]) -> None:
        if rest:
            service, rest = rest[0], rest[1:]
            if service == DIGEST:
                self._note_digest(f"{base}{service}/")
                return
            self._region(f"{base}{service}/", rest)
            return
        if self.fmt in SERVICES:
            services = [SERVICES[self.fmt]]
        else:
            present = [k[len(base) : -1] for k in self.lister.folders(base)]
            if DIGEST in present:
                self._note_digest(f"{base}{DIGEST}/")
            services = [s for s in SERVICES.values() if s in present]
            if len(services) > 1:
                raise S3Error(
                    f"s3://{self.lister.bucket}/{base} holds both CloudTrail and VPC flow log deliveries: choose one with "
                    "--format cloudtrail or --format vpcflow (or a prefix down to CloudTrail/ or vpcflowlogs/)"
                )
        for service in services:
            self._region(f"{base}{service}/", [])

    def _region(self, base: str, rest: list[str]) -> None:
        if rest:
            self._days(f"{base}{rest[0]}/", rest[1:])
            return
        regions = self.request.regions or tuple(k[len(base) : -1] for k in self.lister.folders(base))
        for region in regions:
            self._days(f"{base}{region}/", [])

    def _days(self, base: str, given: list[str]) -> None:
        """``base`` is a region's folder; ``given``: the YYYY[/MM[/DD]] folders the URL fixed below it."""
        numbers: list[int] = []
        for part in given[:3]:
            if not part.isdigit():
                self._list(base + "/".join(given) + "/")
                return
            numbers.append(int(part))
        prefix = base + "".join(f"{p}/" for p in given[:3])
        if len(given) > 3:
            self._list(base + "/".join(given) + "/")
            return
        self._dates(prefix, tuple(numbers))

    def _dates(self, prefix: str, parts: tuple[int, ...]) -> None:
        """The folder ``prefix`` covers the days of ``parts`` (year, month, day: as many as fixed)."""
        since, until = self.request.since, self.request.until
        if parts:
            first, last = _span(parts)
            if (since and last < since) or (until and first > until):
                return
            if (not since or first >= since) and (not until or last <= until):
                self._list(prefix)
                return
        elif not since and not until:
            self._list(prefix)
            return
        if len(parts) == 3:  # a day folder partly in range cannot be: days are whole
            self._list(prefix)
            return
        for child in self._children(prefix, parts):
            self._dates(f"{prefix}{_folder(len(parts), child)}/", (*parts, child))

    def _children(self, prefix: str, parts: tuple[int, ...]) -> list[int]:
        """The years, months or days below ``prefix``: written out when both ends of the range are known and
        near, else found by one listing."""
        since, until = self.request.since, self.request.until
        if since and until and (until - since).days <= 400:
            if not parts:
                return list(range(since.year, until.year + 1))
            if len(parts) == 1:
                return list(range(1, 13))
            return list(range(1, calendar.monthrange(parts[0], parts[1])[1] + 1))
        names = [k[len(prefix) : -1] for k in self.lister.folders(prefix)]
        return sorted(int(n) for n in names if n.isdigit() and _plausible(len(parts), int(n)))

    # ------------------------------------------------------------------------------------------ listings
    def _list(self, prefix: str) -> None:
        self.out.prefixes.append(prefix)
        for obj in self.lister.objects(prefix):
            self._keep(obj)

    def _flat_only(self, prefix: str) -> None:
        if self.request.selects:
            raise S3Error(
                f"s3://{self.lister.bucket}/{prefix} holds no AWSLogs/ folder: --account, --region, --since and --until "
                "select CloudTrail and VPC flow log deliveries by that key layout"
            )
        self._list(prefix)

    def _keep(self, obj: S3Object) -> None:
        if obj.key.endswith("/"):
            return  # a folder marker
        if f"/{DIGEST}/" in f"/{obj.key}" or "_CloudTrail-Digest_" in obj.key:
            self.out.digests += 1
            return
        self.out.objects.append(obj)

    def _note_digest(self, prefix: str) -> None:
        self.out.notes.append(
            f"s3://{self.lister.bucket}/{prefix}: skipped, CloudTrail digest files (signatures of the log files, not records)"
        )


def _span(parts: tuple[int, ...]) -> tuple[date, date]:
    year = parts[0]
    if len(parts) == 1:
        return date(year, 1, 1), date(year, 12, 31)
    month = parts[1]
    if not 1 <= month <= 12:
        return date(year, 1, 1), date(year, 12, 31)
    last = calendar.monthrange(year, month)[1]
    if len(parts) == 2:
        return date(year, month, 1), date(year, month, last)
    day = min(max(parts[2], 1), last)
    return date(year, month, day), date(year, month, day)


def _folder(depth: int, value: int) -> str:
    return f"{value:04d}" if depth == 0 else f"{value:02d}"


def _plausible(depth: int, value: int) -> bool:
    return (1 <= value <= 9999) if depth == 0 else (1 <= value <= 12) if depth == 1 else (1 <= value <= 31)
