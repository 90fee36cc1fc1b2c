"""The reference incident (docs/../PRODUCT.md), end to end in headless Chromium, through the page only.

Upload the generated CloudTrail S3 folder (1,192 .json.gz files) and /var/log/secure with the file picker;
filter eventName to RunInstances (7 rows, 4 with an errorMessage); filter on the instance's own IP (12 rows);
group by eventName and draw a bar chart; in secure, split lines into columns, search "Failed password", follow
the attacker's IP and find the one accepted root login. Screenshots for the README are taken on the way.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import expect
from web_ui import (
    cell_menu,
    column_menu,
    column_texts,
    expect_total,
    first_text,
    go_to_column,
    header_ids,
    open_sheet,
    search,
    set_filter,
    total,
    undo,
    upload,
)

from logsheet.core import ir
from logsheet.demo import FACTS, generate


def test_reference_incident(page: Any, server: Any, tmp_path: Path, screenshots: Path) -> None:
    evidence = generate(tmp_path / "evidence")
    cloudtrail_files = sorted(p for p in evidence.cloudtrail_dir.rglob("*.json.gz"))
    assert len(cloudtrail_files) == FACTS.cloudtrail_files

    # ---- the files page: upload both pieces of evidence through the picker -----------------------------------
    page.goto(server.url + "/")
    expect(page.get_by_text("No sheets yet")).to_be_visible()
    batch = upload(page, cloudtrail_files, "cloudtrail")
    expect(batch.locator(".import-summary")).to_contain_text(f"{FACTS.cloudtrail_unique_records:,} rows imported into cloudtrail")
    expect(batch.locator(".import-summary")).to_contain_text(f"{FACTS.cloudtrail_duplicates} duplicates removed")
    expect(batch.locator(".import-summary")).to_contain_text("0 rejected")
    assert batch.locator("progress").count() == len(cloudtrail_files) + 1  # one bar per file, one overall
    batch = upload(page, [evidence.secure_log], "secure")
    expect(batch.locator(".import-summary")).to_contain_text(f"{FACTS.secure_lines:,} rows imported into secure")
    row = page.locator('.sheets-table tr[data-sheet="cloudtrail"]')
    expect(row).to_contain_text(f"{FACTS.cloudtrail_unique_records:,}")
    expect(row).to_contain_text(f"{FACTS.cloudtrail_files:,}")  # sources
    expect(page.locator('.sheets-table tr[data-sheet="secure"]')).to_contain_text(f"{FACTS.secure_lines:,}")

    # ---- CloudTrail: RunInstances -> 7 rows, 4 with an errorMessage ------------------------------------------
    open_sheet(page, "cloudtrail")
    expect_total(page, f"{FACTS.cloudtrail_unique_records:,} rows")
    expect(page.locator('.ag-header-cell[col-id="eventTime"] .type-badge')).to_have_text("time")
    expect(page.locator(".histogram-chart svg")).to_be_visible()
    page.screenshot(path=str(screenshots / "sheet.png"))

    set_filter(page, "eventName = 'RunInstances'")
    expect_total(page, "7 rows")
    assert column_texts(page, "eventName", FACTS.run_instances) == ["RunInstances"] * FACTS.run_instances

    # The same filter in the builder; add "errorMessage is not blank" there and apply.
    page.get_by_role("button", name="Builder").click()
    builder = page.get_by_role("group", name="Filter builder")
    expect(builder.get_by_label("Column").first).to_have_value("eventName")
    builder.get_by_role("button", name="+ Condition").first.click()
    column = builder.get_by_label("Column").last
    column.fill("errorMessage")
    column.press("Tab")
    builder.get_by_label("Operator").last.select_option("is not blank")
    filter_text = page.get_by_label("Filter (filter language)")
    expect(filter_text).to_have_value("eventName = 'RunInstances' and errorMessage is not blank")
    page.get_by_role("button", name="Apply").click()
    expect_total(page, f"{FACTS.run_instances_with_error} rows")
    go_to_column(page, "errorMessage")
    messages = column_texts(page, "errorMessage", FACTS.run_instances_with_error)
    assert len(messages) == FACTS.run_instances_with_error and all(messages)
    page.screenshot(path=str(screenshots / "filter.png"))

    # Back to the 7 (undo), then "filter to this value" on the instance's IP from a cell's menu -> 5 of them.
    undo(page)
    expect_total(page, f"{FACTS.run_instances} rows")
    expect(filter_text).to_have_value("eventName = 'RunInstances'")
    go_to_column(page, "sourceIPAddress")
    ips = column_texts(page, "sourceIPAddress", FACTS.run_instances)
    assert sorted(set(ips)) == sorted({"AWS Internal", FACTS.attacker_api_ip})
    assert ips.count(FACTS.attacker_api_ip) == FACTS.run_instances_from_attacker_ip
    cell_menu(page, "sourceIPAddress", FACTS.attacker_api_ip, "Filter to this value")
    expect_total(page, f"{FACTS.run_instances_from_attacker_ip} rows")
    expect(filter_text).to_have_value(f"eventName = 'RunInstances' and sourceIPAddress = '{FACTS.attacker_api_ip}'")

    # Everything that IP did: 12 requests.
    set_filter(page, f"sourceIPAddress = '{FACTS.attacker_api_ip}'")
    expect_total(page, f"{FACTS.attacker_api_requests} rows")
    assert (
        column_texts(page, "sourceIPAddress", FACTS.attacker_api_requests)
        == [FACTS.attacker_api_ip] * FACTS.attacker_api_requests
    )

    # ---- group by eventName and draw a bar chart ------------------------------------------------------------
    go_to_column(page, "eventName")
    column_menu(page, "eventName", "Group by this column")
    expected = server.ws.query("cloudtrail", _grouped_view(FACTS.attacker_api_ip), limit=100)
    expect_total(page, f"{expected.total} groups")
    assert header_ids(page) == ["eventName", "count"]
    names = column_texts(page, "eventName", expected.total)
    counts = [int(c) for c in column_texts(page, "count", expected.total)]
    assert dict(zip(names, counts)) == {row[0]: row[1] for row in expected.rows}
    assert dict(zip(names, counts))["RunInstances"] == FACTS.run_instances_from_attacker_ip
    assert dict(zip(names, counts))["ListBuckets"] == FACTS.attacker_list_buckets
    assert counts == sorted(counts, reverse=True)
    page.get_by_label("Chart type").select_option("bar")
    chart = page.locator(".chart svg")
    expect(chart).to_be_visible()
    expect(chart).to_contain_text("RunInstances")
    expect(chart).to_contain_text("count by eventName")
    with page.expect_download() as download:
        page.get_by_role("button", name="Export SVG").click()
    assert download.value.suggested_filename == "cloudtrail-chart.svg"
    page.screenshot(path=str(screenshots / "group-chart.png"))

    # The whole view is in the address: reopening it shows the same groups and chart.
    page.goto(page.url)
    expect_total(page, f"{expected.total} groups")
    expect(page.locator(".chart svg")).to_contain_text("RunInstances")

    # Drill into the RunInstances group: its rows, with the filter that says so.
    cell_menu(page, "eventName", "RunInstances", "Show the rows of this group")
    expect_total(page, f"{FACTS.run_instances_from_attacker_ip} rows")
    expect(filter_text).to_have_value(f"sourceIPAddress = '{FACTS.attacker_api_ip}' and eventName = 'RunInstances'")

    # ---- /var/log/secure ------------------------------------------------------------------------------------
    page.get_by_role("link", name="logsheet").click()
    open_sheet(page, "secure")
    expect_total(page, f"{FACTS.secure_lines:,} rows")
    parsed = "src_ip" in header_ids(page)
    text_column = "message" if parsed else "line"
    _split_on_spaces(page, text_column)
    if parsed:  # the syslog parser already gave the columns: take the split back (Ctrl+Z)
        undo(page)
        expect(page.locator(".steps-list")).to_contain_text("No steps yet.")

    search(page, "Failed password")
    failed = server.ws.count("secure", ir.Query(search="Failed password"))
    expect_total(page, f"{failed:,} rows")
    go_to_column(page, text_column)
    expect(page.locator(f'.ag-cell[col-id="{text_column}"] mark').first).to_have_text("Failed password")

    attacker = FACTS.ssh_attacker_ip
    if parsed:
        # Which address failed most? Group by src_ip: the attacker, then drill into its rows.
        column_menu(page, "src_ip", "Group by this column")
        groups = server.ws.count("secure", ir.Query(search="Failed password", group=ir.GroupBy(("src_ip",))))
        expect_total(page, f"{groups} groups")
        assert first_text(page, "src_ip") == attacker
        assert first_text(page, "count") == str(FACTS.brute_force_failed_password)
        cell_menu(page, "src_ip", attacker, "Show the rows of this group")
        expect(filter_text).to_have_value(f"src_ip = '{attacker}'")
    else:
        set_filter(page, f"line contains '{attacker}'")
    expect_total(page, f"{FACTS.brute_force_failed_password} rows")

    search(page, "Accepted password")
    expect_total(page, f"{FACTS.accepted_password_root} row")
    accepted = page.locator(".ag-row").first
    expect(accepted).to_contain_text("Accepted password for root from")
    expect(accepted).to_contain_text(attacker)


def _grouped_view(ip: str) -> ir.Query:
    return ir.Query(
        where=ir.Compare("sourceIPAddress", "=", ip),
        group=ir.GroupBy(("eventName",), (ir.Agg("count"),)),
        sort=(ir.SortKey("count", True),),
    )


def _split_on_spaces(page: Any, column: str) -> None:
    """Column menu -> Split into columns: the preview shows the new columns from the data; apply it as a step."""
    column_menu(page, column, "Split into columns…")
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_label("Delimiter", exact=True)).to_have_value(" ")
    expect(dialog.locator("th.new-column").first).to_have_text(f"{column}_1")
    dialog.get_by_role("button", name="Apply step").click()
    expect(page.locator(".steps-list")).to_contain_text(f"Split {column}")
    expect(page.locator(f'.ag-header-cell[col-id="{column}_1"]')).to_be_visible()
    expect(total(page)).to_have_text(f"{FACTS.secure_lines:,} rows")
