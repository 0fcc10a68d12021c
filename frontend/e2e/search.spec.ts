// Search journey: home page (hero search, thematic collections with counts, newest records),
// a Chinese query with visible highlight marks, facets that narrow results with correct counts,
// back/forward over URL state, recency sort, load more, a collection page, the empty state,
// bad input (too-long query, forged cursor) and a phone-sized screen.
import { test, expect, shot, shotBoth } from './support/fixtures'
import type { Page } from '@playwright/test'

/** An anonymous GraphQL call: what the public (and this page, logged out) sees. */
async function publicGql<T>(query: string): Promise<T> {
  const r = await fetch(`${process.env.HUB_URL}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query }),
  })
  const body = (await r.json()) as { data: T; errors?: unknown[] }
  expect(body.errors).toBeUndefined()
  return body.data
}

/** Waits until the results show the page the URL asks for (no request in flight). */
async function settled(page: Page): Promise<void> {
  await expect(page.locator('[data-test="results"]')).toHaveAttribute('aria-busy', 'false')
}

/** The publication dates of the hits shown, in display order. */
async function published(page: Page): Promise<string[]> {
  const dates = await page.locator('[data-test="hit"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-published') ?? ''))
  return dates.filter(Boolean)
}

async function total(page: Page): Promise<number> {
  const text = (await page.locator('[data-test="result-count"]').textContent()) ?? ''
  const m = text.replace(/,/g, '').match(/(\d+)/g)
  return m ? Number(m[m.length - 1]) : NaN
}

test('home page: hero search, collections with counts, newest achievements', async ({ page }) => {
  await page.goto('/')
  const cols = page.locator('[data-test="collection"]')
  await expect(cols).toHaveCount(6)
  // Counts on the cards are the server's counts.
  const data = await publicGql<{ collections: { nodes: { key: string; count: number }[] } }>(
    '{ collections(first: 50) { nodes { key count } } }',
  )
  for (const c of data.collections.nodes) {
    await expect(page.locator(`[data-test="collection"][data-key="${c.key}"] [data-test="collection-count"]`)).toContainText(String(c.count))
  }
  await expect(page.locator('[data-test="latest"] [data-test="hit"]')).toHaveCount(6)
  await expect(page.locator('[data-test="home-needs"]')).toHaveAttribute('href', '/needs')
  await expect(page.locator('[data-test="home-events"]')).toHaveAttribute('href', '/events')
  await shotBoth(page, 'search-home')

  // Keyboard: type into the hero box and press Enter.
  await page.locator('[data-test="home-search"]').fill('稀土')
  await page.keyboard.press('Enter')
  await expect(page).toHaveURL(/\/search\?q=%E7%A8%80%E5%9C%9F/)
  await expect(page.locator('[data-test="hit"]').first()).toBeVisible()
})

test('Chinese query with highlights, facet narrowing, back/forward, recency, load more', async ({ page }) => {
  await page.goto('/search?q=' + encodeURIComponent('稀土'))
  const hits = page.locator('[data-test="hit"]')
  await expect(hits.first()).toBeVisible()
  // Highlight marks are real <mark> elements around the query, never raw tags as text.
  const marks = page.locator('[data-test="hit"] mark')
  await expect(marks.first()).toBeVisible()
  await expect(marks.first()).toContainText('稀土')
  await expect(page.locator('[data-test="hit"]').first()).not.toContainText('<mark>')
  await settled(page)
  const all = await total(page)
  const server = await publicGql<{ search: { totalCount: number } }>('{ search(query: "稀土") { totalCount } }')
  expect(all).toBe(server.search.totalCount)
  await shotBoth(page, 'search-results')

  // Apply the organisation facet's first value: its count becomes the total.
  const orgBox = page.locator('[data-facet="ORGANISATION"] input[type="checkbox"]').first()
  const orgKey = await orgBox.getAttribute('data-value')
  const orgCount = Number(await page.locator('[data-facet="ORGANISATION"] li').first().locator('[data-test="facet-count"]').textContent())
  expect(orgCount).toBeGreaterThan(0)
  await orgBox.check()
  await expect(page).toHaveURL(new RegExp(`org=${orgKey}`))
  await expect.poll(() => total(page)).toBe(orgCount)
  expect(orgCount).toBeLessThanOrEqual(all)
  await expect(page.locator('[data-test="active-filters"] [data-facet="ORGANISATION"]')).toBeVisible()

  // A second facet narrows further (type facet counts are within the organisation's results).
  const typeCounts = await page.locator('[data-facet="TYPE"] [data-test="facet-count"]').allTextContents()
  expect(typeCounts.map(Number).reduce((a, b) => a + b, 0)).toBe(orgCount)

  // Shareable: a reload of the URL shows the same narrowed list.
  await page.reload()
  await expect.poll(() => total(page)).toBe(orgCount)
  await expect(page.locator(`[data-facet="ORGANISATION"] input[data-value="${orgKey}"]`)).toBeChecked()

  // Back removes the facet, forward brings it back.
  await page.goBack()
  await expect.poll(() => total(page)).toBe(all)
  await page.goForward()
  await expect.poll(() => total(page)).toBe(orgCount)
  // Removing the chip clears the filter.
  await page.locator('[data-test="active-filters"] [data-facet="ORGANISATION"]').click()
  await expect.poll(() => total(page)).toBe(all)

  // Recency sort: newest publication first.
  await page.locator('[data-test="sort"]').selectOption('RECENCY')
  await expect(page).toHaveURL(/sort=recency/)
  await expect(hits.first()).toBeVisible()
  // The relevance-ordered hits stay on screen until the re-sorted page arrives: wait for it.
  await settled(page)
  await expect
    .poll(async () => {
      const d = await published(page)
      return d.length > 1 && [...d].sort().reverse().join() === d.join()
    }, { message: 'hits newest first' })
    .toBe(true)
  const dates = await published(page)
  expect(dates.length).toBeGreaterThan(1)
  expect([...dates].sort().reverse()).toEqual(dates)

  // Load more: everything (empty query) pages 20 at a time; the cursor goes into the URL.
  await page.goto('/search')
  await expect(hits).toHaveCount(20)
  await page.locator('[data-test="load-more"]').click()
  await expect(hits).toHaveCount(40)
  await expect(page).toHaveURL(/after=/)
  // Keyboard focus moved to the first new result.
  await expect(page.locator('[data-test="hit-link"]').nth(20)).toBeFocused()
})

test('collection page, empty state, bad input and a phone-sized screen', async ({ page }) => {
  await page.goto('/')
  const card = page.locator('[data-test="collection"][data-key="new-materials"]')
  const expected = await card.locator('[data-test="collection-count"]').textContent()
  await card.click()
  await expect(page).toHaveURL(/\/collections\/new-materials/)
  await expect(page.locator('[data-test="search-heading"]')).toHaveText('新材料和现代装备制造')
  await expect(page.locator('[data-test="collection-count"]')).toContainText(expected!.replace(/\D+/g, ''))
  await expect(page.locator('[data-facet="COLLECTION"]')).toHaveCount(0)
  await settled(page)
  const inCollection = await total(page)
  // Searching inside the collection stays inside it.
  await page.locator('[data-test="search-input"]').fill('稀土')
  await page.locator('[data-test="search-submit"]').click()
  await expect(page).toHaveURL(/\/collections\/new-materials\?q=/)
  await expect(page.locator('[data-test="hit"] mark').first()).toBeVisible()
  await settled(page)
  expect(await total(page)).toBeLessThanOrEqual(inCollection)
  await shot(page, 'search-collection')

  // Unknown collection.
  await page.goto('/collections/no-such-collection')
  await expect(page.locator('[data-state="not-found"]')).toBeVisible()

  // Empty result with suggestions; a suggestion leads to results. Any word of a query may match
  // (BM25 over its words, issue 16), so the query is one word no record contains.
  await page.goto('/search?q=' + encodeURIComponent(`zqxjvw${Date.now()}`))
  await expect(page.locator('[data-test="empty"]')).toBeVisible()
  await shot(page, 'search-empty')
  await page.locator('[data-test="suggestion"]').first().click()
  await expect(page.locator('[data-test="hit"]').first()).toBeVisible()

  // Markup typed into the query stays text (highlights only ever produce <mark>).
  await page.goto('/search?q=' + encodeURIComponent('<b>稀土</b><img src=x>'))
  await expect(page.locator('[data-test="result-count"]')).toContainText('<b>稀土</b>')
  await expect(page.locator('main b, main img')).toHaveCount(0)

  // Too long a query is refused before sending.
  const url = page.url()
  await page.locator('[data-test="search-input"]').fill('稀'.repeat(201))
  await page.locator('[data-test="search-submit"]').click()
  await expect(page.locator('[data-test="q-error"]')).toBeVisible()
  expect(page.url()).toBe(url)

  // A forged cursor is the server's BAD_INPUT, shown in words, with a way out.
  await page.goto('/search?q=' + encodeURIComponent('乳') + '&after=forged')
  await expect(page.locator('[data-state="error"]')).toContainText('输入有误')
  await page.locator('[data-test="start-over"]').click()
  await expect(page.locator('[data-test="hit"]').first()).toBeVisible()

  // Phone: the filters fold away behind a button; nothing scrolls sideways.
  await page.setViewportSize({ width: 390, height: 844 })
  await page.goto('/search?q=' + encodeURIComponent('乳'))
  await expect(page.locator('[data-test="hit"]').first()).toBeVisible()
  await expect(page.locator('#facet-box')).toBeHidden()
  await page.locator('[data-test="facet-toggle"]').click()
  await expect(page.locator('#facet-box')).toBeVisible()
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)
  expect(overflow).toBeLessThanOrEqual(0)
  await shot(page, 'search-phone')
})
