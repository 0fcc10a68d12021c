// GraphQL operations and result types of the participant side of matchmaking events
// (browse, register, directory, suggestions, meeting requests, personal agenda), typed by hand
// from schema/transferhub.graphql so the pages agree on one shape.
import type { Client, CombinedError } from '@urql/vue'

export type OrganisationKind = 'UNIVERSITY' | 'INSTITUTE' | 'FIRM' | 'AGENCY' | 'ORGANISER' | 'PORTAL'
export type MeetingStatus = 'REQUESTED' | 'ACCEPTED' | 'DECLINED' | 'CANCELLED' | 'EXPIRED' | 'SUGGESTED'
export type MeetingResponse = 'ACCEPT' | 'DECLINE' | 'CANCEL'
export type RequestMode = 'ACCEPT_DECLINE' | 'AUTO_ACCEPT'

export interface OrgRef {
  id: string
  key: string
  nameZh: string
  nameEn: string | null
  kind?: OrganisationKind
}

export interface TimeRange {
  startsAt: string
  endsAt: string
}

export interface EventSession extends TimeRange {
  id: string
  name: string | null
  meetingCap?: number | null
  breaks?: TimeRange[]
}

/** The fields the list and the detail page both show. */
export interface EventSummary {
  id: string
  title: string
  location: string | null
  meetingMinutes: number
  registrationOpensAt: string | null
  registrationClosesAt: string | null
  participantTypes: OrganisationKind[]
  maxParticipants: number | null
  organiser: OrgRef
  sessions: EventSession[]
  stats: { participants: number }
  /** Set when the viewer's organisation is registered. */
  viewerParticipant?: { id: string } | null
}

export interface EventDetail extends EventSummary {
  description: string
  tables: number
  fixedBooths: boolean
  requestMode: RequestMode
  requestExpiryHours: number | null
  scheduleVersion: number
  scheduledAt: string | null
  /** The viewer's organisation's registration, null when not registered or anonymous. */
  viewerParticipant: Participant | null
}

/** An offered achievement or a sought need, as the directory shows it. */
export interface RecordRef {
  id: string
  title: string
  titleEn: string | null
}

export interface Participant {
  id: string
  contactName: string | null
  offers: string[]
  seeks: string[]
  availability: string[]
  host: boolean
  booth: number | null
  organisation: OrgRef
  offeredAchievements: RecordRef[]
  soughtNeeds: RecordRef[]
}

export interface Meeting {
  id: string
  message: string | null
  priority: number
  status: MeetingStatus
  origin: 'REQUEST' | 'SUGGESTION'
  expiresAt: string | null
  startsAt: string | null
  endsAt: string | null
  table: number | null
  slotIndex: number | null
  createdAt: string
  requester: { id: string; contactName: string | null; organisation: OrgRef }
  invitee: { id: string; contactName: string | null; organisation: OrgRef }
}

export interface Suggestion {
  score: number
  offerer: { id: string; contactName: string | null; organisation: OrgRef }
  seeker: { id: string; contactName: string | null; organisation: OrgRef }
  achievement: RecordRef | null
  need: RecordRef | null
  /** Chinese first, English in brackets: "IPC 小类相同 A23C (shared IPC subclass)". */
  reasons: string[]
}

/**
 * Context of every read here: always from the server (live data), and always POSTed — the hub
 * answers `GET /graphql` with GraphiQL, and urql would send short queries as GET.
 */
export const FRESH = { requestPolicy: 'network-only', preferGetMethod: false } as const

const ORG = 'id key nameZh nameEn kind'
const REC = 'id title titleEn'
const PARTICIPANT = `id contactName offers seeks availability host booth organisation { ${ORG} }
  offeredAchievements { ${REC} } soughtNeeds { ${REC} }`
const SUMMARY = `id title location meetingMinutes registrationOpensAt registrationClosesAt
  participantTypes maxParticipants organiser { ${ORG} } sessions { id name startsAt endsAt }
  stats { participants }`

export const EVENT_LIST = `query EventList($first: Int, $after: String, $upcoming: Boolean!) {
  events(first: $first, after: $after, filter: { upcoming: $upcoming }) {
    pageInfo { hasNextPage endCursor }
    nodes { ${SUMMARY} viewerParticipant { id } }
  }
}`

export const EVENT_DETAIL = `query EventDetail($id: ID!) {
  event(id: $id) {
    ${SUMMARY}
    description tables fixedBooths requestMode requestExpiryHours scheduleVersion scheduledAt
    sessions { id name startsAt endsAt meetingCap breaks { startsAt endsAt } }
    viewerParticipant { ${PARTICIPANT} }
  }
}`


export const EVENT_PARTICIPANTS = `query EventParticipants($id: ID!, $after: String) {
  event(id: $id) {
    id
    participants(first: 100, after: $after) {
      pageInfo { hasNextPage endCursor }
      nodes { ${PARTICIPANT} }
    }
  }
}`

const MEETING = `id message priority status origin expiresAt startsAt endsAt table slotIndex createdAt
  requester { id contactName organisation { ${ORG} } }
  invitee { id contactName organisation { ${ORG} } }`

export const MY_MEETINGS = `query MyMeetings($id: ID!) {
  event(id: $id) { id meetings(first: 100) { nodes { ${MEETING} } } }
}`

export const SUGGESTIONS = `query Suggestions($id: ID!, $participant: ID) {
  event(id: $id) {
    id
    suggestedMeetings(participant: $participant) {
      score reasons
      offerer { id contactName organisation { ${ORG} } }
      seeker { id contactName organisation { ${ORG} } }
      achievement { ${REC} }
      need { ${REC} }
    }
  }
}`

export const AGENDA_ME = `query AgendaMe($id: ID!) {
  event(id: $id) {
    id title location meetingMinutes scheduleVersion scheduledAt
    organiser { ${ORG} }
    sessions { id name startsAt endsAt }
    viewerParticipant { id host booth organisation { ${ORG} } }
  }
}`

export const AGENDA = `query Agenda($id: ID!, $participant: ID!) {
  event(id: $id) {
    id
    agenda(participant: $participant) { ${MEETING} }
    meetings(status: ACCEPTED, first: 100) { nodes { id startsAt } }
  }
}`

export const OWN_RECORDS = `query OwnRecords($key: String!) {
  organisation(key: $key) {
    id kind
    achievements(first: 100) { nodes { id title titleEn status } }
    needs(first: 100, filter: { status: OPEN }) { nodes { id title titleEn } }
  }
}`

export const REGISTER = `mutation RegisterForEvent($eventId: ID!, $input: RegisterForEventInput!) {
  registerForEvent(eventId: $eventId, input: $input) { participant { ${PARTICIPANT} } }
}`

export const REQUEST_MEETING = `mutation RequestMeeting($input: RequestMeetingInput!) {
  requestMeeting(input: $input) { meeting { ${MEETING} } }
}`

export const RESPOND = `mutation RespondToMeeting($id: ID!, $response: MeetingResponse!) {
  respondToMeeting(id: $id, response: $response) { meeting { ${MEETING} } }
}`

export const EVENT_UPDATES = `subscription EventUpdates($id: ID!) {
  eventUpdates(eventId: $id) { eventId kind meetingId participantId scheduleVersion }
}`

interface ParticipantsData {
  event: { participants: { pageInfo: { hasNextPage: boolean; endCursor: string | null }; nodes: Participant[] } }
}

/** Every participant of an event (pages of 100), for the directory and to find one's own. */
export async function fetchParticipants(client: Client, eventId: string): Promise<Participant[]> {
  const all: Participant[] = []
  let after: string | null = null
  for (let page = 0; page < 20; page++) {
    const r: { data?: ParticipantsData; error?: CombinedError } = await client
      .query<ParticipantsData>(EVENT_PARTICIPANTS, { id: eventId, after }, FRESH)
      .toPromise()
    if (r.error) throw r.error
    const conn: ParticipantsData['event']['participants'] | undefined = r.data?.event?.participants
    if (!conn) break
    all.push(...conn.nodes)
    if (!conn.pageInfo.hasNextPage) break
    after = conn.pageInfo.endCursor
  }
  return all
}
