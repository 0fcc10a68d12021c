#!/usr/bin/env bash
# Uploads benchmark (BENCHMARKS.md, "Uploads"): the hub's peak resident memory while it refuses
# a 50 MB upload (declared Content-Length, and chunked without one) and while it stores a
# 19 MB PDF, against its resident memory at rest. The peak is the kernel's VmHWM, reset before
# each upload (`echo 5 > /proc/PID/clear_refs`). One hub on SQLite with the demo data, on loopback.
# Usage: bash bench/uploads.sh   (BIN=path skips the release build)
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${PORT:-18190}
if [ -z "${BIN:-}" ]; then
  cargo build --release -q -p transferhub-server --bin transferhub
  BIN=${CARGO_TARGET_DIR:-target}/release/transferhub
fi
work=$(mktemp -d)
pid=
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
export TRANSFERHUB_STORAGE__DATABASE_URL="sqlite://$work/hub.db?mode=rwc" \
  TRANSFERHUB_STORAGE__DATA_DIR="$work/data" TRANSFERHUB_SERVER__FRONTEND_DIR="" \
  TRANSFERHUB_LOG__LEVEL=warn TRANSFERHUB_MATCHING__RECOMPUTE=false \
  TRANSFERHUB_HARVEST__SCHEDULER=false TRANSFERHUB_LINK_CHECK__SCHEDULER=false \
  TRANSFERHUB_SERVER__REQUEST_TIMEOUT_SECS=120
"$BIN" serve --demo --listen "127.0.0.1:$PORT" >"$work/serve.log" 2>&1 &
pid=$!
for _ in $(seq 1 600); do curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null && break; sleep 0.5; done
token=$("$BIN" token create --org imu --role member --name bench | tail -1 | awk '{print $NF}')
head -c $((50 * 1024 * 1024)) /dev/urandom >"$work/big.bin"
{ printf '%%PDF-1.7\n'; head -c $((19 * 1024 * 1024)) /dev/urandom; printf '\n%%%%EOF\n'; } >"$work/ok.pdf"
kb() { awk "/^$1:/ {print \$2}" "/proc/$pid/status"; }
# Warm the paths once so allocator growth from first use is not counted as the upload's.
curl -s -o /dev/null -H "Authorization: Bearer $token" --data-binary 'x' "http://127.0.0.1:$PORT/files?name=w.pdf"
echo "rest:  VmRSS $(kb VmRSS) kB"
run() {
  local what=$1; shift
  echo 5 >"/proc/$pid/clear_refs"
  local base; base=$(kb VmHWM)
  local start; start=$(date +%s.%N)
  local out; out=$(curl -s -o /dev/null -w '%{http_code} sent=%{size_upload}' "$@" || true)
  local end; end=$(date +%s.%N)
  printf '%-34s HTTP %s  %.2f s  peak RSS %s kB (+%s kB)\n' "$what" "$out" \
    "$(echo "$end - $start" | bc)" "$(kb VmHWM)" "$(( $(kb VmHWM) - base ))"
}
run "50 MB, Content-Length declared" -H "Authorization: Bearer $token" \
  --data-binary @"$work/big.bin" "http://127.0.0.1:$PORT/files?name=big.pdf"
run "50 MB, chunked (no length)" -H "Authorization: Bearer $token" -H "Transfer-Encoding: chunked" \
  --data-binary @"$work/big.bin" "http://127.0.0.1:$PORT/files?name=big.pdf"
run "19 MB PDF, stored" -H "Authorization: Bearer $token" \
  --data-binary @"$work/ok.pdf" "http://127.0.0.1:$PORT/files?name=ok.pdf"
echo "after: VmRSS $(kb VmRSS) kB; stored files: $(ls "$work/data/uploads" | wc -l)"
