#!/usr/bin/env bash
# Matching benchmark (BENCHMARKS.md, "## Matching"): N synthetic achievements (and M open needs)
# from `transferhub generate` in a SQLite store, indexed by `transferhub reindex`; then
# `match-bench` times matchesForNeed (top 20) in process for the 108 development-set needs over
# ROUNDS rounds (p50/p90/p99), and the background recompute per changed need and achievement.
# Usage: N=100000 M=2000 ROUNDS=5 bash bench/matching.sh   (KEEP=DIR keeps/reuses the store)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-100000}
M=${M:-2000}
ROUNDS=${ROUNDS:-5}
if [ -z "${BIN_DIR:-}" ]; then
  cargo build --release -q -p transferhub-server --bin transferhub --bin match-bench
  BIN_DIR=${CARGO_TARGET_DIR:-target}/release
fi
work=${KEEP:-$(mktemp -d)}
mkdir -p "$work"
cleanup() { if [ -z "${KEEP:-}" ]; then rm -rf "$work"; fi; }
trap cleanup EXIT
export DATABASE_URL="sqlite://$work/bench.db?mode=rwc" TRANSFERHUB_STORAGE__DATA_DIR="$work/data" \
  TRANSFERHUB_LOG__LEVEL=warn TRANSFERHUB_HARVEST__SCHEDULER=false
echo "== machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB; N=$N achievements, M=$M needs, ROUNDS=$ROUNDS"
if [ ! -s "$work/bench.db" ]; then
  /usr/bin/time -f "generate: wall %e s, peak RSS %M KB" "$BIN_DIR/transferhub" generate --achievements "$N" --needs "$M" --seed 1
  /usr/bin/time -f "reindex: wall %e s, peak RSS %M KB" "$BIN_DIR/transferhub" reindex | sed 's/^/RESULT /'
fi
/usr/bin/time -f "match-bench: wall %e s, peak RSS %M KB" "$BIN_DIR/match-bench" tests/fixtures/matching_dev.json "$ROUNDS"
