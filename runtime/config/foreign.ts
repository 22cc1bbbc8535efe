/**
 * Files that hold no Switchboard document (Kubernetes manifests, docker-compose files, CI
 * workflows kept beside the config) are skipped rather than reported, so a config repository
 * can keep other YAML next to its bots. A file counts as Switchboard's when it parses and any
 * document has an `apiVersion` starting with `switchboard/` or `kind: Integration|Bot` (in any
 * case of key or value: a near miss is an error, never skipped), or
 * when it carries the `integrations.schema.json` modeline. Anything that fails to parse is
 * reported as usual (it cannot be judged). Validate lists the skipped files.
 */
import { claimsSwitchboard } from './near-miss.js';
import type { ParsedFile } from './parse-file.js';

const MODELINE = /^#\s*yaml-language-server:\s*\$schema=\S*integrations\.schema\.json/m;

/** True when `parsed` (of `text`) is YAML that belongs to some other tool. */
export function isForeignFile(text: string, parsed: ParsedFile): boolean {
  // A file the YAML parser rejects cannot be judged; a malformed `${…}` (another tool's
  // interpolation syntax, such as compose's `${VAR:?message}`) does not stop the judgement.
  if (parsed.docs.length === 0 || parsed.problems.some((p) => p.rule !== 'env-syntax')) return false;
  if (MODELINE.test(text)) return false;
  return parsed.docs.every((d) => !claimsSwitchboard(d.value));
}
