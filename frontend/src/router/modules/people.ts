// People: one's own profile (/me) and a person's page (/people/:id), shown as its owner chose
// (hidden, name and title only, or everything but the e-mail unless they show it).
import type { RouteRecordRaw } from 'vue-router'

export default [
  {
    path: '/me',
    name: 'my-profile',
    component: () => import('@/views/people/ProfilePage.vue'),
    meta: { title: 'people.myTitle' },
  },
  {
    path: '/people/:id',
    name: 'person',
    component: () => import('@/views/people/PersonPage.vue'),
    props: true,
    meta: { title: 'people.title' },
  },
] satisfies RouteRecordRaw[]
