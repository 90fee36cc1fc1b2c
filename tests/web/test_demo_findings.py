"""The demo incident's findings, in Chromium: the demo workspace runs the built-in pack on import, and the
brute force from the attacker, the root login after it and the instance-role credentials used for
RunInstances and ListBuckets are in the findings panel; each opens exactly its rows (the grid's total is
the planted count from the demo's own facts, every row is the attacker's)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from web_ui import expect_total

from logsheet.demo import FACTS


@pytest.fixture
def logsheet_home(demo_logsheet_home: Path) -> Path:
    return demo_logsheet_home


def open_finding(page: Any, title: str, subject: str | None = None) -> None:
    panel = page.locator(".findings-panel")
    if not panel.is_visible():
        page.get_by_role("button", name=re.compile("^Findings")).click()
    group = panel.locator(".finding-rule", has=page.locator(".finding-title", has_text=re.compile(f"^{re.escape(title)}$")))
    expect(group).to_have_count(1)
    buttons = group.locator("button.finding-open")
    (buttons.filter(has=page.locator(".finding-subject", has_text=subject)) if subject else buttons).first.click()


def column_values(page: Any, column: str) -> set[str]:
    """The texts of a column in every row the grid has drawn (a finding's rows are few: all are loaded)."""
    selector = f'.ag-row.row-loaded .ag-cell[col-id="{column}"]'
    page.wait_for_function(
        # every drawn cell painted (under load a row can be marked loaded a moment before its cells get their text)
        "sel => document.querySelectorAll(sel).length > 0 && !document.querySelector('.grid-host.loading')"
        " && [...document.querySelectorAll(sel)].every(c => !!c.querySelector('.cell-text[data-drawn]'))",
        arg=selector,
    )
    return {t.strip() for t in page.locator(selector).all_text_contents()}


CASES = [
    # sheet, rule title, subject shown, rows (from the demo's facts), column every row holds the attacker in
    ("secure", "SSH brute force from one source", f"src_ip={FACTS.ssh_attacker_ip}", FACTS.brute_force_failed_password, "src_ip"),
    (
        "secure",
        "SSH login accepted after failures from the same source",
        f"src_ip={FACTS.ssh_attacker_ip}",
        FACTS.brute_force_failed_password + FACTS.accepted_password_root,
        "src_ip",
    ),
    ("secure", "SSH login as root accepted", None, FACTS.accepted_password_root, "src_ip"),
    (
        "cloudtrail",
        "EC2 instance role credentials used to launch instances",
        None,
        FACTS.run_instances_from_attacker_ip,
        "sourceIPAddress",
    ),
    ("cloudtrail", "EC2 instance role credentials used to list buckets", None, FACTS.attacker_list_buckets, "sourceIPAddress"),
]


@pytest.mark.parametrize(("sheet", "title", "subject", "rows", "column"), CASES, ids=[c[1] for c in CASES])
def test_the_demo_flags_the_attack_and_each_finding_opens_its_rows(
    page: Any, server: Any, sheet: str, title: str, subject: str | None, rows: int, column: str
) -> None:
    attacker = FACTS.ssh_attacker_ip if sheet == "secure" else FACTS.attacker_api_ip
    page.goto(f"{server.url}/sheets/{sheet}")
    expect(page.get_by_role("button", name=re.compile("^Findings")).get_by_test_id("findings-badge")).not_to_have_text("0")
    open_finding(page, title, subject)
    expect_total(page, f"{rows:,} row" + ("s" if rows != 1 else ""))
    expect(page.get_by_test_id("finding-chip")).to_contain_text(f"Finding: {title}")
    assert column_values(page, column) == {attacker}
