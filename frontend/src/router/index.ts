// Routes come from one file per area in `./modules/` (search, achievement, needs, my-org,
// events, organiser, admin, stats, auth, join), merged here. `meta.roles` guards a page: anonymous
// callers are sent to the login page, callers without the role see a "not allowed" state.
import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router'
import type { Role } from '@/api/viewer'
import { session, loadSession, hasRole } from '@/api/viewer'

declare module 'vue-router' {
  interface RouteMeta {
    /** i18n key of the page title. */
    title?: string
    /** Roles allowed on the page (platform admins always are). */
    roles?: Role[]
    /** Shown in the main navigation: i18n key of the label and sort order. */
    nav?: { label: string; order: number; roles?: Role[] }
  }
}

const modules = import.meta.glob('./modules/*.ts', { eager: true }) as Record<
  string,
  { default: RouteRecordRaw[] }
>

/** Every route of every area. */
export const routes: RouteRecordRaw[] = Object.values(modules).flatMap((m) => m.default)

routes.push({
  path: '/:pathMatch(.*)*',
  name: 'not-found',
  component: () => import('@/views/NotFound.vue'),
  meta: { title: 'common.notFound' },
})

export const router = createRouter({
  history: createWebHistory(),
  routes,
  scrollBehavior: (_to, _from, saved) => saved ?? { top: 0 },
})

router.beforeEach(async (to) => {
  if (!session.loaded) await loadSession()
  const roles = to.meta.roles
  // Logged in but in no organisation yet: such pages need one, so the person is offered to join.
  if (roles && !session.viewer && session.account) {
    return { name: 'join' }
  }
  if (roles && !session.viewer) {
    return { name: 'login', query: { return_to: to.fullPath } }
  }
  if (roles && !hasRole(...roles)) {
    return { name: 'forbidden', query: { from: to.fullPath } }
  }
  return true
})
