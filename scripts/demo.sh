#!/usr/bin/env bash
# The demo (README): builds the front end, starts a development OpenID provider on loopback for
# the demo logins, and runs the hub with the demo data on http://127.0.0.1:8080/.
# Needs Node.js 20 + npm and a Rust toolchain; installs the npm packages it uses.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\n== %s\n' "$*"; }

if [ ! -d frontend/node_modules ] || [ frontend/package-lock.json -nt frontend/node_modules/.package-lock.json ]; then
  say "installing the front end's npm packages"
  (cd frontend && npm ci --no-audit --no-fund --loglevel=error)
fi
say "building the front end (frontend/dist)"
(cd frontend && npm run build --silent)

if [ ! -d tests/peers/oidc/node_modules/oidc-provider ]; then
  say "installing the demo login provider (oidc-provider from npm)"
  (cd tests/peers/oidc && npm ci --no-audit --no-fund --loglevel=error)
fi
say "starting the demo login provider on http://127.0.0.1:9091"
PORT=9091 CLIENT_ID=transferhub-demo CLIENT_SECRET=demo-secret-not-for-production \
  REDIRECT_URI=http://127.0.0.1:8080/auth/callback/campus \
  node tests/peers/oidc/provider.mjs &
oidc=$!
trap 'kill $oidc 2>/dev/null || true' EXIT

say "starting the hub with the demo data: http://127.0.0.1:8080/"
cargo run -p transferhub-server --bin transferhub -- --config deploy/transferhub.demo.toml serve --demo
