"""Builds the web UI into the package when it is built from source; pyproject.toml holds all the rest.

The UI is a TypeScript app in web/ that Vite builds into src/logsheet/web/static (never committed). Every way
of building the package from source (``pip install .``, ``python -m build``, an sdist, a wheel from that sdist)
runs ``build_py`` or ``sdist`` below, which build the UI first when it is missing or older than its sources:
``npm ci`` when web/node_modules is missing (never over an existing one: ``npm ci`` empties it first, and it may
be a link to a folder that others share; scripts/setup.sh refreshes it), then ``npm run build``. The sdist
carries both web/'s sources and the built UI, so a wheel built from it needs no Node. An editable install
(``pip install -e .``) serves the UI from the source tree: it builds it in the same way, but without npm it
only warns (the server's page then says how to build it).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py
from setuptools.command.sdist import sdist
from setuptools.errors import SetupError

ROOT = Path(__file__).resolve().parent
WEB = ROOT / "web"
STATIC = ROOT / "src" / "logsheet" / "web" / "static"
# What the build reads (web/vite.config.ts, web/tsconfig.json): any of them newer than the build means rebuild.
SOURCES = ("src", "index.html", "package.json", "package-lock.json", "vite.config.ts", "tsconfig.json")
NEEDS = "Node.js 20.19 or newer with npm (https://nodejs.org/ or your system's packages)"


def newest_source() -> float:
    times = [0.0]
    for name in SOURCES:
        path = WEB / name
        files = path.rglob("*") if path.is_dir() else [path]
        times += [f.stat().st_mtime for f in files if f.is_file()]
    return max(times)


def ui_state() -> str:
    """``fresh``, ``stale`` (built, but a source is newer) or ``missing``."""
    page = STATIC / "index.html"
    if not page.is_file():
        return "missing"
    return "stale" if newest_source() > page.stat().st_mtime else "fresh"


def npm(*args: str) -> None:
    command = [shutil.which("npm") or "npm", *args]
    print(f"logsheet: running {' '.join(command[1:])} in web/", file=sys.stderr, flush=True)
    subprocess.run(command, cwd=WEB, check=True)


def build_ui(*, strict: bool) -> None:
    """Builds the UI when it is missing or stale. Without npm: an error if it is missing and ``strict``."""
    state = ui_state()
    if state == "fresh":
        return
    if not (WEB / "package.json").is_file():
        if state == "stale" or not strict:
            return
        raise SetupError(f"logsheet: the web UI is not built ({STATIC}/index.html is missing) and web/ is absent")
    if shutil.which("npm") is None:
        if state == "missing" and strict:
            raise SetupError(
                f"logsheet: the web UI is not built ({STATIC.relative_to(ROOT)}/index.html is missing) and npm is not "
                f"on PATH. Building logsheet from source builds its UI: install {NEEDS}, then build again."
            )
        why = "is older than web/'s sources" if state == "stale" else "is not built"
        print(f"logsheet: warning: the web UI {why} and npm is not on PATH (install {NEEDS})", file=sys.stderr)
        return
    modules = WEB / "node_modules"
    if not modules.exists() and not modules.is_symlink():
        npm("ci", "--no-audit", "--no-fund", "--loglevel=error")
    npm("run", "--silent", "build", "--", "--logLevel", "warn")
    if not (STATIC / "index.html").is_file():
        raise SetupError(f"logsheet: npm run build did not write {STATIC}/index.html")


class BuildPy(build_py):
    """build_py that first builds the web UI, so that its files are among the package data it copies."""

    def run(self) -> None:
        build_ui(strict=not self.editable_mode)
        self.__dict__.pop("data_files", None)  # computed lazily: found again, with the UI's files
        super().run()


class Sdist(sdist):
    """sdist that first builds the web UI, so that the sdist carries it (and web/'s sources, see MANIFEST.in)."""

    def run(self) -> None:
        build_ui(strict=True)
        super().run()


setup(cmdclass={"build_py": BuildPy, "sdist": Sdist})
