// Small shared helpers of the events pages: dates in the venue's time zone (Beijing time, so a
// participant abroad sees the times printed on the programme), an event's phase and its
// registration state, and the viewer's relation to the event.
import { i18n } from '@/plugins/i18n'
import { session } from '@/api/viewer'
import type { EventSummary, OrgRef } from './api'

/** The hub serves Chinese events; times are shown as on the programme. */
export const EVENT_TZ = 'Asia/Shanghai'

function loc(): string {
  return i18n.global.locale.value === 'en' ? 'en-GB' : 'zh-CN'
}

/** 2026年12月3日 周四 / Thu 3 Dec 2026 */
export function fmtDate(iso: string | null | undefined): string {
  if (!iso) return ''
  return new Intl.DateTimeFormat(loc(), { timeZone: EVENT_TZ, year: 'numeric', month: 'short', day: 'numeric', weekday: 'short' }).format(new Date(iso))
}

/** 09:30 */
export function fmtTime(iso: string | null | undefined): string {
  if (!iso) return ''
  return new Intl.DateTimeFormat(loc(), { timeZone: EVENT_TZ, hour: '2-digit', minute: '2-digit', hour12: false }).format(new Date(iso))
}

/** Date and time together. */
export function fmtDateTime(iso: string | null | undefined): string {
  if (!iso) return ''
  return `${fmtDate(iso)} ${fmtTime(iso)}`
}

/** "09:30–12:00", with the date when `withDate`. */
export function fmtRange(start: string, end: string, withDate = false): string {
  const range = `${fmtTime(start)}–${fmtTime(end)}`
  return withDate ? `${fmtDate(start)} ${range}` : range
}

/** Day key in Beijing time, to group agenda lines and sessions by day. */
export function dayKey(iso: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: EVENT_TZ, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(iso))
}

export type Phase = 'upcoming' | 'ongoing' | 'past' | 'unscheduled'

/** Where the event stands in time, from its sessions. */
export function phaseOf(e: Pick<EventSummary, 'sessions'>, now = Date.now()): Phase {
  if (!e.sessions.length) return 'unscheduled'
  const start = Math.min(...e.sessions.map((s) => Date.parse(s.startsAt)))
  const end = Math.max(...e.sessions.map((s) => Date.parse(s.endsAt)))
  if (now > end) return 'past'
  if (now >= start) return 'ongoing'
  return 'upcoming'
}

export type RegState = 'open' | 'notYet' | 'closed' | 'full'

/** Whether registration is open now (window, event over, cap reached). */
export function registrationState(e: EventSummary, now = Date.now()): RegState {
  if (phaseOf(e, now) === 'past') return 'closed'
  if (e.registrationOpensAt && now < Date.parse(e.registrationOpensAt)) return 'notYet'
  if (e.registrationClosesAt && now > Date.parse(e.registrationClosesAt)) return 'closed'
  if (e.maxParticipants != null && e.stats.participants >= e.maxParticipants) return 'full'
  return 'open'
}

/** First and last day of the event, for a compact line on the list. */
export function eventDates(e: Pick<EventSummary, 'sessions'>): string {
  if (!e.sessions.length) return ''
  const starts = e.sessions.map((s) => s.startsAt).sort()
  const ends = e.sessions.map((s) => s.endsAt).sort()
  const first = starts[0]
  const last = ends[ends.length - 1]
  if (dayKey(first) === dayKey(last)) return fmtRange(first, last, true)
  return `${fmtDateTime(first)} – ${fmtDateTime(last)}`
}

/** True when the signed-in person runs this event (its organiser's ORGANISER, or a platform admin). */
export function isOrganiserOf(org: OrgRef): boolean {
  const v = session.viewer
  if (!v) return false
  return v.role === 'PLATFORM_ADMIN' || (v.role === 'ORGANISER' && v.organisation.id === org.id)
}

/** True when the signed-in person may register and meet for their organisation. */
export function canTakePart(): boolean {
  const r = session.viewer?.role
  return r === 'MEMBER' || r === 'ORG_ADMIN' || r === 'PLATFORM_ADMIN'
}

/**
 * A suggestion reason in the current language. The server writes "中文 (English)", e.g.
 * "IPC 小类相同 A23C (shared IPC subclass)"; in English we show "shared IPC subclass: A23C"
 * (the code or keyword list is the last token of the Chinese part).
 */
export function reasonText(s: string): string {
  if (i18n.global.locale.value !== 'en') return s.replace(/\s*\([^()]*\)\s*$/, '')
  const m = s.match(/^(.*?)\s*\(([^()]*)\)\s*$/)
  if (!m) return s
  const zh = m[1]
  const detail = zh.split(/[\s：:]+/).filter(Boolean).pop() ?? ''
  return /[\u4e00-\u9fff]/.test(detail) && !zh.includes('：') ? m[2] : `${m[2]}: ${detail}`
}
