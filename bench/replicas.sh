#!/usr/bin/env bash
# Replicas benchmark (BENCHMARKS.md, "Replicas"): the same mixed read workload (bench/replicas.lua:
# search, filtered listing, detail, matching — GraphQL POSTs as the public) against 1 and then 2
# `transferhub serve` replicas on one PostgreSQL database, each behind nginx (round robin over
# loopback, keep-alive to the upstreams) so both runs pay the same proxy hop. Every replica has
# its own data directory and embedded search index (built once with `reindex`, copied). The
# background matching worker, harvest scheduler and link checker are off so only the requests
# load the machine. Bounded: each wrk run lasts DURATION seconds.
# Usage: N=100000 DURATION=20 bash bench/replicas.sh   (BIN=path skips the release build)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-100000}
NEEDS=${NEEDS:-2000}
DURATION=${DURATION:-20}
CONNS=${CONNS:-8}
PORT=${PORT:-18180}
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
command -v nginx >/dev/null || { apt-get update -qq && apt-get install -y -qq nginx-light; }
if [ -z "${BIN:-}" ]; then
  cargo build --release -q -p transferhub-server --bin transferhub
  BIN=${CARGO_TARGET_DIR:-target}/release/transferhub
fi
work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

db=th_bench_replicas
psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" postgres >/dev/null
export DATABASE_URL="postgres://postgres@127.0.0.1:5432/$db" TRANSFERHUB_LOG__LEVEL=warn \
  TRANSFERHUB_MATCHING__RECOMPUTE=false TRANSFERHUB_HARVEST__SCHEDULER=false \
  TRANSFERHUB_LINK_CHECK__SCHEDULER=false
echo "== data: transferhub generate --achievements $N --needs $NEEDS --seed 1 (PostgreSQL)"
"$BIN" generate --achievements "$N" --needs "$NEEDS" --seed 1
psql -h 127.0.0.1 -U postgres -qc "VACUUM ANALYZE" "$db"
TRANSFERHUB_STORAGE__DATA_DIR="$work/r1" "$BIN" reindex
cp -a "$work/r1" "$work/r2"
# Ids the workload reads: published achievements and open needs, as global ids.
psql -h 127.0.0.1 -U postgres -Atc "SELECT 'A ' || id FROM achievements WHERE status = 'PUBLISHED' ORDER BY id LIMIT 5000" \
  -c "SELECT 'N ' || id FROM needs WHERE status = 'OPEN' ORDER BY id LIMIT 500" "$db" |
  python3 -c 'import sys, base64
kinds = {"A": "Achievement", "N": "Need"}
for line in sys.stdin:
    k, n = line.split()
    print(k, base64.urlsafe_b64encode(f"{kinds[k]}:{n}".encode()).decode().rstrip("="))' > "$work/ids.txt"
export IDS_FILE="$work/ids.txt"
echo "ids: $(grep -c '^A' "$work/ids.txt") achievements, $(grep -c '^N' "$work/ids.txt") needs"

start_replica() { # $1 = name, $2 = port
  TRANSFERHUB_STORAGE__DATA_DIR="$work/$1" "$BIN" serve --listen "127.0.0.1:$2" > "$work/$1.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 150); do curl -fs "http://127.0.0.1:$2/readyz" >/dev/null && return 0; sleep 0.2; done
  echo "replica $1 did not start"; cat "$work/$1.log"; exit 1
}

proxy() { # upstream ports...
  [ -f "$work/nginx.pid" ] && { kill "$(cat "$work/nginx.pid")"; sleep 0.5; }
  local servers=""
  for p in "$@"; do servers="$servers server 127.0.0.1:$p;"; done
  mkdir -p "$work/nginx"
  cat > "$work/nginx.conf" <<CONF
worker_processes 1;
pid $work/nginx.pid;
error_log $work/nginx/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $work/nginx;
  proxy_temp_path $work/nginx;
  upstream hubs { $servers keepalive 32; }
  server {
    listen 127.0.0.1:$PORT;
    location / {
      proxy_pass http://hubs;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
  }
}
CONF
  nginx -c "$work/nginx.conf" -p "$work/nginx"
  for _ in $(seq 1 50); do curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null && return 0; sleep 0.1; done
  echo "nginx did not start"; cat "$work/nginx/error.log"; exit 1
}

run() { # $1 = label
  wrk -t2 -c"$CONNS" -d3s -s bench/replicas.lua "http://127.0.0.1:$PORT/graphql" >/dev/null
  echo "-- $1: wrk -t2 -c$CONNS -d${DURATION}s (mixed: 30% search, 30% list, 30% detail, 10% matches)"
  wrk -t2 -c"$CONNS" -d"${DURATION}s" --latency -s bench/replicas.lua "http://127.0.0.1:$PORT/graphql" | grep RESULT
}

start_replica r1 $((PORT + 1))
proxy $((PORT + 1))
run "1 replica behind nginx"
start_replica r2 $((PORT + 2))
proxy $((PORT + 1)) $((PORT + 2))
run "2 replicas behind nginx (round robin)"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
