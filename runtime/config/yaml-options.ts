/**
 * The one place that says how YAML is parsed, so the loader and the lazy problem locator
 * always see the same tree.
 */
import { LineCounter, parseAllDocuments, type Document, type DocumentOptions, type ParseOptions, type SchemaOptions } from 'yaml';

/** Files larger than this are refused unparsed (rule `file-too-large`). */
export const MAX_FILE_BYTES = 1024 * 1024;

/**
 * At most this many nodes may be produced by expanding aliases in one document; past it the
 * document is refused (rule `yaml-alias`), which stops "billion laughs" in microseconds.
 */
export const MAX_ALIAS_NODES = 10_000;

/**
 * Safe parsing: YAML 1.2 core schema even under a `%YAML 1.1` directive (so `yes`/`on` stay
 * strings), no merge keys, known-but-non-core tags (`!!binary`, `!!timestamp`, `!!set`...) left
 * unresolved so they surface as warnings, and no console output. The library's duplicate-key
 * check is off: it compares every key with every other (20,000 keys took seconds); the
 * converter in `parse-file.ts` finds duplicates in one pass instead.
 */
export const yamlOptions: Readonly<ParseOptions & DocumentOptions & SchemaOptions> = {
  schema: 'core',
  resolveKnownTags: false,
  merge: false,
  strict: true,
  uniqueKeys: false,
  prettyErrors: false,
  logLevel: 'silent',
  keepSourceTokens: false,
};

/**
 * Collections may nest at most this deep (Switchboard documents need a handful of levels);
 * deeper ones are refused with a located `yaml-syntax` problem instead of overflowing the
 * parser's stack.
 */
export const MAX_NESTING = 100;

/**
 * A lone CR (old Mac line endings) is a line break in YAML but not to the parser's line
 * counter; turning each into LF keeps every offset and gives correct line:column.
 */
export function normalizeLineBreaks(text: string): string {
  return text.includes('\r') ? text.replace(/\r(?!\n)/g, '\n') : text;
}

export interface ParsedStream {
  docs: Document.Parsed[];
  lineCounter: LineCounter;
  /** Errors and warnings outside any document (only for a stream without documents). */
  streamErrors: Array<{ code: string; message: string; pos: [number, number] }>;
}

/** Parses every document of `text` with {@link yamlOptions}. */
export function parseStream(text: string): ParsedStream {
  const lineCounter = new LineCounter();
  const result = parseAllDocuments(normalizeLineBreaks(text), { ...yamlOptions, lineCounter });
  if ('empty' in result) {
    const streamErrors = [...result.errors, ...result.warnings].map((e) => ({ code: e.code, message: e.message, pos: e.pos }));
    return { docs: [], lineCounter, streamErrors };
  }
  return { docs: result, lineCounter, streamErrors: [] };
}
