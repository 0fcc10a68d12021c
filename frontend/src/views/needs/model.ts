// Why this file exists: the needs and my-org journeys share the same vocabulary (transfer modes,
// TRL, budgets in 万元, GB/T codes). Kept here so both areas format and validate identically.
export { TRANSFER_MODES, ACHIEVEMENT_TYPES, type TransferMode, type AchievementType } from '@/api/enums'

/** GraphQL `AchievementStatus`. */
export const ACHIEVEMENT_STATUSES = ['DRAFT', 'PUBLISHED', 'WITHDRAWN'] as const
export type AchievementStatus = (typeof ACHIEVEMENT_STATUSES)[number]

export { FEEDBACK_KINDS, type FeedbackKind } from '@/api/enums'

/** GraphQL Int is 32-bit signed: the largest amount in yuan the API can carry. */
export const MAX_YUAN = 2_147_483_647

/** Yuan as Chinese readers write money: 80万元 / 1.2亿元 / 5000元 (or the English equivalent). */
export function formatYuan(v: number, lang: string): string {
  const trim = (x: number) => String(Number(x.toFixed(2)))
  if (lang === 'en') {
    if (v >= 1_000_000) return `¥${trim(v / 1_000_000)}M`
    if (v >= 10_000) return `¥${trim(v / 1_000)}k`
    return `¥${v}`
  }
  if (v >= 100_000_000) return `${trim(v / 100_000_000)}亿元`
  if (v >= 10_000) return `${trim(v / 10_000)}万元`
  return `${v}元`
}

/** 万元 (as typed in forms) → yuan; null for an empty field, NaN for garbage. */
export function wanToYuan(s: string): number | null {
  const t = s.trim()
  if (!t) return null
  if (!/^\d+(\.\d{1,4})?$/.test(t)) return NaN
  return Math.round(Number(t) * 10_000)
}

/** Yuan → 万元 text for a form field. */
export function yuanToWan(v: number | null | undefined): string {
  if (v == null) return ''
  return String(Number((v / 10_000).toFixed(4)))
}

/** Splits a keyword/name list typed with Chinese or Latin separators. */
export function splitList(s: string): string[] {
  return s
    .split(/[,，、;；\n]+/)
    .map((x) => x.trim())
    .filter(Boolean)
}

/** Loose client-side shape checks (the server is the authority and answers BAD_INPUT). */
export const PATTERNS = {
  /** GB/T 4754: section letter and/or 2–4 digits (C, C38, C384, C3841, 3841). */
  industry: /^([A-Ta-t]|[A-Ta-t]?\d{2,4})$/,
  /** GB/T 2260: six digits. */
  region: /^\d{6}$/,
  /** IPC symbol, loosely: A61K 31/495, H01M. */
  ipc: /^[A-Ha-h]\d{2}[A-Za-z](\s*\d{1,4}(\/\d{1,6})?)?$/,
  email: /^[^\s@]+@[^\s@]+\.[^\s@]+$/,
}

/** `YYYY-MM-DD` of today in the browser's time zone (for `min` on date inputs). */
export function today(): string {
  const d = new Date()
  const p = (n: number) => String(n).padStart(2, '0')
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`
}

/** A date-time for people, in the current language. */
export function formatDate(iso: string | null | undefined, lang: string): string {
  if (!iso) return ''
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return iso
  return d.toLocaleDateString(lang === 'en' ? 'en-GB' : 'zh-CN', { year: 'numeric', month: 'short', day: 'numeric' })
}
