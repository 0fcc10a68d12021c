// GraphQL operations and types of the organiser's console (撮合对接活动), plus the small helpers
// the console's tabs share (time formatting, datetime-local conversion, running an operation into
// refs). The operations live in organiser.graphql; their types and typed documents are generated
// from schema/transferhub.graphql (`npm run codegen` → src/api/generated/).
import { ref, type Ref } from 'vue'
import type { AnyVariables, CombinedError, TypedDocumentNode } from '@urql/vue'
import { client } from '@/api/client'
import { pick } from '@/plugins/i18n'
import {
  CheckInDocument,
  CreateEventDocument,
  OrganiserEventDocument,
  OrganiserEventUpdatesDocument,
  OrganiserEventsDocument,
  OrganiserMeetingsDocument,
  OrganiserParticipantsDocument,
  OrganiserStatsDocument,
  RecordOutcomeDocument,
  ScheduleEventDocument,
  UpdateEventDocument,
  type OrganiserEventDetailFragment,
  type OrganiserEventSummaryFragment,
  type OrganiserMeetingFragment,
  type OrganiserParticipantsQuery,
  type ScheduleEventMutation,
} from '@/api/generated/operations'
import type { MeetingOutcome, MeetingStatus, OrganisationKind } from '@/api/generated/schema'

export type {
  EventUpdateKind,
  MeetingOutcome,
  MeetingStatus,
  OrganisationKind,
  RequestMode,
} from '@/api/generated/schema'

export const ORG_KINDS: OrganisationKind[] = ['UNIVERSITY', 'INSTITUTE', 'FIRM', 'AGENCY', 'ORGANISER', 'PORTAL']
export const MEETING_STATUSES: MeetingStatus[] = ['REQUESTED', 'ACCEPTED', 'DECLINED', 'CANCELLED', 'EXPIRED', 'SUGGESTED']
export const MEETING_OUTCOMES: MeetingOutcome[] = ['MET', 'FOLLOW_UP', 'INTENTION_TO_COOPERATE', 'CONTRACT_SIGNED', 'NO_SHOW']

/** An event as the organiser's list shows it. */
export type EventSummary = OrganiserEventSummaryFragment
/** An event with everything the console and its form need. */
export type EventDetail = OrganiserEventDetailFragment
/** A registered organisation as the participants tab shows it. */
export type Participant = OrganiserParticipantsQuery['event']['participants']['nodes'][number]
/** A meeting as the console shows it. */
export type Meeting = OrganiserMeetingFragment

/** A side of a meeting as the console names it: the organisation, and the person when a person
 * registered (several people of one organisation take part separately). */
export function partyName(p: Meeting['requester']): string {
  const org = pick(p.organisation.nameZh, p.organisation.nameEn)
  return p.personName ? `${org} · ${p.personName}` : org
}
/** What one scheduling run placed, moved and could not place. */
export type ScheduleResult = ScheduleEventMutation['scheduleEvent']

export const EVENTS_QUERY = OrganiserEventsDocument
export const EVENT_QUERY = OrganiserEventDocument
export const CREATE_EVENT = CreateEventDocument
export const UPDATE_EVENT = UpdateEventDocument
export const PARTICIPANTS_QUERY = OrganiserParticipantsDocument
export const CHECK_IN = CheckInDocument
export const MEETINGS_QUERY = OrganiserMeetingsDocument
export const SCHEDULE_EVENT = ScheduleEventDocument
export const RECORD_OUTCOME = RecordOutcomeDocument
export const EVENT_UPDATES = OrganiserEventUpdatesDocument
export const STATS_QUERY = OrganiserStatsDocument

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

/** The result type of a typed document: `Result<typeof EVENT_QUERY>`. */
export type Result<D> = D extends TypedDocumentNode<infer T, infer _V> ? T : never

/** An operation: a generated typed document, or a query built at run time (see `titlesQuery`). */
type Operation<T, V extends AnyVariables> = TypedDocumentNode<T, V> | string

/** Runs a query (always from the network, so reloads show persisted state). */
export async function runQuery<T, V extends AnyVariables = AnyVariables>(query: Operation<T, V>, variables: V, op?: Op<T>): Promise<{ data: T | null; error: CombinedError | null }> {
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
export async function runMutation<T, V extends AnyVariables = AnyVariables>(query: Operation<T, V>, variables: V): Promise<{ data: T | null; error: CombinedError | null }> {
  const id = (variables as { id?: unknown } | undefined)?.id
  if (typeof id === 'string') ownChange.ids.add(id)
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

/** Every meeting of an event (optionally of one status), following the pages. */
export async function fetchAllMeetings(eventId: string, status?: MeetingStatus | null, op?: Op<unknown>): Promise<{ meetings: Meeting[]; error: CombinedError | null }> {
  const all: Meeting[] = []
  let after: string | undefined
  if (op) op.busy.value = true
  try {
    for (let page = 0; page < 50; page++) {
      const r = await runQuery(MEETINGS_QUERY, { id: eventId, status: status ?? null, after })
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
