// vue-i18n set-up: zh-CN first, English second. Messages live in `locales/<lang>/<area>.yaml`
// (one file per journey, so areas never edit each other's files) and are merged here by area:
// `t('search.title')` reads `locales/zh-CN/search.yaml` → `title`.
import { createI18n } from 'vue-i18n'

/** The languages the app speaks, in the order the switcher shows them. */
export const LOCALES = ['zh-CN', 'en'] as const
export type Locale = (typeof LOCALES)[number]

const files = import.meta.glob('../../locales/*/*.yaml', { eager: true }) as Record<
  string,
  { default: Record<string, unknown> }
>

type Tree = Record<string, unknown>
const messages: Record<string, Tree> = {}
for (const [path, mod] of Object.entries(files)) {
  const m = path.match(/locales\/([^/]+)\/([^/]+)\.yaml$/)
  if (!m) continue
  const [, lang, area] = m
  messages[lang] ??= {}
  messages[lang][area] = mod.default
}

const STORAGE_KEY = 'thub.locale'

function initialLocale(): Locale {
  const saved = localStorage.getItem(STORAGE_KEY)
  if (saved && (LOCALES as readonly string[]).includes(saved)) return saved as Locale
  const q = new URLSearchParams(location.search).get('lang')
  if (q === 'en' || q === 'zh-CN') return q
  return 'zh-CN'
}

/** The app's i18n instance (composition mode). */
export const i18n = createI18n({
  legacy: false,
  locale: initialLocale(),
  fallbackLocale: 'zh-CN',
  messages: messages as never,
  missingWarn: false,
  fallbackWarn: false,
})

/** Switches language, remembers it, and sets `<html lang>` for screen readers. */
export function setLocale(l: Locale): void {
  i18n.global.locale.value = l
  localStorage.setItem(STORAGE_KEY, l)
  document.documentElement.lang = l
}

/** Picks the Chinese or English variant of a bilingual record field. */
export function pick(zh: string | null | undefined, en: string | null | undefined): string {
  const l = i18n.global.locale.value
  if (l === 'en') return en || zh || ''
  return zh || en || ''
}

document.documentElement.lang = i18n.global.locale.value
