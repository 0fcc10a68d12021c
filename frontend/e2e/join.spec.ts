// Journey: joining the hub (入驻). A person with no organisation logs in through the real OpenID
// provider, is offered to join, applies for a firm — a credit code with a forbidden letter and
// then with a wrong check character is refused as typed and corrected with one click — and
// uploads the business licence. A platform admin finds the application in the verification
// queue, rejects it with a reason; the applicant reads the reason, fixes and resubmits; the
// admin approves it, and the applicant's organisation is verified.
import type { Browser, Page } from '@playwright/test'
import { test, expect, loginAs, PERSONAS, shot, shotBoth, freshCreditCode, CREDIT_ALPHABET } from './support/fixtures'

/** A small but real PDF: the hub reads the type from the content's magic bytes. */
function pdf(text: string) {
  const body = `%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n% ${text}\ntrailer << /Root 1 0 R >>\n%%EOF\n`
  return { name: '营业执照.pdf', mimeType: 'application/pdf', buffer: Buffer.from(body) }
}

async function adminPage(browser: Browser): Promise<Page> {
  const ctx = await browser.newContext({ baseURL: process.env.HUB_URL, locale: 'zh-CN' })
  const page = await ctx.newPage()
  await loginAs(page, PERSONAS.admin, '/admin/verification')
  return page
}

test('a new firm applies, is rejected with a reason, fixes it and is verified', async ({ page, browser }) => {
  const stamp = Date.now()
  const email = `founder${stamp}@lvyuan-tech.cn`
  const nameZh = `呼和浩特绿源乳业科技有限公司${stamp}`
  const code = freshCreditCode()

  // A person the hub does not know yet: logged in, no organisation, offered to join.
  await loginAs(page, email, '/')
  await expect(page.locator('[data-test="join-banner"]')).toHaveAttribute('data-state', 'none')
  await page.locator('[data-test="join-link"]').click()
  await expect(page).toHaveURL(/\/join$/)
  await expect(page.locator('[data-test="join-form"]')).toBeVisible()

  // Nothing filled in: every required field says so, focus on the first.
  await page.locator('[data-test="join-submit"]').click()
  await expect(page.locator('[data-test="join-error-count"]')).toBeVisible()
  await expect(page.locator('[data-test="join-licence-error"]')).toBeVisible()
  await shotBoth(page, 'join-apply-errors')

  await page.locator('[data-test="join-kind"]').selectOption('FIRM')
  await page.locator('[data-test="join-nameZh"]').fill(nameZh)
  await page.locator('[data-test="join-nameEn"]').fill(`Lvyuan Dairy Technology ${stamp}`)
  await page.locator('[data-test="join-regionCode"]').fill('150105')
  await page.locator('[data-test="join-address"]').fill('内蒙古呼和浩特市赛罕区大学东街 8 号')
  await page.locator('[data-test="join-contactName"]').fill('李娜')
  await page.locator('[data-test="join-contactPhone"]').fill('0471-6660000')
  await page.locator('[data-test="join-licence"]').setInputFiles(pdf(`licence ${stamp}`))

  // A forbidden letter (O for 0) is named with its place.
  await page.locator('[data-test="join-creditCode"]').fill(code.slice(0, 3) + 'O' + code.slice(4))
  await page.locator('[data-test="join-submit"]').click()
  await expect(page.locator('[data-test="join-creditCode-error"]')).toContainText('第 4 位')
  // A wrong check character: the right one is offered.
  const wrong = CREDIT_ALPHABET[(CREDIT_ALPHABET.indexOf(code[17]) + 1) % 31]
  await page.locator('[data-test="join-creditCode"]').fill(code.slice(0, 17) + wrong)
  await page.locator('[data-test="join-submit"]').click()
  await expect(page.locator('[data-test="join-creditCode-error"]')).toContainText(`应为 ${code[17]}`)
  await page.locator('[data-test="credit-fix"]').click()
  await expect(page.locator('[data-test="join-creditCode"]')).toHaveValue(code)

  await page.locator('[data-test="join-submit"]').click()
  await expect(page.locator('[data-test="application-state"]')).toHaveText('待审核')
  await expect(page.locator('[data-test="join-notice"]')).toBeVisible()
  await expect(page.locator('[data-test="licence-link"]')).toHaveText(/\.pdf$/)
  // The session now acts for the pending organisation, as its admin.
  await expect(page.locator('[data-test="who"]')).toContainText(nameZh)
  await shotBoth(page, 'join-pending')

  // The platform admin rejects it with a reason (a rejection without one is refused first).
  const admin = await adminPage(browser)
  const item = admin.locator(`[data-test="application"][data-name="${nameZh}"]`)
  await expect(item).toBeVisible()
  await expect(item.locator('[data-test="application-credit"]')).toHaveText(code)
  await expect(item.locator('[data-test="application-licence"]')).toBeVisible()
  await shot(admin, 'admin-verification-queue')
  await item.locator('[data-test="verification-reject"]').click()
  await item.locator('[data-test="verification-confirm-reject"]').click()
  await expect(item.locator('[data-test="verification-reason-error"]')).toBeVisible()
  await item.locator('[data-test="verification-reason"]').fill('营业执照扫描件不清晰，请重新上传清晰的彩色扫描件。')
  await item.locator('[data-test="verification-confirm-reject"]').click()
  await expect(admin.locator('[data-test="verification-done"]')).toContainText(nameZh)
  await expect(item).toHaveCount(0)

  // The applicant reads the reason, uploads a new licence and resubmits.
  await page.reload()
  await expect(page.locator('[data-test="application-state"]')).toHaveText('已驳回')
  await expect(page.locator('[data-test="rejection-reason"]')).toContainText('营业执照扫描件不清晰')
  await expect(page.locator('[data-test="join-nameZh"]')).toHaveValue(nameZh)
  await shotBoth(page, 'join-rejected')
  await page.locator('[data-test="join-licence"]').setInputFiles(pdf(`clear licence ${stamp}`))
  await page.locator('[data-test="join-address"]').fill('内蒙古呼和浩特市赛罕区大学东街 8 号 2 号楼')
  await page.locator('[data-test="join-submit"]').click()
  await expect(page.locator('[data-test="application-state"]')).toHaveText('待审核')

  // The admin approves it.
  await admin.reload()
  const again = admin.locator(`[data-test="application"][data-name="${nameZh}"]`)
  await expect(again).toContainText('2 号楼')
  await again.locator('[data-test="verification-approve"]').click()
  await expect(admin.locator('[data-test="verification-done"]')).toContainText(nameZh)
  await expect(again).toHaveCount(0)
  await admin.context().close()

  // Verified: no banner any more, and the way to the organisation's own pages is open.
  await page.reload()
  await expect(page.locator('[data-test="application-state"]')).toHaveText('已通过')
  await page.locator('[data-test="to-my-org"]').click()
  await expect(page.locator('[data-test="my-org-name"]')).toHaveText(nameZh)
  await expect(page.locator('[data-test="join-banner"]')).toHaveCount(0)
})

test('an anonymous visitor is asked to log in before applying', async ({ browser }) => {
  const ctx = await browser.newContext({ baseURL: process.env.HUB_URL, locale: 'zh-CN' })
  const page = await ctx.newPage()
  await page.goto('/join')
  await expect(page.locator('[data-test="join-login"]')).toBeVisible()
  await expect(page.locator('[data-test="join-form"]')).toHaveCount(0)
  await ctx.close()
})
