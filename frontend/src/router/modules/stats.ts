// The statistics centre (/stats): charts and CSV downloads of the hub's figures. The server
// lets only platform admins read statistics (policy Action::ReadStats). The page is loaded
// lazily so ECharts stays out of every other page's bundle.
import type { RouteRecordRaw } from 'vue-router'

export default [
  {
    path: '/stats',
    name: 'stats',
    component: () => import('@/views/stats/StatsPage.vue'),
    meta: { title: 'stats.title', roles: ['PLATFORM_ADMIN'], nav: { label: 'stats.nav', order: 70, roles: ['PLATFORM_ADMIN'] } },
  },
] satisfies RouteRecordRaw[]
