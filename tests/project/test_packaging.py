"""The package as a user gets it: ``python -m build`` makes an sdist and a wheel from it that carry the web UI,
and that wheel, installed in a fresh venv on a PATH with no ``node`` or ``npm``, serves the grid page.

The build reuses the UI already built in src/logsheet/web/static when it is fresh (setup.py runs npm only
when it is missing or older than web/'s sources); what is checked is that it ends up in the wheel. The
isolated build environment gets setuptools from the package index, as any user's build does.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import socket
import subprocess
import sys
import sysconfig
import tarfile
import time
import urllib.request
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from logsheet.api.static import NOT_BUILT
from repo_paths import REPO

STATIC = REPO / "src" / "logsheet" / "web" / "static"
VENV_BIN = Path(sys.executable).parent

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(importlib.util.find_spec("build") is None, reason="needs `build` (pip install -e '.[dev]')"),
]


def clean_env(**extra: str) -> dict[str, str]:
    """This process's environment without PYTHONPATH (it would put this checkout's logsheet first) and with
    ``extra``."""
    return {k: v for k, v in os.environ.items() if k != "PYTHONPATH"} | extra


def run_build(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "build", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sdist and the wheel built from it, as ``python -m build`` makes them from this checkout."""
    out = tmp_path_factory.mktemp("dist")
    done = run_build("--outdir", str(out), str(REPO), cwd=REPO)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return out


def only(folder: Path, pattern: str) -> Path:
    (path,) = folder.glob(pattern)
    return path


def test_the_wheel_carries_the_built_ui_and_py_typed_and_nothing_else(dist: Path) -> None:
    names = set(zipfile.ZipFile(only(dist, "*.whl")).namelist())
    built = {f"logsheet/web/static/{p.relative_to(STATIC).as_posix()}" for p in STATIC.rglob("*") if p.is_file()}
    assert "logsheet/web/static/index.html" in built
    assert any(n.startswith("logsheet/web/static/assets/") and n.endswith(".js") for n in built)
    assert built <= names, sorted(built - names)
    assert "logsheet/py.typed" in names
    tops = {n.split("/", 1)[0] for n in names}
    assert tops == {"logsheet", "logsheet-0.1.0.dist-info"}, tops  # no tests/, bench/, web/
    assert not [n for n in names if "node_modules" in n or "__pycache__" in n]


def test_the_sdist_carries_web_sources_and_the_built_ui(dist: Path) -> None:
    with tarfile.open(only(dist, "*.tar.gz")) as sdist:
        names = {n.split("/", 1)[1] for n in sdist.getnames() if "/" in n}
    for source in ("package.json", "package-lock.json", "index.html", "vite.config.ts", "tsconfig.json", "src/main.ts"):
        assert f"web/{source}" in names, source
    assert {"setup.py", "MANIFEST.in", "pyproject.toml", "src/logsheet/py.typed"} <= names
    assert "src/logsheet/web/static/index.html" in names
    assert not [n for n in names if "node_modules" in n or n.startswith("tests/")]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def get(url: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, response.read()


@pytest.fixture(scope="module")
def installed(dist: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv with the wheel installed (its bin folder). The wheel's dependencies come from this test's
    own environment through a .pth file, so that nothing is downloaded twice; logsheet itself is the wheel's."""
    venv = tmp_path_factory.mktemp("fresh") / "venv"
    env = clean_env()
    subprocess.run([sys.executable, "-m", "venv", str(venv)], env=env, check=True, timeout=120)
    python = venv / "bin" / "python"
    wheel = only(dist, "*.whl")
    pip = [str(python), "-m", "pip", "install", "-q", "--no-deps", "--no-index", str(wheel)]
    subprocess.run(pip, env=env, check=True, timeout=120)
    site = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    ours = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (Path(site) / "dependencies-from-tests.pth").write_text("".join(f"{p}\n" for p in sorted(ours)))
    return venv / "bin"


@pytest.fixture
def no_node_env(installed: Path, tmp_path: Path) -> dict[str, str]:
    """The environment of a machine with no Node: PATH is the venv's bin folder alone, a new LOGSHEET_HOME."""
    path = str(installed)
    assert shutil.which("node", path=path) is None and shutil.which("npm", path=path) is None
    return {"PATH": path, "HOME": str(tmp_path), "LOGSHEET_HOME": str(tmp_path / "home"), "LANG": "C.UTF-8"}


@pytest.fixture
def server(installed: Path, no_node_env: dict[str, str], tmp_path: Path) -> Iterator[str]:
    port = free_port()
    log = (tmp_path / "serve.log").open("w")
    process = subprocess.Popen(
        [installed / "logsheet", "serve", "--port", str(port)], env=no_node_env, stdout=log, stderr=subprocess.STDOUT
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                get(f"{base}/api/info")
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    log.flush()
                    pytest.fail("logsheet serve did not start: " + (tmp_path / "serve.log").read_text())
                time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


def test_the_installed_wheel_is_what_runs(installed: Path, no_node_env: dict[str, str]) -> None:
    where = subprocess.run(
        [installed / "python", "-c", "import logsheet; print(logsheet.__file__)"],
        env=no_node_env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert Path(where).resolve().is_relative_to(installed.parent.resolve()), where


def test_the_installed_wheel_serves_the_grid_page_without_node(server: str) -> None:
    status, page = get(f"{server}/")
    assert status == 200
    text = page.decode()
    assert text != NOT_BUILT and "not built" not in text
    assert '<div id="app"' in text
    (script,) = [part.split('"', 1)[0] for part in text.split('src="')[1:] if part.startswith("/assets/")]
    status, body = get(f"{server}{script}")
    assert status == 200 and body == (STATIC / script.lstrip("/")).read_bytes()
    status, _ = get(f"{server}/sheets/anything")
    assert status == 200


def copy_sources(target: Path) -> None:
    """This checkout's package sources and web/'s, without the built UI or node_modules."""
    for name in ("pyproject.toml", "setup.py", "MANIFEST.in", "README.md", "LICENSE"):
        shutil.copy2(REPO / name, target / name)
    junk = shutil.ignore_patterns("static", "__pycache__", "*.egg-info", "node_modules")
    shutil.copytree(REPO / "src", target / "src", ignore=junk)
    shutil.copytree(REPO / "web", target / "web", ignore=junk, symlinks=True)


def test_building_without_the_ui_or_npm_says_what_to_install(tmp_path: Path) -> None:
    copy_sources(tmp_path)
    assert not (tmp_path / "src" / "logsheet" / "web" / "static").exists()
    env = os.environ | {"PATH": str(VENV_BIN)}  # PYTHONPATH kept: it may be where `build` is
    if shutil.which("npm", path=env["PATH"]):
        pytest.skip(f"npm is in {VENV_BIN}")
    done = run_build("--sdist", "--outdir", str(tmp_path / "dist"), ".", cwd=tmp_path, env=env)
    assert done.returncode != 0
    output = done.stdout + done.stderr
    assert "index.html is missing) and npm is not on PATH" in output, output[-3000:]
    assert "Node.js 20.19 or newer with npm" in output
    assert not (tmp_path / "dist").exists() or not list((tmp_path / "dist").iterdir())
