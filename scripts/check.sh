#!/usr/bin/env bash
# The one entry point for every gate: lint, format, type-check, tests. CI runs exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
echo "== ruff (lint)";   .venv/bin/ruff check src tests bench
echo "== ruff (format)"; .venv/bin/ruff format --check src tests bench
echo "== mypy";          .venv/bin/mypy
echo "== docs";          .venv/bin/python scripts/gen_cli_docs.py --check
echo "== tsc (web)";     (cd web && npm run --silent typecheck)
# The browser tests drive Debian's chromium (never a downloaded browser); CI runs as root and installs it.
if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null)
  else
    echo "warning: chromium is not installed (apt-get install chromium): the browser tests will be skipped" >&2
  fi
fi
echo "== pytest";        .venv/bin/python -m pytest -q "$@"
