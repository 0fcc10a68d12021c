// Login journey through the real OpenID provider: the header shows who is logged in (e-mail,
// organisation, role), a reload keeps the session, logging out drops it, a protected page
// then sends the person to the login page with return_to, and logging in from there lands
// back on that page.
import type { Page } from '@playwright/test'
import { test, expect, loginAs, shotBoth, PERSONAS } from './support/fixtures'

/** Completes the provider's development login and consent forms as `email`. */
async function providerLogin(page: Page, email: string) {
  await page.locator('[data-provider]').first().click()
  for (let i = 0; i < 3; i++) {
    await page.waitForLoadState('domcontentloaded')
    if (page.url().startsWith(process.env.HUB_URL!)) break
    const login = page.locator('input[name="login"]')
    if (await login.count()) {
      await login.fill(email)
      await page.locator('input[name="password"]').fill('any')
    }
    await page.locator('button[type="submit"]').first().click()
  }
  await page.waitForURL((u) => u.toString().startsWith(process.env.HUB_URL!))
}

test('login page lists the providers (zh + en) and keeps return_to safe', async ({ page }) => {
  await page.goto('/login?return_to=%2Fadmin%2Fkeys')
  const provider = page.locator('[data-provider]')
  await expect(provider).toHaveCount(1)
  await expect(provider).toHaveAttribute('href', /\/auth\/login\/campus\?return_to=%2Fadmin%2Fkeys$/)
  await expect(page.locator('[data-test="return-note"]')).toContainText('/admin/keys')
  await shotBoth(page, 'auth-login')
  // Anything but a local path is ignored.
  await page.goto('/login?return_to=%2F%2Fevil.example.com')
  await expect(page.locator('[data-provider]')).toHaveAttribute('href', /return_to=%2F$/)
  await expect(page.locator('[data-test="return-note"]')).toHaveCount(0)
})

test('log in, header, reload, log out, return_to back to the protected page', async ({ page }) => {
  await loginAs(page, PERSONAS.admin, '/')
  const who = page.locator('[data-test="who"]')
  await expect(who).toContainText(PERSONAS.admin)
  await expect(who).toContainText(/平台管理员/)
  // The admin persona belongs to the Hohhot IP centre (e-mail domain).
  await expect(who).toContainText('呼和浩特市知识产权公共服务中心')
  await expect(page.locator('[data-nav="admin"]')).toBeVisible()

  // The session survives a reload.
  await page.reload()
  await expect(who).toContainText(PERSONAS.admin)
  // Visiting the login page while logged in says so.
  await page.goto('/login')
  await expect(page.locator('[data-test="already"]')).toContainText(PERSONAS.admin)

  // Log out: the header offers to log in again, the admin nav is gone.
  await page.locator('[data-test="logout"]').click()
  await expect(page.locator('[data-test="login"]')).toBeVisible()
  await expect(who).toHaveCount(0)
  await expect(page.locator('[data-nav="admin"]')).toHaveCount(0)
  await page.reload()
  await expect(page.locator('[data-test="login"]')).toBeVisible()

  // A protected page sends the person to log in, and back after.
  await page.goto('/admin/audit')
  await expect(page).toHaveURL(/\/login\?return_to=(%2F|\/)admin(%2F|\/)audit$/)
  await expect(page.locator('[data-test="return-note"]')).toBeVisible()
  await providerLogin(page, PERSONAS.admin)
  await expect(page).toHaveURL(/\/admin\/audit$/)
  await expect(who).toContainText(PERSONAS.admin)
  await expect(page.locator('h1')).toBeVisible()
})

test('a member logs in and sees their organisation and role in the header', async ({ page }) => {
  await page.goto('/')
  await page.locator('[data-test="login"]').click()
  await expect(page).toHaveURL(/\/login\?return_to=(%2F|\/)$/)
  await providerLogin(page, PERSONAS.researcher)
  const who = page.locator('[data-test="who"]')
  await expect(who).toContainText(PERSONAS.researcher)
  await expect(who).toContainText('内蒙古大学')
  await expect(who).toContainText('成员')
})
