// The organiser's console for matchmaking events (撮合对接活动): the organiser's events with a
// create form, and one event's console (settings, participants, requests, scheduler, grid,
// outcomes). Organisers only; platform admins pass the guard too.
import type { RouteRecordRaw } from 'vue-router'

export default [
  {
    path: '/organiser',
    name: 'organiser',
    component: () => import('@/views/organiser/OrganiserHome.vue'),
    meta: { title: 'organiser.title', roles: ['ORGANISER'], nav: { label: 'organiser.nav', order: 50, roles: ['ORGANISER'] } },
  },
  {
    path: '/organiser/events/:id',
    name: 'organiser-event',
    component: () => import('@/views/organiser/EventConsole.vue'),
    props: true,
    meta: { title: 'organiser.consoleTitle', roles: ['ORGANISER'] },
  },
] satisfies RouteRecordRaw[]
