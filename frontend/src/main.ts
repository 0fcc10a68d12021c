// Entry: i18n, the GraphQL client, the router, the global styles.
import { createApp } from 'vue'
import urql from '@urql/vue'
import App from './App.vue'
import { i18n } from './plugins/i18n'
import { client } from './api/client'
import { router } from './router'
import './styles/main.css'

createApp(App).use(i18n).use(urql, client).use(router).mount('#app')
