// Small display helpers shared by the admin tabs: dates in the current language, durations,
// and the CSS class of a run or link status tag.
import { i18n } from '@/plugins/i18n'

/** A timestamp as local date and time in the current language; '—' when absent. */
export function fmtTime(iso: string | null | undefined): string {
  if (!iso) return '—'
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return iso
  return new Intl.DateTimeFormat(i18n.global.locale.value, {
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).format(d)
}

/** Milliseconds as "1.2 s" / "850 ms". */
export function fmtDuration(ms: number | null | undefined): string {
  if (ms == null) return '—'
  return ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${ms} ms`
}

/** Tag class for a run status (RUNNING / SUCCEEDED / FAILED / NEVER) or a link status. */
export function statusClass(status: string | null | undefined): string {
  switch (status) {
    case 'SUCCEEDED':
    case 'UP':
      return 'tag ok'
    case 'RUNNING':
    case 'UNCHECKED':
    case 'NEVER':
      return 'tag warn'
    case 'FAILED':
    case 'BROKEN':
    case 'REFUSED':
      return 'tag error'
    default:
      return 'tag'
  }
}

