"""The boto3 client of an S3 import, and what S3 (or the way to it) refused, in one sentence.

Credentials come from boto3's standard chain (environment variables, ``~/.aws/credentials`` and
``~/.aws/config`` with ``--profile``, SSO, the instance's role); logsheet reads none itself. Throttling and
transient errors are retried by botocore (``adaptive`` mode: exponential back-off with jitter, and a client
side rate limit when S3 answers ``SlowDown``); reading an object's body is retried by :mod:`.fetch`.
"""

from __future__ import annotations

from typing import Any

from logsheet.core.errors import LogsheetError
from logsheet.ingest.s3.request import S3Request

ATTEMPTS = 8  # botocore's attempts of one request (the first included), throttling and 5xx alike


class S3Error(LogsheetError):
    """S3 refused a request (no bucket, no access, bad credentials), or could not be reached."""


def connect(request: S3Request) -> Any:
    """A thread-safe S3 client for ``request`` (one per import; its pool as wide as the downloads)."""
    try:
        import boto3
        import botocore.exceptions
        from botocore.config import Config
    except ImportError:  # pragma: no cover - the s3 extra is part of dev
        raise S3Error("importing from S3 needs boto3: pip install 'logsheet[s3]'") from None
    try:
        session = boto3.session.Session(profile_name=request.profile)
    except botocore.exceptions.ProfileNotFound:
        raise S3Error(f"no AWS profile named {request.profile!r} (in ~/.aws/config or ~/.aws/credentials)") from None
    config = Config(
        retries={"max_attempts": ATTEMPTS, "mode": "adaptive"},
        max_pool_connections=max(10, request.workers + 2),
        connect_timeout=10,
        read_timeout=60,
        user_agent_extra="logsheet",
        s3={"addressing_style": "path"} if request.endpoint_url else None,
    )
    region = request.s3_region or session.region_name or "us-east-1"
    try:
        return session.client("s3", endpoint_url=request.endpoint_url, region_name=region, config=config)
    except (botocore.exceptions.BotoCoreError, ValueError) as exc:
        raise S3Error(f"cannot make an S3 client: {exc}") from None


def explain(exc: BaseException, request: S3Request, what: str) -> S3Error:
    """``exc`` (raised by boto3 while doing ``what``) as one sentence for the user."""
    import botocore.exceptions as bce

    bucket = request.url.bucket
    where = f" at {request.endpoint_url}" if request.endpoint_url else ""
    if isinstance(exc, (bce.NoCredentialsError, bce.PartialCredentialsError)):
        return S3Error(
            "no usable AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE / --profile "
            "(see `aws configure`)"
        )
    if isinstance(exc, bce.TokenRetrievalError):
        return S3Error(f"the AWS credentials of profile {request.profile or 'default'!r} could not be refreshed: {exc}")
    if isinstance(exc, bce.EndpointConnectionError):
        return S3Error(f"cannot reach S3{where or ''} while {what}: {exc}")
    if isinstance(exc, bce.ClientError):
        error = exc.response.get("Error", {})
        code = str(error.get("Code", ""))
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        message = str(error.get("Message", "")).strip()
        if code in ("NoSuchBucket",) or (code == "404" and what.startswith("listing")):
            return S3Error(f"no bucket named {bucket!r}{where}")
        if code == "InvalidAccessKeyId":
            return S3Error(
                f"S3{where} does not know the AWS access key in use (InvalidAccessKeyId): check --profile or the AWS credentials"
            )
        if code == "SignatureDoesNotMatch":
            return S3Error(
                f"S3{where} refused the AWS secret key in use (SignatureDoesNotMatch): check --profile or the AWS credentials"
            )
        if code in ("ExpiredToken", "TokenRefreshRequired", "InvalidToken"):
            return S3Error(f"the AWS session token in use has expired or is not valid ({code}): refresh the credentials")
        if code in ("PermanentRedirect", "AuthorizationHeaderMalformed", "IllegalLocationConstraintException", "301"):
            region = exc.response.get("ResponseMetadata", {}).get("HTTPHeaders", {}).get("x-amz-bucket-region")
            hint = f"--s3-region {region}" if region else "--s3-region with the bucket's region"
            return S3Error(f"the bucket {bucket!r} is in another region: add {hint}")
        if code in ("AccessDenied", "AllAccessDisabled", "403") or status == 403:
            payer = "" if request.requester_pays else "; if the bucket is requester-pays, add --requester-pays"
            return S3Error(f"access denied while {what} (s3://{bucket}): the credentials in use may not do it{payer}")
        return S3Error(f"S3{where} refused {what} ({code or status}{': ' + message if message else ''})")
    if isinstance(exc, bce.BotoCoreError):
        return S3Error(f"S3{where} could not be read while {what}: {exc}")
    return S3Error(f"S3{where} could not be read while {what}: {type(exc).__name__}: {exc}")


def is_boto_error(exc: BaseException) -> bool:
    import botocore.exceptions as bce

    return isinstance(exc, (bce.BotoCoreError, bce.ClientError))
