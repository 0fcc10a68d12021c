#!/usr/bin/env bash
# Auth cost benchmark (BENCHMARKS.md "## Auth"): the same light GraphQL query
# (`{ organisation(key: "imu") { nameZh } viewer { role } }`) anonymously, with a bearer token
# (hash lookup + organisation join + per-key rate limiter), and with a session cookie (session +
# user lookup, organisation, CSRF check), via wrk on loopback, on SQLite and PostgreSQL.
# Bounded: each wrk run lasts DURATION seconds. Usage: bash bench/auth.sh
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-15}
CONNS=${CONNS:-8}
BACKENDS=${BACKENDS:-"sqlite postgres"}
PORT=${PORT:-18081}
PROFILE=${PROFILE:-release}
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
if [ "$PROFILE" = release ]; then
  cargo build --release -q -p transferhub-server --bin transferhub
else
  cargo build -q -p transferhub-server --bin transferhub
fi
BIN=${CARGO_TARGET_DIR:-target}/$( [ "$PROFILE" = release ] && echo release || echo debug )/transferhub
work=$(mktemp -d)
trap 'kill $server 2>/dev/null || true; rm -rf "$work"' EXIT
server=
# The bench must measure auth, not the per-key limiter refusing the flood.
export TRANSFERHUB_AUTH__DEFAULT_RATE_LIMIT_PER_MINUTE=1000000000 TRANSFERHUB_LOG__LEVEL=warn
export TRANSFERHUB_HARVEST__SCHEDULER=false

secret="thubs_bench$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')"
csrf="bench-csrf-$(head -c 8 /dev/urandom | od -An -tx1 | tr -d ' \n')"
hash=$(printf '%s' "$secret" | sha256sum | cut -d' ' -f1)

for backend in $BACKENDS; do
  if [ "$backend" = sqlite ]; then
    url="sqlite://$work/bench-auth.db?mode=rwc"
  else
    db="th_bench_auth"
    psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" postgres >/dev/null
    url="postgres://postgres@127.0.0.1:5432/$db"
  fi
  export DATABASE_URL="$url"
  "$BIN" seed-demo >/dev/null 2>&1
  token=$("$BIN" token create --org imu --role member --name bench 2>/dev/null | tail -1)
  # A browser session as an OIDC login would leave it (the login itself is tested in tests/tests/auth.rs).
  if [ "$backend" = sqlite ]; then
    python3 - "$work/bench-auth.db" "$hash" "$csrf" <<'PY'
import sqlite3, sys
from datetime import datetime, timedelta, timezone
db, h, csrf = sys.argv[1:]
now = datetime.now(timezone.utc)
c = sqlite3.connect(db)
org = c.execute("select id from organisations where key='imu'").fetchone()[0]
u = c.execute("insert into users(email, display_name, issuer, subject, created_at) values (?,?,?,?,?)",
              ("bench@imu.edu.cn", "压测用户", "http://bench", "bench", now.isoformat())).lastrowid
c.execute("insert into sessions(token_hash, user_id, organisation_id, role, csrf_token, provider, created_at, expires_at, last_seen_at)"
          " values (?,?,?,?,?,?,?,?,?)",
          (h, u, org, "MEMBER", csrf, "bench", now.isoformat(), (now + timedelta(hours=8)).isoformat(), now.isoformat()))
c.commit()
PY
  else
    psql -h 127.0.0.1 -U postgres -q "$db" <<SQL
INSERT INTO users(email, display_name, issuer, subject, created_at) VALUES ('bench@imu.edu.cn', '压测用户', 'http://bench', 'bench', now());
INSERT INTO sessions(token_hash, user_id, organisation_id, role, csrf_token, provider, created_at, expires_at, last_seen_at)
  SELECT '$hash', u.id, o.id, 'MEMBER', '$csrf', 'bench', now(), now() + interval '8 hours', now()
  FROM users u, organisations o WHERE u.subject = 'bench' AND o.key = 'imu';
VACUUM ANALYZE;
SQL
  fi
  "$BIN" serve --listen "127.0.0.1:$PORT" > "$work/serve.log" 2>&1 &
  server=$!
  for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null && break; sleep 0.2; done
  echo "== $backend ($PROFILE build), wrk -t2 -c$CONNS -d${DURATION}s"
  wrk -t2 -c"$CONNS" -d3s -s bench/auth.lua "http://127.0.0.1:$PORT/graphql" >/dev/null
  echo "-- anonymous";      TOKEN= COOKIE= wrk -t2 -c"$CONNS" -d"${DURATION}s" --latency -s bench/auth.lua "http://127.0.0.1:$PORT/graphql" | grep RESULT
  echo "-- bearer token";   TOKEN="$token" COOKIE= wrk -t2 -c"$CONNS" -d"${DURATION}s" --latency -s bench/auth.lua "http://127.0.0.1:$PORT/graphql" | grep RESULT
  echo "-- session cookie"; TOKEN= COOKIE="$secret" CSRF="$csrf" wrk -t2 -c"$CONNS" -d"${DURATION}s" --latency -s bench/auth.lua "http://127.0.0.1:$PORT/graphql" | grep RESULT
  kill "$server"; wait "$server" 2>/dev/null || true; server=
done
