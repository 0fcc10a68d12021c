// End-to-end tests: Debian's Chromium (headless) driven by Playwright against the real hub
// binary with the demo data and a real OpenID provider (tests/peers/oidc), both started by
// `e2e/support/global-setup.ts`. One spec per journey; screenshots go to e2e/screenshots/.
import { defineConfig } from '@playwright/test'

export default defineConfig({
  testDir: './e2e',
  testMatch: '*.spec.ts',
  globalSetup: './e2e/support/global-setup.ts',
  globalTeardown: './e2e/support/global-teardown.ts',
  // A whole journey's budget: the organiser journey took 1.6 min with the machine's load at 12
  // (two cores, parallel builds), over the former 90 s. Each step still waits for its state.
  timeout: 240_000,
  expect: { timeout: 15_000 },
  retries: 0,
  workers: Number(process.env.E2E_WORKERS ?? 2),
  reporter: [['list']],
  use: {
    baseURL: process.env.HUB_URL,
    locale: 'zh-CN',
    viewport: { width: 1280, height: 860 },
    trace: 'off',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    },
  },
})
