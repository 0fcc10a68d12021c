// GraphiQL at /graphql is the hub's own build (frontend/graphiql.html, bundled from npm): with
// every request to anything but the hub blocked, the explorer loads and runs a query. The
// shared fixture fails the test on any CSP violation in the console.
import { test, expect, shot, isCspViolation } from './support/fixtures'

test('GraphiQL loads from the hub alone and runs a query', async ({ page }) => {
  const hub = new URL(process.env.HUB_URL!).origin
  const blocked: string[] = []
  await page.route('**/*', (route) => {
    const url = route.request().url()
    if (new URL(url).origin === hub) return route.continue()
    blocked.push(url)
    return route.abort('blockedbyclient')
  })
  await page.goto('/graphql')
  const run = page.locator('.graphiql-execute-button')
  await expect(run).toBeVisible()
  await expect(page.locator('.graphiql-query-editor')).toContainText('achievements(first: 5)')
  await run.click()
  const response = page.locator('.graphiql-response')
  await expect(response).toContainText(/"totalCount": \d+/)
  await expect(response).toContainText('"nameZh"')
  // The schema came from the hub too: the documentation explorer lists the query type.
  await page.locator('[aria-label="Show Documentation Explorer"]').click()
  await expect(page.locator('.graphiql-doc-explorer')).toContainText('Query')
  await shot(page, 'graphiql')
  expect(blocked, 'requests to other hosts').toEqual([])
})

test.describe('the console watch', () => {
  test.use({ expectCspViolations: true })

  test('an inline script injected into a page is refused and reported', async ({ page, context }) => {
    // The opposite check, so the fixture's console watch is known to see violations: an
    // inline script added to one of the hub's pages must be refused and reported.
    const reports: string[] = []
    context.on('console', (m) => {
      if (isCspViolation(m.text())) reports.push(m.text())
    })
    await page.goto('/')
    await page.evaluate(() => {
      const s = document.createElement('script')
      s.textContent = 'window.__inlineRan = true'
      document.body.appendChild(s)
    })
    await expect.poll(() => reports.length).toBeGreaterThan(0)
    expect(await page.evaluate(() => (window as unknown as { __inlineRan?: boolean }).__inlineRan)).toBeUndefined()
  })
})
