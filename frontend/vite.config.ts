// Vite build of the TransferHub web app. The hub serves `dist/` (config `[server] frontend_dir`)
// with an SPA fallback; in development `npm run dev` proxies the API to a running hub.
import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'
import VueI18nPlugin from '@intlify/unplugin-vue-i18n/vite'
import { fileURLToPath, URL } from 'node:url'

const hub = process.env.TRANSFERHUB_DEV_HUB ?? 'http://127.0.0.1:8080'

export default defineConfig({
  plugins: [
    vue(),
    // Locale YAML files are compiled at build time, so the runtime-only vue-i18n build suffices.
    VueI18nPlugin({
      include: [fileURLToPath(new URL('./locales/**', import.meta.url))],
      runtimeOnly: true,
      compositionOnly: true,
      fullInstall: false,
    }),
  ],
  resolve: {
    alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) },
  },
  build: {
    target: 'es2020',
    sourcemap: false,
    // GraphiQL (graphiql.html only, never loaded by the app) is one ~1 MB chunk.
    chunkSizeWarningLimit: 1100,
    // Two pages: the app, and GraphiQL (served by the hub at GET /graphql, no CDN).
    rollupOptions: {
      input: {
        main: fileURLToPath(new URL('./index.html', import.meta.url)),
        graphiql: fileURLToPath(new URL('./graphiql.html', import.meta.url)),
      },
      // GraphiQL's React dependencies carry "use client" directives, meaningless in a browser bundle.
      onwarn(warning, warn) {
        if (warning.code === 'MODULE_LEVEL_DIRECTIVE') return
        warn(warning)
      },
    },
  },
  server: {
    proxy: {
      '/graphql': { target: hub, ws: true },
      '/auth': hub,
      '/events': { target: hub, bypass: (req) => (req.url?.endsWith('.ics') ? undefined : req.url) },
      '/stats': hub,
    },
  },
})
