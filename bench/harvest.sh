#!/usr/bin/env bash
# Harvest benchmark (BENCHMARKS.md): records/s normalised + validated + stored, with peak
# memory, from (1) an N-row CSV via `transferhub import` and (2) a local OAI-PMH provider
# (pyoai) via `transferhub harvest`, on SQLite and PostgreSQL. Bounded by N.
# Usage: N=1000000 OAI_N=20000 bash bench/harvest.sh
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-100000}
OAI_N=${OAI_N:-20000}
BACKENDS=${BACKENDS:-"sqlite postgres"}
python3 -c "import oaipmh.server" 2>/dev/null || python3 -m pip install --quiet pyoai
# BIN=path skips the build and uses that binary (e.g. an older commit's, for a before/after run).
if [ -z "${BIN:-}" ]; then
  cargo build --release -q -p transferhub-server --bin transferhub
  BIN=$(pwd)/${CARGO_TARGET_DIR:-target}/release/transferhub
fi
work=$(mktemp -d)
provider=
trap 'kill $provider 2>/dev/null || true; rm -rf "$work"' EXIT
python3 bench/make_csv.py "$N" "$work/catalog.csv"
echo "CSV: $N rows, $(du -h "$work/catalog.csv" | cut -f1)"
python3 - "$OAI_N" "$work/oai.json" <<'PY'
import json, sys
n = int(sys.argv[1])
recs = [{"id": "oai:bench:%d" % i, "datestamp": "2024-01-01T00:00:00Z", "sets": ["bench"],
         "title": ["一种锂离子电池正极材料的制备方法（%d）" % i], "creator": ["张伟"],
         "subject": ["锂电池", "H01M 4/525"], "description": ["本发明提供一种高镍三元正极材料，循环寿命提升30%%。编号%d" % i],
         "type": ["专利"]} for i in range(n)]
json.dump(recs, open(sys.argv[2], "w"), ensure_ascii=False)
PY
python3 tests/peers/oai_provider.py --port 0 --batch 500 --data "$work/oai.json" > "$work/provider.out" &
provider=$!
for _ in $(seq 1 50); do grep -q READY "$work/provider.out" 2>/dev/null && break; sleep 0.1; done
port=$(awk '/READY/{print $2}' "$work/provider.out")

for backend in $BACKENDS; do
  if [ "$backend" = sqlite ]; then
    url="sqlite://$work/harvest.db?mode=rwc"
  else
    psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS th_bench_harvest" -c "CREATE DATABASE th_bench_harvest" postgres >/dev/null
    url="postgres://postgres@127.0.0.1:5432/th_bench_harvest"
  fi
  cat > "$work/hub.toml" <<TOML
[storage]
database_url = "$url"
[outbound]
allow_private_addresses = true
[log]
level = "warn"
[[sources]]
key = "bench-oai"
kind = "oai_pmh"
org = "imu"
url = "http://127.0.0.1:$port/oai"
TOML
  "$BIN" --config "$work/hub.toml" migrate >/dev/null
  "$BIN" --config "$work/hub.toml" generate --needs 1 --seed 1 >/dev/null   # creates the demo organisations
  echo "== $backend: import $N-row CSV"
  /usr/bin/time -f "peak RSS %M KB" "$BIN" --config "$work/hub.toml" import "$work/catalog.csv" --org imu 2>&1 | grep -v "^rejected"
  echo "== $backend: harvest $OAI_N records from a local OAI-PMH provider (pages of 500)"
  /usr/bin/time -f "peak RSS %M KB" "$BIN" --config "$work/hub.toml" harvest --source bench-oai 2>&1
done
