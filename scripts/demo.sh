#!/usr/bin/env bash
# Installs what the demo needs (logsheet and its web UI; not the dev tools, not pyspark), builds the demo
# incident workspace (its own, ~/.local/share/logsheet-demo, unless LOGSHEET_HOME says otherwise)
# and serves it on http://127.0.0.1:8765/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --demo
exec .venv/bin/logsheet demo "$@"
