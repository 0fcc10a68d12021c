// Starts the real peers for the browser tests: panva's oidc-provider (tests/peers/oidc, installed
// by `npm ci` there) and the hub binary (`transferhub serve --demo`) on free loopback ports, with
// a fresh SQLite data dir, the built front end and demo personas. Their addresses reach the
// tests through process.env (HUB_URL, OIDC_URL); global-teardown stops both.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process'
import { mkdtempSync, writeFileSync, existsSync, mkdirSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))

const root = resolve(here, '../../..')

function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer()
    s.listen(0, '127.0.0.1', () => {
      const a = s.address()
      if (a && typeof a === 'object') s.close(() => ok(a.port))
      else fail(new Error('no port'))
    })
  })
}

async function waitFor(url: string, what: string, child: ChildProcess, ms = 120_000): Promise<void> {
  const until = Date.now() + ms
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`${what} exited with ${child.exitCode}`)
    try {
      const r = await fetch(url)
      if (r.status < 500) return
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 250))
  }
  throw new Error(`${what} did not answer at ${url} within ${ms} ms`)
}

/** The hub binary: $THUB_BIN, else the cargo target dir's debug build. */
export function hubBinary(): string {
  if (process.env.THUB_BIN) return process.env.THUB_BIN
  const target = process.env.CARGO_TARGET_DIR ?? join(root, 'target')
  return join(target, 'debug', 'transferhub')
}

export const CLIENT_ID = 'transferhub-e2e'
export const CLIENT_SECRET = 'e2e-secret-not-for-production'

export default async function globalSetup(): Promise<void> {
  const bin = hubBinary()
  if (!existsSync(bin)) throw new Error(`hub binary not found at ${bin}; run cargo build first`)
  const dist = process.env.FRONTEND_DIST ?? join(root, 'frontend', 'dist')
  if (!existsSync(join(dist, 'index.html'))) throw new Error('frontend/dist missing; run npm run build first')
  const dir = mkdtempSync(join(tmpdir(), 'thub-e2e-'))
  const hubPort = await freePort()
  const oidcPort = await freePort()
  const hubUrl = `http://127.0.0.1:${hubPort}`
  const oidcUrl = `http://127.0.0.1:${oidcPort}`

  const oidc = spawn('node', [join(root, 'tests/peers/oidc/provider.mjs')], {
    env: {
      ...process.env,
      PORT: String(oidcPort),
      CLIENT_ID,
      CLIENT_SECRET,
      REDIRECT_URI: `${hubUrl}/auth/callback/campus`,
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  })
  await waitFor(`${oidcUrl}/.well-known/openid-configuration`, 'oidc-provider', oidc)

  const config = `
[server]
listen = "127.0.0.1:${hubPort}"
public_url = "${hubUrl}"
frontend_dir = "${dist}"

[storage]
database_url = "sqlite://${dir}/transferhub.db?mode=rwc"
data_dir = "${dir}"

[outbound]
# The OpenID provider listens on loopback.
allow_private_addresses = true

[link_check]
# Tests contact nothing beyond loopback: no scheduled checks of the directory's public sites.
scheduler = false

[auth]
platform_admin_emails = ["admin@ipc.huhhot.gov.cn"]

[[auth.providers]]
key = "campus"
display_name = "统一身份认证（测试）"
issuer = "${oidcUrl}"
client_id = "${CLIENT_ID}"
client_secret = "${CLIENT_SECRET}"
[auth.providers.org_by_email_domain]
"imu.edu.cn" = "imu"
"ipc.huhhot.gov.cn" = "hhht-ipc"
"cyx-dairy.cn" = "cyx-dairy"
`
  const cfgPath = join(dir, 'transferhub.toml')
  writeFileSync(cfgPath, config)
  mkdirSync(join(here, '..', 'screenshots'), { recursive: true })

  // The hub refuses TRANSFERHUB_* variables that are not config overrides: pass none of ours.
  const hubEnv: NodeJS.ProcessEnv = { RUST_LOG: process.env.RUST_LOG ?? 'error' }
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith('TRANSFERHUB_')) hubEnv[k] = v
  }
  hubEnv.RUST_LOG = process.env.RUST_LOG ?? 'error'
  const hub = spawn(bin, ['--config', cfgPath, 'serve', '--demo'], {
    env: hubEnv,
    stdio: ['ignore', 'inherit', 'inherit'],
  })
  try {
    await waitFor(`${hubUrl}/readyz`, 'hub', hub, 300_000)
  } catch (e) {
    oidc.kill('SIGTERM')
    hub.kill('SIGTERM')
    throw e
  }

  // A platform-admin bearer token for test set-up through GraphQL (never used by the browser).
  const token = execFileSync(bin, ['--config', cfgPath, 'token', 'create', '--org', 'hhht-ipc', '--role', 'platform-admin', '--name', 'e2e-setup'], {
    encoding: 'utf8',
    env: hubEnv,
  })
    .trim()
    .split(/\s+/)
    .pop()

  process.env.HUB_URL = hubUrl
  process.env.OIDC_URL = oidcUrl
  process.env.HUB_CONFIG = cfgPath
  process.env.HUB_ADMIN_TOKEN = token ?? ''
  process.env.E2E_PIDS = `${hub.pid},${oidc.pid}`
  process.env.E2E_DIR = dir
  // The teardown runs in the same process: keep the handles reachable.
  ;(globalThis as Record<string, unknown>).__thub = { hub, oidc, dir, rmSync }
}
