// My organisation: the signed-in member's own achievements in every status (create, edit,
// publish, withdraw) and, for organisation admins, inviting people.
import type { RouteRecordRaw } from 'vue-router'

const member = ['MEMBER', 'ORG_ADMIN'] as const

export default [
  {
    path: '/my-org',
    name: 'my-org',
    component: () => import('@/views/my-org/MyOrgPage.vue'),
    meta: { title: 'my-org.title', roles: [...member], nav: { label: 'my-org.nav', order: 40, roles: [...member] } },
  },
  {
    path: '/my-org/achievements/new',
    name: 'my-org-new',
    component: () => import('@/views/my-org/AchievementFormPage.vue'),
    meta: { title: 'my-org.form.newTitle', roles: [...member] },
  },
  {
    path: '/my-org/achievements/:id/edit',
    name: 'my-org-edit',
    component: () => import('@/views/my-org/AchievementFormPage.vue'),
    props: true,
    meta: { title: 'my-org.form.editTitle', roles: [...member] },
  },
] satisfies RouteRecordRaw[]
