"""The case page's annotations (issue 12, item 4: "listed per case") in Chromium: the section lists the stars,
tags and comments of every sheet of the case (not of the sheets outside it), the newest first, each with its
sheet; a row's link opens that row in its sheet (the event dialog), whose header leads back to the case; a
hostile comment stays text; a case without annotations says so."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from fixtures import write_ndjson
from logsheet.core import ir
from logsheet.query.spellings import build_query

MARKUP = '<img src=x onerror="window.pwned=1"> root shell'


@pytest.fixture
def case(server: Any, inputs: Path) -> str:
    ws = server.ws
    ws.import_paths([write_ndjson(inputs / "auth.ndjson", [{"n": i, "user": f"u{i}"} for i in range(6)])], sheet="auth")
    ws.import_paths([write_ndjson(inputs / "flows.ndjson", [{"m": i} for i in range(4)])], sheet="flows")
    ws.import_paths([write_ndjson(inputs / "other.ndjson", [{"k": 1}])], sheet="other")
    ws.create_case("intrusion", ["auth", "flows"])
    assert ws.annotate("auth", build_query("n = 1"), star=True, author="ana") == 1
    assert ws.annotate("flows", build_query("m >= 2"), tag="c2", author="bo") == 2
    assert ws.annotate("other", ir.Query(), star=True, author="elsewhere") == 1
    assert ws.annotate("auth", build_query("n = 4"), comment=MARKUP, author="ana") == 1
    return "intrusion"


def test_the_case_lists_its_annotations_and_opens_their_rows(page: Any, server: Any, case: str) -> None:
    page.goto(server.url + f"/cases/{case}")
    section = page.get_by_role("region", name="Annotations of the case")
    rows = section.locator("tbody tr")
    expect(rows).to_have_count(4)  # not the star on `other`, outside the case
    expect(section.locator(".case-annotations-note")).to_have_text("4 annotations, newest first.")
    expect(rows.locator("td:nth-child(2)")).to_have_text(["auth", "flows", "flows", "auth"])
    expect(rows.locator(".annotation-kind")).to_have_text(["comment", "tag", "tag", "★ star"])
    expect(rows.locator(".annotation-value")).to_have_text([MARKUP, "c2", "c2", ""])
    expect(rows.locator("td:nth-child(5)")).to_have_text(["ana", "bo", "bo", "ana"])
    assert section.locator("img").count() == 0 and page.evaluate("window.pwned") is None
    comment = server.ws.annotations("auth")[-1]
    expect(rows.first).to_have_attribute("data-rowid", str(comment.rowid))

    rows.first.get_by_role("link", name="Open row").click()
    expect(page.locator("h1.sheet-title")).to_have_text("auth")
    dialog = page.get_by_role("dialog", name="Event")
    expect(dialog.locator("h2")).to_have_text(f"Event · row {comment.rowid}")
    expect(dialog).to_contain_text("u4")
    dialog.get_by_role("button", name="Back to the sheet").click()
    page.get_by_role("link", name="Back to the case").click()
    expect(page.locator("h1.case-title")).to_have_text(case)
    expect(page.get_by_role("region", name="Annotations of the case").locator("tbody tr")).to_have_count(4)

    rows = page.get_by_role("region", name="Annotations of the case").locator("tbody tr")
    rows.nth(1).get_by_role("link", name="flows", exact=True).click()
    expect(page.locator("h1.sheet-title")).to_have_text("flows")


def test_a_case_without_annotations_says_so(page: Any, server: Any, case: str) -> None:
    server.ws.create_case("quiet", ["other"])
    server.ws.remove_annotations("other", ir.Query(), star=True)
    page.goto(server.url + "/cases/quiet")
    section = page.get_by_role("region", name="Annotations of the case")
    expect(section.get_by_test_id("case-no-annotations")).to_have_text(
        "No annotations in this case's sheets: star, tag or comment rows from a sheet (right-click a cell)."
    )
    expect(section.locator("table")).to_have_count(0)
