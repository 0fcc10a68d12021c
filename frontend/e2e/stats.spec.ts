// Statistics journey against the real hub: a platform admin opens the dashboard (charts drawn
// on canvases, each with a data table holding the same numbers as the API, charts follow the
// window size, CSV downloads are real text/csv); a member is refused by the page and by the
// CSV endpoint.
import { test, expect, loginAs, gql, shot, shotBoth, PERSONAS } from './support/fixtures'

test('platform admin: charts, table alternatives, resize, CSV downloads', async ({ page }) => {
  await loginAs(page, PERSONAS.admin, '/stats')
  await expect(page).toHaveURL(/\/stats$/)
  const cards = page.locator('[data-test="stat-card"]')
  await expect(cards).toHaveCount(12)

  // Charts render canvases.
  const byType = page.locator('[data-test="stat-card"][data-table="by_type"]')
  await expect(byType.locator('[data-test="chart"] canvas')).toHaveCount(1)
  await expect.poll(() => page.locator('[data-test="chart"] canvas').count()).toBeGreaterThanOrEqual(4)

  // The table alternative holds the numbers (the same rows as the API; other specs running in
  // parallel may publish meanwhile, so the counts are compared within the page).
  const api = await gql<{ stats: { byType: { rows: string[][]; columns: string[] } } }>('{ stats { byType { columns rows } } }')
  await byType.locator('[data-test="table-alt"] summary').click()
  const rows = byType.locator('[data-test="table-alt"] tbody tr')
  await expect(rows).toHaveCount(api.stats.byType.rows.length)
  const counts = (await rows.locator('td:last-child').allInnerTexts()).map(Number)
  expect(counts.every((n) => Number.isInteger(n) && n >= 0)).toBe(true)
  const total = counts.reduce((a, b) => a + b, 0)
  expect(total).toBeGreaterThan(0)
  await expect(page.locator('[data-kpi="published"] strong')).toHaveText(String(total))
  await expect(byType.locator('[data-test="table-alt"] tbody')).toContainText(/专利/)

  // Cards without data say so instead of drawing an empty chart.
  const emptyOrUnavailable = page.locator('[data-test="stat-card"] [data-state="empty"], [data-test="stat-card"] [data-state="unavailable"]')
  const emptyCount = await emptyOrUnavailable.count()
  console.log(`stats cards without data: ${emptyCount}`)

  // Charts follow the window size.
  const canvas = byType.locator('[data-test="chart"] canvas')
  const wide = (await canvas.boundingBox())!.width
  await page.setViewportSize({ width: 390, height: 844 })
  await expect.poll(async () => (await canvas.boundingBox())!.width).toBeLessThan(wide)
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
  expect(overflow).toBeLessThanOrEqual(1)
  await shot(page, 'stats-phone')
  await page.setViewportSize({ width: 1280, height: 860 })
  await expect.poll(async () => (await canvas.boundingBox())!.width).toBeGreaterThan(wide - 2)

  // CSV downloads with the session cookie: real text/csv with the header row.
  const href = await byType.locator('[data-test="csv"]').getAttribute('href')
  expect(href).toBe('/stats/by_type.csv')
  const csv = await page.request.get(href!)
  expect(csv.status()).toBe(200)
  expect(csv.headers()['content-type']).toContain('text/csv')
  const text = await csv.text()
  expect(text.replace(/^\uFEFF/, '').split(/\r?\n/)[0]).toBe(api.stats.byType.columns.join(','))
  const download = page.waitForEvent('download')
  await page.locator('[data-test="stat-card"][data-table="needs"] [data-test="csv"]').click()
  expect((await download).suggestedFilename()).toBe('needs.csv')
  // An unknown table is NOT_FOUND.
  expect((await page.request.get('/stats/nope.csv')).status()).toBe(404)

  await shotBoth(page, 'stats-dashboard')
})

test('a member may not see statistics: page and CSV refused', async ({ page }) => {
  await loginAs(page, PERSONAS.researcher, '/')
  await expect(page.locator('[data-nav="stats"]')).toHaveCount(0)
  await page.goto('/stats')
  await expect(page).toHaveURL(/\/forbidden/)
  await expect(page.locator('[data-state="forbidden"]')).toBeVisible()
  const r = await page.request.get('/stats/by_type.csv')
  expect(r.status()).toBe(403)
  expect(await r.text()).toContain('FORBIDDEN')
  // Anonymous callers are sent to log in first.
  await page.context().clearCookies()
  await page.goto('/stats')
  await expect(page).toHaveURL(/\/login\?return_to=(%2F|\/)stats$/)
})
