#!/usr/bin/env bash
# The one entry point for every gate: lint, format, type-check, tests. CI runs exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
echo "== ruff (lint)";   .venv/bin/ruff check src tests
echo "== ruff (format)"; .venv/bin/ruff format --check src tests
echo "== mypy";          .venv/bin/mypy
echo "== docs";          .venv/bin/python scripts/gen_cli_docs.py --check
echo "== pytest";        .venv/bin/python -m pytest -q "$@"
