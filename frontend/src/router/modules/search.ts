// Placeholder: the search area (home, search, collections) replaces this file.
import type { RouteRecordRaw } from 'vue-router'

export default [
  { path: '/', name: 'home', component: () => import('@/views/search/HomePage.vue'), meta: { title: 'common.brand' } },
] satisfies RouteRecordRaw[]
