// The search area: the home page, the search page (state in the URL) and the thematic
// collections, which are the same search scoped to one collection.
import type { RouteRecordRaw } from 'vue-router'

const SearchPage = () => import('@/views/search/SearchPage.vue')

export default [
  { path: '/', name: 'home', component: () => import('@/views/search/HomePage.vue'), meta: { title: 'search.home.title' } },
  {
    path: '/search',
    name: 'search',
    component: SearchPage,
    meta: { title: 'search.title', nav: { label: 'search.nav', order: 10 } },
  },
  { path: '/collections/:key', name: 'collection', component: SearchPage, meta: { title: 'search.collection.label' } },
] satisfies RouteRecordRaw[]
