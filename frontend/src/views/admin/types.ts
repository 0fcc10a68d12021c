// GraphQL shapes the admin tabs share (only the fields they ask for).

export interface OrgRef {
  key: string
  nameZh: string
  nameEn: string | null
}

export interface SourceRow {
  key: string
  kind: string
  url: string
  path: string
  mapping: string
  metadataPrefix: string
  set: string
  intervalSecs: number
  requiresReview: boolean
  enabled: boolean
  lastRunAt: string | null
  lastSuccessAt: string | null
  harvesting: boolean
  organisation: OrgRef
}

export interface HarvestRun {
  id: number
  status: string
  full: boolean
  startedAt: string
  finishedAt: string | null
  durationMs: number | null
  seen: number
  created: number
  updated: number
  unchanged: number
  deleted: number
  rejected: number
  pages: number
  error: string | null
}

export const SOURCE_FIELDS = `key kind url path mapping metadataPrefix set intervalSecs requiresReview enabled
  lastRunAt lastSuccessAt harvesting organisation { key nameZh nameEn }`

export const RUN_FIELDS = `id status full startedAt finishedAt durationMs seen created updated unchanged deleted rejected pages error`

/** Source kinds the server knows, file kinds first (they work offline). */
export const KINDS = ['tabular', 'jsonl', 'oai_pmh', 'json_api', 'peer_hub'] as const
export const NETWORK_KINDS = ['oai_pmh', 'json_api', 'peer_hub']

/** Seconds back to the `6h` / `30m` / `1d` form the input takes. */
export function intervalText(secs: number): string {
  if (secs % 86400 === 0) return `${secs / 86400}d`
  if (secs % 3600 === 0) return `${secs / 3600}h`
  if (secs % 60 === 0) return `${secs / 60}m`
  return `${secs}s`
}

export interface LinkCheck {
  checkedAt: string
  outcome: string
  httpStatus: number | null
  error: string | null
  durationMs: number
  url: string
}

export interface LinkRow {
  key: string
  category: string
  nameZh: string
  nameEn: string
  descriptionZh: string | null
  descriptionEn: string | null
  regionCode: string | null
  urlTemplate: string
  url: string | null
  perPatent: boolean
  enabled: boolean
  origin: string
  status: string
  broken: boolean
  lastCheckedAt: string | null
  lastOkAt: string | null
  lastHttpStatus: number | null
  lastError: string | null
  consecutiveFailures: number
  /** Position in lists (ascending). */
  sortOrder: number
  history: LinkCheck[]
}

export const LINK_FIELDS = `key category nameZh nameEn descriptionZh descriptionEn regionCode urlTemplate url perPatent
  enabled origin status broken lastCheckedAt lastOkAt lastHttpStatus lastError consecutiveFailures sortOrder
  history(first: 5) { checkedAt outcome httpStatus error durationMs url }`
