// Joining the hub (入驻): a logged-in person without an organisation applies for one, follows
// its verification and fixes a rejected application. Open to anyone; the page itself asks an
// anonymous visitor to log in first.
import type { RouteRecordRaw } from 'vue-router'

export default [
  {
    path: '/join',
    name: 'join',
    component: () => import('@/views/join/JoinPage.vue'),
    meta: { title: 'join.title' },
  },
] satisfies RouteRecordRaw[]
