// Technology needs (技术需求): the public list and detail with its matches, and the pages where a
// firm's member posts, edits and follows up its own organisation's needs.
import type { RouteRecordRaw } from 'vue-router'

const member = ['MEMBER', 'ORG_ADMIN'] as const

export default [
  {
    path: '/needs',
    name: 'needs',
    component: () => import('@/views/needs/NeedListPage.vue'),
    meta: { title: 'needs.title', nav: { label: 'needs.nav', order: 20 } },
  },
  {
    path: '/needs/mine',
    name: 'needs-mine',
    component: () => import('@/views/needs/NeedListPage.vue'),
    props: { mine: true },
    meta: { title: 'needs.mineTitle', roles: [...member] },
  },
  {
    path: '/needs/new',
    name: 'needs-new',
    component: () => import('@/views/needs/NeedFormPage.vue'),
    meta: { title: 'needs.form.newTitle', roles: [...member] },
  },
  {
    path: '/needs/:id',
    name: 'need',
    component: () => import('@/views/needs/NeedDetailPage.vue'),
    props: true,
    meta: { title: 'needs.detailTitle' },
  },
  {
    path: '/needs/:id/edit',
    name: 'need-edit',
    component: () => import('@/views/needs/NeedFormPage.vue'),
    props: true,
    meta: { title: 'needs.form.editTitle', roles: [...member] },
  },
] satisfies RouteRecordRaw[]
