// Search highlights arrive as HTML-escaped text with the matches wrapped in `<mark>` (see
// `SearchHighlight` in the SDL). We never hand them to v-html: the snippet is split into plain
// text and marked parts, entities are decoded, and Vue renders each part as escaped text, so
// whatever a record's author typed can never become markup — only `<mark>` survives.

/** One run of a highlighted snippet. */
export interface SnippetPart {
  text: string
  mark: boolean
}

const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' }

/** Decodes the HTML entities the server's escaper writes (and numeric ones); leaves others as typed. */
export function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);/g, (whole, body: string) => {
    if (body[0] === '#') {
      const n = body[1] === 'x' || body[1] === 'X' ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10)
      return Number.isFinite(n) && n > 0 && n <= 0x10ffff ? String.fromCodePoint(n) : whole
    }
    return NAMED[body] ?? whole
  })
}

/** Splits a snippet into text and `<mark>` runs; any other tag-like text stays literal text. */
export function parseSnippet(snippet: string): SnippetPart[] {
  const parts: SnippetPart[] = []
  let mark = false
  for (const piece of snippet.split(/(<mark>|<\/mark>)/)) {
    if (piece === '<mark>') mark = true
    else if (piece === '</mark>') mark = false
    else if (piece) parts.push({ text: decodeEntities(piece), mark })
  }
  return parts
}
