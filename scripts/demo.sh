#!/usr/bin/env bash
# Installs everything, builds the demo incident workspace and serves it on http://127.0.0.1:8765/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/logsheet demo "$@"
