#!/usr/bin/env bash
# Scheduler quality against an exact ILP solver (HiGHS via highspy from PyPI) on instances of
# 50, 200 and 500 participants, and the 2,000-participant / 10,000-request scale run, in one go.
# Usage: bash bench/schedule/run.sh [extra args for compare.py]
# With per-person caps (issue 19): bash bench/schedule/run.sh --person-caps 0.3
set -euo pipefail
cd "$(dirname "$0")/../.."
python3 -m pip install --quiet --disable-pip-version-check highspy numpy
cargo build --release --locked -p transferhub-server --bin schedule-bench
target="${CARGO_TARGET_DIR:-target}"
python3 bench/schedule/compare.py "$target/release/schedule-bench" "$@"
