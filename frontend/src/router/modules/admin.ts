// The administration area (/admin): sources and harvests, the review queue, the link
// directory, API keys and the audit log, one child route per tab so each tab has its own URL.
// Organisation admins manage their organisation; platform admins everything.
import type { RouteRecordRaw } from 'vue-router'

export default [
  {
    path: '/admin',
    name: 'admin',
    component: () => import('@/views/admin/AdminPage.vue'),
    redirect: { name: 'admin-sources' },
    meta: { title: 'admin.title', roles: ['ORG_ADMIN'], nav: { label: 'admin.nav', order: 60, roles: ['ORG_ADMIN'] } },
    children: [
      { path: 'verification', name: 'admin-verification', component: () => import('@/views/admin/VerificationTab.vue'), meta: { title: 'admin.tabs.verification', roles: ['PLATFORM_ADMIN'] } },
      { path: 'sources', name: 'admin-sources', component: () => import('@/views/admin/SourcesTab.vue'), meta: { title: 'admin.tabs.sources', roles: ['ORG_ADMIN'] } },
      { path: 'review', name: 'admin-review', component: () => import('@/views/admin/ReviewTab.vue'), meta: { title: 'admin.tabs.review', roles: ['ORG_ADMIN'] } },
      { path: 'links', name: 'admin-links', component: () => import('@/views/admin/LinksTab.vue'), meta: { title: 'admin.tabs.links', roles: ['ORG_ADMIN'] } },
      { path: 'keys', name: 'admin-keys', component: () => import('@/views/admin/ApiKeysTab.vue'), meta: { title: 'admin.tabs.keys', roles: ['ORG_ADMIN'] } },
      { path: 'audit', name: 'admin-audit', component: () => import('@/views/admin/AuditTab.vue'), meta: { title: 'admin.tabs.audit', roles: ['ORG_ADMIN'] } },
    ],
  },
] satisfies RouteRecordRaw[]
