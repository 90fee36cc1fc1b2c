#!/usr/bin/env bash
# Builds the web UI and installs logsheet into .venv (idempotent).
#   bash scripts/setup.sh          everything: logsheet with its dev tools and the Spark engine (check.sh, CI)
#   bash scripts/setup.sh --demo   what the demo needs: logsheet alone (no dev tools, no pyspark; demo.sh)
# Needs Python 3.11+ (PYTHON=... to choose one; default python3) and Node.js 20.19+ with npm.
set -euo pipefail
cd "$(dirname "$0")/.."
case "${1:-}" in
  "") extras="[dev,spark]" ;; # spark: the Spark engine's tests run in CI (they need Java 17+)
  --demo) extras="" ;;
  *) echo "usage: bash scripts/setup.sh [--demo]" >&2; exit 2 ;;
esac
PYTHON="${PYTHON:-python3}"
need() { echo "error: $1" >&2; exit 1; }

command -v "$PYTHON" >/dev/null 2>&1 || need "$PYTHON is not installed: logsheet needs Python 3.11+ (PYTHON=... to choose one)"
"$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' ||
  need "logsheet needs Python 3.11+, and $PYTHON is $("$PYTHON" -V 2>&1) (PYTHON=python3.11 to choose another)"
command -v npm >/dev/null 2>&1 || need "npm is not installed: building the web UI (web/) needs Node.js 20.19+ with npm"
node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a === 20 && b >= 19) ? 0 : 1)' ||
  need "building the web UI needs Node.js 20.19+, and node is $(node --version)"

# The web UI (TypeScript, Vite) is built into src/logsheet/web/static, which ships inside the package and is
# never committed. `npm ci` runs when package-lock.json changed; the build when a source of it changed. (Any
# build of the package from source builds the UI too, see setup.py; here it comes first so the install finds it.)
# (Never when web/node_modules is a link: `npm ci` would empty the folder it points to, which others share.)
if [ -L web/node_modules ]; then
  :
elif [ ! -f web/node_modules/.package-lock.json ] || [ web/package-lock.json -nt web/node_modules/.package-lock.json ]; then
  (cd web && npm ci --no-audit --no-fund --loglevel=error)
fi
stamp=web/node_modules/.logsheet-build-stamp
if [ ! -f src/logsheet/web/static/index.html ] || [ ! -f "$stamp" ] ||
  [ -n "$(find web/src web/index.html web/package.json web/package-lock.json web/vite.config.ts web/tsconfig.json -newer "$stamp" -print -quit)" ]; then
  (cd web && npm run --silent build -- --logLevel warn)
  touch "$stamp"
fi

if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e ".$extras"
