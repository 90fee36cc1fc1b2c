"""Where things are, for tests at any depth of the tree (``from repo_paths import REPO, SRC, ...``)."""

from __future__ import annotations

from pathlib import Path

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent
SRC = REPO / "src" / "logsheet"
DOCS = REPO / "docs"
WEB = REPO / "web"
# The public logs beside the project (../shared/data); tests that read them are marked `shared_data` and skip
# when it is absent.
SHARED_DATA = REPO.parent / "shared" / "data"
