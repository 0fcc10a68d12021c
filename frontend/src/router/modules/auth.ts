// Login (list of configured providers), the "not allowed" page.
import type { RouteRecordRaw } from 'vue-router'

export default [
  {
    path: '/login',
    name: 'login',
    component: () => import('@/views/auth/LoginPage.vue'),
    meta: { title: 'auth.title' },
  },
  {
    path: '/forbidden',
    name: 'forbidden',
    component: () => import('@/views/auth/ForbiddenPage.vue'),
    meta: { title: 'auth.forbiddenTitle' },
  },
] satisfies RouteRecordRaw[]
