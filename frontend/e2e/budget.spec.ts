// Performance budget, Lighthouse-style: the JavaScript the search page actually loads (entry,
// its route chunk and everything they import), measured gzipped from the bytes the browser
// received, must stay under 300 KB.
import { test, expect } from './support/fixtures'
import { gzipSync } from 'node:zlib'

const BUDGET = 300 * 1024

test('search page JavaScript stays under 300 KB gzipped', async ({ page }) => {
  const scripts = new Map<string, number>()
  page.on('response', async (r) => {
    const type = r.headers()['content-type'] ?? ''
    if (r.request().resourceType() === 'script' || type.includes('javascript')) {
      const body = await r.body().catch(() => Buffer.alloc(0))
      scripts.set(r.url(), gzipSync(body, { level: 9 }).length)
    }
  })
  await page.goto('/search?q=%E7%A8%80%E5%9C%9F')
  await page.waitForLoadState('networkidle')
  await expect(page.locator('main')).not.toBeEmpty()
  const total = [...scripts.values()].reduce((a, b) => a + b, 0)
  const lines = [...scripts.entries()].map(([u, n]) => `${(n / 1024).toFixed(1)} KB  ${new URL(u).pathname}`)
  console.log(`search page JS: ${(total / 1024).toFixed(1)} KB gzipped in ${scripts.size} files\n${lines.join('\n')}`)
  expect(scripts.size).toBeGreaterThan(0)
  expect(total).toBeLessThan(BUDGET)
})
