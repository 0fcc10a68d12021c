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
    organisation: { id: string; key: string; nameZh: string; nameEn: string | null; status: OrgStatus; active: boolean }
  },
  /** The logged-in person of a browser session, also before they belong to an organisation. */
  account: null as null | { email: string | null; displayName: string; hasOrganisation: boolean },
  providers: [] as Provider[],
})

/** Verification state of an organisation (审核). */
export type OrgStatus = 'PENDING' | 'VERIFIED' | 'REJECTED'

const VIEWER = `query Viewer {
  viewer { role email csrfToken organisation { id key nameZh nameEn status active } }
  account { email displayName hasOrganisation }
  authProviders { key displayName loginUrl }
}`

/** (Re)loads the caller; network-only so a fresh login is seen at once. */
export async function loadSession(): Promise<void> {
  const r = await client.query(VIEWER, {}, { requestPolicy: 'network-only' }).toPromise()
  session.viewer = r.data?.viewer ?? null
  session.account = r.data?.account ?? null
  session.providers = r.data?.authProviders ?? []
  session.loaded = true
}

/** A person who is logged in but belongs to no organisation yet: they may apply for one. */
export function needsOrganisation(): boolean {
  return !!session.account && !session.account.hasOrganisation
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
  session.account = null
  await loadSession()
}
