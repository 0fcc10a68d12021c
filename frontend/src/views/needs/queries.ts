// Why this file exists: the GraphQL operations of the needs journey, written against
// schema/transferhub.graphql, with the TypeScript shapes the pages read.
import type { TransferMode, FeedbackKind } from './model'

export interface OrgRef {
  id: string
  key: string
  nameZh: string
  nameEn: string | null
}

export interface Need {
  id: string
  title: string
  titleEn: string | null
  description: string
  keywords: string[]
  industry: { code: string; section: string; sectionNameZh: string | null } | null
  ipcCodes: string[]
  requiredMaturity: number | null
  requiredMaturityLabel: string | null
  transferModes: TransferMode[]
  budget: { minYuan: number | null; maxYuan: number | null; negotiable: boolean }
  regionCode: string | null
  deadline: string | null
  contactName: string | null
  status: 'OPEN' | 'CLOSED'
  createdAt: string
  updatedAt: string
  organisation: OrgRef
}

const NEED_FIELDS = `
  id title titleEn description keywords
  industry { code section sectionNameZh }
  ipcCodes requiredMaturity requiredMaturityLabel transferModes
  budget { minYuan maxYuan negotiable }
  regionCode deadline contactName status createdAt updatedAt
  organisation { id key nameZh nameEn }
`

export const NEEDS_LIST = `query NeedsList($first: Int, $after: String, $filter: NeedFilter) {
  needs(first: $first, after: $after, filter: $filter) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes { ${NEED_FIELDS} }
  }
}`

export const NEED = `query Need($id: ID!) { need(id: $id) { ${NEED_FIELDS} } }`

export const CREATE_NEED = `mutation CreateNeed($input: CreateNeedInput!) {
  createNeed(input: $input) { need { ${NEED_FIELDS} } }
}`

export const UPDATE_NEED = `mutation UpdateNeed($id: ID!, $input: UpdateNeedInput!) {
  updateNeed(id: $id, input: $input) { need { ${NEED_FIELDS} } }
}`

export const CLOSE_NEED = `mutation CloseNeed($id: ID!) {
  closeNeed(id: $id) { need { id status updatedAt } }
}`

export interface MatchAchievement {
  id: string
  title: string
  titleEn: string | null
  summary: string
  summaryEn: string | null
  maturity: number | null
  transferModes: TransferMode[]
  askingPriceYuan: number | null
  priceNegotiable: boolean
  regionCode: string | null
  industry: { code: string } | null
  ipcCodes: string[]
  inventors: string[]
  organisation: OrgRef
}

export interface MatchConstraint {
  kind: 'INDUSTRY' | 'IPC' | 'MATURITY' | 'TRANSFER_MODE' | 'PRICE' | 'REGION' | 'RECENCY' | 'RESPONSIVENESS'
  met: boolean | null
  value: number | null
  text: string
}

export interface AchievementMatch {
  score: number
  achievement: MatchAchievement
  explanation: {
    summary: string
    matchedTerms: string[]
    matchedCodes: string[]
    textScore: number
    constraints: MatchConstraint[]
  }
  viewerFeedback?: { id: string; kind: FeedbackKind; createdAt: string } | null
}

export interface Expert {
  name: string
  score: number
  organisation: OrgRef
  achievements: { id: string; title: string; titleEn: string | null }[]
}

const MATCH_FIELDS = `
  score
  achievement {
    id title titleEn summary summaryEn maturity transferModes askingPriceYuan priceNegotiable
    regionCode industry { code } ipcCodes inventors
    organisation { id key nameZh nameEn }
  }
  explanation { summary matchedTerms matchedCodes textScore constraints { kind met value text } }
`

/** Suggestions with the viewer's organisation's stored feedback on each pair (null when none). */
export const MATCHES = `query MatchesForNeed($needId: ID!, $first: Int) {
  matchesForNeed(needId: $needId, first: $first) {
    reason
    matches { ${MATCH_FIELDS} viewerFeedback { id kind createdAt } }
    experts { name score organisation { id key nameZh nameEn } achievements { id title titleEn } }
  }
}`

export const RECORD_FEEDBACK = `mutation RecordMatchFeedback($input: RecordMatchFeedbackInput!) {
  recordMatchFeedback(input: $input) { feedback { id kind note createdAt } }
}`
