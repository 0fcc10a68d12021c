// Why this file exists: every form in the web app shows its problems the same way — one message
// under each field in error, a count at the top, focus on the first field in error, and whatever
// the server refused without naming a field as one form-level note. The checks a form makes
// before sending and the server's BAD_INPUT answers (`extensions.code` + `extensions.field`)
// both land in the one `errors` map this composable keeps; `FormField` shows them.
import { computed, nextTick, reactive, ref, type ComputedRef, type Ref } from 'vue'
import type { CombinedError } from '@urql/vue'
import { useI18n } from 'vue-i18n'

/** One server BAD_INPUT that names a field, with its path relative to the input (`budgetMinYuan`). */
export interface FieldError {
  /** Path without the `input.` prefix: `title`, `sessions[0].endsAt`, `patents[1].applicationNumber`. */
  field: string
  /** The explanation, without the "input.x: " the server puts before it. */
  message: string
  /** The message exactly as the server sent it. */
  raw: string
  /** Set on a patent application number whose check digit is wrong. */
  expectedCheckDigit?: string
}

/** The BAD_INPUT errors of a result that name a field (others are form-level). */
export function badInputs(e: CombinedError | null | undefined): FieldError[] {
  if (!e || e.networkError) return []
  return e.graphQLErrors
    .filter((g) => g.extensions?.code === 'BAD_INPUT' && typeof g.extensions?.field === 'string')
    .map((g) => {
      const field = String(g.extensions.field).replace(/^input\./, '')
      const message = g.message.replace(/^[\w.[\]]+:\s*/, '')
      const d = g.extensions?.expectedCheckDigit
      return { field, message, raw: g.message, expectedCheckDigit: d == null ? undefined : String(d) }
    })
}

/** Where a server field error goes: a form key (message from `serverMessage`), or a key and message. */
export type Placement = string | { key: string; message: string } | undefined

/**
 * A `place` for `fromServer` that puts every server error in the form-level note: the admin
 * forms show the server's own wording there, which names the configuration field it refuses.
 */
export const formLevel = (): Placement => undefined

/** What `useFormErrors` hands a form. */
export interface FormErrors {
  /** Form key → message; the first message for a key wins. */
  errors: Record<string, string>
  /** A server error no field took (CONFLICT, FORBIDDEN, a BAD_INPUT naming no shown field …). */
  formError: Ref<CombinedError | null>
  /** How many fields are in error. */
  count: ComputedRef<number>
  /** Forgets every message (call before checking again). */
  clear: () => void
  /** Records a message for a key unless it already has one. */
  set: (key: string, message: string) => void
  /** Forgets one key's message. */
  remove: (key: string) => void
  /**
   * Puts a server error under the fields it names. `place` maps each BAD_INPUT to a form key
   * (default: its field path with `[n]` at the end dropped, when `known` has it); an error no
   * field took becomes `formError`. Returns how many field messages were placed.
   */
  fromServer: (e: CombinedError, place?: (f: FieldError) => Placement) => number
  /** Moves focus to the first field in error (after the DOM shows the messages). */
  focusFirst: () => Promise<void>
}

/** Options of `useFormErrors`. */
export interface FormErrorOptions {
  /** The element id of a form key, for focus (`title` → `need-title`). */
  elementId: (key: string) => string
  /** The text under a field for a server error (default: "Refused by the server: <why>"). */
  serverMessage?: (f: FieldError) => string
  /** Form keys the server's fields map to by default (without it every field is taken). */
  known?: Iterable<string>
}

/** One form's error state: field messages, a form-level server error, focus on the first. */
export function useFormErrors(options: FormErrorOptions): FormErrors {
  const errors = reactive<Record<string, string>>({})
  const formError = ref<CombinedError | null>(null)
  const count = computed(() => Object.keys(errors).length)
  const known = options.known ? new Set(options.known) : null
  const { t } = useI18n()
  const serverMessage = options.serverMessage ?? ((f: FieldError) => t('common.refused', { msg: f.message }))

  function clear() {
    for (const k of Object.keys(errors)) delete errors[k]
    formError.value = null
  }
  function set(key: string, message: string) {
    if (!errors[key]) errors[key] = message
  }
  function remove(key: string) {
    delete errors[key]
  }
  function defaultPlace(f: FieldError): Placement {
    const key = f.field.replace(/\[\d+\]$/, '')
    return !known || known.has(key) ? key : undefined
  }
  function fromServer(e: CombinedError, place: (f: FieldError) => Placement = defaultPlace): number {
    let placed = 0
    for (const f of badInputs(e)) {
      const p = place(f)
      if (!p) continue
      const [key, message] = typeof p === 'string' ? [p, serverMessage(f)] : [p.key, p.message]
      errors[key] = message
      placed++
    }
    formError.value = placed ? null : e
    return placed
  }
  async function focusFirst() {
    await nextTick()
    const first = Object.keys(errors)[0]
    if (first) document.getElementById(options.elementId(first))?.focus()
  }
  return { errors, formError, count, clear, set, remove, fromServer, focusFirst }
}
