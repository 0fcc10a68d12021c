// Achievement journey: open a record from search results and read it in full — maturity with
// its TRL meaning, price, patents with their CNIPA link-outs (new tab, rel=noopener),
// provenance, and the open needs it may answer with reasons; the view is counted on the
// server; unknown and malformed ids show a not-found state.
import { test, expect, gql, shot, shotBoth, loginAs, PERSONAS } from './support/fixtures'

const TITLE = '一种高产胞外多糖的干酪乳杆菌及其在低脂酸奶中的应用'

test('open an achievement from search and read patents, provenance and matching needs', async ({ page }) => {
  await page.goto('/search?q=' + encodeURIComponent('干酪乳杆菌 低脂酸奶'))
  const hit = page.locator('[data-test="hit"]', { hasText: '低脂酸奶' }).first()
  await expect(hit).toBeVisible()
  await hit.locator('[data-test="hit-link"]').click()
  await expect(page).toHaveURL(/\/achievements\//)
  const id = decodeURIComponent(new URL(page.url()).pathname.split('/').pop()!)
  await expect(page.locator('[data-test="title"]')).toHaveText(TITLE)
  await expect(page.locator('[data-test="maturity"]')).toContainText('TRL 6')
  await expect(page.locator('[data-test="maturity"]')).toContainText('相关环境中系统样机演示')
  await expect(page.locator('[data-test="price"]')).toHaveText('60 万元')
  await expect(page.locator('[data-test="modes"]')).toContainText('许可')
  await expect(page.locator('[data-test="ipc"]')).toContainText('A23C 9/123')

  // Patents: the per-patent CNIPA publication page and the landing pages, in a new tab.
  const patent = page.locator('[data-test="patent"]').first()
  await expect(patent).toContainText('CN111148546B')
  const per = patent.locator('[data-test="patent-link"][data-per-patent="true"]')
  await expect(per).toHaveAttribute('href', 'http://epub.cnipa.gov.cn/patent/CN111148546B')
  await expect(per).toHaveAttribute('target', '_blank')
  await expect(per).toHaveAttribute('rel', /noopener/)
  const hrefs = await patent.locator('[data-test="patent-link"]').evaluateAll((els) => els.map((e) => e.getAttribute('href')))
  expect(hrefs.some((h) => h?.startsWith('https://pss-system.cponline.cnipa.gov.cn'))).toBe(true)
  for (const rel of await patent.locator('[data-test="patent-link"]').evaluateAll((els) => els.map((e) => e.getAttribute('rel')))) {
    expect(rel).toContain('noopener')
  }

  // Provenance: which source the record came from.
  await expect(page.locator('[data-test="provenance-row"]').first()).toHaveAttribute('data-source', /.+/)
  await expect(page.locator('[data-test="provenance"]')).toContainText('seed-demo')

  // Matching needs with reasons in sentences (the dairy firm's whey-protein need ranks first).
  const matches = page.locator('[data-test="match"]')
  await expect(matches.first()).toBeVisible()
  await expect(page.locator('[data-test="matching-needs"]')).toContainText('乳清蛋白高值化利用技术')
  await expect(matches.first().locator('[data-test="match-reasons"]')).toContainText(/共同关键词|共同分类/)
  await expect(matches.first().locator('[data-test="constraint"]').first()).toBeVisible()
  await expect(matches.first().locator('[data-test="match-link"]')).toHaveAttribute('href', /^\/needs\//)
  // Anonymous readers cannot rate suggestions.
  await expect(page.locator('[data-test="feedback"]')).toHaveCount(0)
  await shotBoth(page, 'achievement-detail')
  // English: title, price and reasons in English words.
  await page.locator('[data-test="lang"]').selectOption('en')
  await expect(page.locator('[data-test="title"]')).toHaveText('Exopolysaccharide-producing Lactobacillus casei strain and its use in low-fat yoghurt')
  await expect(page.locator('[data-test="price"]')).toHaveText('¥600,000')
  await expect(matches.first().locator('[data-test="constraint"]').first()).toContainText(/met|not met|cannot tell/)
  await page.locator('[data-test="lang"]').selectOption('zh-CN')

  // The view was counted on the server (statistics read flushes the counters).
  const stats = await gql<{ stats: { pageViews: { rows: string[][] } } }>('{ stats { pageViews { rows } } }')
  const row = stats.stats.pageViews.rows.find((r) => r[0] === id)
  expect(row, 'page view counted').toBeTruthy()
  expect(Number(row![2])).toBeGreaterThanOrEqual(1)

  // Reloading shows the same record (and back leads to the result list).
  await page.reload()
  await expect(page.locator('[data-test="title"]')).toHaveText(TITLE)

  // Phone-sized screen: one column, nothing scrolls sideways.
  await page.setViewportSize({ width: 390, height: 844 })
  await expect(page.locator('[data-test="patent"]').first()).toBeVisible()
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)
  expect(overflow).toBeLessThanOrEqual(0)
  await shot(page, 'achievement-phone')
})

test("a member of the owning organisation rates a suggested need; it is kept", async ({ page }) => {
  await loginAs(page, PERSONAS.researcher, '/search?q=' + encodeURIComponent('植物乳杆菌 降尿酸'))
  const hit = page.locator('[data-test="hit"]', { hasText: '降尿酸' }).first()
  await hit.locator('[data-test="hit-link"]').click()
  await expect(page.locator('[data-test="title"]')).toHaveText('一种源自传统酸马奶的植物乳杆菌及其降尿酸应用')
  const first = page.locator('[data-test="match"]').first()
  const feedback = first.locator('[data-test="feedback"]')
  await expect(feedback).toBeVisible()
  const needHref = await first.locator('[data-test="match-link"]').getAttribute('href')
  await feedback.locator('button[data-kind="INTERESTED"]').click()
  await expect(first.locator('[data-test="feedback-status"]')).toContainText('已记录')
  await expect(feedback.locator('button[data-kind="INTERESTED"]')).toHaveAttribute('aria-pressed', 'true')
  await shot(page, 'achievement-feedback')
  // Kept on the server: after a reload the same pair shows the organisation's answer.
  await page.reload()
  const again = page.locator('[data-test="match"]', { has: page.locator(`[data-test="match-link"][href="${needHref}"]`) })
  await expect(again.locator('button[data-kind="INTERESTED"]')).toHaveAttribute('aria-pressed', 'true')
  await expect(again.locator('button[data-kind="NOT_RELEVANT"]')).toHaveAttribute('aria-pressed', 'false')
})

test('unknown and malformed ids show a not-found state', async ({ page }) => {
  const unknown = Buffer.from('Achievement:987654321').toString('base64url')
  await page.goto(`/achievements/${unknown}`)
  await expect(page.locator('[data-test="not-found"]')).toBeVisible()
  await expect(page.locator('[data-test="not-found"]')).toContainText('没有找到这项成果')
  await shotBoth(page, 'achievement-not-found')
  await page.goto('/achievements/not-an-id')
  await expect(page.locator('[data-test="not-found"]')).toBeVisible()
  await page.locator('[data-test="not-found"] a').click()
  await expect(page).toHaveURL(/\/search$/)
})
