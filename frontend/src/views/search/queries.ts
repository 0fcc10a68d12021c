// GraphQL documents of the search area, written against schema/transferhub.graphql.

/** What a result card shows of a hit. */
export const HIT_FIELDS = `
  score
  highlights { field snippet }
  achievement {
    id title titleEn summary summaryEn type keywords maturity transferModes
    priceNegotiable askingPriceYuan regionCode publishedAt
    organisation { id key nameZh nameEn }
    industry { code section sectionNameZh }
  }`

const CONNECTION = `
  totalCount
  pageInfo { hasNextPage endCursor }
  facets { facet values { value label count } }
  edges { cursor node { ${HIT_FIELDS} } }`

const ARGS = `$query: String, $filter: SearchFilter, $facets: [SearchFacet!], $sort: SearchSort, $first: Int, $after: String`
const PASS = `query: $query, filter: $filter, facets: $facets, sort: $sort, first: $first, after: $after`

/** The whole catalogue. */
export const SEARCH = `query Search(${ARGS}) { search(${PASS}) { ${CONNECTION} } }`

/** Inside one thematic collection (NOT_FOUND for an unknown key). */
export const COLLECTION_SEARCH = `query CollectionSearch($key: String!, ${ARGS}) {
  collection(key: $key) {
    key nameZh nameEn descriptionZh keywords count
    search(${PASS}) { ${CONNECTION} }
  }
}`

/** English names for facet values the server labels in Chinese only (organisations, collections). */
export const LOOKUPS = `query SearchLookups {
  organisations(first: 100) { nodes { key nameZh nameEn } }
  collections(first: 50) { nodes { key nameZh nameEn } }
}`

/** The home page: collections with counts and the newest achievements. */
export const HOME = `query Home {
  collections(first: 50) { nodes { key nameZh nameEn descriptionZh count } }
  latest: search(sort: RECENCY, first: 6, highlight: false) { totalCount edges { node { ${HIT_FIELDS} } } }
}`

/** Counts for the home page's links to needs and events (best effort). */
export const HOME_COUNTS = `query HomeCounts {
  needs(first: 1, filter: { status: OPEN }) { totalCount }
  events(first: 50, filter: { upcoming: true }) { nodes { id } pageInfo { hasNextPage } }
}`

export interface Hit {
  score: number
  highlights: { field: string; snippet: string }[]
  achievement: {
    id: string
    title: string
    titleEn: string | null
    summary: string
    summaryEn: string | null
    type: string
    keywords: string[]
    maturity: number | null
    transferModes: string[]
    priceNegotiable: boolean
    askingPriceYuan: number | null
    regionCode: string | null
    publishedAt: string | null
    organisation: { id: string; key: string; nameZh: string; nameEn: string | null }
    industry: { code: string; section: string; sectionNameZh: string | null } | null
  }
}

export interface FacetCounts {
  facet: string
  values: { value: string; label: string | null; count: number }[]
}

export interface HitConnection {
  totalCount: number
  pageInfo: { hasNextPage: boolean; endCursor: string | null }
  facets: FacetCounts[]
  edges: { cursor: string; node: Hit }[]
}

export interface CollectionInfo {
  key: string
  nameZh: string
  nameEn: string
  descriptionZh: string
  keywords: string[]
  count: number
}
