// The achievement area: the detail page of one technology achievement (科技成果).
import type { RouteRecordRaw } from 'vue-router'

export default [
  {
    path: '/achievements/:id',
    name: 'achievement',
    component: () => import('@/views/achievement/AchievementPage.vue'),
    props: true,
    meta: { title: 'achievement.title' },
  },
] satisfies RouteRecordRaw[]
