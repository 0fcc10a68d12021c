// Why this file exists: the 统一社会信用代码 (unified social credit code, GB 32100-2015) is checked
// as the person types, with the same rules and the same worked examples as the server
// (server/src/validate.rs): 18 characters from 0-9 and A-Y without I, O, Z, S, V, and a check
// character over the first 17. A wrong check character is answered with the right one, so a
// typo in the last place is fixed with one click.

/** The alphabet in value order (0–30). */
const ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY'
const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]

/** What is wrong with a code, as an i18n key under `join.credit.*` and its values. */
export type CreditProblem =
  | { key: 'fullWidth' }
  | { key: 'length'; n: number }
  | { key: 'letter'; ch: string; pos: number }
  | { key: 'check'; expected: string; corrected: string }

/** The check character of the first 17 characters (already valid ones). */
export function checkCharacter(first17: string): string {
  let sum = 0
  for (let i = 0; i < 17; i++) sum += ALPHABET.indexOf(first17[i]) * WEIGHTS[i]
  const c = 31 - (sum % 31)
  return ALPHABET[c === 31 ? 0 : c]
}

/** Upper-cases and drops spaces, the way the server reads the field. */
export function normaliseCreditCode(raw: string): string {
  return raw.replace(/\s+/g, '').toUpperCase()
}

/** The first problem of a code, or null when it is valid. */
export function creditCodeProblem(raw: string): CreditProblem | null {
  const code = normaliseCreditCode(raw)
  if (/[\uFF10-\uFF19\uFF21-\uFF3A]/.test(code)) return { key: 'fullWidth' }
  const chars = [...code]
  if (chars.length !== 18) return { key: 'length', n: chars.length }
  for (let i = 0; i < 18; i++) {
    if (!ALPHABET.includes(chars[i])) return { key: 'letter', ch: chars[i], pos: i + 1 }
  }
  const expected = checkCharacter(code.slice(0, 17))
  if (code[17] !== expected) return { key: 'check', expected, corrected: code.slice(0, 17) + expected }
  return null
}
