"""The options of ``logsheet import s3://BUCKET/PREFIX`` (:mod:`logsheet.ingest.s3`), and their checks."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from logsheet.ingest.s3.request import S3Request, is_s3_url

OPTIONS: list[Callable[[Any], Any]] = [
    click.option("--endpoint-url", help="S3: an S3-compatible endpoint (MinIO, a local server) instead of AWS's."),
    click.option("--profile", help="S3: a named AWS profile (default: the standard credential chain, AWS_PROFILE)."),
    click.option(
        "--account",
        "accounts",
        multiple=True,
        help="S3: only this AWS account's deliveries (12 digits; repeat, or separate with commas).",
    ),
    click.option(
        "--region",
        "regions",
        multiple=True,
        help="S3: only the deliveries of this region, e.g. us-east-1 (repeat, or separate with commas).",
    ),
    click.option("--since", help="S3: only deliveries from this UTC day on, e.g. 2022-03-20 (by the key's date)."),
    click.option("--until", help="S3: only deliveries up to this UTC day, included, e.g. 2022-03-22."),
    click.option("--s3-region", help="S3: the bucket's own region (default: the profile's, else us-east-1)."),
    click.option("--requester-pays", is_flag=True, help="S3: the bucket is requester-pays; you pay for the reads."),
    click.option("--workers", type=int, help="S3: concurrent downloads (default 8)."),
]
FLAGS = {"accounts": "--account", "regions": "--region"}
NAMES = ("endpoint_url", "profile", "accounts", "regions", "since", "until", "s3_region", "requester_pays", "workers")


def s3_options(command: Callable[..., Any]) -> Callable[..., Any]:
    for option in reversed(OPTIONS):
        command = option(command)
    return command


def s3_request(paths: tuple[str, ...], given: dict[str, Any]) -> S3Request | None:
    """The S3 request of an import's arguments, or None for files; S3 options without an s3:// URL are refused."""
    urls = [p for p in paths if is_s3_url(p)]
    if not urls:
        used = [FLAGS.get(n, "--" + n.replace("_", "-")) for n in NAMES if given.get(n)]
        if used:
            raise click.UsageError(f"{', '.join(used)} apply to an import from s3://BUCKET/PREFIX")
        return None
    if len(paths) > 1:
        raise click.UsageError("an S3 import takes one s3://BUCKET/PREFIX, and no local files with it")
    return S3Request.build(urls[0], **{n: given.get(n) for n in NAMES})
