/**
 * Stage A of loading one file, which depends only on its text (and so is cached by content
 * hash): YAML syntax, duplicate keys, tags, aliases, the conversion to plain values, and the
 * form of env references. Every problem gets an exact 1-based line:column from the AST.
 */
import { isAlias, isMap, isScalar, isSeq, type Document, type LineCounter, type Node as YamlNode } from 'yaml';
import { parseEnvTemplate, type EnvTemplate } from './env-ref.js';
import type { LocalProblem, Position } from './problem.js';
import { tooDeepFlowOffset } from './nesting.js';
import { MAX_ALIAS_NODES, MAX_NESTING, normalizeLineBreaks, parseStream } from './yaml-options.js';

export type PathSegment = string | number;

/** A string value containing env references (or `$${` escapes), with where it was written. */
export interface EnvString {
  path: PathSegment[];
  template: EnvTemplate;
  /** Position of each of `template.refs`, same order. */
  refPositions: Position[];
  /** Position of the scalar. */
  position: Position;
}

export interface ParsedDocument {
  /** Index of the document in its file (0-based, counting empty ones). */
  index: number;
  value: unknown;
  /** False when YAML errors make the value untrustworthy: schema checks are then skipped. */
  yamlOk: boolean;
  /** Where the document's content starts. */
  position: Position;
  /** Position of the value of the top-level `name`, when present. */
  namePosition?: Position;
  envStrings: EnvString[];
}

export interface ParsedFile {
  problems: LocalProblem[];
  /** Non-empty documents only. */
  docs: ParsedDocument[];
  /** Every variable name referenced in the file, sorted, unique. */
  envVars: string[];
}

type Range = [number, number, number];

class Converter {
  readonly problems: LocalProblem[] = [];
  readonly envStrings: EnvString[] = [];
  ok = true;
  private readonly path: PathSegment[] = [];
  /** Collections being converted (an alias to one of them would recurse); only tracked when aliases may occur. */
  private readonly inProgress: Set<YamlNode> | undefined;
  private readonly anchors = new Map<string, YamlNode>();
  private aliasDepth = 0;
  private outerAlias: YamlNode | undefined;
  private expanded = 0;
  private limitHit = false;
  /** Set once a nesting problem is reported for the document (by the parser or here). */
  depthHit = false;

  constructor(
    private readonly text: string,
    private readonly lc: LineCounter,
    mayHaveAliases: boolean,
  ) {
    if (mayHaveAliases) this.inProgress = new Set();
  }

  pos(offset: number): Position {
    const p = this.lc.linePos(offset);
    return { line: p.line, column: p.col };
  }

  at(node: { range?: Range | null } | null | undefined): Position {
    return this.pos(node?.range?.[0] ?? 0);
  }

  problem(position: Position, rule: LocalProblem['rule'], message: string): void {
    this.problems.push({ line: position.line, column: position.column, rule, message });
  }

  convert(node: YamlNode | null | undefined): unknown {
    if (node == null) return null;
    if (this.path.length > MAX_NESTING) return this.tooDeep(node);
    if (this.aliasDepth > 0 && ++this.expanded > MAX_ALIAS_NODES) {
      if (!this.limitHit) {
        this.limitHit = true;
        this.ok = false;
        this.problem(
          this.at(this.outerAlias as YamlNode),
          'yaml-alias',
          `alias expansion exceeds ${MAX_ALIAS_NODES} nodes in one document (a "billion laughs" pattern?); write the values out instead`,
        );
      }
      return null;
    }
    if (this.aliasDepth === 0 && node.anchor) this.anchors.set(node.anchor, node);
    if (isScalar(node)) {
      const value = node.value;
      if (typeof value === 'string' && value.includes('${')) this.envString(node, value);
      return value;
    }
    if (isAlias(node)) return this.alias(node);
    if (isMap(node)) {
      this.inProgress?.add(node);
      const obj: Record<string, unknown> = {};
      // First key node per JS key: one pass, so duplicate detection stays linear in keys.
      const seen = new Map<string, YamlNode | null>();
      for (const pair of node.items) {
        const keyNode = pair.key as YamlNode | null;
        if (keyNode && !isScalar(keyNode)) {
          this.problem(this.at(keyNode), 'invalid-type', 'mapping keys must be plain strings, not lists, mappings or aliases');
          continue;
        }
        if (this.aliasDepth === 0 && keyNode?.anchor) this.anchors.set(keyNode.anchor, keyNode);
        const key = keyNode?.value == null ? '' : String(keyNode.value);
        // `1:` and `"1":` are different YAML keys but the same JS key: a duplicate here.
        if (seen.has(key)) {
          this.problem(this.at(keyNode), 'duplicate-key', `duplicate key "${key}" (first at line ${this.at(seen.get(key)).line})`);
          continue;
        }
        seen.set(key, keyNode);
        this.path.push(key);
        const value = this.convert(pair.value as YamlNode | null);
        this.path.pop();
        if (key === '__proto__') Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
        else obj[key] = value;
      }
      this.inProgress?.delete(node);
      return obj;
    }
    if (isSeq(node)) {
      this.inProgress?.add(node);
      const arr: unknown[] = [];
      node.items.forEach((item, i) => {
        this.path.push(i);
        arr.push(this.convert(item as YamlNode | null));
        this.path.pop();
      });
      this.inProgress?.delete(node);
      return arr;
    }
    return null;
  }

  private tooDeep(node: YamlNode): null {
    if (!this.depthHit) {
      this.depthHit = true;
      this.ok = false;
      this.problem(this.at(node), 'yaml-syntax', nestingMessage());
    }
    return null;
  }

  private alias(node: YamlNode & { source: string }): unknown {
    const target = this.anchors.get(node.source);
    if (!target) {
      this.ok = false;
      this.problem(this.at(node), 'yaml-alias', `alias *${node.source} has no anchor &${node.source} before it`);
      return null;
    }
    if (this.inProgress?.has(target)) {
      this.ok = false;
      this.problem(this.at(node), 'yaml-alias', `alias *${node.source} is inside its own anchor (recursive data is not supported)`);
      return null;
    }
    if (this.limitHit) return null;
    if (this.aliasDepth === 0) this.outerAlias = node;
    this.aliasDepth++;
    const value = this.convert(target);
    this.aliasDepth--;
    return value;
  }

  private envString(node: YamlNode, value: string): void {
    const template = parseEnvTemplate(value);
    if (!template) return;
    const range = node.range as Range;
    const source = this.text.slice(range[0], range[1]);
    // Point at each `${` in the source when it is written there literally, else at the scalar.
    const marks = [
      ...template.refs.map((r) => ({ index: r.index, needle: `\${${r.name}` })),
      ...template.malformed.map((m) => ({ index: m.index, needle: m.text })),
    ].sort((a, b) => a.index - b.index);
    const found = new Map<number, Position>();
    let from = 0;
    for (const mark of marks) {
      const i = source.indexOf(mark.needle, from);
      if (i >= 0) {
        found.set(mark.index, this.pos(range[0] + i));
        from = i + mark.needle.length;
      } else {
        found.set(mark.index, this.at(node));
      }
    }
    for (const m of template.malformed) {
      this.problem(
        found.get(m.index) as Position,
        'env-syntax',
        `malformed environment reference "${m.text}"; write \${VAR} or \${VAR:-default} (VAR: letters, digits, _), or $\${ for a literal "\${"`,
      );
    }
    this.envStrings.push({
      path: [...this.path],
      template,
      refPositions: template.refs.map((r) => found.get(r.index) as Position),
      position: this.at(node),
    });
  }
}

function describeTag(message: string): string {
  const m = /Unresolved tag: (.*)$/.exec(message);
  const tag = (m?.[1] ?? message).replace(/^tag:yaml\.org,2002:/, '!!');
  return `unsupported tag ${tag}: only YAML 1.2 core values (strings, numbers, booleans, null, mappings, lists) are allowed`;
}

function nestingMessage(): string {
  return `nesting too deep (limit ${MAX_NESTING} levels of lists and mappings)`;
}

/** The library reports its own stack overflow as a syntax error: say what it means. */
function yamlMessage(message: string): string {
  return /call stack/i.test(message) ? nestingMessage() : message;
}

/**
 * The usual cause of "Implicit keys need to be on a single line": a line below the reported
 * one is indented deeper than it, so YAML reads it as the continuation of that value.
 */
function indentHint(text: string, line: number): string {
  const lines = text.split('\n');
  const indent = (s: string): number => s.length - s.trimStart().length;
  const at = lines[line - 1];
  if (at === undefined) return '';
  for (let i = line; i < lines.length; i++) {
    const l = lines[i]!;
    if (l.trim() === '' || l.trimStart().startsWith('#')) continue;
    if (indent(l) <= indent(at)) return '';
    return ` (line ${i + 1} is indented deeper than line ${line}: keys of one mapping must start in the same column)`;
  }
  return '';
}

/** Parses one file's text into plain documents plus located problems (never throws). */
export function parseFile(text: string): ParsedFile {
  const deep = tooDeepFlowOffset(text, MAX_NESTING);
  if (deep !== undefined) {
    // Not parsed at all: the parser would recurse once per level.
    const lines = normalizeLineBreaks(text.slice(0, deep)).split('\n');
    const column = (lines[lines.length - 1] ?? '').length + 1;
    return { problems: [{ line: lines.length, column, rule: 'yaml-syntax', message: nestingMessage() }], docs: [], envVars: [] };
  }
  const stream = parseStream(text);
  const problems: LocalProblem[] = [];
  const docs: ParsedDocument[] = [];
  const vars = new Set<string>();
  const lc = stream.lineCounter;
  const mayHaveAliases = text.includes('*');
  for (const e of stream.streamErrors) {
    const p = lc.linePos(e.pos[0]);
    problems.push({ line: p.line, column: p.col, rule: 'yaml-syntax', message: yamlMessage(e.message) });
  }
  stream.docs.forEach((doc: Document.Parsed, index) => {
    const conv = new Converter(text, lc, mayHaveAliases);
    const indentErrors = doc.errors.some((e) => e.code === 'MULTILINE_IMPLICIT_KEY');
    for (const e of doc.errors) {
      // The same over-indented line also yields this one, at the same place: say it once.
      if (indentErrors && e.code === 'BLOCK_AS_IMPLICIT_KEY') continue;
      conv.ok = false;
      const message = yamlMessage(e.message);
      if (message === nestingMessage()) {
        if (conv.depthHit) continue; // the overflow surfaces at many places: say it once
        conv.depthHit = true;
      }
      const pos = conv.pos(e.pos[0]);
      conv.problem(pos, 'yaml-syntax', e.code === 'MULTILINE_IMPLICIT_KEY' || e.code === 'BAD_INDENT' ? `${message}${indentHint(text, pos.line)}` : message);
    }
    for (const w of doc.warnings) {
      conv.ok = false;
      if (w.code === 'TAG_RESOLVE_FAILED') conv.problem(conv.pos(w.pos[0]), 'yaml-tag', describeTag(w.message));
      else conv.problem(conv.pos(w.pos[0]), 'yaml-syntax', w.message);
    }
    const contents = doc.contents as YamlNode | null;
    const value = conv.convert(contents);
    problems.push(...conv.problems);
    if (value === null && conv.ok) return; // empty document (comments only, trailing `---`)
    const parsed: ParsedDocument = { index, value, yamlOk: conv.ok, position: conv.at(contents), envStrings: conv.envStrings };
    if (isMap(contents)) {
      const pair = contents.items.find((p) => isScalar(p.key) && p.key.value === 'name');
      if (pair) parsed.namePosition = conv.at((pair.value ?? pair.key) as YamlNode);
    }
    for (const s of conv.envStrings) for (const r of s.template.refs) vars.add(r.name);
    docs.push(parsed);
  });
  return { problems, docs, envVars: [...vars].sort() };
}
