// Who is using the app: loaded once at start (and after login/logout) so the layout, the router
// guard and every page agree on the caller's role and organisation.
import { reactive } from 'vue'
import { client, cookie } from './client'

/** Roles as the GraphQL `Role` enum spells them. */
export type Role = 'PLATFORM_ADMIN' | 'ORG_ADMIN' | 'MEMBER' | 'ORGANISER' | 'PORTAL'

/** A login provider configured on the hub (`[[auth.providers]]`). */
export interface Provider {
  key: string
  displayName: string
  loginUrl: string
}

/** The signed-in person (null when anonymous) and the providers to sign in with. */
export const session = reactive({
  loaded: false,
  viewer: null as null | {
    role: Role
    email: string | null
    csrfToken: string | null
    organisation: { id: string; key: string; nameZh: string; nameEn: string | null }
  },
  providers: [] as Provider[],
})

const VIEWER = `query Viewer {
  viewer { role email csrfToken organisation { id key nameZh nameEn } }
  authProviders { key displayName loginUrl }
}`

/** (Re)loads the caller; network-only so a fresh login is seen at once. */
export async function loadSession(): Promise<void> {
  const r = await client.query(VIEWER, {}, { requestPolicy: 'network-only' }).toPromise()
  session.viewer = r.data?.viewer ?? null
  session.providers = r.data?.authProviders ?? []
  session.loaded = true
}

/** True when the caller has one of the roles (platform admins may do everything). */
export function hasRole(...roles: Role[]): boolean {
  const r = session.viewer?.role
  if (!r) return false
  return r === 'PLATFORM_ADMIN' || roles.includes(r)
}

/** Ends the browser session (`POST /auth/logout`, CSRF-checked) and forgets the caller. */
export async function logout(): Promise<void> {
  const csrf = cookie('thub_csrf')
  await fetch('/auth/logout', {
    method: 'POST',
    credentials: 'same-origin',
    headers: csrf ? { 'X-CSRF-Token': decodeURIComponent(csrf) } : {},
  })
  session.viewer = null
  await loadSession()
}
