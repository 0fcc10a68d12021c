// Stops the hub and the OpenID provider started by global-setup and removes the data dir.
import { rmSync } from 'node:fs'

export default async function globalTeardown(): Promise<void> {
  for (const pid of (process.env.E2E_PIDS ?? '').split(',').filter(Boolean)) {
    try {
      process.kill(Number(pid), 'SIGTERM')
    } catch {
      /* already gone */
    }
  }
  await new Promise((r) => setTimeout(r, 500))
  if (process.env.E2E_DIR && !process.env.E2E_KEEP) rmSync(process.env.E2E_DIR, { recursive: true, force: true })
}
