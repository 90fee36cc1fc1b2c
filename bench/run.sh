#!/usr/bin/env bash
# Run the benchmarks: `bash bench/run.sh` (all) or `bash bench/run.sh import-cloudtrail queries ...`.
# Installs what the baselines need (pandas, Polars; jq and pigz from apt), then `python -m bench "$@"`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/python -m pip install --quiet -e '.[bench]'
missing=()
for tool in jq pigz; do command -v "$tool" >/dev/null || missing+=("$tool"); done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq && $SUDO apt-get install -y -qq "${missing[@]}"
fi
exec .venv/bin/python -m bench "$@"
