// Why this file exists: the matcher explains each suggestion with Chinese sentences
// (`成熟度 TRL 6 ≥ 需求 TRL 5 ✓`). Chinese readers get those sentences as written; English readers
// get the same facts re-told from the structured fields (kind, met, the two records' values), so
// the reasons read naturally in both languages and never disagree with the score.
import type { AchievementMatch, MatchConstraint, Need } from './queries'
import { formatYuan } from './model'

type T = (key: string, named?: Record<string, unknown>) => string

/** The server sentence without its trailing ✓/✗ (the page shows its own mark). */
export function stripMark(s: string): string {
  return s.replace(/\s*[✓✗]\s*$/, '').trim()
}

/** One readable sentence for a constraint in the current language. */
export function constraintSentence(c: MatchConstraint, m: AchievementMatch, n: Need, lang: string, t: T): string {
  if (lang !== 'en') return stripMark(c.text)
  const a = m.achievement
  const modes = (list: string[]) => list.map((x) => t(`needs.modes.${x}`)).join(', ')
  const codes = (prefix: string) =>
    m.explanation.matchedCodes.filter((x) => x.startsWith(prefix)).map((x) => x.slice(prefix.length)).join(', ')
  const k = `needs.why.${c.kind}`
  switch (c.kind) {
    case 'INDUSTRY': {
      if (c.met == null && c.value == null) return t(`${k}.none`)
      const shared = codes('GB/T 4754 ')
      if (!shared) return t(`${k}.differ`, { a: a.industry?.code ?? '', n: n.industry?.code ?? '' })
      return t(c.met ? `${k}.same` : `${k}.section`, { code: shared })
    }
    case 'IPC': {
      if (c.met == null && c.value == null) return t(`${k}.none`)
      const shared = codes('IPC ')
      if (!shared) return t(`${k}.differ`, { a: a.ipcCodes.join(', '), n: n.ipcCodes.join(', ') })
      return t(c.met ? `${k}.same` : `${k}.class`, { code: shared })
    }
    case 'MATURITY': {
      const got = a.maturity
      const req = n.requiredMaturity
      if (got != null && req != null) return t(got >= req ? `${k}.ok` : `${k}.low`, { got, req })
      if (got != null) return t(`${k}.noReq`, { got })
      if (req != null) return t(`${k}.noTrl`, { req })
      return t(`${k}.none`)
    }
    case 'TRANSFER_MODE': {
      if (c.met == null) return t(`${k}.none`)
      const shared = a.transferModes.filter((x) => n.transferModes.includes(x))
      if (shared.length) return t(`${k}.ok`, { modes: modes(shared) })
      return t(`${k}.differ`, { wanted: modes(n.transferModes), offered: modes(a.transferModes) })
    }
    case 'PRICE': {
      const price = a.askingPriceYuan
      const budget = n.budget.maxYuan ?? n.budget.minYuan
      if (price == null) return t(`${k}.negotiable`)
      const p = formatYuan(price, lang)
      if (budget == null) return t(`${k}.budgetOpen`, { p })
      return t(price <= budget ? `${k}.ok` : `${k}.over`, { p, b: formatYuan(budget, lang) })
    }
    case 'REGION': {
      const ra = a.regionCode
      const rn = n.regionCode
      if (!ra || !rn) return t(`${k}.none`)
      if (ra === rn) return t(`${k}.same`, { code: rn })
      if (ra.slice(0, 4) === rn.slice(0, 4)) return t(`${k}.city`, { code: `${rn.slice(0, 4)}00` })
      if (ra.slice(0, 2) === rn.slice(0, 2)) return t(`${k}.province`, { code: `${rn.slice(0, 2)}0000` })
      return t(`${k}.far`, { a: ra, n: rn })
    }
    case 'RECENCY': {
      const days = c.text.match(/(\d+)/)?.[1] ?? '?'
      return t(`${k}.days`, { days })
    }
    case 'RESPONSIVENESS': {
      const r = c.text.match(/(\d+)\s*\/\s*(\d+)/)
      if (!r) return t(`${k}.none`)
      return t(`${k}.ratio`, { answered: r[1], all: r[2] })
    }
    default:
      return stripMark(c.text)
  }
}
