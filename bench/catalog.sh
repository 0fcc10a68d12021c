#!/usr/bin/env bash
# Catalog benchmark (BENCHMARKS.md): bulk-insert N synthetic achievements with `generate`, then
# drive `achievements(first: 20, filter: {industry})` with wrk on loopback, on SQLite and
# PostgreSQL. Bounded: each wrk run lasts DURATION seconds. Usage: N=100000 bash bench/catalog.sh
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-100000}
DURATION=${DURATION:-15}
CONNS=${CONNS:-8}
BACKENDS=${BACKENDS:-"sqlite postgres"}
PORT=${PORT:-18080}
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
# BIN=path skips the build and uses that binary (e.g. an older commit's, for a before/after run).
if [ -z "${BIN:-}" ]; then
  cargo build --release -q -p transferhub-server --bin transferhub
  BIN=${CARGO_TARGET_DIR:-target}/release/transferhub
fi
work=$(mktemp -d)
trap 'kill $server 2>/dev/null || true; rm -rf "$work"' EXIT
server=

for backend in $BACKENDS; do
  if [ "$backend" = sqlite ]; then
    url="sqlite://$work/bench-$N.db?mode=rwc"
  else
    db="th_bench_$N"
    psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" postgres >/dev/null
    url="postgres://postgres@127.0.0.1:5432/$db"
  fi
  export DATABASE_URL="$url" TRANSFERHUB_LOG__LEVEL=warn
  echo "== $backend, $N achievements"
  /usr/bin/time -f "generate peak RSS %M KB, wall %e s" "$BIN" generate --achievements "$N" --needs 1000 --seed 1
  # Bulk load leaves the visibility map unset; autovacuum would do this shortly after in production.
  if [ "$backend" = postgres ]; then psql -h 127.0.0.1 -U postgres -qc "VACUUM ANALYZE" "$db"; fi
  "$BIN" serve --listen "127.0.0.1:$PORT" > "$work/serve.log" 2>&1 &
  server=$!
  for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null && break; sleep 0.2; done
  wrk -t2 -c"$CONNS" -d3s -s bench/catalog.lua "http://127.0.0.1:$PORT/graphql" >/dev/null
  echo "-- list (no totalCount): wrk -t2 -c$CONNS -d${DURATION}s"
  wrk -t2 -c"$CONNS" -d"${DURATION}s" --latency -s bench/catalog.lua "http://127.0.0.1:$PORT/graphql" | grep RESULT
  echo "-- list with totalCount"
  WITH_COUNT=1 wrk -t2 -c"$CONNS" -d"${DURATION}s" --latency -s bench/catalog.lua "http://127.0.0.1:$PORT/graphql" | grep RESULT
  kill "$server"; wait "$server" 2>/dev/null || true; server=
done
