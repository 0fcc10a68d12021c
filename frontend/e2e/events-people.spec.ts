// Journey: several people of one organisation at one matchmaking event. Two people of Inner
// Mongolia University register separately in the browser, each with their own caps on meetings
// (over the event and per session); a cap that is not a whole number is refused before
// sending; the directory lists both people under the university with their caps.
import { test, expect, gql, loginAs, PERSONAS, shotBoth, beijingDay } from './support/fixtures'


test('two people of one university register separately with their own meeting caps', async ({ page, browser }) => {
  const stamp = Date.now()
  const day = beijingDay(5)
  const created = await gql<{ createEvent: { event: { id: string } } }>(
    `mutation ($input: CreateEventInput!) { createEvent(input: $input) { event { id } } }`,
    {
      input: {
        organisation: 'hhht-tm',
        title: `草原生物技术成果对接会 ${stamp}`,
        description: '高校科研人员与企业一对一洽谈。',
        location: '呼和浩特市科技大厦 3 楼',
        meetingMinutes: 20,
        tables: 4,
        registrationOpensAt: new Date(Date.now() - 3_600_000).toISOString(),
        registrationClosesAt: new Date(Date.now() + 2 * 86_400_000).toISOString(),
        sessions: [
          { name: '上午场', startsAt: `${day}T09:00:00+08:00`, endsAt: `${day}T11:00:00+08:00` },
          { name: '下午场', startsAt: `${day}T14:00:00+08:00`, endsAt: `${day}T16:00:00+08:00` },
        ],
      },
    },
  )
  const eventId = created.createEvent.event.id

  // The researcher registers as herself: a cap of 2.5 is refused, 3 over the event is kept.
  await loginAs(page, PERSONAS.researcher, `/events/${eventId}`)
  const form = page.locator('[data-test="register-form"]')
  await expect(form.locator('[data-test="register-as"]')).toContainText('内蒙古大学')
  await form.locator('[data-test="role-visitor"]').check()
  await form.locator('[data-test="max-meetings"]').fill('2.5')
  await form.locator('[data-test="register-submit"]').click()
  await expect(form.locator('[data-test="err-max"]')).toBeVisible()
  await form.locator('[data-test="max-meetings"]').fill('3')
  await form.locator('[data-test="max-per-session"]').fill('2')
  await form.locator('[data-test="register-submit"]').click()
  await expect(page.locator('[data-test="registered-person"]')).toBeVisible()
  await expect(page.locator('[data-test="my-caps"]')).toContainText('3')
  await shotBoth(page, 'event-register-person')

  // Her colleague, the technology-transfer office's admin, registers separately as a host.
  const ctx = await browser.newContext({ baseURL: process.env.HUB_URL, locale: 'zh-CN' })
  const admin = await ctx.newPage()
  await loginAs(admin, PERSONAS.imuAdmin, `/events/${eventId}`)
  const form2 = admin.locator('[data-test="register-form"]')
  await expect(form2).toBeVisible()
  await form2.locator('[data-test="role-host"]').check()
  await form2.locator('[data-test="max-meetings"]').fill('6')
  await form2.locator('[data-test="register-submit"]').click()
  await expect(admin.locator('[data-test="registered-person"]')).toBeVisible()
  await ctx.close()

  // Both are participants of the university, each a person with their own caps.
  const r = await gql<{ event: { participants: { nodes: { personName: string | null; maxMeetings: number | null; maxMeetingsPerSession: number | null; organisation: { key: string } }[] } } }>(
    `query ($id: ID!) { event(id: $id) { participants(first: 50) { nodes { personName maxMeetings maxMeetingsPerSession organisation { key } } } } }`,
    { id: eventId },
  )
  const imu = r.event.participants.nodes.filter((p) => p.organisation.key === 'imu')
  expect(imu).toHaveLength(2)
  expect(imu.map((p) => p.maxMeetings).sort()).toEqual([3, 6])
  expect(imu.every((p) => p.personName)).toBe(true)
  await page.reload()
  await expect(page.locator('[data-test="participant"][data-org="imu"]')).toHaveCount(2)
  await expect(page.locator('[data-test="participant"][data-org="imu"] [data-test="participant-caps"]').first()).toBeVisible()
})
