// Words for the catalogue's codes and numbers, shared by the search and achievement pages:
// enum labels, TRL meanings, GB/T 4754 sections, GB/T 2260 regions, prices (面议), dates.
import { i18n } from '@/plugins/i18n'

export { ACHIEVEMENT_TYPES, TRANSFER_MODES } from '@/api/enums'

type Translate = (key: string, named?: Record<string, unknown>) => string
type Exists = (key: string, locale?: string) => boolean
const g = i18n.global as unknown as { t: Translate; te: Exists; locale: { value: string } }
export const t: Translate = (key, named) => (named ? g.t(key, named) : g.t(key))
const te = (key: string) => g.te(key) || g.te(key, 'zh-CN')

/** 成果类型 in words. */
export function typeLabel(type: string): string {
  return te(`search.types.${type}`) ? t(`search.types.${type}`) : type
}

/** 转化方式 in words. */
export function modeLabel(mode: string): string {
  return te(`search.modes.${mode}`) ? t(`search.modes.${mode}`) : mode
}

/** The GB/T 22900 meaning of a TRL level. */
export function trlMeaning(n: number | null | undefined): string {
  if (!n || n < 1 || n > 9) return ''
  return t(`search.trl.${n}`)
}

/** A GB/T 4754 section letter's name; `fallback` is the server's Chinese name. */
export function sectionLabel(section: string, fallback?: string | null): string {
  const key = `search.sections.${section}`
  return te(key) ? t(key) : fallback || section
}

/** A GB/T 2260 region in words (known prefectures of the deployment), else the server's label or the code. */
export function regionLabel(code: string | null | undefined, fallback?: string | null): string {
  if (!code) return ''
  const key = `search.regions.${code}`
  return te(key) ? t(key) : fallback || code
}

/** Asking price: 面议 when negotiable, 万元 in Chinese, ¥ with grouping in English. */
export function priceLabel(yuan: number | null | undefined, negotiable: boolean): string {
  if (negotiable || yuan == null) return t('search.price.negotiable')
  const lang = g.locale.value
  if (lang === 'zh-CN' && yuan >= 10000 && yuan % 100 === 0) {
    const wan = new Intl.NumberFormat('zh-CN', { maximumFractionDigits: 2 }).format(yuan / 10000)
    return t('search.price.wan', { n: wan })
  }
  return t('search.price.yuan', { n: new Intl.NumberFormat(lang).format(yuan) })
}

/** A date (or instant) as the reader's language writes it. */
export function dateLabel(iso: string | null | undefined, withTime = false): string {
  if (!iso) return ''
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return iso
  return new Intl.DateTimeFormat(g.locale.value, {
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    ...(withTime ? { hour: '2-digit', minute: '2-digit' } : {}),
  }).format(d)
}
