"""Shared test fixtures.

Every test runs with ``LOGSHEET_HOME`` pointing into its own temporary folder, so nothing ever touches the
real per-user workspace. Tests that read the public logs in ``../shared/data`` are marked ``shared_data``
and skip cleanly when that folder is absent (a plain clone of the project has none).
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
VENV_BIN = Path(sys.executable).parent

if str(TESTS) not in sys.path:  # so that `from fixtures import ...` works however pytest is started
    sys.path.insert(0, str(TESTS))

from repo_paths import SHARED_DATA  # noqa: E402  (needs the line above)


@pytest.fixture(autouse=True)
def logsheet_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private workspace folder for each test (also what the CLI and subprocesses see)."""
    home = tmp_path / "logsheet-home"
    monkeypatch.setenv("LOGSHEET_HOME", str(home))
    monkeypatch.delenv("LOGSHEET_TOKEN", raising=False)
    monkeypatch.setenv("LOGSHEET_QUERY_TIMEOUT", "60")
    return home


@pytest.fixture(scope="session")
def demo_built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo workspace as ``logsheet demo`` builds it, built once per test run: never used as it is, only
    copied (:func:`demo_home`), so that no test sees another's stars, cases or findings."""
    from logsheet.demo.build import build_demo
    from logsheet.workspace import Workspace

    home = tmp_path_factory.mktemp("demo-built") / "home"
    for _ in build_demo(Workspace.open(home)):
        pass
    return home


@pytest.fixture(scope="module")
def demo_home(demo_built: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the demo workspace for the module that asks for it."""
    home = tmp_path_factory.mktemp("demo") / "home"
    shutil.copytree(demo_built, home)
    return home


@pytest.fixture
def ws(logsheet_home: Path) -> Iterator[object]:
    from logsheet.workspace import Workspace

    yield Workspace.open(logsheet_home)


@pytest.fixture
def inputs(tmp_path: Path) -> Path:
    """A folder for the files a test generates and imports (outside the workspace)."""
    folder = tmp_path / "inputs"
    folder.mkdir()
    return folder


def require_shared(*parts: str) -> Path:
    """A path in ../shared/data, or skip the test with a clear reason when it is not there."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"public test logs not available: {path} is absent (they live in ../shared/data)")
    return path


@pytest.fixture
def shared_copy(tmp_path: Path):  # type: ignore[no-untyped-def]
    """``shared_copy("folder", "file")``: copy a file or folder of ../shared/data into tmp_path (the originals
    are only ever read) and return the copy; skips the test when the data is absent."""

    def copy(*parts: str) -> Path:
        source = require_shared(*parts)
        target = tmp_path / "shared" / Path(*parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, target)
        else:
            shutil.copy2(source, target)
        return target

    return copy
