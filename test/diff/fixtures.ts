/** YAML documents for diff tests. */

export const echo = (name: string): string => `apiVersion: switchboard/v1\nkind: Integration\nname: ${name}\ntype: echo\n`;

export const openai = (name: string, model = 'gpt-4o-mini', auth = 'Bearer ${OPENAI_API_KEY}'): string =>
  `apiVersion: switchboard/v1\nkind: Integration\nname: ${name}\ntype: openai\nurl: https://api.openai.com/v1/chat/completions\nheaders:\n  Authorization: ${auth}\nmodel: ${model}\n`;

/** A bot listing `entries` as [name, weight, fallback?]. */
export function bot(name: string, entries: Array<[string, number, boolean?]>, extra = ''): string {
  const list = entries.map(([n, w, f]) => `  - name: ${n}\n    weight: ${w}${f ? '\n    fallback: true' : ''}`).join('\n');
  return `apiVersion: switchboard/v1\nkind: Bot\nname: ${name}\nchannels:\n  http: {}\n${extra}integrations:\n${list}\n`;
}

export const docs = (...parts: string[]): string => parts.join('---\n');
