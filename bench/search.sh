#!/usr/bin/env bash
# Search benchmark (BENCHMARKS.md, "## Search"): N synthetic achievements from `generate` in a
# SQLite store; `reindex` into the embedded tantivy index (docs/s, index size); then query
# latency over loopback with wrk for 1-, 2- and 5-term Chinese queries asking 3 facets
# (bench/search.lua, bench/search_queries.txt); then SQLite FTS5 with the trigram tokenizer on
# the same rows and queries, in the same run (bench/search_fts5.py). Bounded: every load phase
# lasts DURATION seconds. Usage: N=1000000 DURATION=20 CONNS=8 bash bench/search.sh
# KEEP=DIR reuses (or leaves) the generated store in DIR instead of a temporary directory.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-1000000}
DURATION=${DURATION:-20}
CONNS=${CONNS:-8}
PORT=${PORT:-18081}
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
# BIN=path skips the build and uses that binary.
if [ -z "${BIN:-}" ]; then
  cargo build --release -q -p transferhub-server --bin transferhub
  BIN=${CARGO_TARGET_DIR:-target}/release/transferhub
fi
work=${KEEP:-$(mktemp -d)}
mkdir -p "$work"
server=
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; fi
  if [ -z "${KEEP:-}" ]; then rm -rf "$work"; fi
}
trap cleanup EXIT
export DATABASE_URL="sqlite://$work/bench.db?mode=rwc" TRANSFERHUB_STORAGE__DATA_DIR="$work/data" \
  TRANSFERHUB_LOG__LEVEL=warn TRANSFERHUB_HARVEST__SCHEDULER=false
echo "== machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB; N=$N, CONNS=$CONNS, DURATION=${DURATION}s"
if [ ! -s "$work/bench.db" ]; then
  /usr/bin/time -f "generate: wall %e s, peak RSS %M KB" "$BIN" generate --achievements "$N" --seed 1
fi
/usr/bin/time -f "reindex: wall %e s, peak RSS %M KB" "$BIN" reindex | sed 's/^/RESULT /'
echo "RESULT store_mib=$(du -m "$work/bench.db" | cut -f1) index_dir_mib=$(du -sm "$work/data/search" | cut -f1)"
"$BIN" serve --listen "127.0.0.1:$PORT" > "$work/serve.log" 2>&1 &
server=$!
for _ in $(seq 1 300); do curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null && break; sleep 0.2; done
TERMS=1 wrk -t2 -c"$CONNS" -d3s -s bench/search.lua "http://127.0.0.1:$PORT/graphql" >/dev/null
for terms in 1 2 5; do
  echo "-- hub (tantivy): $terms-term queries, 3 facets, wrk -t2 -c$CONNS -d${DURATION}s"
  TERMS=$terms wrk -t2 -c"$CONNS" -d"${DURATION}s" --latency -s bench/search.lua \
    "http://127.0.0.1:$PORT/graphql" | grep RESULT | sed "s/^RESULT /RESULT hub terms=$terms /"
done
echo "RESULT hub_rss_kb=$(ps -o rss= -p "$server" | tr -d ' ')"
kill "$server"; wait "$server" 2>/dev/null || true; server=
echo "-- SQLite FTS5 trigram, same rows and queries, $CONNS threads, ${DURATION}s per class"
python3 bench/search_fts5.py "$work/bench.db" "$work" "$DURATION" "$CONNS" bench/search_queries.txt
