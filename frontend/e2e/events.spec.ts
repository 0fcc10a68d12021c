// Journey: a firm and a university meet at a matchmaking event. Set-up (as the platform admin
// through GraphQL, like the organiser would in the console): a fresh event of the Hohhot
// technology market with open registration, and Inner Mongolia University registered with an
// achievement. Then in the browser: the firm's member browses the events, opens the event,
// fails to register without choosing how it takes part, registers with a need, sees the
// directory and the suggestion (with reasons), requests a meeting; the IMU researcher (second
// browser context) accepts it; the organiser schedules; the firm's agenda shows time, table and
// counterpart (live, without reload) and its .ics download parses. Screenshots zh-CN + en of the
// list, the event page and the agenda; a phone-sized check of the event page. A second test:
// the researcher declines a request, and an event whose registration closed shows no form.
import { readFileSync } from 'node:fs'
import { test, expect, gql, loginAs, PERSONAS, shot, shotBoth, beijingDay } from './support/fixtures'


interface Rec { id: string; title: string }

test('firm registers, requests a meeting, researcher accepts, agenda and .ics show it', async ({ page, browser }) => {
  test.setTimeout(120_000)
  const stamp = Date.now()
  const title = `乳业科技成果对接会 ${stamp}`

  // --- set-up through GraphQL (the organiser's side is another area) ---
  const recs = await gql<{ imu: { achievements: { nodes: Rec[] } }; cyx: { needs: { nodes: Rec[] } } }>(`{
    imu: organisation(key: "imu") { achievements(first: 100, filter: { status: PUBLISHED }) { nodes { id title } } }
    cyx: organisation(key: "cyx-dairy") { needs(first: 100, filter: { status: OPEN }) { nodes { id title } } }
  }`)
  const offer = recs.imu.achievements.nodes.find((a) => a.title.includes('植物乳杆菌'))!
  const need = recs.cyx.needs.nodes.find((n) => n.title.includes('低乳糖高蛋白发酵乳'))!
  expect(offer, 'demo achievement of IMU').toBeTruthy()
  expect(need, 'demo need of cyx-dairy').toBeTruthy()

  const day = beijingDay(3)
  const created = await gql<{ createEvent: { event: { id: string } } }>(
    `mutation ($input: CreateEventInput!) { createEvent(input: $input) { event { id } } }`,
    {
      input: {
        organisation: 'hhht-tm',
        title,
        description: '面向乳制品与生物发酵领域的一对一技术对接洽谈。',
        location: '内蒙古国际会展中心 A 厅',
        meetingMinutes: 20,
        tables: 6,
        registrationOpensAt: new Date(Date.now() - 3_600_000).toISOString(),
        registrationClosesAt: new Date(Date.now() + 2 * 86_400_000).toISOString(),
        sessions: [
          {
            name: '上午场',
            startsAt: `${day}T09:00:00+08:00`,
            endsAt: `${day}T11:00:00+08:00`,
            breaks: [{ startsAt: `${day}T10:00:00+08:00`, endsAt: `${day}T10:20:00+08:00` }],
          },
          { name: '下午场', startsAt: `${day}T14:00:00+08:00`, endsAt: `${day}T16:00:00+08:00`, meetingCap: 4 },
        ],
      },
    },
  )
  const eventId = created.createEvent.event.id
  const register = `mutation ($e: ID!, $i: RegisterForEventInput!) { registerForEvent(eventId: $e, input: $i) { participant { id } } }`
  await gql(register, { e: eventId, i: { organisation: 'imu', contactName: '王芳', offers: [offer.id], host: true } })
  await gql(register, { e: eventId, i: { organisation: 'naas', contactName: '李明' } })

  // --- an unknown event id is a clear "not found" ---
  await page.goto(`/events/${Buffer.from('Event:999999').toString('base64url')}`)
  await expect(page.locator('[data-state="error"]')).toContainText('未找到')

  // --- anonymous visitors see the event but are asked to log in to register ---
  await page.goto(`/events/${encodeURIComponent(eventId)}`)
  await expect(page.locator('[data-test="event-title"]')).toHaveText(title)
  await expect(page.locator('[data-test="login-to-register"]')).toBeVisible()

  // --- the firm's member browses the events ---
  await loginAs(page, PERSONAS.firm, '/events')
  const card = page.locator('[data-test="event-card"]', { hasText: title })
  await expect(card).toBeVisible()
  await expect(card.locator('[data-test="reg-state"]')).toHaveText('报名中')
  await expect(card).toContainText('内蒙古国际会展中心 A 厅')
  await expect(card).toContainText('2 个场次')
  await shotBoth(page, 'events-list')
  await page.locator('[data-test="show-past"]').click()
  await expect(page).toHaveURL(/show=past/)
  await expect(page.locator('[data-test="event-card"]', { hasText: title })).toHaveCount(0)
  await page.locator('[data-test="show-upcoming"]').click()
  await card.locator('[data-test="event-link"]').click()

  // --- event details ---
  await expect(page.locator('[data-test="event-title"]')).toHaveText(title)
  await expect(page.locator('[data-test="session"]')).toHaveCount(2)
  await expect(page.locator('[data-test="break"]')).toContainText('10:00–10:20')
  await expect(page.locator('[data-test="meeting-minutes"]')).toContainText('20')
  await expect(page.locator('[data-test="organiser-link"]')).toHaveCount(0)

  // --- bad input: registering without choosing how to take part ---
  const form = page.locator('[data-test="register-form"]')
  await form.locator('[data-test="seek"]').first().waitFor()
  await form.locator('[data-test="register-submit"]').click()
  await expect(form.locator('[data-test="err-role"]')).toHaveText('请选择参会身份。')
  await expect(page.locator('#reg-role-host')).toBeFocused()
  // …and unticking every session is refused before sending too.
  for (const box of await form.locator('[data-test="availability"]').all()) await box.uncheck()
  await form.locator('[data-test="role-visitor"]').check()
  await form.locator('[data-test="register-submit"]').click()
  await expect(form.locator('[data-test="err-availability"]')).toBeVisible()
  const before = await gql<{ event: { stats: { participants: number } } }>(`query ($id: ID!) { event(id: $id) { stats { participants } } }`, { id: eventId })
  expect(before.event.stats.participants).toBe(2)

  // --- register with a need, keyboard for the form controls ---
  for (const box of await form.locator('[data-test="availability"]').all()) await box.check()
  await form.locator(`label:has-text("${need.title}")`).click()
  await form.locator('[data-test="contact"]').fill('王建军')
  await form.locator('[data-test="contact"]').press('Enter')
  await expect(page.locator('[data-test="registered"]')).toBeVisible()
  await expect(page.locator('[data-test="notice"]')).toContainText('报名成功')
  await page.reload()
  await expect(page.locator('[data-test="registered"]')).toBeVisible()
  await expect(page.locator('[data-test="my-seeks"]')).toContainText(need.title)
  await expect(page.locator('[data-test="my-role"]')).toHaveText('洽谈方')

  // --- empty states: no requests yet ---
  await expect(page.locator('[data-test="requests-incoming"] [data-test="requests-empty"]')).toBeVisible()
  await expect(page.locator('[data-test="requests-outgoing"] [data-test="requests-empty"]')).toBeVisible()

  // --- directory and suggestion with reasons ---
  const imuEntry = page.locator('[data-test="participant"][data-org="imu"]')
  await expect(imuEntry.locator('[data-test="offers"]')).toContainText(offer.title)
  await expect(page.locator('[data-test="participant"][data-org="cyx-dairy"] [data-test="me"]')).toBeVisible()
  await expect(page.locator('[data-test="participant"][data-org="cyx-dairy"] [data-test="request-meeting"]')).toHaveCount(0)
  const suggestion = page.locator('[data-test="suggestion"][data-org="imu"]')
  await expect(suggestion).toContainText(offer.title)
  await expect(suggestion).toContainText(need.title)
  await expect(suggestion.locator('[data-test="reasons"] li').first()).toBeVisible()
  await shotBoth(page, 'events-detail')

  // --- request a meeting from the suggestion; a too-long message is refused first ---
  await suggestion.locator('[data-test="request-meeting"]').click()
  const msg = suggestion.locator('[data-test="request-message"]')
  await expect(msg).toBeFocused()
  await msg.fill('长'.repeat(501))
  await suggestion.locator('[data-test="request-send"]').click()
  await expect(suggestion.locator('[data-test="request-error"]')).toContainText('500')
  await msg.fill('希望了解植物乳杆菌在低乳糖发酵乳中的中试数据。')
  await suggestion.locator('[data-test="request-send"]').click()
  await expect(page.locator('[data-test="notice"]')).toContainText('已向 内蒙古大学 发送洽谈请求')
  const outgoing = page.locator('[data-test="requests-outgoing"] [data-test="request"]', { hasText: '内蒙古大学' })
  await expect(outgoing).toHaveCount(1)
  await expect(outgoing.locator('[data-test="status"]')).toHaveText('待答复')
  await expect(imuEntry.locator('[data-test="pair-status"]')).toContainText('待答复')

  // A second request, from the directory, then withdrawn (cancel own request).
  const naasEntry = page.locator('[data-test="participant"][data-org="naas"]')
  await naasEntry.locator('[data-test="request-meeting"]').click()
  await naasEntry.locator('[data-test="request-priority"]').selectOption('2')
  await naasEntry.locator('[data-test="request-send"]').click()
  const toNaas = page.locator('[data-test="requests-outgoing"] [data-test="request"]', { hasText: '农牧业科学院' })
  await expect(toNaas.locator('[data-test="status"]')).toHaveText('待答复')
  await toNaas.locator('[data-test="cancel"]').click()
  await expect(toNaas.locator('[data-test="status"]')).toHaveText('已取消')
  await expect(page.locator('[data-test="notice"]')).toContainText('已取消')
  await expect(naasEntry.locator('[data-test="pair-status"]')).toContainText('已取消')

  // --- the researcher of IMU (second browser) sees the request and accepts it ---
  const ctx2 = await browser.newContext()
  const page2 = await ctx2.newPage()
  await loginAs(page2, PERSONAS.researcher, `/events/${encodeURIComponent(eventId)}`)
  const incoming = page2.locator('[data-test="requests-incoming"] [data-test="request"]')
  await expect(incoming).toHaveCount(1)
  await expect(incoming.locator('[data-test="counterpart"]')).toHaveText('内蒙古草原鲜乳业有限公司')
  await expect(incoming.locator('[data-test="message"]')).toContainText('中试数据')
  await incoming.locator('[data-test="accept"]').click()
  await expect(incoming.locator('[data-test="status"]')).toHaveText('已接受')
  await page2.reload()
  await expect(page2.locator('[data-test="requests-incoming"] [data-test="request"] [data-test="status"]')).toHaveText('已接受')
  await ctx2.close()

  // The event's organiser gets the console link (and is not offered registration).
  const ctx3 = await browser.newContext()
  const page3 = await ctx3.newPage()
  await loginAs(page3, PERSONAS.organiser, `/events/${encodeURIComponent(eventId)}`)
  await expect(page3.locator('[data-test="organiser-link"]')).toHaveAttribute('href', `/organiser/events/${encodeURIComponent(eventId)}`)
  await expect(page3.locator('[data-test="role-cannot"]')).toBeVisible()
  await ctx3.close()

  // The firm's page follows live (eventUpdates subscription), without a reload.
  await expect(outgoing.locator('[data-test="status"]')).toHaveText('已接受')

  // --- agenda before and after the organiser schedules ---
  await page.locator('[data-test="agenda-link"]').click()
  await expect(page).toHaveURL(/\/agenda$/)
  await expect(page.locator('[data-test="waiting"]')).toContainText('1')
  await expect(page.locator('.state-empty')).toBeVisible()
  const sched = await gql<{ scheduleEvent: { placed: number } }>(
    `mutation ($e: ID!) { scheduleEvent(eventId: $e) { placed } }`,
    { e: eventId },
  )
  expect(sched.scheduleEvent.placed).toBe(1)
  // Live again: the new schedule arrives without a reload.
  const row = page.locator('[data-test="agenda-row"]')
  await expect(row).toHaveCount(1)
  await expect(page.locator('[data-test="agenda-notice"]')).toContainText('日程已自动刷新')
  await expect(row.locator('[data-test="agenda-counterpart"]')).toContainText('内蒙古大学')
  await expect(row.locator('[data-test="agenda-time"]')).toHaveText(/^\d{2}:\d{2}–\d{2}:\d{2}$/)
  await expect(row.locator('[data-test="agenda-table-no"]')).toHaveText(/^\d+ 号桌$/)
  await page.reload()
  await expect(page.locator('[data-test="agenda-row"]')).toHaveCount(1)
  await shotBoth(page, 'events-agenda')

  // --- .ics download (same origin, the session cookie authenticates) ---
  const [download] = await Promise.all([page.waitForEvent('download'), page.locator('[data-test="ics-link"]').click()])
  const ics = readFileSync((await download.path())!, 'utf8')
  expect(ics).toContain('BEGIN:VCALENDAR')
  expect(ics).toContain('BEGIN:VEVENT')
  expect(ics).toContain('内蒙古大学')
  expect(ics).toMatch(/DTSTART[^:\r\n]*:\d{8}T\d{6}Z?/)

  // --- phone-sized screen: the event page fits without sideways scrolling ---
  await page.setViewportSize({ width: 390, height: 844 })
  await page.goto(`/events/${encodeURIComponent(eventId)}`)
  await expect(page.locator('[data-test="registered"]')).toBeVisible()
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)
  expect(overflow).toBeLessThanOrEqual(1)
  await shot(page, 'events-detail-phone')
  await page.locator('[data-test="agenda-link"]').click()
  await expect(page.locator('[data-test="agenda-row"]')).toHaveCount(1)
  expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBeLessThanOrEqual(1)
  await shot(page, 'events-agenda-phone')
})

test('researcher declines a request; a closed registration shows no form', async ({ page }) => {
  const stamp = Date.now()
  const day = beijingDay(5)
  const create = `mutation ($input: CreateEventInput!) { createEvent(input: $input) { event { id } } }`
  const base = {
    organisation: 'hhht-tm',
    tables: 4,
    sessions: [{ startsAt: `${day}T09:00:00+08:00`, endsAt: `${day}T12:00:00+08:00` }],
  }
  const open = await gql<{ createEvent: { event: { id: string } } }>(create, { input: { ...base, title: `生物医药对接会 ${stamp}` } })
  const closed = await gql<{ createEvent: { event: { id: string } } }>(create, {
    input: {
      ...base,
      title: `新材料对接会（已截止）${stamp}`,
      registrationOpensAt: new Date(Date.now() - 7_200_000).toISOString(),
      registrationClosesAt: new Date(Date.now() - 3_600_000).toISOString(),
    },
  })
  const eventId = open.createEvent.event.id
  const register = `mutation ($e: ID!, $i: RegisterForEventInput!) { registerForEvent(eventId: $e, input: $i) { participant { id } } }`
  const imu = await gql<{ registerForEvent: { participant: { id: string } } }>(register, { e: eventId, i: { organisation: 'imu' } })
  const firm = await gql<{ registerForEvent: { participant: { id: string } } }>(register, { e: eventId, i: { organisation: 'mk-pharma', contactName: '赵静' } })
  // The organiser (admin here) files a request on the firm's behalf.
  await gql(`mutation ($i: RequestMeetingInput!) { requestMeeting(input: $i) { meeting { id } } }`, {
    i: { eventId, from: firm.registerForEvent.participant.id, to: imu.registerForEvent.participant.id, message: '想了解重组胶原蛋白表达工艺。' },
  })

  await loginAs(page, PERSONAS.researcher, `/events/${encodeURIComponent(eventId)}`)
  const incoming = page.locator('[data-test="requests-incoming"] [data-test="request"]')
  await expect(incoming).toHaveCount(1)
  await expect(incoming.locator('[data-test="counterpart"]')).toHaveText('内蒙古蒙康药业有限公司')
  await incoming.locator('[data-test="decline"]').click()
  await expect(incoming.locator('[data-test="status"]')).toHaveText('已婉拒')
  await expect(incoming.locator('[data-test="accept"]')).toHaveCount(0)
  const after = await gql<{ event: { meetings: { nodes: { status: string }[] } } }>(
    `query ($id: ID!) { event(id: $id) { meetings(first: 10) { nodes { status } } } }`,
    { id: eventId },
  )
  expect(after.event.meetings.nodes.map((m) => m.status)).toEqual(['DECLINED'])
  // Outgoing is empty for IMU: the empty state says so.
  await expect(page.locator('[data-test="requests-outgoing"] [data-test="requests-empty"]')).toBeVisible()

  // A closed registration: the state is shown and there is no form.
  await page.goto(`/events/${encodeURIComponent(closed.createEvent.event.id)}`)
  await expect(page.locator('[data-test="reg-state"]')).toHaveText('报名已截止')
  await expect(page.locator('[data-test="reg-closed"]')).toBeVisible()
  await expect(page.locator('[data-test="register-form"]')).toHaveCount(0)
  await expect(page.locator('[data-test="request-blocked"]')).toContainText('报名后')
})
