"""Fixtures of the browser tests: the real server (uvicorn in a thread, on a free 127.0.0.1 port, over a
workspace in the test's tmp_path) and Debian's Chromium driven by Playwright.

Every page the tests open is watched: each request must go to the server's own origin (``data:``/``blob:``
URLs made by the page itself are allowed), and the console must stay free of errors. A test that means to
provoke an error response (a bad filter) lists the console messages it expects with ``page_watch.allow``.
"""

from __future__ import annotations

import os
import re
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from logsheet.api.common import STATIC_DIR
from repo_paths import DOCS

CHROMIUM = Path(os.environ.get("LOGSHEET_CHROMIUM", "/usr/bin/chromium"))
# No network beyond the test server: these flags stop Chromium's own background requests.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/web/" in str(item.path).replace(os.sep, "/") and not CHROMIUM.exists():
            item.add_marker(pytest.mark.skip(reason=f"{CHROMIUM} is missing: browser tests need Debian's chromium"))


@pytest.fixture(scope="session")
def built_ui() -> Path:
    index = STATIC_DIR / "index.html"
    if not index.is_file():
        pytest.fail(
            f"the web UI is not built ({index} is missing): run `bash scripts/setup.sh` (npm ci && npm run build in web/)"
        )
    return STATIC_DIR


@pytest.fixture(scope="session")
def browser(built_ui: Path) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    url: str
    ws: Any


@pytest.fixture
def server(logsheet_home: Path, built_ui: Path) -> Iterator[Server]:
    import uvicorn

    from logsheet.api import create_app
    from logsheet.workspace import Workspace

    ws = Workspace.open(logsheet_home)
    port = free_port()
    config = uvicorn.Config(create_app(ws), host="127.0.0.1", port=port, log_level="warning", lifespan="off", ws="none")
    uv = uvicorn.Server(config)
    thread = threading.Thread(target=uv.run, name="uvicorn", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not uv.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    yield Server(f"http://127.0.0.1:{port}", ws)
    uv.should_exit = True
    thread.join(timeout=15)


@dataclass
class PageWatch:
    origin: str
    outside: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    allowed: list[re.Pattern[str]] = field(default_factory=list)

    def allow(self, pattern: str) -> None:
        """Expect console errors matching ``pattern`` (e.g. the 400 of a deliberately bad filter)."""
        self.allowed.append(re.compile(pattern))

    def request(self, url: str) -> None:
        if not (url.startswith(self.origin + "/") or url.startswith(("data:", f"blob:{self.origin}/"))):
            self.outside.append(url)

    def console(self, kind: str, text: str) -> None:
        if kind == "error" and not any(p.search(text) for p in self.allowed):
            self.errors.append(text)


@pytest.fixture
def page_watch(server: Server) -> PageWatch:
    return PageWatch(server.url)


@pytest.fixture
def page(browser: Any, server: Server, page_watch: PageWatch) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1600, "height": 900}, accept_downloads=True)
    context.set_default_timeout(30_000)
    pg = context.new_page()
    pg.on("request", lambda r: page_watch.request(r.url))
    pg.on("console", lambda m: page_watch.console(m.type, m.text))
    pg.on("pageerror", lambda e: page_watch.errors.append(f"uncaught: {e}"))
    yield pg
    context.close()
    assert not page_watch.outside, f"the page asked for something outside the server: {page_watch.outside[:5]}"
    assert not page_watch.errors, f"the browser console has errors: {page_watch.errors[:5]}"


@pytest.fixture(scope="session")
def screenshots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the tests' screenshots go: a temporary folder, or the documentation's own pictures when
    LOGSHEET_UPDATE_SCREENSHOTS=1 (so that a test run leaves the checkout as it found it)."""
    if os.environ.get("LOGSHEET_UPDATE_SCREENSHOTS") == "1":
        folder = DOCS / "screenshots"
        folder.mkdir(parents=True, exist_ok=True)
        return folder
    return tmp_path_factory.mktemp("screenshots")


@pytest.fixture
def demo_logsheet_home(demo_home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """``LOGSHEET_HOME`` set to the module's demo workspace: a module runs on the demo by overriding
    ``logsheet_home`` with this."""
    monkeypatch.setenv("LOGSHEET_HOME", str(demo_home))
    monkeypatch.delenv("LOGSHEET_TOKEN", raising=False)
    monkeypatch.setenv("LOGSHEET_QUERY_TIMEOUT", "60")
    return demo_home
