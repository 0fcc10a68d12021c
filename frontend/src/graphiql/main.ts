// GraphiQL, bundled with the front end and served by the hub at GET /graphql: nothing is
// fetched from a CDN, and the page runs under the hub's strict CSP (no inline script or style).
// Queries go to the hub's own /graphql with the browser's session cookie (and its CSRF token,
// as the app sends it) or with an `Authorization` header typed into the headers editor.
import { createElement } from 'react'
import { createRoot } from 'react-dom/client'
import { GraphiQL } from 'graphiql'
import type { GraphiQLProps } from 'graphiql'
import 'graphiql/style.css'
import './graphiql.css'

function csrfToken(): string | undefined {
  return document.cookie
    .split(';')
    .map((c) => c.trim().split('='))
    .find(([k]) => k === 'thub_csrf')?.[1]
}

type Fetcher = GraphiQLProps['fetcher']

// The hub bounds query depth (10 for anonymous callers and portal keys), and the standard
// introspection query nests type references 8 levels deep. This one follows exactly as deep as
// the hub's types wrap (`[[String!]!]!` is the deepest: five levels) and stays within the limit.
const ofType = (levels: number): string =>
  levels === 0 ? 'kind name' : `kind name ofType { ${ofType(levels - 1)} }`
const INTROSPECTION = `query IntrospectionQuery {
  __schema {
    description
    queryType { name } mutationType { name } subscriptionType { name }
    types { ...FullType }
    directives { name description isRepeatable locations args { ...InputValue } }
  }
}
fragment FullType on __Type {
  kind name description specifiedByURL
  fields(includeDeprecated: true) {
    name description args { ...ArgValue } type { ${ofType(5)} } isDeprecated deprecationReason
  }
  inputFields { ...InputValue }
  interfaces { ${ofType(0)} }
  enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason }
  possibleTypes { ${ofType(0)} }
}
fragment InputValue on __InputValue { name description type { ${ofType(5)} } defaultValue }
fragment ArgValue on __InputValue { name description type { ${ofType(4)} } defaultValue }
`

const fetcher: Fetcher = async (params, opts) => {
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' }
  const csrf = csrfToken()
  if (csrf) headers['x-csrf-token'] = csrf
  Object.assign(headers, opts?.headers ?? {})
  const body = params.operationName === 'IntrospectionQuery' ? { ...params, query: INTROSPECTION } : params
  const r = await fetch('/graphql', {
    method: 'POST',
    headers,
    credentials: 'same-origin',
    body: JSON.stringify(body),
  })
  return r.json()
}

const DEFAULT_QUERY = `# TransferHub GraphQL（API.md）
{
  achievements(first: 5) {
    totalCount
    edges { node { title organisation { nameZh } maturity } }
  }
}
`

const root = document.getElementById('graphiql')
if (root) {
  createRoot(root).render(createElement(GraphiQL, { fetcher, defaultQuery: DEFAULT_QUERY }))
}
