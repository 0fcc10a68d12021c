// Matchmaking events (撮合对接活动), the participant side: the list of events, one event (details,
// registration, participants directory, suggestions, meeting requests) and the personal agenda.
// The organiser's console lives under /organiser (area `organiser`).
import type { RouteRecordRaw } from 'vue-router'

export default [
  {
    path: '/events',
    name: 'events',
    component: () => import('@/views/events/EventListPage.vue'),
    meta: { title: 'events.title', nav: { label: 'events.nav', order: 30 } },
  },
  {
    path: '/events/:id',
    name: 'event',
    component: () => import('@/views/events/EventDetailPage.vue'),
    props: true,
    meta: { title: 'events.detailTitle' },
  },
  {
    path: '/events/:id/agenda',
    name: 'event-agenda',
    component: () => import('@/views/events/AgendaPage.vue'),
    props: true,
    meta: { title: 'events.agenda.title', roles: ['MEMBER', 'ORG_ADMIN'] },
  },
] satisfies RouteRecordRaw[]
