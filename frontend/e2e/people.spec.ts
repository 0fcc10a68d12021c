// Journey: people. A researcher fills in their profile (职称, IPC fields — a wrong symbol is
// refused as typed —, keywords, languages, who sees it) and the public sees what they chose and
// not the e-mail. In a fresh organisation an admin manages members: invites a colleague (who
// joins by logging in), makes them admin and back, hands the admin role over (becoming a
// member), and the new admin removes a third colleague, who is then offered to join again.
import type { Browser, Page } from '@playwright/test'
import { test, expect, loginAs, PERSONAS, gql, shotBoth, freshCreditCode } from './support/fixtures'

async function newPage(browser: Browser): Promise<Page> {
  const ctx = await browser.newContext({ baseURL: process.env.HUB_URL, locale: 'zh-CN' })
  return ctx.newPage()
}

test('a researcher keeps a profile and the public sees what they chose', async ({ page, browser }) => {
  const stamp = Date.now()
  await loginAs(page, PERSONAS.researcher, '/')
  await page.locator('[data-test="my-profile"]').click()
  await expect(page).toHaveURL(/\/me$/)
  await expect(page.locator('[data-test="profile-form"]')).toBeVisible()
  // The form holds the stored profile before anything is typed.
  await expect(page.locator('[data-test="prof-name"]')).not.toHaveValue('')

  await page.locator('[data-test="prof-title"]').fill('教授')
  await page.locator('[data-test="prof-ipc"]').fill('G06F 16/33；G0X')
  await page.locator('[data-test="prof-save"]').click()
  await expect(page.locator('[data-test="prof-ipc-error"]')).toContainText('G0X')
  await page.locator('[data-test="prof-ipc"]').fill('A23C 9/12；C12N')
  await page.locator('[data-test="prof-industry"]').fill('C14')
  await page.locator('[data-test="prof-keywords"]').fill(`乳酸菌发酵；益生菌；${stamp}`)
  await page.locator('[data-test="prof-lang-zh"]').check()
  await page.locator('[data-test="prof-lang-mn"]').check()
  await page.locator('[data-test="prof-bio"]').fill('长期从事乳品微生物与发酵工程研究。')
  await page.locator('[data-test="prof-vis-PUBLIC"]').check()
  await page.locator('[data-test="prof-show-email"]').uncheck()
  await page.locator('[data-test="prof-save"]').click()
  await expect(page.locator('[data-test="prof-notice"]')).toBeVisible()
  await expect(page.locator('[data-test="person-card"] [data-test="person-title"]')).toHaveText('教授')
  await shotBoth(page, 'profile-edit')
  const href = await page.locator('[data-test="prof-public-link"]').getAttribute('href')
  expect(href).toMatch(/^\/people\//)

  // The public page: everything chosen, the e-mail hidden.
  const anon = await newPage(browser)
  await anon.goto(href!)
  await expect(anon.locator('[data-test="person-title"]')).toHaveText('教授')
  await expect(anon.locator('[data-test="person-keyword"]').filter({ hasText: String(stamp) })).toHaveCount(1)
  await expect(anon.locator('[data-test="person-ipc"]')).toHaveText(['A23C 9/12', 'C12N'])
  await expect(anon.locator('[data-test="person-email"]')).toHaveCount(0)
  await anon.context().close()

  // Hidden: the public no longer finds the person.
  await page.locator('[data-test="prof-vis-HIDDEN"]').check()
  await page.locator('[data-test="prof-save"]').click()
  await expect(page.locator('[data-test="prof-notice"]')).toBeVisible()
  const anon2 = await newPage(browser)
  await anon2.goto(href!)
  await expect(anon2.locator('[data-state="empty"]')).toBeVisible()
  await anon2.context().close()
  // Back to the default for the other journeys.
  await page.locator('[data-test="prof-vis-BASIC"]').check()
  await page.locator('[data-test="prof-save"]').click()
  await expect(page.locator('[data-test="prof-notice"]')).toBeVisible()
})

test('an org admin changes roles, hands the admin role over, and a member is removed', async ({ page, browser }) => {
  const stamp = Date.now()
  const domain = `grass${stamp}.cn`
  const boss = `boss@${domain}`
  const colleague = `li@${domain}`
  const third = `zhao@${domain}`
  // A verified firm created by the platform admin, with its first admin invited.
  const r = await gql<{ createOrganisation: { organisation: { key: string } } }>(
    `mutation($input: CreateOrganisationInput!) { createOrganisation(input: $input) { organisation { key } } }`,
    {
      input: {
        kind: 'FIRM',
        nameZh: `锡林郭勒草原生物科技有限公司${stamp}`,
        nameEn: `Xilingol Grassland Biotech ${stamp}`,
        creditCode: freshCreditCode(),
        adminEmail: boss,
      },
    },
  )
  const key = r.createOrganisation.organisation.key
  for (const email of [colleague, third]) {
    await gql(`mutation($input: InviteMemberInput!) { inviteMember(input: $input) { invitation { id } } }`, {
      input: { organisation: key, email, role: 'MEMBER' },
    })
  }
  // The colleagues join by logging in once.
  for (const email of [colleague, third]) {
    const p = await newPage(browser)
    await loginAs(p, email, '/')
    await expect(p.locator('[data-test="who"]')).toContainText('成员')
    await p.context().close()
  }

  await loginAs(page, boss, '/my-org')
  const row = (email: string) => page.locator(`[data-test="member-row"][data-email="${email}"]`)
  await expect(row(colleague)).toBeVisible()
  await row(colleague).locator('[data-test="member-role"]').selectOption('ORG_ADMIN')
  await expect(page.locator('[data-test="invite-notice"]')).toContainText('机构管理员')
  await row(colleague).locator('[data-test="member-role"]').selectOption('MEMBER')
  await expect(page.locator('[data-test="invite-notice"]')).toContainText('成员')
  await shotBoth(page, 'members-manage')

  // Handing the admin role over: the colleague becomes admin, the caller a member.
  await row(colleague).locator('[data-test="member-handover"]').click()
  await row(colleague).locator('[data-test="member-confirm"]').click()
  await expect(page.locator('[data-test="who"]')).toContainText('成员')
  await expect(page.locator('[data-test="invite-members"]')).toHaveCount(0)

  // The new admin removes the third colleague, who is then in no organisation.
  const admin2 = await newPage(browser)
  await loginAs(admin2, colleague, '/my-org')
  const thirdRow = admin2.locator(`[data-test="member-row"][data-email="${third}"]`)
  await thirdRow.locator('[data-test="member-remove"]').click()
  await thirdRow.locator('[data-test="member-confirm"]').click()
  await expect(thirdRow).toHaveCount(0)
  await admin2.context().close()
  const removed = await newPage(browser)
  await loginAs(removed, third, '/')
  await expect(removed.locator('[data-test="join-banner"]')).toHaveAttribute('data-state', 'none')
  await removed.context().close()

  // The former admin, now a member, leaves too.
  await page.locator('[data-test="leave-open"]').click()
  await page.getByRole('dialog', { name: '退出本单位' }).locator('[data-test="confirm-ok"]').click()
  await expect(page).toHaveURL(/\/join$/)
})
