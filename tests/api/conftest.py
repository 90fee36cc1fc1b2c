"""Fixtures of the API tests: a workspace with small sheets whose contents the tests know exactly, and a
client that talks to the ASGI app in process. (Modules that only read use a module-scoped copy.)"""

from __future__ import annotations

from pathlib import Path

import pytest
from api_helpers import TestClient, build_workspace, make_client

from logsheet.workspace import Workspace


@pytest.fixture
def ws(logsheet_home: Path, inputs: Path) -> Workspace:
    """Sheets ``ct`` and ``hostile`` (see api_helpers.build_workspace), fresh for each test."""
    return build_workspace(logsheet_home, inputs)


@pytest.fixture
def client(ws: Workspace) -> TestClient:
    return make_client(ws)
