// The one GraphQL client: urql over fetch (cookies sent, CSRF header added from the session's
// `thub_csrf` cookie) and graphql-ws for subscriptions. Errors keep the server's
// `extensions.code` so pages can say precisely what went wrong.
import { Client, cacheExchange, fetchExchange, subscriptionExchange, type CombinedError } from '@urql/vue'
import { createClient as createWsClient } from 'graphql-ws'

/** Reads a cookie by name (the CSRF cookie is deliberately not HttpOnly). */
export function cookie(name: string): string | undefined {
  return document.cookie
    .split('; ')
    .find((c) => c.startsWith(name + '='))
    ?.slice(name.length + 1)
}

function wsUrl(): string {
  const proto = location.protocol === 'https:' ? 'wss:' : 'ws:'
  return `${proto}//${location.host}/graphql/ws`
}

let ws: ReturnType<typeof createWsClient> | undefined
function wsClient() {
  ws ??= createWsClient({ url: wsUrl(), lazy: true, retryAttempts: 3 })
  return ws
}

/** Shared urql client. The cache is per-document+variables; mutations refetch what they touch. */
export const client = new Client({
  url: '/graphql',
  requestPolicy: 'cache-and-network',
  // Always POST: the hub answers GET /graphql with GraphiQL, and POST keeps the CSRF check uniform.
  preferGetMethod: false,
  fetchOptions: () => {
    const csrf = cookie('thub_csrf')
    const headers: Record<string, string> = {}
    if (csrf) headers['X-CSRF-Token'] = decodeURIComponent(csrf)
    return { credentials: 'same-origin', headers } satisfies RequestInit
  },
  exchanges: [
    cacheExchange,
    fetchExchange,
    subscriptionExchange({
      forwardSubscription(request) {
        const input = { ...request, query: request.query || '' }
        return {
          subscribe(sink) {
            const unsubscribe = wsClient().subscribe(input, sink)
            return { unsubscribe }
          },
        }
      },
    }),
  ],
})

/** The machine-readable code of the first GraphQL error (BAD_INPUT, FORBIDDEN, NOT_FOUND …). */
export function errorCode(e: CombinedError | undefined | null): string | undefined {
  if (!e) return undefined
  if (e.networkError) return 'NETWORK'
  const code = e.graphQLErrors[0]?.extensions?.code
  return typeof code === 'string' ? code : 'INTERNAL'
}

/** The server's message without urql's "[GraphQL]" prefix. */
export function errorMessage(e: CombinedError | undefined | null): string {
  if (!e) return ''
  if (e.networkError) return e.networkError.message
  return e.graphQLErrors.map((g) => g.message).join('; ')
}
