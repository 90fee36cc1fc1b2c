"""One event, whole (issue 11, item 5), on the demo incident: the attacker's successful RunInstances opened as
a document, requestParameters expanded, a filter on a nested value (the grid then holds exactly the rows with
it), the events around it in time (the event marked, the rows the server's ``Workspace.context`` gives), and
back to the view the user came from, unchanged. Hostile values in a document stay text."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from web_ui import cell, expect_total, first_text, set_filter

from logsheet.core import ir
from logsheet.demo import FACTS
from logsheet.demo import hostile as planted
from logsheet.query.filterlang import parse_filter

LAUNCH_TIME = "2022-03-22 15:48:02"  # the attacker's one RunInstances that succeeded (ct_incident)
RUN_INSTANCES = "eventName = 'RunInstances'"
INSTANCE_TYPE = "requestParameters.instanceType"


@pytest.fixture
def logsheet_home(demo_logsheet_home: Path) -> Path:
    """This module's tests run on the demo workspace (tests/web/conftest.py builds it once per module)."""
    return demo_logsheet_home


def rows_of(server: Any, where: str) -> tuple[list[int], list[str]]:
    """The row ids and event times of a filter's rows in the sheet's time order, from the workspace."""
    query = ir.Query(where=parse_filter(where), sort=(ir.SortKey("eventTime"),))
    page = server.ws.query("cloudtrail", query, limit=1000)
    at = [c.name for c in page.columns].index("eventTime")
    return page.rowids, [row[at].strftime("%Y-%m-%d %H:%M:%S") for row in page.rows]


def open_run_instances(page: Any, server: Any) -> None:
    page.set_viewport_size({"width": 1400, "height": 900})
    page.goto(f"{server.url}/sheets/cloudtrail")
    first_text(page, "eventTime")
    set_filter(page, RUN_INSTANCES)
    expect_total(page, f"{FACTS.run_instances} rows")


def row_menu(page: Any, time: str, item: str) -> None:
    cell(page, "eventTime", time).click(button="right")
    page.get_by_role("menu").get_by_role("menuitem", name=item, exact=True).click()


def entry(dialog: Any, path: str) -> Any:
    return dialog.locator(f'li.doc-entry[data-path="{path}"] > .doc-line')


def grid_state(page: Any) -> tuple[str, str, str | None]:
    return page.url, str(page.get_by_test_id("total").text_content()), page.get_by_label("Filter (filter language)").input_value()


def test_document_filter_on_a_nested_value_context_and_back(page: Any, server: Any) -> None:
    open_run_instances(page, server)
    launched = f"{RUN_INSTANCES} and errorCode is blank and sourceIPAddress = '{FACTS.attacker_api_ip}'"
    launch_ids, launch_times = rows_of(server, launched)
    assert launch_times == [LAUNCH_TIME]
    rowid = launch_ids[0]
    before = grid_state(page)

    # The document: every field, the event's own values, JSON columns collapsed.
    row_menu(page, LAUNCH_TIME, "Open row as document")
    dialog = page.get_by_role("dialog", name="Event")
    expect(dialog.get_by_role("heading")).to_have_text(f"Event · row {rowid}")
    columns = server.ws.summary("cloudtrail").columns
    expect(dialog.locator(".doc-tree > li.doc-entry")).to_have_count(len(columns))
    expect(entry(dialog, "sourceIPAddress").locator(".doc-value")).to_have_text(FACTS.attacker_api_ip)
    expect(entry(dialog, "eventTime").locator(".doc-value")).to_have_text(LAUNCH_TIME)
    expect(entry(dialog, "errorCode").locator(".doc-value")).to_have_text("(blank)")
    expect(entry(dialog, INSTANCE_TYPE)).to_have_count(0)  # collapsed until asked

    # Expand requestParameters, and deeper: the nested keys are named by the filter language's JSON paths.
    dialog.get_by_role("button", name="Expand requestParameters", exact=True).click()
    expect(entry(dialog, INSTANCE_TYPE).locator(".doc-value")).to_have_text(FACTS.launched_instance_type)
    dialog.get_by_role("button", name="Expand requestParameters.instancesSet", exact=True).click()
    dialog.get_by_role("button", name="Expand requestParameters.instancesSet.items", exact=True).click()
    dialog.get_by_role("button", name="Expand requestParameters.instancesSet.items[0]", exact=True).click()
    image = entry(dialog, "requestParameters.instancesSet.items[0].imageId").locator(".doc-value")
    expect(image).to_have_text(re.compile(r"^ami-"))
    dialog.get_by_role("button", name="Collapse requestParameters.instancesSet", exact=True).click()
    expect(entry(dialog, "requestParameters.instancesSet.items")).to_be_hidden()

    # Filter to the nested value: the grid holds exactly the RunInstances with that instance type.
    dialog.get_by_role("button", name=f"Filter to this: {INSTANCE_TYPE}", exact=True).click()
    expect(dialog).to_have_count(0)
    typed = f"{RUN_INSTANCES} and {INSTANCE_TYPE} = '{FACTS.launched_instance_type}'"
    typed_ids, typed_times = rows_of(server, typed)
    assert 1 < len(typed_ids) < FACTS.run_instances
    expect_total(page, f"{len(typed_ids)} rows")
    expect(page.get_by_label("Filter (filter language)")).to_have_value(typed)
    selector = '.ag-row.row-loaded .ag-cell[col-id="eventTime"]'
    page.wait_for_function("([s, n]) => document.querySelectorAll(s).length === n", arg=[selector, len(typed_ids)])
    shown = page.locator(selector).evaluate_all("els => els.map(e => e.textContent)")
    assert sorted(shown) == typed_times

    # Its context, from the row menu: the events around it in time, the event itself marked, as the server says.
    after_filter = grid_state(page)
    row_menu(page, LAUNCH_TIME, "Show events around it")
    dialog = page.get_by_role("dialog", name="Event")
    expect(dialog.get_by_role("heading")).to_have_text(f"Around row {rowid}")
    context = server.ws.context("cloudtrail", rowid, 10, 10)
    rows = dialog.locator("tr.context-row")
    expect(rows).to_have_count(len(context.rowids))
    assert rows.evaluate_all("els => els.map(e => Number(e.dataset.rowid))") == context.rowids
    marked = dialog.locator('tr.context-row[aria-current="true"]')
    expect(marked).to_have_count(1)
    expect(marked).to_have_attribute("data-rowid", str(rowid))
    expect(marked).to_contain_text(LAUNCH_TIME)
    times = dialog.locator("tr.context-row td:nth-child(2)").all_text_contents()
    assert times == sorted(times) and len(times) == 21

    # Fewer around it, then one neighbour as a document, and back, screen by screen, to the sheet.
    dialog.get_by_label("Events before and after").fill("3")
    dialog.get_by_role("button", name="Show", exact=True).click()
    expect(rows).to_have_count(7)
    neighbour = server.ws.context("cloudtrail", rowid, 3, 3).rowids[2]
    dialog.get_by_role("button", name=f"Open row {neighbour} as a document", exact=True).click()
    expect(dialog.get_by_role("heading")).to_have_text(f"Event · row {neighbour}")
    dialog.get_by_role("button", name="Back to the context", exact=True).click()
    expect(dialog.get_by_role("heading")).to_have_text(f"Around row {rowid}")
    expect(rows).to_have_count(7)
    dialog.get_by_role("button", name="Back to the sheet", exact=True).click()
    expect(dialog).to_have_count(0)
    assert grid_state(page) == after_filter
    assert after_filter != before


def test_copy_as_json_then_the_context_and_back(page: Any, server: Any) -> None:
    page.add_init_script("navigator.clipboard.writeText = async (text) => { window.__copied = text; };")
    open_run_instances(page, server)
    before = grid_state(page)
    row_menu(page, LAUNCH_TIME, "Open row as document")
    dialog = page.get_by_role("dialog", name="Event")
    dialog.get_by_role("button", name="Copy as JSON", exact=True).click()
    expect(dialog.get_by_role("button", name="Copied", exact=True)).to_be_visible()
    copied = json.loads(page.evaluate("window.__copied"))
    assert len(copied) == len(server.ws.summary("cloudtrail").columns)
    assert copied["requestParameters"]["instanceType"] == FACTS.launched_instance_type  # nested, not JSON text
    assert copied["sourceIPAddress"] == FACTS.attacker_api_ip and copied["errorCode"] is None
    assert copied["eventTime"] == "2022-03-22T15:48:02Z"
    dialog.get_by_role("button", name="Events around it (±10)", exact=True).click()
    expect(dialog.locator('tr.context-row[aria-current="true"]')).to_contain_text(LAUNCH_TIME)
    dialog.get_by_role("button", name="Back to the event", exact=True).click()
    expect(dialog.get_by_role("heading")).to_have_text(re.compile(r"^Event · row \d+$"))
    dialog.get_by_role("button", name="Back to the sheet", exact=True).click()
    expect(dialog).to_have_count(0)
    assert grid_state(page) == before
    expect_total(page, f"{FACTS.run_instances} rows")


def test_hostile_values_in_a_document_are_text_and_filter_exactly(page: Any, server: Any) -> None:
    page.add_init_script("window.__pwned = undefined; window.alert = () => { window.__pwned = 'alert'; };")
    page.set_viewport_size({"width": 1400, "height": 900})
    page.goto(f"{server.url}/sheets/cloudtrail")
    first_text(page, "eventTime")
    set_filter(page, "eventName = 'CreateBucket' and errorCode = 'InvalidBucketName'")
    expect_total(page, "1 row")
    time = first_text(page, "eventTime")
    row_menu(page, time, "Open row as document")
    dialog = page.get_by_role("dialog", name="Event")
    dialog.get_by_role("button", name="Expand requestParameters", exact=True).click()
    expect(entry(dialog, "requestParameters.bucketName").locator(".doc-value")).to_have_text(planted.SQL_BUCKET)
    dialog.get_by_role("button", name="Exclude this: requestParameters.bucketName", exact=True).click()
    expect_total(page, "0 rows")
    expect(page.get_by_label("Filter (filter language)")).to_have_value(re.compile(r"requestParameters\.bucketName != "))

    set_filter(page, f"userAgent = '{planted.XSS_IMG}'")
    expect_total(page, "1 row")
    row_menu(page, first_text(page, "eventTime"), "Open row as document")
    dialog = page.get_by_role("dialog", name="Event")
    expect(entry(dialog, "userAgent").locator(".doc-value")).to_have_text(planted.XSS_IMG)
    assert dialog.locator("img, script, svg").count() == 0
    assert page.evaluate("window.__pwned") is None
