// The search page's state lives in the URL (q, filters, sort, page cursor) so a result list can
// be shared, bookmarked and walked with back/forward. This file converts between the route's
// query and the GraphQL `search` arguments, and checks values before anything is sent.
import type { LocationQuery, LocationQueryRaw } from 'vue-router'
import { ACHIEVEMENT_TYPES, TRANSFER_MODES } from './catalog'

/** Longest query the server accepts (search service `MAX_QUERY_CHARS`). */
export const MAX_QUERY_CHARS = 200
/** Hits per page. */
export const PAGE_SIZE = 20

export type Sort = 'RELEVANCE' | 'RECENCY'
export type FacetName =
  | 'TYPE'
  | 'ORGANISATION'
  | 'INDUSTRY_SECTION'
  | 'MATURITY'
  | 'TRANSFER_MODE'
  | 'REGION'
  | 'COLLECTION'

/** Facets in the order the panel shows them. */
export const FACETS: FacetName[] = [
  'COLLECTION',
  'TYPE',
  'ORGANISATION',
  'INDUSTRY_SECTION',
  'MATURITY',
  'TRANSFER_MODE',
  'REGION',
]

/** The URL parameter that carries each facet's filter. */
export const FACET_PARAM: Record<FacetName, keyof Filters> = {
  TYPE: 'type',
  ORGANISATION: 'org',
  INDUSTRY_SECTION: 'industry',
  MATURITY: 'trl',
  TRANSFER_MODE: 'mode',
  REGION: 'region',
  COLLECTION: 'collection',
}

/** One value per facet (the server's filter is single-valued per field). */
export interface Filters {
  type?: string
  org?: string
  industry?: string
  trl?: string
  mode?: string
  region?: string
  collection?: string
}

export interface SearchParams extends Filters {
  q: string
  sort: Sort
  after?: string
  /** Parameter names present in the URL but not valid (ignored, shown to the user). */
  invalid: string[]
}

const CHECKS: Record<keyof Filters, (v: string) => boolean> = {
  type: (v) => (ACHIEVEMENT_TYPES as readonly string[]).includes(v),
  mode: (v) => (TRANSFER_MODES as readonly string[]).includes(v),
  trl: (v) => /^[1-9]$/.test(v),
  industry: (v) => /^[A-T]$/.test(v),
  region: (v) => /^\d{6}$/.test(v),
  org: (v) => /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/.test(v),
  collection: (v) => /^[a-z0-9][a-z0-9-]{0,63}$/.test(v),
}

function one(v: LocationQuery[string]): string | undefined {
  const s = Array.isArray(v) ? v[0] : v
  return typeof s === 'string' && s.trim() !== '' ? s.trim() : undefined
}

/** Reads the route's query; invalid values are dropped and named in `invalid`. */
export function parseParams(query: LocationQuery): SearchParams {
  const invalid: string[] = []
  let q = one(query.q) ?? ''
  if (q.length > MAX_QUERY_CHARS) {
    invalid.push('q')
    q = q.slice(0, MAX_QUERY_CHARS)
  }
  const sortRaw = one(query.sort)
  const sort: Sort = sortRaw === 'recency' ? 'RECENCY' : 'RELEVANCE'
  if (sortRaw && sortRaw !== 'recency' && sortRaw !== 'relevance') invalid.push('sort')
  const out: SearchParams = { q, sort, invalid }
  for (const key of Object.keys(CHECKS) as (keyof Filters)[]) {
    const v = one(query[key])
    if (v === undefined) continue
    if (CHECKS[key](v)) out[key] = v
    else invalid.push(key)
  }
  const after = one(query.after)
  if (after) out.after = after
  return out
}

/** The route query for a state (defaults left out so URLs stay short). */
export function toQuery(p: Partial<SearchParams>): LocationQueryRaw {
  const q: LocationQueryRaw = {}
  if (p.q) q.q = p.q
  for (const key of Object.keys(CHECKS) as (keyof Filters)[]) if (p[key]) q[key] = p[key]
  if (p.sort === 'RECENCY') q.sort = 'recency'
  if (p.after) q.after = p.after
  return q
}

/** The GraphQL `SearchFilter` for a state; `collection` is left out on a collection's own page. */
export function toFilter(p: Filters, withCollection = true): Record<string, unknown> {
  const f: Record<string, unknown> = {}
  if (p.type) f.type = p.type
  if (p.org) f.organisation = p.org
  if (p.industry) f.industry = p.industry
  if (p.trl) {
    f.maturityMin = Number(p.trl)
    f.maturityMax = Number(p.trl)
  }
  if (p.mode) f.transferMode = p.mode
  if (p.region) f.region = p.region
  if (withCollection && p.collection) f.collection = p.collection
  return f
}

/** True when any facet filter is set. */
export function hasFilters(p: Filters, withCollection = true): boolean {
  return Object.keys(toFilter(p, withCollection)).length > 0
}
