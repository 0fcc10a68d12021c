// Administration journeys against the real hub: a platform admin adds a tabular source (a CSV
// file written here, so no outside server is needed), harvests it and watches the progress,
// inspects the run and the rejected rows, decides the review queue; creates an API key (secret
// shown once, copied, really usable), revokes it and finds both in the audit log; maintains
// the link directory. Organisation admins see their organisation only; members are refused.
import { test, expect, loginAs, gql, shot, shotBoth, PERSONAS } from './support/fixtures'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

test.describe.configure({ mode: 'serial' })

test('sources: create, harvest with live progress, runs, rejected records, review queue', async ({ page }) => {
  const stamp = Date.now()
  const key = `e2e-src-${stamp}`
  const dir = mkdtempSync(join(tmpdir(), 'thub-admin-'))
  const file = join(dir, 'imports.csv')
  writeFileSync(
    file,
    [
      '成果编号,成果名称,成果简介,成熟度',
      `A${stamp}-1,燕麦精深加工工艺${stamp},燕麦加工简介。,通过中试`,
      `A${stamp}-2,牧草青贮发酵菌剂${stamp},青贮菌剂简介。,6`,
      `A${stamp}-3,成熟度写错的成果${stamp},简介。,很成熟`,
      `A${stamp}-4,,缺少名称的成果。,5`,
    ].join('\n') + '\n',
  )

  await loginAs(page, PERSONAS.admin, '/admin')
  await expect(page).toHaveURL(/\/admin\/sources/)
  await expect(page.locator('[data-test="admin-scope"]')).toBeVisible()

  // Bad input is caught before sending.
  await page.locator('[data-test="new-source"]').click()
  const form = page.locator('[data-test="source-form"]')
  await form.locator('[data-test="src-key"]').fill('Bad Key!')
  await form.locator('[data-test="src-interval"]').fill('soon')
  await form.locator('[data-test="src-save"]').click()
  await expect(form.locator('[data-test="src-key-error"]')).toBeVisible()
  await expect(form.locator('[data-test="src-path-error"]')).toBeVisible()
  await expect(form.locator('[data-test="src-interval-error"]')).toBeVisible()

  // A real one: tabular file, review required, harvested by hand only.
  await form.locator('[data-test="src-key"]').fill(key)
  await form.locator('[data-test="src-kind"]').selectOption('tabular')
  await form.locator('[data-test="src-path"]').fill(file)
  await form.locator('[data-test="src-interval"]').fill('1d')
  await form.locator('[data-test="src-review"]').check()
  await form.locator('[data-test="src-enabled"]').uncheck()
  await form.locator('[data-test="src-save"]').press('Enter')
  await expect(page.locator('[data-test="source-saved"]')).toContainText(key)
  const row = page.locator(`[data-source-row="${key}"]`)
  await expect(row).toBeVisible()
  await expect(row.locator('[data-test="last-run"]')).toHaveAttribute('data-status', 'NEVER')

  // Editing keeps the key and changes the schedule.
  await row.locator('[data-test="edit-source"]').click()
  const edit = page.locator('[data-test="source-form"]')
  await expect(edit.locator('[data-test="src-key"]')).toHaveAttribute('readonly', '')
  await expect(edit.locator('[data-test="src-path"]')).toHaveValue(file)
  await edit.locator('[data-test="src-interval"]').fill('12h')
  await edit.locator('[data-test="src-save"]').click()
  await expect(page.locator('[data-test="source-form"]')).toHaveCount(0)
  const saved = await gql<{ source: { intervalSecs: number; requiresReview: boolean; enabled: boolean } }>(
    'query($k: String!) { source(key: $k) { intervalSecs requiresReview enabled } }',
    { k: key },
  )
  expect(saved.source).toEqual({ intervalSecs: 43200, requiresReview: true, enabled: false })

  // Its detail opens with empty states (never harvested, nothing rejected).
  const detail = page.locator(`[data-test="source-detail"][data-source="${key}"]`)
  await expect(detail).toBeVisible()
  await expect(detail.locator('[data-state="empty"]').first()).toBeVisible()
  await expect(detail.locator('[data-test="progress"]')).toHaveAttribute('data-status', 'IDLE')

  // Harvest now: the progress panel follows the run to its end.
  await detail.locator('[data-test="harvest-now"]').click()
  const progress = detail.locator('[data-test="progress"]')
  await expect(progress).toHaveAttribute('data-status', 'SUCCEEDED', { timeout: 30_000 })
  await expect(progress.locator('[data-counter="seen"]')).toHaveText('4')
  await expect(progress.locator('[data-counter="created"]')).toHaveText('2')
  await expect(progress.locator('[data-counter="rejected"]')).toHaveText('2')
  // …pushed over the `harvestProgress` subscription, not polled.
  await expect(progress).toHaveAttribute('data-via', 'live')
  await shot(page, 'admin-harvest-progress')

  // Runs and rejected records, persisted: reload keeps the selected source.
  await page.reload()
  await expect(detail.locator('[data-test="runs"] tbody tr')).toHaveCount(1)
  await expect(detail.locator('[data-test="runs"] tbody tr').first()).toContainText(/成功|Succeeded/)
  await expect(row.locator('[data-test="last-run"]')).toHaveAttribute('data-status', 'SUCCEEDED')
  const rejected = detail.locator('[data-test="rejected-row"]')
  await expect(rejected).toHaveCount(2)
  await expect(rejected.filter({ hasText: '很成熟' })).toHaveCount(1)
  const runs = await gql<{ harvestRuns: { nodes: { status: string; created: number; rejected: number }[] } }>(
    `query($k: String!) { harvestRuns(sourceKey: $k) { nodes { status created rejected } } }`,
    { k: key },
  )
  expect(runs.harvestRuns.nodes[0]).toMatchObject({ status: 'SUCCEEDED', created: 2, rejected: 2 })
  await shotBoth(page, 'admin-sources')

  // The review queue holds the two drafts: approve one, reject the other (reason required).
  await page.locator('[data-tab="review"]').click()
  await expect(page).toHaveURL(/\/admin\/review/)
  await page.locator('[data-test="review-source"]').selectOption(key)
  const items = page.locator('[data-test="review-item"]')
  await expect(items).toHaveCount(2)
  await expect(page.locator('[data-test="review-count"]')).toContainText('2')
  await shotBoth(page, 'admin-review')
  const oat = items.filter({ hasText: `燕麦精深加工工艺${stamp}` })
  await oat.locator('[data-test="approve"]').click()
  await expect(page.locator('[data-test="review-done"]')).toContainText(`燕麦精深加工工艺${stamp}`)
  await expect(items).toHaveCount(1)
  const grass = items.first()
  await grass.locator('[data-test="reject"]').click()
  await grass.locator('[data-test="confirm-reject"]').click()
  await expect(grass.locator('[data-test="reason-error"]')).toBeVisible()
  await grass.locator('[data-test="review-reason"]').fill('与已有成果重复')
  await grass.locator('[data-test="confirm-reject"]').click()
  await expect(page.locator('[data-test="review-done"]')).toContainText(`牧草青贮发酵菌剂${stamp}`)
  await expect(page.locator('[data-state="empty"]')).toBeVisible()

  // Fixing the file and harvesting again resolves the rejections.
  writeFileSync(
    file,
    [
      '成果编号,成果名称,成果简介,成熟度',
      `A${stamp}-1,燕麦精深加工工艺${stamp},燕麦加工简介。,通过中试`,
      `A${stamp}-2,牧草青贮发酵菌剂${stamp},青贮菌剂简介。,6`,
      `A${stamp}-3,成熟度改正的成果${stamp},简介。,通过小试`,
      `A${stamp}-4,补上名称的成果${stamp},缺少名称的成果。,5`,
    ].join('\n') + '\n',
  )
  await page.goto(`/admin/sources?source=${key}`)
  await detail.locator('[data-test="harvest-now"]').click()
  await expect(detail.locator('[data-test="runs"] tbody tr')).toHaveCount(2)
  await expect(progress).toHaveAttribute('data-status', 'SUCCEEDED')
  await expect(progress.locator('[data-counter="rejected"]')).toHaveText('0')
  await expect(detail.locator('[data-test="rejected"]')).toHaveCount(0)
  await detail.locator('[data-test="rej-all"]').check()
  await expect(rejected).toHaveCount(2)
  await expect(rejected.locator('.tag.ok')).toHaveCount(2)

  const decided = await gql<{ achievements: { nodes: { title: string; status: string }[] } }>(
    `query($since: DateTime) { achievements(first: 100, filter: { updatedSince: $since }) { nodes { title status } } }`,
    { since: new Date(stamp - 60_000).toISOString() },
  )
  const byTitle = Object.fromEntries(decided.achievements.nodes.map((a) => [a.title, a.status]))
  expect(byTitle[`燕麦精深加工工艺${stamp}`]).toBe('PUBLISHED')
  expect(byTitle[`牧草青贮发酵菌剂${stamp}`]).toBe('WITHDRAWN')
})

test('API keys: create (secret once, copy), use, revoke; the audit log shows both', async ({ page, context }) => {
  const name = `e2e-portal-${Date.now()}`
  await context.grantPermissions(['clipboard-read', 'clipboard-write'])
  await loginAs(page, PERSONAS.admin, '/admin/keys')
  const form = page.locator('[data-test="key-form"]')

  // Bad input is refused before sending.
  await form.locator('[data-test="key-rate"]').fill('0')
  await form.locator('[data-test="key-create"]').click()
  await expect(form.locator('[data-test="key-name-error"]')).toBeVisible()
  await expect(form.locator('[data-test="key-rate-error"]')).toBeVisible()

  await form.locator('[data-test="key-name"]').fill(name)
  await form.locator('[data-test="key-scope"]').selectOption('READ_PUBLIC')
  await form.locator('[data-test="key-rate"]').fill('120')
  await form.locator('[data-test="key-create"]').click()
  const box = page.locator('[data-test="key-secret-box"]')
  await expect(box).toBeVisible()
  const secret = await box.locator('[data-test="key-secret"]').inputValue()
  expect(secret.length).toBeGreaterThan(16)
  await box.locator('[data-test="key-copy"]').click()
  await expect(box.locator('[data-test="key-copied"]')).not.toBeEmpty()
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(secret)
  await shotBoth(page, 'admin-keys-secret')

  // The secret really works, as a portal key.
  const who = await gql<{ viewer: { role: string } }>('{ viewer { role } }', {}, secret)
  expect(who.viewer.role).toBe('PORTAL')

  // Shown once: after a reload only the prefix is left.
  await page.reload()
  await expect(page.locator('[data-test="key-secret-box"]')).toHaveCount(0)
  const row = page.locator(`[data-test="key-row"][data-name="${name}"]`)
  await expect(row.locator('[data-test="key-state"]')).toContainText(/有效|Active/)
  await expect(row).not.toContainText(secret)

  // Revoke needs a confirmation; cancel first, then confirm.
  await row.locator('[data-test="key-revoke"]').click()
  await row.locator('[data-test="key-revoke-cancel"]').click()
  await expect(row.locator('[data-test="key-state"]')).toContainText(/有效|Active/)
  await row.locator('[data-test="key-revoke"]').click()
  await row.locator('[data-test="key-revoke-confirm"]').click()
  await expect(page.locator('[data-test="key-revoked"]')).toContainText(name)
  await expect(row.locator('[data-test="key-state"]')).toContainText(/已吊销|Revoked/)
  await expect(gql('{ viewer { role } }', {}, secret)).rejects.toThrow()
  await shotBoth(page, 'admin-keys')

  // The audit log has both actions.
  await page.locator('[data-tab="audit"]').click()
  await expect(page).toHaveURL(/\/admin\/audit/)
  await expect(page.locator('[data-test="audit-row"]').first()).toBeVisible()
  await page.locator('[data-test="audit-action"]').fill('api_key.')
  await page.locator('[data-test="audit-apply"]').click()
  await expect(page.locator('[data-test="audit-row"][data-action="api_key.create"]').first()).toBeVisible()
  await expect(page.locator('[data-test="audit-row"][data-action="api_key.revoke"]').first()).toBeVisible()
  await expect(page.locator('[data-test="audit-row"]:not([data-action^="api_key."])')).toHaveCount(0)
  await shotBoth(page, 'admin-audit')

  // A time range that ends before it starts is refused; an action nobody did is empty.
  await page.locator('[data-test="audit-since"]').fill('2026-03-02')
  await page.locator('[data-test="audit-until"]').fill('2026-03-01')
  await page.locator('[data-test="audit-apply"]').click()
  await expect(page.locator('[data-test="audit-range-error"]')).toBeVisible()
  await page.locator('[data-test="audit-since"]').fill('')
  await page.locator('[data-test="audit-until"]').fill('')
  await page.locator('[data-test="audit-action"]').fill('nobody.did.this')
  await page.locator('[data-test="audit-action"]').press('Enter')
  await expect(page.locator('[data-state="empty"]')).toBeVisible()
  await expect(page.locator('[data-test="audit-total"]')).toContainText('0')
})

test('link directory: flagged status, server-side bad input, add, check now', async ({ page }) => {
  const key = `e2e-local-${Date.now()}`
  await loginAs(page, PERSONAS.admin, '/admin/links')
  await expect(page.locator('[data-test="link-row"]').first()).toBeVisible()
  await page.locator('[data-test="links-category"]').selectOption('CNIPA')
  await expect(page.locator('[data-test="link-row"]').first()).toBeVisible()
  const cnipa = await gql<{ links: { totalCount: number } }>('{ links(filter: { category: CNIPA }) { totalCount } }')
  await expect(page.locator('[data-test="link-row"]')).toHaveCount(Math.min(cnipa.links.totalCount, 100))
  await page.locator('[data-test="links-category"]').selectOption('')

  await page.locator('[data-test="new-link"]').click()
  const form = page.locator('[data-test="link-form"]')
  await form.locator('[data-test="link-save"]').click()
  await expect(form.locator('[data-test="link-name-error"]')).toBeVisible()
  await form.locator('[data-test="link-key"]').fill(key)
  await form.locator('[data-test="link-category"]').selectOption('LOCAL_SERVICE')
  await form.locator('[data-test="link-name-zh"]').fill('测试本地服务（内网地址）')
  await form.locator('[data-test="link-name-en"]').fill('Test local service (private address)')
  await form.locator('[data-test="link-url"]').fill('http://127.0.0.1:9/portal')
  await form.locator('#link-region').fill('12ab')
  await form.locator('[data-test="link-save"]').click()
  // The server checks the region code and says so.
  await expect(form.locator('[data-state="error"]')).toContainText(/输入有误|Invalid input/)
  await expect(form.locator('[data-state="error"]')).toContainText('regionCode')
  await form.locator('#link-region').fill('150100')
  await form.locator('[data-test="link-save"]').click()
  await expect(page.locator('[data-test="links-message"]')).toContainText(key)

  const row = page.locator(`[data-test="link-row"][data-key="${key}"]`)
  await expect(row.locator('[data-test="link-status"]')).toContainText(/未检查|Not checked/)
  await row.locator('[data-test="link-check"]').click()
  // Nothing listens there (or the outbound guard refuses loopback): flagged either way.
  await expect(row.locator('[data-test="link-status"]')).toContainText(/失效|Broken|地址被拒绝|Address refused/)
  await expect(row.locator('[data-test="link-checked"]')).not.toHaveText('—')
  const saved = await gql<{ links: { nodes: { key: string; status: string; broken: boolean; origin: string }[] } }>(
    '{ links(filter: { category: LOCAL_SERVICE }, first: 100) { nodes { key status broken origin } } }',
  )
  expect(saved.links.nodes.find((l) => l.key === key)).toMatchObject({ broken: true, origin: 'admin' })

  // Editing keeps the key and the position.
  await row.locator('[data-test="link-edit"]').click()
  const edit = page.locator('[data-test="link-form"]')
  await expect(edit.locator('[data-test="link-key"]')).toHaveAttribute('readonly', '')
  await expect(edit.locator('#link-sort')).toHaveValue('100')
  await edit.locator('[data-test="link-name-zh"]').fill('测试本地服务（已改名）')
  await edit.locator('[data-test="link-save"]').click()
  await expect(row).toContainText('测试本地服务（已改名）')

  // Broken entries are flagged, and the filter finds them.
  await page.locator('[data-test="links-broken"]').check()
  await expect(row).toBeVisible()
  await page.locator('[data-test="links-broken"]').uncheck()
  await shotBoth(page, 'admin-links')
})

test('organisation admin manages their organisation; members are refused; phone layout', async ({ page }) => {
  await loginAs(page, PERSONAS.imuAdmin, '/admin')
  await expect(page.locator('[data-test="admin-scope"]')).toContainText(/内蒙古大学|Inner Mongolia University/)
  await page.locator('[data-tab="keys"]').click()
  // An org admin cannot pick another organisation.
  await expect(page.locator('[data-test="org-picker"]')).toHaveCount(0)
  await expect(page.locator('#keys-org')).toHaveAttribute('readonly', '')
  await page.locator('[data-tab="audit"]').click()
  await expect(page.locator('[data-test="audit-total"]')).toBeVisible()
  await page.locator('[data-tab="links"]').click()
  await expect(page.locator('[data-test="new-link"]')).toHaveCount(0)

  await page.setViewportSize({ width: 390, height: 844 })
  await page.locator('[data-tab="sources"]').click()
  await expect(page.locator('h1')).toBeVisible()
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
  expect(overflow).toBeLessThanOrEqual(1)
  await shot(page, 'admin-phone')

  await page.context().clearCookies()
  await loginAs(page, PERSONAS.researcher, '/')
  await expect(page.locator('[data-nav="admin"]')).toHaveCount(0)
  await page.goto('/admin/keys')
  await expect(page).toHaveURL(/\/forbidden/)
  await expect(page.locator('[data-state="forbidden"]')).toBeVisible()
})
