"""The files page's "Import from S3" form, in Chromium, against a local S3 server (moto's server mode on
loopback): a day of one region imported with its summary, a refusal shown in the form, and an object key full
of markup shown as text."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

pytest.importorskip("moto", reason="the S3 import needs moto[server] (the dev extra) for its tests")

from s3_server import ACCOUNT, CountingMotoServer, delivery_key, put_deliveries  # noqa: E402

HOSTILE = "<img src=x onerror=alert(1)>"


@pytest.fixture(scope="module")
def s3_server() -> Iterator[CountingMotoServer]:
    server = CountingMotoServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def bucket(s3_server: CountingMotoServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> str:
    import boto3

    env = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1"}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    client = boto3.client("s3", endpoint_url=s3_server.url, region_name="us-east-1")
    client.create_bucket(Bucket="ui-trail")
    days = [date(2022, 3, 21), date(2022, 3, 22)]
    keys = [delivery_key(d, r, i) for d in days for r in ("us-east-1", "eu-west-1") for i in range(4)]
    put_deliveries(client, "ui-trail", keys, 5)
    hostile = delivery_key(days[1], "us-east-1", 9).replace(".json.gz", f"{HOSTILE}.json.gz")
    put_deliveries(client, "ui-trail", [hostile], 5, seed=77)
    s3_server.deny.add(hostile)
    yield "ui-trail"
    s3_server.deny.discard(hostile)


def test_import_a_day_of_one_region_from_the_s3_form(
    page: Any, server: Any, s3_server: CountingMotoServer, bucket: str, page_watch: Any
) -> None:
    page_watch.allow(r"status of (400|409)")
    page.goto(server.url + "/")
    page.locator("summary", has_text="Import from S3").click()
    form = page.get_by_role("form", name="Import from S3")
    form.get_by_label("S3 URL").fill(f"s3://{bucket}/")
    form.get_by_label("Name of the new sheet (S3)").fill("march22")
    form.get_by_label("Regions").fill("us-east-1")
    form.get_by_label("Accounts").fill("12345")  # refused by the server: shown as text in the form
    form.get_by_label("Since (UTC day)").fill("2022-03-22")
    form.get_by_label("Until (UTC day, included)").fill("2022-03-22")
    form.get_by_text("Connection", exact=True).click()
    form.get_by_label("Endpoint URL").fill(s3_server.url)
    form.get_by_role("button", name="Import from S3").click()
    expect(form.get_by_role("alert")).to_contain_text("--account takes a 12-digit AWS account id, not '12345'")
    expect(page.locator("section.s3-batch")).to_have_count(0)

    form.get_by_label("Accounts").fill(ACCOUNT)
    form.get_by_role("button", name="Import from S3").click()
    batch = page.locator("section.s3-batch")
    expect(batch.locator(".import-summary")).to_contain_text("20 rows imported into march22", timeout=30_000)
    expect(batch.locator(".import-summary")).to_contain_text("4 objects read")
    expect(batch).to_contain_text(f"Importing from s3://{bucket}/")
    expect(batch).to_contain_text("regions us-east-1; days 2022-03-22 to 2022-03-22")
    warning = batch.locator(".warning", has_text="not imported, access denied")
    expect(warning).to_contain_text(HOSTILE)  # the key, as text
    assert page.locator("img[src=x]").count() == 0
    info = httpx.get(f"{server.url}/api/sheets/march22").json()
    assert sorted(s["s3"]["key"].rsplit("/", 1)[-1][:40] for s in info["sources"]) == sorted(
        delivery_key(date(2022, 3, 22), "us-east-1", i).rsplit("/", 1)[-1][:40] for i in range(4)
    )
    # The summary's sheet link opens the sheet.
    batch.get_by_role("link", name="march22").click()
    expect(page).to_have_url(f"{server.url}/sheets/march22")
