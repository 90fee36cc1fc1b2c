#!/usr/bin/env bash
# Installs logsheet and its development tools into .venv (idempotent). Used by demo.sh, check.sh and CI.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
# spark: the Spark engine's tests run in CI (they need Java 17+, which the machine has).
.venv/bin/python -m pip install --quiet -e '.[dev,spark]'

# The web UI (TypeScript, Vite) is built into src/logsheet/web/static, which ships inside the package and is
# never committed. `npm ci` runs when package-lock.json changed; the build when a source of it changed.
if command -v npm >/dev/null 2>&1; then
  if [ ! -f web/node_modules/.package-lock.json ] || [ web/package-lock.json -nt web/node_modules/.package-lock.json ]; then
    (cd web && npm ci --no-audit --no-fund --loglevel=error)
  fi
  stamp=web/node_modules/.logsheet-build-stamp
  if [ ! -f src/logsheet/web/static/index.html ] || [ ! -f "$stamp" ] ||
    [ -n "$(find web/src web/index.html web/package-lock.json web/vite.config.ts web/tsconfig.json -newer "$stamp" -print -quit)" ]; then
    (cd web && npm run --silent build -- --logLevel warn)
    touch "$stamp"
  fi
else
  echo "warning: npm is not installed, so the web UI is not built (the CLI and the JSON API work without it)" >&2
fi
