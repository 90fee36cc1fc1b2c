"""Recipes in Chromium (issue 15, item 3): on a sheet, Views → "Download the recipe of this view" downloads the
view's recipe; on another sheet, Views → "Apply a recipe…" names the columns that sheet lacks and asks which of
its columns to use for each, then shows the recipe's view there with the rows it holds."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from web_ui import expect_total, set_filter

from fixtures import write_csv, write_ndjson


@pytest.fixture
def sheets(server: Any, inputs: Path) -> None:
    rows = [
        {"t": f"2024-05-01T10:00:0{i}Z", "eventName": ["RunInstances", "GetObject"][i % 2], "who": f"u{i % 3}"} for i in range(9)
    ]
    server.ws.import_paths([write_ndjson(inputs / "a.ndjson", rows)], sheet="a")
    table = [["RunInstances", "x"], ["RunInstances", "y"], ["ListBuckets", "z"]]
    server.ws.import_paths([write_csv(inputs / "b.csv", ["event", "user"], table)], sheet="b")


def test_download_a_recipe_and_apply_it_to_another_sheet_with_a_mapping(
    page: Any, server: Any, page_watch: Any, sheets: None, inputs: Path
) -> None:
    page_watch.allow("400")  # the first apply, before the mapping: the sheet lacks eventName
    page.goto(f"{server.url}/sheets/a")
    expect_total(page, "9 rows")
    set_filter(page, "eventName = 'RunInstances'")
    expect_total(page, "5 rows")
    page.get_by_role("button", name="Views ▾").click()
    with page.expect_download() as caught:
        page.get_by_role("menu", name="Views").get_by_role("menuitem", name="Download the recipe of this view").click()
    recipe = inputs / "recipe.json"
    caught.value.save_as(recipe)
    written = json.loads(recipe.read_text(encoding="utf-8"))
    assert written["from"]["columns"] == ["eventName", "t"] and written["from"]["time_column"] == "t"  # sorted by time
    assert written["query"]["where"]["value"] == "RunInstances"

    page.goto(f"{server.url}/sheets/b")
    expect_total(page, "3 rows")
    page.get_by_role("button", name="Views ▾").click()
    page.get_by_role("menu", name="Views").get_by_role("menuitem", name="Apply a recipe…").click()
    dialog = page.get_by_role("dialog", name="Apply a recipe")
    dialog.get_by_label("Recipe file").set_input_files(str(recipe))
    dialog.get_by_role("button", name="Apply").click()
    expect(dialog.locator(".inline-error")).to_contain_text("reads column(s) 'eventName', which sheet 'b' does not have")
    dialog.get_by_label("Column for eventName").fill("event")
    dialog.get_by_label("Save as view").fill("launches")
    dialog.get_by_role("button", name="Apply").click()
    expect(dialog).to_have_count(0)
    expect_total(page, "2 rows")
    expect(page.get_by_label("Filter (filter language)")).to_have_value("event = 'RunInstances'")
    assert [v["name"] for v in server.ws.views("b")] == ["launches"]
    assert [e["action"] for e in server.ws.audit()][-2:] == ["save view", "apply recipe"]
