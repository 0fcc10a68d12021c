// The organiser's journey: create a matchmaking event through the form (a bad field first),
// see organisations registered through the API, check one in, run the scheduler, read the
// slot × table grid (also on a phone), record a meeting outcome — each persisted across a reload
// and checked through GraphQL — and a researcher is refused the console.
import { execFileSync } from 'node:child_process'
import { test, expect, loginAs, gql, shot, shotBoth, PERSONAS } from './support/fixtures'
import { hubBinary } from './support/global-setup'
import type { Page } from '@playwright/test'

/** A bearer token for another organisation, made with the hub CLI like global-setup does. */
function tokenFor(org: string, role = 'member'): string {
  const out = execFileSync(hubBinary(), ['--config', process.env.HUB_CONFIG!, 'token', 'create', '--org', org, '--role', role, '--name', `e2e-organiser-${org}-${Date.now()}`], {
    encoding: 'utf8',
  })
  return out.trim().split(/\s+/).pop()!
}

/** Tomorrow at hh:mm as a datetime-local value (browser and test share the machine's zone). */
function tomorrow(hh: number, mm = 0): string {
  const d = new Date()
  d.setDate(d.getDate() + 1)
  const p = (n: number) => String(n).padStart(2, '0')
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(hh)}:${p(mm)}`
}

async function openTab(page: Page, tab: string) {
  await page.locator(`[data-test="tab-${tab}"]`).click()
  await expect(page.locator(`[data-test="tab-${tab}"]`)).toHaveAttribute('aria-selected', 'true')
  await expect(page.locator(`[data-test="panel-${tab}"]`)).toBeVisible()
}

const ORGS = ['imu', 'cyx-dairy', 'bsr-cashmere', 'naas', 'imau'] as const

// The events take place in Hohhot: show them as a browser there would.
test.use({ timezoneId: 'Asia/Shanghai' })

test('organiser creates an event, checks in, schedules and records outcomes', async ({ page }) => {
  test.setTimeout(90_000)
  const stamp = Date.now()
  const title = `E2E 乳业技术撮合会 ${stamp}`
  await loginAs(page, PERSONAS.organiser, '/organiser')
  await expect(page.locator('[data-nav="organiser"]')).toBeVisible()
  await expect(page.locator('h1')).toHaveText(/撮合对接活动管理/)

  // Create: first with a missing title and a session ending before it starts → clear errors.
  await page.locator('[data-test="new-event"]').click()
  const form = page.locator('[data-test="event-form"]')
  await form.locator('[data-test="f-title"]').fill('')
  await form.locator('[data-test="f-s0-start"]').fill(tomorrow(9))
  await form.locator('[data-test="f-s0-end"]').fill(tomorrow(8))
  await form.locator('[data-test="f-submit"]').click()
  await expect(form.locator('[data-test="form-errors"]')).toBeVisible()
  await expect(form.locator('[data-test="err-title"]')).toHaveText('请填写活动名称')
  await expect(form.locator('[data-test="err-s0-end"]')).toHaveText('结束时间须晚于开始时间')
  await expect(form.locator('[data-test="f-title"]')).toBeFocused()
  await shot(page, 'organiser-create-errors')

  // Fix it: 09:00–10:20 with a break 09:40–10:00 and 20-minute meetings → 3 slots; 2 tables.
  await form.locator('[data-test="f-title"]').fill(title)
  await form.locator('[data-test="f-location"]').fill('呼和浩特市科技大市场 3 楼')
  await form.locator('[data-test="f-s0-end"]').fill(tomorrow(10, 20))
  await form.locator('[data-test="add-break-0"]').click()
  await form.locator('[data-test="f-s0-b0-start"]').fill('09:40')
  await form.locator('[data-test="f-s0-b0-end"]').fill('10:00')
  await form.locator('[data-test="f-minutes"]').fill('20')
  await form.locator('[data-test="f-tables"]').fill('2')
  await form.locator('[data-test="f-expiry"]').fill('48')
  await form.locator('[data-test="f-submit"]').click()
  await page.waitForURL(/\/organiser\/events\/[^/?]+/)
  await expect(page.locator('[data-test="event-title"]')).toHaveText(title)
  const eventId = decodeURIComponent(new URL(page.url()).pathname.split('/').pop()!)
  const created = await gql<{ event: { title: string; tables: number; slots: unknown[]; requestExpiryHours: number } }>(
    `query($id: ID!) { event(id: $id) { title tables requestExpiryHours slots { index } } }`,
    { id: eventId },
  )
  expect(created.event).toMatchObject({ title, tables: 2, requestExpiryHours: 48 })
  expect(created.event.slots).toHaveLength(3)

  // Participants tab before anyone registers: the empty state.
  await openTab(page, 'participants')
  await expect(page.locator('[data-test="panel-participants"] [data-state="empty"]')).toBeVisible()

  // Set-up through the API: four organisations register; meetings are requested and accepted
  // (cyx-dairy answers its own invitations with its own member token).
  const records = await gql<{ imu: { achievements: { nodes: { id: string }[] } }; dairy: { needs: { nodes: { id: string }[] } } }>(
    `{ imu: organisation(key: "imu") { achievements(first: 2) { nodes { id } } }
       dairy: organisation(key: "cyx-dairy") { needs(first: 1) { nodes { id } } } }`,
  )
  const extra: Record<string, Record<string, string[]>> = {
    imu: { offers: records.imu.achievements.nodes.map((n) => n.id) },
    'cyx-dairy': { seeks: records.dairy.needs.nodes.map((n) => n.id) },
  }
  const pid: Record<string, string> = {}
  for (const org of ORGS) {
    const r = await gql<{ registerForEvent: { participant: { id: string } } }>(
      `mutation($e: ID!, $i: RegisterForEventInput!) { registerForEvent(eventId: $e, input: $i) { participant { id } } }`,
      { e: eventId, i: { organisation: org, contactName: `联系人 ${org}`, ...extra[org] } },
    )
    pid[org] = r.registerForEvent.participant.id
  }
  const request = async (from: string, to: string, priority: number) =>
    (
      await gql<{ requestMeeting: { meeting: { id: string } } }>(
        `mutation($i: RequestMeetingInput!) { requestMeeting(input: $i) { meeting { id } } }`,
        { i: { eventId, from: pid[from], to: pid[to], priority, message: `${from} → ${to}` } },
      )
    ).requestMeeting.meeting.id
  const respond = (id: string, token?: string) =>
    gql(`mutation($id: ID!) { respondToMeeting(id: $id, response: ACCEPT) { meeting { status } } }`, { id }, token)
  const dairy = tokenFor('cyx-dairy')
  const m1 = await request('imu', 'cyx-dairy', 5)
  const m2 = await request('naas', 'cyx-dairy', 4)
  const m3 = await request('imu', 'bsr-cashmere', 3)
  const m4 = await request('naas', 'imu', 2)
  const m5 = await request('imau', 'imu', 1) // imu already meets someone in every slot
  await request('bsr-cashmere', 'naas', 1) // left unanswered
  await respond(m1, dairy)
  await respond(m2, dairy)
  await respond(m3)
  await respond(m4)
  await respond(m5)

  // The console hears about the registrations live and refreshes on request.
  await expect(page.locator('[data-test="live"]')).toContainText('新报名 × 5')
  await page.locator('[data-test="live-refresh"]').click()
  await expect(page.locator('[data-test="live-refresh"]')).toHaveCount(0)

  // Participants appear; check one in; it stays checked in after a reload.
  await page.locator('[data-test="p-reload"]').click()
  const rows = page.locator('[data-test="participants"] tbody tr')
  await expect(rows).toHaveCount(5)
  await expect(page.locator('[data-test="participant-cyx-dairy"]')).toContainText('企业')
  await page.locator('[data-test="checkin-imu"] [data-test="check-in"]').click()
  await expect(page.locator('[data-test="checkin-imu"] [data-test="checked-in"]')).toBeVisible()
  await page.reload()
  await expect(page.locator('[data-test="tab-participants"]')).toHaveAttribute('aria-selected', 'true')
  await expect(page.locator('[data-test="checkin-imu"] [data-test="checked-in"]')).toBeVisible()
  await expect(page.locator('[data-test="checkin-naas"] [data-test="check-in"]')).toBeVisible()
  await expect(page.locator('[data-test="p-counts"]')).toContainText('已签到 1 家')
  await shotBoth(page, 'organiser-participants')

  // Keyboard: the tablist moves with the arrow keys.
  await page.locator('[data-test="tab-participants"]').focus()
  await page.keyboard.press('ArrowRight')
  await expect(page.locator('[data-test="tab-meetings"]')).toBeFocused()
  await expect(page.locator('[data-test="tab-meetings"]')).toHaveAttribute('aria-selected', 'true')

  // Meeting requests with the status filter; a status with none shows the empty state.
  await expect(page.locator('[data-test="meeting-row"]')).toHaveCount(6)
  await page.locator('[data-test="m-status"]').selectOption('ACCEPTED')
  await expect(page.locator('[data-test="meeting-row"]')).toHaveCount(5)
  await page.locator('[data-test="m-status"]').selectOption('REQUESTED')
  await expect(page.locator('[data-test="meeting-row"]')).toHaveCount(1)
  await page.locator('[data-test="m-status"]').selectOption('EXPIRED')
  await expect(page.locator('[data-test="panel-meetings"] [data-state="empty"]')).toBeVisible()
  await page.locator('[data-test="m-status"]').selectOption('')
  await expect(page.locator('[data-test="meeting-row"]')).toHaveCount(6)
  await shotBoth(page, 'organiser-meetings')

  // Schedule: empty grid first, then run the scheduler and read its report and the grid.
  await openTab(page, 'schedule')
  await expect(page.locator('[data-test="grid-empty"]')).toBeVisible()
  await page.locator('[data-test="run-scheduler"]').click()
  await expect(page.locator('[data-test="r-placed"]')).toHaveText('4')
  await expect(page.locator('[data-test="r-unplaced"]')).toHaveText('1')
  await expect(page.locator('[data-test="unplaced"] li')).toHaveCount(1)
  await expect(page.locator('[data-test="unplaced"]')).toContainText('一方在共同时段均已排满')
  await expect(page.locator('[data-test="unplaced"]')).toContainText('内蒙古农业大学')
  await expect(page.locator('[data-test="r-total"]')).toHaveText('14')
  await expect(page.locator('[data-test="grid"] td.full')).toHaveCount(4)
  await expect(page.locator('[data-test="grid"] td.empty')).toHaveCount(2)
  await expect(page.locator('[data-test="grid"] .break-row')).toHaveCount(1)
  await expect(page.locator('[data-test="grid"]')).toContainText('内蒙古大学')
  const placed = await gql<{ event: { scheduleVersion: number; meetings: { nodes: { id: string; slotIndex: number | null; table: number | null }[] } } }>(
    `query($id: ID!) { event(id: $id) { scheduleVersion meetings(status: ACCEPTED) { nodes { id slotIndex table } } } }`,
    { id: eventId },
  )
  expect(placed.event.scheduleVersion).toBe(1)
  expect(placed.event.meetings.nodes.filter((m) => m.slotIndex !== null && m.table !== null).map((m) => m.id).sort()).toEqual([m1, m2, m3, m4].sort())
  const first = placed.event.meetings.nodes.find((m) => m.id === m1)!
  await expect(page.locator(`[data-test="cell-${first.slotIndex}-${first.table}"]`)).toContainText('内蒙古大学')
  await shot(page, 'organiser-schedule-result')

  // Another organiser re-schedules meanwhile: the console hears of it, and a run guarded by the
  // stale version is refused with CONFLICT, in words.
  await page.reload()
  await expect(page.locator('[data-test="sched-version"]')).toContainText('第 1 版')
  await gql(`mutation($id: ID!) { scheduleEvent(eventId: $id) { placed } }`, { id: eventId })
  await expect(page.locator('[data-test="live"]')).toContainText('新日程 × 1')
  await page.locator('[data-test="run-scheduler"]').click()
  await expect(page.locator('[data-test="panel-schedule"] .form-error')).toContainText('数据冲突')
  await page.reload()
  await expect(page.locator('[data-test="sched-version"]')).toContainText('第 2 版')
  await expect(page.locator('[data-test="grid"] td.full')).toHaveCount(4)
  await shotBoth(page, 'organiser-schedule')

  // Phone: the grid scrolls sideways inside its box, the page does not.
  await page.setViewportSize({ width: 390, height: 844 })
  await page.reload()
  const wrap = page.locator('[data-test="grid-wrap"]')
  await expect(wrap).toBeVisible()
  // The grid fills in after the reload's data arrives: wait until it overflows its box.
  await expect.poll(() => wrap.evaluate((el) => el.scrollWidth > el.clientWidth)).toBe(true)
  const sizes = await wrap.evaluate((el) => ({ scroll: el.scrollWidth, client: el.clientWidth, page: document.documentElement.scrollWidth }))
  expect(sizes.scroll).toBeGreaterThan(sizes.client)
  expect(sizes.page).toBeLessThanOrEqual(390)
  await wrap.scrollIntoViewIfNeeded()
  await shot(page, 'organiser-grid-phone')
  await page.setViewportSize({ width: 1280, height: 860 })

  // Outcomes: record one, see it after a reload and in the summary.
  await openTab(page, 'outcomes')
  const row = page.locator(`[data-test="outcome-${m1}"]`)
  await row.locator('[data-test="o-save"]').click()
  await expect(row.locator('.form-error')).toHaveText('请先选择成效')
  await row.locator('[data-test="o-select"]').selectOption('INTENTION_TO_COOPERATE')
  await row.locator('[data-test="o-note"]').fill('双方约定下周赴企业实地考察。')
  await row.locator('[data-test="o-save"]').click()
  await expect(row.locator('[data-test="o-saved"]')).toBeVisible()
  await page.reload()
  await expect(row.locator('[data-test="current-outcome"]')).toHaveText('达成合作意向')
  await expect(row.locator('[data-test="o-note"]')).toHaveValue('双方约定下周赴企业实地考察。')
  await expect(page.locator('[data-test="sum-recorded"]')).toHaveText('1')
  await expect(page.locator('[data-test="sum-checked-in"]')).toHaveText('1')
  const rec = await gql<{ event: { meetings: { nodes: { id: string; outcome: string | null; outcomeNote: string | null }[] } } }>(
    `query($id: ID!) { event(id: $id) { meetings(status: ACCEPTED) { nodes { id outcome outcomeNote } } } }`,
    { id: eventId },
  )
  expect(rec.event.meetings.nodes.find((m) => m.id === m1)).toMatchObject({ outcome: 'INTENTION_TO_COOPERATE', outcomeNote: '双方约定下周赴企业实地考察。' })
  await shotBoth(page, 'organiser-outcomes')

  // Settings: close registration; the state survives a reload.
  await openTab(page, 'settings')
  await page.locator('[data-test="reg-close"]').click()
  await expect(page.locator('[data-test="reg-state"]')).toHaveText('报名已截止')
  await page.reload()
  await expect(page.locator('[data-test="reg-state"]')).toHaveText('报名已截止')
  await expect(page.locator('[data-test="slots-locked"]')).toBeVisible()
  await shotBoth(page, 'organiser-settings')

  // The list shows the new event.
  await page.locator('[data-test="back"]').click()
  await expect(page.locator('[data-test="event-item"]', { hasText: title })).toBeVisible()
  await shotBoth(page, 'organiser-home')
})

test('a researcher cannot open the organiser console', async ({ page }) => {
  await loginAs(page, PERSONAS.researcher, '/organiser')
  await expect(page).toHaveURL(/\/forbidden/)
  await expect(page.locator('[data-state="forbidden"]')).toBeVisible()
  await expect(page.locator('[data-nav="organiser"]')).toHaveCount(0)
  await shot(page, 'organiser-forbidden')
})
