"""The case report in Chromium (issue 15, item 1): on the demo, with rows starred and commented first, the case
page's **Report (HTML)** button downloads the report; opened from disk (file://) it makes no request but its own
file, holds the demo's findings, the starred events in time order with their comments, charts as inline SVG and
the evidence appendix, whose SHA-256 of every file equals the file's (hashed here); the demo's hostile values
and hostile comments are inert text (no element made of them, no script run). **Report (Markdown)** downloads
the Markdown report."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from logsheet.demo import FACTS, hostile
from logsheet.query.spellings import build_query

COMMENT = '<img src=x onerror="window.pwned=1"> "><svg onload="window.pwned=2"> =cmd|\' /C calc\'!A0 [x](javascript:alert(1))'


@pytest.fixture
def logsheet_home(demo_logsheet_home: Path) -> Path:
    return demo_logsheet_home


def annotate_demo(ws: Any) -> int:
    """Star the launches, the root login and the hostile SSH user's rows; comment the launches and the hostile
    rows, tag the hostile rows; how many hostile rows."""
    launches = build_query(where="eventName = 'RunInstances' and sourceIPAddress = '44.202.228.109'")
    assert ws.annotate("cloudtrail", launches, star=True) >= 1
    assert ws.annotate("cloudtrail", launches, comment="launched with the web server's role") >= 1
    root = build_query(where="event = 'accepted_password' and user = 'root'")
    assert ws.annotate("secure", root, star=True) >= 1
    marked = build_query(where=f"user = '{hostile.SSH_XSS_USER}'")
    marked_rows = ws.annotate("secure", marked, star=True)
    assert marked_rows >= 1
    assert ws.annotate("secure", marked, comment=COMMENT) == marked_rows
    assert ws.annotate("secure", marked, tag="<b>xss</b>") == marked_rows
    return int(marked_rows)


def test_the_html_report_opens_offline_with_its_parts_and_true_hashes(
    page: Any, browser: Any, server: Any, tmp_path: Path
) -> None:
    ws = server.ws
    marked_rows = annotate_demo(ws)
    page.goto(server.url + "/cases/demo")
    button = page.get_by_role("button", name="Report (HTML)")
    expect(button).to_be_visible()
    with page.expect_download(timeout=120_000) as info:
        button.click()
    download = info.value
    assert download.suggested_filename == "report-demo.html"
    saved = tmp_path / "report-demo.html"
    download.save_as(saved)
    expect(button).to_be_enabled()

    context = browser.new_context(viewport={"width": 1400, "height": 900})
    try:
        report = context.new_page()
        requests: list[str] = []
        dialogs: list[str] = []
        report.on("request", lambda r: requests.append(r.url))
        report.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        report.goto(saved.as_uri())
        report.wait_for_load_state("load")
        assert requests == [saved.as_uri()], requests  # nothing else: no CSS, font, image, script
        assert not dialogs and report.evaluate("window.pwned") is None

        # the findings: every one of the case's, the brute force among them
        findings = ws.findings(case="demo")
        rows = report.get_by_test_id("report-findings").locator("tbody tr")
        expect(rows).to_have_count(len(findings))
        title, attacker = "SSH brute force from one source", FACTS.ssh_attacker_ip
        brute = sum(f.title == title and f.group.get("src_ip") == attacker for f in findings)
        assert brute >= 1
        expect(rows.filter(has_text=title).filter(has_text=f"src_ip={attacker}")).to_have_count(brute)

        # the starred events, oldest first, with their comments
        starred = report.get_by_test_id("report-starred").locator("tbody tr")
        count = starred.count()
        assert count == len(ws.timeline("demo", build_query(where="starred"), limit=1000).rows) >= 3
        times = [starred.nth(i).locator("td").first.inner_text() for i in range(count)]
        assert times == sorted(times)
        expect(starred.filter(has_text="launched with the web server's role").first).to_be_visible()
        hostile_row = starred.filter(has_text=COMMENT)
        expect(hostile_row).to_have_count(marked_rows)
        expect(hostile_row.locator(".tag")).to_have_text(["<b>xss</b>"] * marked_rows)
        expect(hostile_row.filter(has_text=hostile.SSH_XSS_USER)).to_have_count(marked_rows)  # the timeline's summary

        # a chart as inline SVG (the events over time, by sheet: a legend naming the sheets)
        charts = report.locator("figure.chart > svg")
        assert charts.count() == 2
        assert "cloudtrail" in charts.first.inner_html() and "vpcflow" in charts.first.inner_html()

        # hostile values are text: no element came from them
        assert report.locator("script, img, iframe, object, embed, foreignObject, [onerror], [onload]").count() == 0
        assert report.locator("body svg").count() == 2 and report.locator("b").count() == 0

        # the evidence appendix: every source file of every sheet, with its true SHA-256 and size
        evidence = report.get_by_test_id("report-evidence").locator("tbody tr")
        sources = [s for name in ws.case("demo").sheets for s in ws.summary(name).sources]
        expect(evidence).to_have_count(len(sources))
        listed = report.evaluate(
            """() => [...document.querySelectorAll('[data-testid=report-evidence] tbody tr')].map(tr => [
                 tr.querySelector('[data-role=path]').textContent, tr.querySelector('[data-role=sha256]').textContent])"""
        )
        assert len(listed) == len(sources) > 1000
        evidence_root = Path(ws.root) / "demo-evidence"
        assert sorted(listed) == sorted([s.path, s.sha256] for s in sources)
        # the demo's evidence files (this workspace is a copy of the demo's: its sources name the original's
        # folder, and its own demo-evidence/ holds the same files): both hashed here, as sha256sum would
        files = {p for p in evidence_root.rglob("*") if p.is_file()}  # (and two NDJSON files the demo does not import)
        assert len(files) >= len(listed)
        for path, digest in listed:
            relative = Path(path.split("/demo-evidence/", 1)[1])
            assert hashlib.sha256((evidence_root / relative).read_bytes()).hexdigest() == digest, path
            assert hashlib.sha256(Path(path).read_bytes()).hexdigest() == digest, path
    finally:
        context.close()


def test_the_markdown_button_downloads_the_markdown_report(page: Any, server: Any, tmp_path: Path) -> None:
    page.goto(server.url + "/cases/demo")
    with page.expect_download(timeout=120_000) as info:
        page.get_by_role("button", name="Report (Markdown)").click()
    assert info.value.suggested_filename == "report-demo.md"
    saved = tmp_path / "r.md"
    info.value.save_as(saved)
    text = saved.read_text(encoding="utf-8")
    assert text.startswith("# Case report: demo\n") and "## Evidence appendix" in text and "<" not in text.replace("&lt;", "")
