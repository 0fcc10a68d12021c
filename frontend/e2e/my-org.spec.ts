// Journey: my organisation. A researcher enters an achievement with a patent whose check digit
// is wrong (the server names the digit it needs), corrects it, saves a draft, publishes it (the
// public can find it), withdraws it after a keyboard-confirmed dialog (no longer public); a
// member of another organisation gets a "not allowed" state on its edit page; the page works
// on a phone; an organisation admin invites a colleague.
import type { Browser } from '@playwright/test'
import { test, expect, loginAs, PERSONAS, gql, shot, shotBoth } from './support/fixtures'

/** The check digit of a post-2003 application number's 12 digits (DOMAIN.md). */
function checkDigit(body: string): string {
  const w = [2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5]
  const r = [...body].reduce((s, d, i) => s + Number(d) * w[i], 0) % 11
  return r === 10 ? 'X' : String(r)
}

/** A unique invention application number whose check digit is a plain digit. */
function uniqueBody(): string {
  for (let n = Date.now() % 10_000_000; ; n = (n + 1) % 10_000_000) {
    const body = `20231${String(n).padStart(7, '0')}`
    if (checkDigit(body) !== 'X') return body
  }
}

/** What an anonymous caller sees of an achievement through the public API. */
async function publicStatus(id: string, title: string): Promise<{ page: string; searchHits: number }> {
  const r = await fetch(`${process.env.HUB_URL}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      query: `query($id: ID!, $q: String) { search(query: $q, first: 5) { nodes { achievement { id } } }
        achievement(id: $id) { status } }`,
      variables: { id, q: title },
    }),
  })
  const body = (await r.json()) as { data?: any; errors?: { extensions?: { code?: string } }[] }
  const hits = (body.data?.search?.nodes ?? []).filter((n: any) => n.achievement.id === id).length
  return { page: body.data?.achievement?.status ?? body.errors?.[0]?.extensions?.code ?? '?', searchHits: hits }
}

async function anonymousPage(browser: Browser) {
  const ctx = await browser.newContext({ baseURL: process.env.HUB_URL, locale: 'zh-CN' })
  return { ctx, page: await ctx.newPage() }
}

test('a researcher creates, publishes and withdraws an achievement; another organisation may not edit it', async ({ page, browser }) => {
  test.setTimeout(90_000)
  const stamp = Date.now()
  const title = `稀土永磁废料短流程再生技术 ${stamp}`
  const body = uniqueBody()
  const right = checkDigit(body)
  const wrong = String((Number(right) + 1) % 10)

  await loginAs(page, PERSONAS.researcher, '/my-org')
  await expect(page.locator('[data-test="my-org-name"]')).toHaveText('内蒙古大学')
  await page.locator('[data-test="new-achievement"]').click()
  await expect(page).toHaveURL(/\/my-org\/achievements\/new$/)

  // Empty required fields are caught before sending.
  await page.locator('[data-test="ach-save"]').click()
  await expect(page.locator('[data-test="err-title"]')).toBeVisible()
  await expect(page.locator('#ach-title')).toBeFocused()

  await page.locator('[data-test="ach-title-input"]').fill(title)
  await page.locator('[data-test="ach-titleEn"]').fill(`Short-route recycling of NdFeB scrap ${stamp}`)
  await page.locator('[data-test="ach-type"]').selectOption('PATENT')
  await page.locator('[data-test="ach-maturity"]').selectOption('6')
  await page.locator('[data-test="ach-inventors"]').fill('王芳，李强')
  await page.locator('[data-test="ach-summary"]').fill('以钕铁硼加工废料为原料，经氢破碎、除氧和重稀土补充直接再生烧结磁体，流程短、能耗低，回收磁体性能达到原生磁体的95%以上。')
  await page.locator('[data-test="ach-keywords"]').fill('钕铁硼，废料再生，稀土永磁')
  await page.locator('[data-test="ach-industry"]').fill('C4210')
  await page.locator('[data-test="ach-mode-LICENCE"]').check()
  await page.locator('[data-test="ach-negotiable"]').uncheck()
  await page.locator('[data-test="ach-price"]').fill('80')
  await page.locator('[data-test="ach-contact-email"]').fill('wangfang@imu.edu.cn')

  // A patent with a wrong check digit: the server names the digit it needs.
  await page.locator('[data-test="patent-add"]').click()
  await expect(page.locator('#pat-0-app')).toBeFocused()
  await page.keyboard.type(`CN${body}.${wrong}`)
  await page.locator('[data-test="ach-save"]').click()
  const patentError = page.locator('[data-test="patent-app-error"]')
  await expect(patentError).toContainText(`校验位应为 ${right}`)
  await expect(page.locator('[data-test="patent-fix"]')).toContainText(`CN${body}.${right}`)
  await shot(page, 'my-org-check-digit')
  await page.locator('[data-test="patent-fix"]').click()
  await expect(page.locator('#pat-0-app')).toHaveValue(`CN${body}.${right}`)
  await page.locator('[data-test="ach-save"]').click()

  // Saved as a draft: listed on the organisation page, not public.
  await expect(page).toHaveURL(/\/my-org\?saved=created/)
  await expect(page.locator('[data-test="my-org-notice"]')).toBeVisible()
  const row = page.locator('[data-test="org-achievement"]', { hasText: title })
  await expect(row.locator('[data-test="ach-status"]')).toHaveText('草稿')
  const id = (await row.getAttribute('data-id'))!
  const stored = await gql<{ achievement: { status: string; patents: { applicationNumber: string }[]; askingPriceYuan: number } }>(
    `query($id: ID!) { achievement(id: $id) { status askingPriceYuan patents { applicationNumber } } }`,
    { id },
  )
  expect(stored.achievement).toMatchObject({ status: 'DRAFT', askingPriceYuan: 800_000, patents: [{ applicationNumber: `${body}.${right}` }] })
  expect((await publicStatus(id, title)).page).toBe('NOT_FOUND')

  // Status filter: the draft shows under 草稿 only.
  await page.locator('[data-test="status-DRAFT"]').click()
  await expect(page).toHaveURL(/status=DRAFT/)
  await expect(row).toBeVisible()
  await page.locator('[data-test="status-WITHDRAWN"]').click()
  await expect(row).toHaveCount(0)
  await page.locator('[data-test="status-ALL"]').click()

  // Publish → public in the API and the search page.
  await row.locator('[data-test="ach-publish"]').click()
  await expect(row.locator('[data-test="ach-status"]')).toHaveText('已发布')
  await expect(page.locator('[data-test="my-org-notice"]')).toContainText('已发布')
  await expect.poll(async () => (await publicStatus(id, title)).searchHits, { timeout: 15_000 }).toBe(1)
  expect((await publicStatus(id, title)).page).toBe('PUBLISHED')
  const anon = await anonymousPage(browser)
  await anon.page.goto(`/search?q=${encodeURIComponent(title)}`)
  await expect(anon.page.locator('[data-test="hit-link"]', { hasText: title })).toBeVisible()
  await anon.page.goto(`/achievements/${id}`)
  await expect(anon.page.getByRole('heading', { name: title })).toBeVisible()
  await shotBoth(page, 'my-org')

  // A member of another organisation sees "not allowed" on the edit page.
  const other = await anonymousPage(browser)
  await loginAs(other.page, PERSONAS.firm, `/my-org/achievements/${id}/edit`)
  await expect(other.page.locator('[data-test="achievement-forbidden"]')).toContainText('无权操作')
  await expect(other.page.locator('[data-test="achievement-form"]')).toHaveCount(0)
  // The server refuses too: an update sent from that member's browser session is FORBIDDEN.
  const refused = await other.page.evaluate(async (achievementId) => {
    const csrf = document.cookie.split('; ').find((c) => c.startsWith('thub_csrf='))?.slice('thub_csrf='.length)
    const r = await fetch('/graphql', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json', ...(csrf ? { 'X-CSRF-Token': decodeURIComponent(csrf) } : {}) },
      body: JSON.stringify({
        query: 'mutation($id: ID!) { updateAchievement(id: $id, input: { title: "hijacked" }) { achievement { id } } }',
        variables: { id: achievementId },
      }),
    })
    const b = (await r.json()) as { errors?: { extensions?: { code?: string } }[] }
    return b.errors?.[0]?.extensions?.code
  }, id)
  expect(refused).toBe('FORBIDDEN')
  await shot(other.page, 'my-org-forbidden')
  await other.ctx.close()

  // Withdraw, confirmed with the keyboard → no longer public.
  await row.locator('[data-test="ach-withdraw"]').click()
  await expect(page.locator('[data-test="confirm-dialog"]')).toBeVisible()
  await expect(page.locator('[data-test="confirm-cancel"]')).toBeFocused()
  await shot(page, 'my-org-withdraw-dialog')
  await page.keyboard.press('Tab')
  await expect(page.locator('[data-test="confirm-ok"]')).toBeFocused()
  await page.keyboard.press('Enter')
  await expect(row.locator('[data-test="ach-status"]')).toHaveText('已撤回')
  await expect.poll(async () => (await publicStatus(id, title)).searchHits, { timeout: 15_000 }).toBe(0)
  expect((await publicStatus(id, title)).page).toBe('NOT_FOUND')
  await anon.page.goto(`/search?q=${encodeURIComponent(title)}`)
  await expect(anon.page.locator('[data-state="empty"], [data-test="hit-link"]').first()).toBeVisible()
  await expect(anon.page.locator('[data-test="hit-link"]', { hasText: title })).toHaveCount(0)
  await anon.page.goto(`/achievements/${id}`)
  await expect(anon.page.getByRole('alert').first()).toBeVisible()
  await expect(anon.page.getByRole('heading', { name: title })).toHaveCount(0)
  await anon.ctx.close()

  // Editing keeps working after withdrawal (the record is kept).
  await row.locator('[data-test="ach-edit"]').click()
  await expect(page.locator('[data-test="ach-title-input"]')).toHaveValue(title)
  await expect(page.locator('[data-test="form-status"]')).toHaveText('已撤回')
  await expect(page.locator('#pat-0-app')).toHaveValue(`${body}.${right}`)
})

test('on a phone the organisation page fits; an admin invites a colleague', async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 })
  await loginAs(page, PERSONAS.imuAdmin, '/my-org')
  await expect(page.locator('[data-test="org-achievement"]').first()).toBeVisible()
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
  expect(overflow).toBeLessThanOrEqual(0)
  // Withdrawn filter of a fresh organisation view may be empty: the empty state says so.
  await page.locator('[data-test="status-WITHDRAWN"]').click()
  await expect(page.locator('[data-state="empty"], [data-test="org-achievement"]').first()).toBeVisible()
  await page.locator('[data-test="status-ALL"]').click()

  // Invitations (organisation admins only): a bad address first.
  const form = page.locator('[data-test="invite-form"]')
  await expect(form).toBeVisible()
  await page.locator('[data-test="invite-email"]').fill('not-an-address')
  await page.locator('[data-test="invite-submit"]').click()
  await expect(page.locator('[data-test="invite-email-error"]')).toBeVisible()
  const email = `colleague-${Date.now()}@imu.edu.cn`
  await page.locator('[data-test="invite-email"]').fill(email)
  await page.locator('[data-test="invite-role"]').selectOption('MEMBER')
  await page.locator('[data-test="invite-submit"]').click()
  await expect(page.locator('[data-test="invite-notice"]')).toContainText(email)
  await expect(page.locator('[data-test="invitation-row"]', { hasText: email })).toBeVisible()
  await shotBoth(page, 'my-org-phone')
})
