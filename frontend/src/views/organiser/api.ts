// GraphQL operations and types of the organiser's console (撮合对接活动), typed by hand from
// schema/transferhub.graphql, plus the small helpers the console's tabs share (time formatting,
// datetime-local conversion, running an operation into refs).
import { ref, type Ref } from 'vue'
import type { CombinedError } from '@urql/vue'
import { client } from '@/api/client'

export type RequestMode = 'ACCEPT_DECLINE' | 'AUTO_ACCEPT'
export type OrganisationKind = 'UNIVERSITY' | 'INSTITUTE' | 'FIRM' | 'AGENCY' | 'ORGANISER' | 'PORTAL'
export const ORG_KINDS: OrganisationKind[] = ['UNIVERSITY', 'INSTITUTE', 'FIRM', 'AGENCY', 'ORGANISER', 'PORTAL']
export type MeetingStatus = 'REQUESTED' | 'ACCEPTED' | 'DECLINED' | 'CANCELLED' | 'EXPIRED' | 'SUGGESTED'
export const MEETING_STATUSES: MeetingStatus[] = ['REQUESTED', 'ACCEPTED', 'DECLINED', 'CANCELLED', 'EXPIRED', 'SUGGESTED']
export type MeetingOutcome = 'NO_SHOW' | 'MET' | 'FOLLOW_UP' | 'INTENTION_TO_COOPERATE' | 'CONTRACT_SIGNED'
export const MEETING_OUTCOMES: MeetingOutcome[] = ['MET', 'FOLLOW_UP', 'INTENTION_TO_COOPERATE', 'CONTRACT_SIGNED', 'NO_SHOW']
export type UnplacedReason = 'NO_COMMON_AVAILABILITY' | 'PARTICIPANT_BUSY' | 'NO_TABLE_FREE'

export interface TimeRange {
  startsAt: string
  endsAt: string
}
export interface EventSession extends TimeRange {
  id: string
  name: string | null
  meetingCap: number | null
  breaks: TimeRange[]
}
export interface EventSlot extends TimeRange {
  index: number
  sessionIndex: number
}
export interface OrgRef {
  id: string
  key: string
  nameZh: string
  nameEn: string
  kind: OrganisationKind
}
export interface EventSummary {
  id: string
  title: string
  location: string | null
  registrationOpensAt: string | null
  registrationClosesAt: string | null
  scheduleVersion: number
  sessions: EventSession[]
  organiser: OrgRef
  stats: { participants: number; scheduled: number }
}
export interface EventDetail extends EventSummary {
  description: string
  meetingMinutes: number
  tables: number
  fixedBooths: boolean
  requestMode: RequestMode
  requestExpiryHours: number | null
  participantTypes: OrganisationKind[]
  maxParticipants: number | null
  scheduledAt: string | null
  slots: EventSlot[]
}
export interface Participant {
  id: string
  organisation: OrgRef
  contactName: string | null
  offers: string[]
  seeks: string[]
  availability: string[]
  host: boolean
  booth: number | null
  checkedInAt: string | null
}
export interface PartyRef {
  id: string
  booth: number | null
  organisation: { id: string; key: string; nameZh: string; nameEn: string }
}
export interface Meeting {
  id: string
  requester: PartyRef
  invitee: PartyRef
  message: string | null
  priority: number
  status: MeetingStatus
  origin: 'REQUEST' | 'SUGGESTION'
  expiresAt: string | null
  slotIndex: number | null
  startsAt: string | null
  endsAt: string | null
  table: number | null
  outcome: MeetingOutcome | null
  outcomeNote: string | null
  createdAt: string
}
export interface EventStats {
  participants: number
  checkedIn: number
  scheduled: number
  meetingsByStatus: { status: MeetingStatus; count: number }[]
  outcomes: { outcome: MeetingOutcome; count: number }[]
}
export interface ScheduleResult {
  placed: number
  moved: number
  totalPriority: number
  upperBound: number
  unplaced: { reason: UnplacedReason; detail: string; meeting: Meeting }[]
  event: { id: string; scheduleVersion: number; scheduledAt: string | null }
}

const ORG = 'id key nameZh nameEn kind'
const SESSION = 'id name startsAt endsAt meetingCap breaks { startsAt endsAt }'
const SUMMARY = `id title location registrationOpensAt registrationClosesAt scheduleVersion
  sessions { ${SESSION} } organiser { ${ORG} } stats { participants scheduled }`
const DETAIL = `${SUMMARY} description meetingMinutes tables fixedBooths requestMode requestExpiryHours
  participantTypes maxParticipants scheduledAt slots { index sessionIndex startsAt endsAt }`
const PARTY = 'id booth organisation { id key nameZh nameEn }'
export const MEETING = `id requester { ${PARTY} } invitee { ${PARTY} } message priority status origin expiresAt
  slotIndex startsAt endsAt table outcome outcomeNote createdAt`

export const EVENTS_QUERY = `query OrganiserEvents($first: Int, $after: String, $filter: EventFilter) {
  events(first: $first, after: $after, filter: $filter) {
    nodes { ${SUMMARY} }
    pageInfo { hasNextPage endCursor }
  }
}`
export const EVENT_QUERY = `query OrganiserEvent($id: ID!) { event(id: $id) { ${DETAIL} } }`
export const CREATE_EVENT = `mutation CreateEvent($input: CreateEventInput!) {
  createEvent(input: $input) { event { ${DETAIL} } }
}`
export const UPDATE_EVENT = `mutation UpdateEvent($id: ID!, $input: UpdateEventInput!) {
  updateEvent(id: $id, input: $input) { event { ${DETAIL} } }
}`
export const PARTICIPANTS_QUERY = `query OrganiserParticipants($id: ID!, $after: String) {
  event(id: $id) {
    id
    sessions { id name startsAt endsAt }
    participants(first: 100, after: $after) {
      nodes { id organisation { ${ORG} } contactName offers seeks availability host booth checkedInAt }
      pageInfo { hasNextPage endCursor }
    }
  }
}`
export const CHECK_IN = `mutation CheckIn($id: ID!) {
  checkIn(participantId: $id) { participant { id checkedInAt } }
}`
export const MEETINGS_QUERY = `query OrganiserMeetings($id: ID!, $status: MeetingStatus, $after: String) {
  event(id: $id) {
    id
    meetings(status: $status, first: 100, after: $after) {
      nodes { ${MEETING} }
      pageInfo { hasNextPage endCursor }
    }
  }
}`
export const SCHEDULE_EVENT = `mutation ScheduleEvent($id: ID!, $input: ScheduleEventInput) {
  scheduleEvent(eventId: $id, input: $input) {
    placed moved totalPriority upperBound
    unplaced { reason detail meeting { ${MEETING} } }
    event { id scheduleVersion scheduledAt }
  }
}`
export const RECORD_OUTCOME = `mutation RecordOutcome($id: ID!, $input: RecordMeetingOutcomeInput!) {
  recordMeetingOutcome(meetingId: $id, input: $input) { meeting { id outcome outcomeNote } }
}`
export const EVENT_UPDATES = `subscription OrganiserEventUpdates($id: ID!) {
  eventUpdates(eventId: $id) { eventId kind meetingId participantId scheduleVersion }
}`
export type EventUpdateKind = 'REGISTERED' | 'MEETING_CHANGED' | 'SCHEDULED' | 'CHECKED_IN' | 'OUTCOME_RECORDED' | 'EVENT_CHANGED'
export const STATS_QUERY = `query OrganiserStats($id: ID!) {
  event(id: $id) {
    id
    stats { participants checkedIn scheduled meetingsByStatus { status count } outcomes { outcome count } }
  }
}`

/** Titles of offered achievements and sought needs, resolved through `node(id)` in one request. */
export function titlesQuery(ids: string[]): string {
  const parts = ids.map(
    (_, i) => `n${i}: node(id: $i${i}) { id ... on Achievement { title titleEn } ... on Need { title titleEn } }`,
  )
  const vars = ids.map((_, i) => `$i${i}: ID!`).join(', ')
  return `query OrganiserTitles(${vars}) { ${parts.join('\n')} }`
}

/** The result of one GraphQL call kept in refs: data, error, busy flag. */
export interface Op<T> {
  data: Ref<T | null>
  error: Ref<CombinedError | null>
  busy: Ref<boolean>
}

/** Runs a query (always from the network, so reloads show persisted state). */
export async function runQuery<T>(query: string, variables: Record<string, unknown>, op?: Op<T>): Promise<{ data: T | null; error: CombinedError | null }> {
  if (op) op.busy.value = true
  const r = await client.query(query, variables, { requestPolicy: 'network-only' }).toPromise()
  const out = { data: (r.data as T) ?? null, error: r.error ?? null }
  if (op) {
    op.busy.value = false
    op.error.value = out.error
    if (out.data) op.data.value = out.data
  }
  return out
}

/** What this page last changed: live updates that echo our own changes are not news. */
export const ownChange = { at: 0, ids: new Set<string>() }

/** Runs a mutation. */
export async function runMutation<T>(query: string, variables: Record<string, unknown>): Promise<{ data: T | null; error: CombinedError | null }> {
  if (typeof variables.id === 'string') ownChange.ids.add(variables.id)
  ownChange.at = Date.now()
  const r = await client.mutation(query, variables).toPromise()
  ownChange.at = Date.now()
  return { data: (r.data as T) ?? null, error: r.error ?? null }
}

/** A fresh `Op` with empty refs. */
export function useOp<T>(): Op<T> {
  return { data: ref(null) as Ref<T | null>, error: ref(null), busy: ref(false) }
}

/** `2026-11-26T09:00` (a datetime-local value, local time) → RFC 3339 UTC. */
export function localToIso(v: string): string | null {
  if (!v) return null
  const d = new Date(v)
  return Number.isNaN(d.getTime()) ? null : d.toISOString()
}

/** RFC 3339 → `2026-11-26T09:00` in local time, for datetime-local inputs. */
export function isoToLocal(v: string | null | undefined): string {
  if (!v) return ''
  const d = new Date(v)
  const p = (n: number) => String(n).padStart(2, '0')
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`
}

/** True when two instants fall on the same local calendar day. */
export function sameDay(a: string, b: string): boolean {
  return new Date(a).toDateString() === new Date(b).toDateString()
}

/** RFC 3339 → `09:00` local time. */
export function isoToTime(v: string | null | undefined): string {
  return isoToLocal(v).slice(11)
}

/** Date and time in the app language. */
export function fmtDateTime(v: string | null | undefined, locale: string): string {
  if (!v) return ''
  return new Intl.DateTimeFormat(locale, { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(v))
}

/** Time of day in the app language. */
export function fmtTime(v: string | null | undefined, locale: string): string {
  if (!v) return ''
  return new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(v))
}

/** Where registration stands now: not yet open, open, or closed. */
export function registrationState(e: { registrationOpensAt: string | null; registrationClosesAt: string | null }, now = Date.now()): 'notOpen' | 'open' | 'closed' {
  if (e.registrationOpensAt && now < Date.parse(e.registrationOpensAt)) return 'notOpen'
  if (e.registrationClosesAt && now > Date.parse(e.registrationClosesAt)) return 'closed'
  return 'open'
}

interface MeetingsData {
  event: { id: string; meetings: { nodes: Meeting[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } }
}

/** Every meeting of an event (optionally of one status), following the pages. */
export async function fetchAllMeetings(eventId: string, status?: MeetingStatus | null, op?: Op<unknown>): Promise<{ meetings: Meeting[]; error: CombinedError | null }> {
  const all: Meeting[] = []
  let after: string | undefined
  if (op) op.busy.value = true
  try {
    for (let page = 0; page < 50; page++) {
      const r = await runQuery<MeetingsData>(MEETINGS_QUERY, { id: eventId, status: status ?? null, after })
      if (!r.data) {
        if (op) op.error.value = r.error
        return { meetings: all, error: r.error }
      }
      all.push(...r.data.event.meetings.nodes)
      const p = r.data.event.meetings.pageInfo
      if (!p.hasNextPage || !p.endCursor) break
      after = p.endCursor
    }
  } finally {
    if (op) op.busy.value = false
  }
  if (op) op.error.value = null
  return { meetings: all, error: null }
}
