// Journey: technology needs. A firm's R&D manager posts a need (first with a bad TRL and budget,
// then a region the server refuses), sees it persisted, reads the matched achievements with
// their reasons, marks one INTERESTED (persisted), edits the need and closes it; an anonymous
// visitor browses the public list with filters, paging and an empty result.
import { test, expect, loginAs, PERSONAS, gql, shot, shotBoth } from './support/fixtures'

test('anonymous visitor browses, filters and pages the public list of needs', async ({ page }) => {
  await page.goto('/needs')
  const items = page.locator('[data-test="need-item"]')
  await expect(items.first()).toBeVisible()
  await expect(items).toHaveCount(20)
  // Open needs by default; nobody anonymous may post.
  await expect(page.locator('[data-test="need-status"]').first()).toHaveText('征集中')
  await expect(page.locator('[data-test="new-need"]')).toHaveCount(0)
  await shotBoth(page, 'needs-list')
  await page.locator('[data-test="need-more"]').click()
  await expect(items).toHaveCount(40)

  // Filter by industry and minimum TRL, with the keyboard.
  await page.locator('[data-test="filter-industry"]').fill('C14')
  await page.locator('[data-test="filter-trl"]').selectOption('5')
  await page.locator('[data-test="filter-industry"]').press('Enter')
  await expect(page).toHaveURL(/industry=C14/)
  await expect(page.locator('[data-test="need-list"]')).toHaveAttribute('aria-busy', 'false')
  await expect(page.locator('[data-test="need-item"] .meta').first()).toContainText('C14')
  const metas = await page.locator('[data-test="need-item"] .meta').allInnerTexts()
  for (const m of metas) expect(m).toContain('C14')

  // A bad filter is caught before sending; a filter nothing matches shows the empty state.
  await page.locator('[data-test="filter-region"]').fill('15')
  await page.locator('[data-test="filter-apply"]').click()
  await expect(page.locator('.filters .form-error')).toBeVisible()
  await page.locator('[data-test="filter-region"]').fill('')
  await page.locator('[data-test="filter-industry"]').fill('T')
  await page.locator('[data-test="filter-apply"]').click()
  await expect(page.locator('[data-state="empty"]')).toBeVisible()
  await shot(page, 'needs-list-empty')

  // The detail page is public too, with its matches but no feedback buttons.
  await page.locator('[data-test="filter-reset"]').click()
  await items.first().locator('[data-test="need-link"]').click()
  await expect(page.locator('[data-test="need-heading"]')).toBeVisible()
  await expect(page.locator('[data-test="need-edit"]')).toHaveCount(0)
  await expect(page.locator('[data-test="feedback-INTERESTED"]')).toHaveCount(0)

  // On a phone the detail page (facts, matches, experts) fits the screen width.
  await page.setViewportSize({ width: 390, height: 844 })
  await expect(page.locator('[data-test="match-item"]').first()).toBeVisible()
  expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0)
  await shot(page, 'need-detail-phone')
})

test('a firm posts a need, reads its matches, gives feedback, edits and closes it', async ({ page }) => {
  const stamp = Date.now()
  const title = `乳清蛋白膜分离浓缩成套技术 ${stamp}`
  await loginAs(page, PERSONAS.firm, '/needs/mine')
  await expect(page.locator('[data-test="needs-mine"]')).toBeVisible()
  await page.locator('[data-test="new-need"]').click()
  await expect(page).toHaveURL(/\/needs\/new$/)

  await page.locator('[data-test="need-title"]').fill(title)
  await page.locator('[data-test="need-titleEn"]').fill(`Whey protein membrane concentration ${stamp}`)
  await page
    .locator('[data-test="need-description"]')
    .fill('奶酪车间每天产生甜乳清，希望引进乳清蛋白膜分离与浓缩技术，产出浓缩乳清蛋白，蛋白回收率不低于85%。')
  await page.locator('[data-test="need-keywords"]').fill('乳清蛋白，膜分离，乳制品')
  await page.locator('[data-test="need-industry"]').fill('C1449')
  await page.locator('[data-test="need-mode-LICENCE"]').check()
  await page.locator('[data-test="need-mode-JOINT_IMPLEMENTATION"]').check()

  // Bad TRL and a budget whose lower bound exceeds the upper: refused before sending.
  await page.locator('[data-test="need-trl"]').fill('12')
  await page.locator('[data-test="need-negotiable"]').uncheck()
  await page.locator('[data-test="need-budget-min"]').fill('200')
  await page.locator('[data-test="need-budget-max"]').fill('100')
  await page.locator('[data-test="need-save"]').click()
  await expect(page.locator('[data-test="form-errors"]')).toBeVisible()
  await expect(page.locator('[data-test="err-requiredMaturity"]')).toContainText('1 到 9')
  await expect(page.locator('[data-test="err-budgetMin"]')).toContainText('不能高于上限')
  await expect(page.locator('#need-requiredMaturity')).toBeFocused()
  await shot(page, 'need-form-errors')

  // Fixed, but with a region the server refuses: its BAD_INPUT lands under the region field.
  await page.locator('[data-test="need-trl"]').fill('5')
  await page.locator('[data-test="need-budget-min"]').fill('50')
  await page.locator('[data-test="need-budget-max"]').fill('150')
  await page.locator('[data-test="need-region"]').fill('990000')
  await page.locator('[data-test="need-save"]').click()
  await expect(page.locator('[data-test="err-regionCode"]')).toContainText('服务器未接受')
  await expect(page).toHaveURL(/\/needs\/new$/)

  await page.locator('[data-test="need-region"]').fill('150100')
  await page.locator('[data-test="need-save"]').click()
  await expect(page).toHaveURL(/\/needs\/[A-Za-z0-9_-]+\?saved=created/)
  await expect(page.locator('[data-test="need-notice"]')).toBeVisible()
  const id = new URL(page.url()).pathname.split('/').pop()!

  // Persisted: reload shows it, and the API agrees.
  await page.reload()
  await expect(page.locator('[data-test="need-heading"]')).toHaveText(title)
  await expect(page.locator('[data-test="fact-budget"]')).toContainText('50万元–150万元')
  await expect(page.locator('[data-test="fact-trl"]')).toContainText('TRL 5')
  const stored = await gql<{ need: { title: string; requiredMaturity: number; budget: { minYuan: number; maxYuan: number }; regionCode: string; status: string } }>(
    `query($id: ID!) { need(id: $id) { title requiredMaturity budget { minYuan maxYuan } regionCode status } }`,
    { id },
  )
  expect(stored.need).toMatchObject({ title, requiredMaturity: 5, budget: { minYuan: 500_000, maxYuan: 1_500_000 }, regionCode: '150100', status: 'OPEN' })

  // Matches with reasons in sentences.
  const first = page.locator('[data-test="match-item"]').first()
  await expect(first).toBeVisible()
  await expect(first.locator('[data-test="match-score"]')).toContainText('%')
  await expect(first.locator('[data-test="match-reasons"] li').first()).toBeVisible()
  await expect(page.locator('[data-test="match-item"] [data-test="why-terms"]').first()).toContainText('共同关键词')
  await expect(first.locator('[data-test="why-MATURITY"]')).toContainText('TRL')
  await shotBoth(page, 'need-detail')

  // Feedback: INTERESTED on the first suggestion, persisted across reload.
  const achievementId = await first.getAttribute('data-achievement')
  await first.locator('[data-test="feedback-INTERESTED"]').click()
  await expect(first.locator('[data-test="feedback-INTERESTED"]')).toHaveAttribute('aria-pressed', 'true')
  await expect(page.locator('[data-test="feedback-live"]')).toContainText('感兴趣')
  await page.reload()
  const again = page.locator(`[data-test="match-item"][data-achievement="${achievementId}"]`)
  await expect(again.locator('[data-test="feedback-INTERESTED"]')).toHaveAttribute('aria-pressed', 'true')
  await expect(again.locator('[data-test="feedback-state"]')).toContainText('感兴趣')

  // Edit: budget becomes 面议, deadline set.
  await page.locator('[data-test="need-edit"]').click()
  await expect(page.locator('[data-test="need-title"]')).toHaveValue(title)
  await page.locator('[data-test="need-negotiable"]').check()
  await page.locator('[data-test="need-deadline"]').fill('2031-06-30')
  await page.locator('[data-test="need-save"]').click()
  await expect(page).toHaveURL(/saved=updated/)
  await page.reload()
  await expect(page.locator('[data-test="fact-budget"]')).toContainText('面议')
  await expect(page.locator('[data-test="fact-deadline"]')).toHaveText('2031-06-30')

  // Close, confirmed from the keyboard.
  await page.locator('[data-test="need-close"]').click()
  const dialog = page.locator('[data-test="confirm-dialog"]')
  await expect(dialog).toBeVisible()
  await expect(page.locator('[data-test="confirm-cancel"]')).toBeFocused()
  await page.keyboard.press('Tab')
  await expect(page.locator('[data-test="confirm-ok"]')).toBeFocused()
  await page.keyboard.press('Enter')
  await expect(page.locator('[data-test="need-status"]')).toHaveText('已关闭')
  await expect(page.locator('[data-test="need-close"]')).toHaveCount(0)
  const closed = await gql<{ need: { status: string } }>(`query($id: ID!) { need(id: $id) { status } }`, { id })
  expect(closed.need.status).toBe('CLOSED')

  // It is listed, closed, among the organisation's needs.
  await page.goto('/needs/mine')
  const mine = page.locator('[data-test="need-item"]', { hasText: title })
  await expect(mine.locator('[data-test="need-status"]')).toHaveText('已关闭')
  await shotBoth(page, 'needs-mine')
})
