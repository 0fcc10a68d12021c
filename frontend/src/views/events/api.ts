// GraphQL operations and result types of the participant side of matchmaking events
// (browse, register, directory, suggestions, meeting requests, personal agenda). The operations
// live in events.graphql; their types and typed documents are generated from
// schema/transferhub.graphql (`npm run codegen` → src/api/generated.ts), so the pages agree on
// one shape and the server's schema is the only source of it.
import type { Client, CombinedError } from '@urql/vue'
import {
  AgendaDocument,
  AgendaMeDocument,
  EventDetailDocument,
  EventListDocument,
  EventParticipantsDocument,
  EventUpdatesDocument,
  MyMeetingsDocument,
  OwnRecordsDocument,
  RegisterForEventDocument,
  RequestMeetingDocument,
  RespondToMeetingDocument,
  SuggestionsDocument,
  type EventDetailQuery,
  type EventListQuery,
  type EventMeetingFieldsFragment,
  type OrgRefFragment,
  type EventParticipantFieldsFragment,
  type SuggestionsQuery,
} from '@/api/generated/operations'

export type { MeetingResponse, MeetingStatus, OrganisationKind, RequestMode } from '@/api/generated/schema'

/** An organisation as the event pages show it. */
export type OrgRef = OrgRefFragment
/** The fields the list shows (the detail page has them too). */
export type EventSummary = EventListQuery['events']['nodes'][number]
/** An event with the viewer's own registration (null when not registered or anonymous). */
export type EventDetail = EventDetailQuery['event']
/** A registered organisation as the directory shows it. */
export type Participant = EventParticipantFieldsFragment
/** An offered achievement or a sought need, as the directory shows it. */
export type RecordRef = Participant['offeredAchievements'][number]
/** A meeting as the participant pages show it. */
export type Meeting = EventMeetingFieldsFragment
/** A suggested meeting; reasons are Chinese first, English in brackets. */
export type Suggestion = SuggestionsQuery['event']['suggestedMeetings'][number]

/**
 * Context of every read here: always from the server (live data), and always POSTed — the hub
 * answers `GET /graphql` with GraphiQL, and urql would send short queries as GET.
 */
export const FRESH = { requestPolicy: 'network-only', preferGetMethod: false } as const

export const EVENT_LIST = EventListDocument
export const EVENT_DETAIL = EventDetailDocument
export const EVENT_PARTICIPANTS = EventParticipantsDocument
export const MY_MEETINGS = MyMeetingsDocument
export const SUGGESTIONS = SuggestionsDocument
export const AGENDA_ME = AgendaMeDocument
export const AGENDA = AgendaDocument
export const OWN_RECORDS = OwnRecordsDocument
export const REGISTER = RegisterForEventDocument
export const REQUEST_MEETING = RequestMeetingDocument
export const RESPOND = RespondToMeetingDocument
export const EVENT_UPDATES = EventUpdatesDocument

/** Every participant of an event (pages of 100), for the directory and to find one's own. */
export async function fetchParticipants(client: Client, eventId: string): Promise<Participant[]> {
  const all: Participant[] = []
  let after: string | null = null
  for (let page = 0; page < 20; page++) {
    const r: { data?: { event: { participants: { pageInfo: { hasNextPage: boolean; endCursor: string | null }; nodes: Participant[] } } }; error?: CombinedError } = await client
      .query(EVENT_PARTICIPANTS, { id: eventId, after }, FRESH)
      .toPromise()
    if (r.error) throw r.error
    const conn = r.data?.event?.participants
    if (!conn) break
    all.push(...conn.nodes)
    if (!conn.pageInfo.hasNextPage) break
    after = conn.pageInfo.endCursor
  }
  return all
}
