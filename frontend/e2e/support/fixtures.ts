// What every journey spec shares: logging in through the real OpenID provider's login and
// consent pages, GraphQL set-up calls with the platform-admin token, and screenshots named by
// journey and language (e2e/screenshots/<lang>/<name>.png).
import { test as base, expect, type BrowserContext, type Page } from '@playwright/test'
import { mkdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { checkCharacter } from '../../src/views/join/creditCode'

const here = dirname(fileURLToPath(import.meta.url))

/** Demo personas; the dev OIDC provider accepts any login name, the hub maps e-mail to roles. */
export const PERSONAS = {
  /** Platform admin (config `platform_admin_emails`), member of the Hohhot IP centre. */
  admin: 'admin@ipc.huhhot.gov.cn',
  /** Researcher at Inner Mongolia University (member through the e-mail domain). */
  researcher: 'wangfang@imu.edu.cn',
  /** Technology-transfer office of IMU: org admin (demo invitation). */
  imuAdmin: 'kjc@imu.edu.cn',
  /** A dairy firm's R&D manager (member of cyx-dairy through the e-mail domain). */
  firm: 'rd@cyx-dairy.cn',
  /** The technology market's event organiser (demo invitation, ORGANISER of hhht-tm). */
  organiser: 'organiser@tm.huhhot.cn',
} as const

/** Logs in as `email` the way a person does: login button → provider's forms → back. */
export async function loginAs(page: Page, email: string, returnTo = '/'): Promise<void> {
  await page.goto(`/login?return_to=${encodeURIComponent(returnTo)}`)
  await page.locator('[data-provider]').first().click()
  // oidc-provider's development interactions: a login form, then a consent form.
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
  await expect(page.locator('[data-test="who"]')).toContainText(email)
}

/** A GraphQL call as the platform admin (test set-up and checks, not the journey itself). */
export async function gql<T = Record<string, unknown>>(query: string, variables: Record<string, unknown> = {}, token = process.env.HUB_ADMIN_TOKEN): Promise<T> {
  const r = await fetch(`${process.env.HUB_URL}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  })
  const body = (await r.json()) as { data?: T; errors?: { message: string }[] }
  if (body.errors?.length) throw new Error(`GraphQL: ${body.errors.map((e) => e.message).join('; ')}`)
  return body.data as T
}

const shotsDir = join(here, '..', 'screenshots')

/** Saves a full-page screenshot of the current page in the current app language. */
export async function shot(page: Page, name: string): Promise<void> {
  const lang = (await page.evaluate(() => document.documentElement.lang)) || 'zh-CN'
  mkdirSync(join(shotsDir, lang), { recursive: true })
  await page.waitForLoadState('networkidle').catch(() => undefined)
  await page.screenshot({ path: join(shotsDir, lang, `${name}.png`), fullPage: true })
}

/** Switches the app language with the header's selector (as a person would). */
export async function setLang(page: Page, lang: 'zh-CN' | 'en'): Promise<void> {
  await page.locator('[data-test="lang"]').selectOption(lang)
  await expect(page.locator('html')).toHaveAttribute('lang', lang)
}

/** Screenshots the page in Chinese and in English, leaving it in Chinese. */
export async function shotBoth(page: Page, name: string): Promise<void> {
  await setLang(page, 'zh-CN')
  await shot(page, name)
  await setLang(page, 'en')
  await shot(page, name)
  await setLang(page, 'zh-CN')
}

/** A console message that reports a Content-Security-Policy violation (Chromium's wording). */
export function isCspViolation(text: string): boolean {
  return /Content Security Policy|Content-Security-Policy/i.test(text)
}

/** Starts collecting the CSP violations a browser context's pages report in the console. */
function watchCsp(context: BrowserContext, into: string[]): void {
  context.on('console', (m) => {
    if (isCspViolation(m.text())) into.push(`${m.page()?.url() ?? '?'}: ${m.text()}`)
  })
}

/** Violations from contexts a spec opens itself (`browser.newContext()`, a second person). */
const extraViolations: string[] = []

/**
 * Every journey runs under the hub's real CSP and fails on any violation the browser reports in
 * the console (a blocked script, style, image, connection or frame) in any page of the test's
 * browser context or of a context the spec opens itself.
 */
export const test = base.extend<{ expectCspViolations: boolean }, { watchedBrowser: void }>({
  /** Only the spec that provokes a violation on purpose sets this (`test.use`). */
  expectCspViolations: [false, { option: true }],
  watchedBrowser: [
    async ({ browser }, use) => {
      const open = browser.newContext.bind(browser)
      browser.newContext = async (options) => {
        const context = await open(options)
        watchCsp(context, extraViolations)
        return context
      }
      await use()
    },
    { scope: 'worker', auto: true },
  ],
  context: async ({ context, expectCspViolations }, use) => {
    const violations: string[] = []
    watchCsp(context, violations)
    extraViolations.length = 0
    await use(context)
    const all = [...new Set([...violations, ...extraViolations.splice(0)])]
    if (!expectCspViolations) expect(all, 'CSP violations reported in the browser console').toEqual([])
  },
})
export { expect }

/** YYYY-MM-DD in Beijing time, `days` from now (event sessions are set in local time). */
export function beijingDay(days: number): string {
  const d = new Date(Date.now() + days * 86_400_000)
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' }).format(d)
}

/** The characters of a 统一社会信用代码 in value order (GB 32100-2015). */
export const CREDIT_ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY'

/** A fresh, valid credit code of a Hohhot firm (unique per call: a code is claimed once). */
export function freshCreditCode(): string {
  let body = '91150105MA'
  for (let i = 0; i < 7; i++) body += CREDIT_ALPHABET[Math.floor(Math.random() * CREDIT_ALPHABET.length)]
  return body + checkCharacter(body)
}
