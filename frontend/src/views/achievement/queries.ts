// GraphQL documents of the achievement page, written against schema/transferhub.graphql.
// Reading `achievement(id)` of a published record is what counts a page view on the server.
import type { FeedbackKind } from '@/api/enums'
export { FEEDBACK_KINDS, type FeedbackKind } from '@/api/enums'

export const ACHIEVEMENT = `query AchievementDetail($id: ID!) {
  achievement(id: $id) {
    id title titleEn type inventors inventorPeople { id displayName title } summary summaryEn keywords
    industry { code section sectionNameZh }
    ipcCodes maturity maturityLabel transferModes askingPriceYuan priceNegotiable
    contact { name phone email }
    regionCode status publishedAt createdAt updatedAt
    provenance { source recordId receivedAt }
    organisation { id key nameZh nameEn kind website }
    patents {
      applicationNumber publicationNumber type granted
      links { key nameZh nameEn url perPatent status broken }
    }
  }
}`

export const MATCHES = `query AchievementNeeds($id: ID!, $first: Int) {
  matchesForAchievement(achievementId: $id, first: $first) {
    reason
    matches {
      score
      need { id title titleEn status deadline organisation { id key nameZh nameEn } }
      explanation { summary matchedTerms matchedCodes textScore constraints { kind met value text } }
      viewerFeedback { id kind createdAt }
    }
  }
}`

/** What a party of the pair thinks of a suggestion (either organisation may say). */
export const RECORD_FEEDBACK = `mutation RecordMatchFeedback($input: RecordMatchFeedbackInput!) {
  recordMatchFeedback(input: $input) { feedback { id kind createdAt } }
}`


export interface PatentLink {
  key: string
  nameZh: string
  nameEn: string
  url: string
  perPatent: boolean
  status: string
  broken: boolean
}

export interface Patent {
  applicationNumber: string
  publicationNumber: string | null
  type: string
  granted: boolean
  links: PatentLink[]
}

export interface Achievement {
  id: string
  title: string
  titleEn: string | null
  type: string
  inventors: string[]
  /** Inventors who are people of the organisation with a visible profile. */
  inventorPeople: { id: string; displayName: string; title: string | null }[]
  summary: string
  summaryEn: string | null
  keywords: string[]
  industry: { code: string; section: string; sectionNameZh: string | null } | null
  ipcCodes: string[]
  maturity: number | null
  maturityLabel: string | null
  transferModes: string[]
  askingPriceYuan: number | null
  priceNegotiable: boolean
  contact: { name: string | null; phone: string | null; email: string | null }
  regionCode: string | null
  status: string
  publishedAt: string | null
  createdAt: string
  updatedAt: string
  provenance: { source: string; recordId: string | null; receivedAt: string | null }[]
  organisation: { id: string; key: string; nameZh: string; nameEn: string; kind: string; website: string | null }
  patents: Patent[]
}

export interface NeedMatch {
  score: number
  need: {
    id: string
    title: string
    titleEn: string | null
    status: string
    deadline: string | null
    organisation: { id: string; key: string; nameZh: string; nameEn: string }
  }
  explanation: {
    summary: string
    matchedTerms: string[]
    matchedCodes: string[]
    textScore: number
    constraints: { kind: string; met: boolean | null; value: number | null; text: string }[]
  }
  viewerFeedback: { id: string; kind: FeedbackKind; createdAt: string } | null
}

/** Only web addresses are turned into links (configuration could hold anything). */
export function safeUrl(u: string | null | undefined): string | undefined {
  return u && /^https?:\/\//i.test(u.trim()) ? u.trim() : undefined
}
