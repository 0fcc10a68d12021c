#!/usr/bin/env bash
# Statistics centre and page-view benchmark (BENCHMARKS.md): N synthetic achievements from
# `generate`, then (1) the whole `stats` query (every table) timed with curl, and (2) wrk on
# `achievement(id)` (counts a page view: one upsert) against `node(id)` (the same lookup, no
# count) over the 100 newest published ids, on SQLite and PostgreSQL. Bounded: each wrk run lasts
# DURATION seconds. Usage: N=100000 bash bench/stats.sh
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-100000}
DURATION=${DURATION:-10}
CONNS=${CONNS:-8}
BACKENDS=${BACKENDS:-"sqlite postgres"}
PORT=${PORT:-18088}
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
cargo build --release -q -p transferhub-server --bin transferhub
BIN=${CARGO_TARGET_DIR:-target}/release/transferhub
work=$(mktemp -d)
trap 'kill $server 2>/dev/null || true; rm -rf "$work"' EXIT
server=

for backend in $BACKENDS; do
  if [ "$backend" = sqlite ]; then
    url="sqlite://$work/stats-$N.db?mode=rwc"
  else
    db="th_bench_stats_$N"
    psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" postgres >/dev/null
    url="postgres://postgres@127.0.0.1:5432/$db"
  fi
  export DATABASE_URL="$url" TRANSFERHUB_LOG__LEVEL=warn TRANSFERHUB_LINK_CHECK__SCHEDULER=false
  echo "== $backend, $N achievements"
  "$BIN" generate --achievements "$N" --needs 1000 --seed 1 >/dev/null
  if [ "$backend" = postgres ]; then psql -h 127.0.0.1 -U postgres -qc "VACUUM ANALYZE" "$db"; fi
  token=$("$BIN" token create --org imu --role platform-admin --name bench | tail -n 1)
  "$BIN" serve --listen "127.0.0.1:$PORT" > "$work/serve.log" 2>&1 &
  server=$!
  for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null && break; sleep 0.2; done
  query='{"query":"{ stats { byCollection{rows} byType{rows} byOrganisation{rows} byRegion{rows} byMonth{rows} needs{rows} needMatchRate{rows} matchFunnel{rows} eventOutcomes{rows} harvestFreshness{rows} pageViews{rows} pageViewsByMonth{rows} } }"}'
  echo "-- stats (all 12 tables), 5 sequential requests, seconds each:"
  for _ in 1 2 3 4 5; do
    curl -s -o "$work/stats.json" -w '%{time_total} ' -H "Authorization: Bearer $token" \
      -H 'Content-Type: application/json' -d "$query" "http://127.0.0.1:$PORT/graphql"
  done
  echo
  grep -q '"errors"' "$work/stats.json" && { echo "stats answered errors:"; head -c 500 "$work/stats.json"; exit 1; }
  curl -s -H 'Content-Type: application/json' \
    -d '{"query":"{ achievements(first: 100) { edges { node { id } } } }"}' "http://127.0.0.1:$PORT/graphql" \
    | python3 -c 'import json,sys; [print(e["node"]["id"]) for e in json.load(sys.stdin)["data"]["achievements"]["edges"]]' > "$work/ids.txt"
  for mode in node achievement; do
    echo "-- $mode(id) over $(wc -l < "$work/ids.txt") ids: wrk -t2 -c$CONNS -d${DURATION}s"
    IDS_FILE="$work/ids.txt" MODE=$mode wrk -t2 -c"$CONNS" -d3s -s bench/views.lua "http://127.0.0.1:$PORT/graphql" >/dev/null
    IDS_FILE="$work/ids.txt" MODE=$mode wrk -t2 -c"$CONNS" -d"${DURATION}s" --latency -s bench/views.lua "http://127.0.0.1:$PORT/graphql" | grep RESULT
  done
  echo "-- page views counted: $(curl -s -H "Authorization: Bearer $token" "http://127.0.0.1:$PORT/stats/page_views_by_month.csv" | tail -n +2 | tr '\n' ' ')"
  kill "$server"; wait "$server" 2>/dev/null || true; server=
done
