"""The S3 tests' local S3 server (moto's server mode on loopback, one per session) and its clients."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("moto", reason="the S3 tests need moto[server] (the dev extra)")

from s3_server import CountingMotoServer  # noqa: E402


@pytest.fixture(scope="session")
def s3_server() -> Iterator[CountingMotoServer]:
    server = CountingMotoServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def aws_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Test credentials in the environment, and AWS config files of the test's own (never the machine's)."""
    folder = tmp_path / "aws"
    folder.mkdir()
    (folder / "credentials").write_text("[ir]\naws_access_key_id = ir-key\naws_secret_access_key = ir-secret\n", encoding="utf-8")
    (folder / "config").write_text("[profile ir]\nregion = us-east-1\n", encoding="utf-8")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(folder / "credentials"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(folder / "config"))
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    return folder


@pytest.fixture
def s3(s3_server: CountingMotoServer) -> Any:
    import boto3

    return boto3.client(
        "s3", endpoint_url=s3_server.url, region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing"
    )


@pytest.fixture
def bucket(s3: Any) -> str:
    name = f"trail-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=name)
    return name
