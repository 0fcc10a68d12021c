// Names of organisations and collections for facet values and filter chips. The server labels
// facet values in Chinese only; the English names are fetched once per visit, when needed.
import { reactive } from 'vue'
import { client } from '@/api/client'
import { pick } from '@/plugins/i18n'
import { LOOKUPS } from './queries'
import { typeLabel, modeLabel, sectionLabel, regionLabel, trlMeaning, t } from './catalog'
import type { FacetName } from './params'

type Names = Record<string, { zh: string; en: string | null }>
export const lookups = reactive({ orgs: {} as Names, collections: {} as Names, state: 'idle' as 'idle' | 'loading' | 'done' })

/** Loads the names once (failures leave the Chinese labels in place). */
export async function ensureLookups(): Promise<void> {
  if (lookups.state !== 'idle') return
  lookups.state = 'loading'
  const r = await client.query(LOOKUPS, {}, { requestPolicy: 'cache-first' }).toPromise()
  for (const o of r.data?.organisations?.nodes ?? []) lookups.orgs[o.key] = { zh: o.nameZh, en: o.nameEn }
  for (const c of r.data?.collections?.nodes ?? []) lookups.collections[c.key] = { zh: c.nameZh, en: c.nameEn }
  lookups.state = r.error ? 'idle' : 'done'
}

/** A facet value in the reader's language; `label` is the server's Chinese label. */
export function facetValueLabel(facet: FacetName, value: string, label?: string | null): string {
  switch (facet) {
    case 'TYPE':
      return typeLabel(value)
    case 'TRANSFER_MODE':
      return modeLabel(value)
    case 'INDUSTRY_SECTION':
      return `${value} ${sectionLabel(value, label)}`
    case 'MATURITY':
      return t('search.trl.short', { n: value })
    case 'REGION':
      return regionLabel(value, label)
    case 'ORGANISATION': {
      const n = lookups.orgs[value]
      return n ? pick(n.zh, n.en) : label || value
    }
    case 'COLLECTION': {
      const n = lookups.collections[value]
      return n ? pick(n.zh, n.en) : label || value
    }
  }
}

/** A longer explanation of a value, when there is one (TRL meaning). */
export function facetValueHint(facet: FacetName, value: string): string {
  return facet === 'MATURITY' ? trlMeaning(Number(value)) : ''
}
