/**
 * Maps a path inside a parsed document (as zod and the checks report it) back to a 1-based
 * line:column. Files are re-parsed lazily, only when one of their documents has a problem,
 * so valid trees never pay for keeping ASTs in memory.
 */
import { isAlias, isMap, isScalar, isSeq, type Document, type Node as YamlNode } from 'yaml';
import type { PathSegment } from './parse-file.js';
import type { Position } from './problem.js';
import { parseStream, type ParsedStream } from './yaml-options.js';

/**
 * `value`: the node at the path; `key`: the key of the last segment (falls back to the value);
 * `map`: the collection that holds (or should hold) the last segment, for a missing key.
 */
export type Anchor = 'value' | 'key' | 'map';

export type Locator = (docIndex: number, path: readonly PathSegment[], anchor: Anchor) => Position;

type Range = [number, number, number];

function deref(node: YamlNode | null | undefined, doc: Document): YamlNode | null | undefined {
  let n = node;
  for (let i = 0; i < 8 && n && isAlias(n); i++) n = n.resolve(doc) as YamlNode | undefined;
  return n;
}

/** Returns a locator over `text`, parsing it on first use. */
export function createLocator(text: string): Locator {
  let stream: ParsedStream | undefined;
  return (docIndex, path, anchor) => {
    stream ??= parseStream(text);
    const lc = stream.lineCounter;
    const doc = stream.docs[docIndex];
    const toPos = (node: YamlNode | null | undefined): Position => {
      const p = lc.linePos((node?.range as Range | undefined)?.[0] ?? 0);
      return { line: p.line, column: p.col };
    };
    if (!doc) return { line: 1, column: 1 };
    let node = deref(doc.contents as YamlNode | null, doc);
    let key: YamlNode | null | undefined;
    let parent: YamlNode | null | undefined = node;
    for (let i = 0; i < path.length; i++) {
      const seg = path[i];
      parent = node;
      let next: YamlNode | null | undefined;
      key = undefined;
      if (isMap(node)) {
        const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value ?? '') === String(seg));
        if (pair) {
          key = pair.key as YamlNode;
          // `key:` with no value: point at the key.
          next = (pair.value as YamlNode | null) ?? key;
        }
      } else if (isSeq(node) && typeof seg === 'number') {
        next = node.items[seg] as YamlNode | undefined;
      }
      if (!next) return toPos(anchor === 'map' && i === path.length - 1 ? parent : (key ?? node));
      node = deref(next, doc);
    }
    if (anchor === 'map') return toPos(path.length > 0 ? parent : node);
    if (anchor === 'key') return toPos(key ?? node);
    return toPos(node);
  };
}
