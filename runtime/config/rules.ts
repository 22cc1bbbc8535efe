/**
 * The stable rule ids of config problems, each with a one-line meaning. The README lists
 * exactly these (a test checks it); ids never change once released.
 */
export const rules = {
  'config-dir': 'The config directory (or file) does not exist or cannot be read.',
  'file-unreadable': 'A YAML file (or the target of a YAML symlink) cannot be read.',
  'file-too-large': 'A YAML file is larger than 1 MiB.',
  'symlink-loop': 'A directory symlink points back to one of its own ancestors.',
  'yaml-syntax': 'The file is not valid YAML (parser errors and warnings both count).',
  'duplicate-key': 'A key appears twice in one mapping (reported at the second occurrence).',
  'yaml-tag': 'A tag outside the YAML 1.2 core schema (`!!binary`, `!!set`, `!foo`, ...).',
  'yaml-alias': 'An alias without an anchor, an alias inside its own anchor, or alias expansion past the limit ("billion laughs").',
  'api-version': '`apiVersion` is not `switchboard/v1`.',
  'unknown-kind': '`kind` is neither `Integration` nor `Bot`.',
  'missing-key': 'A required key is missing (reported at the mapping that lacks it).',
  'unknown-key': 'A key the schema does not know, such as a typo `wieght:` (reported at the key).',
  'invalid-type': 'A value has the wrong type (a list where a string belongs, a document that is not a mapping, ...).',
  'invalid-value': 'A value has the right type but is not allowed (enum, range, format, empty list).',
  'invalid-name': 'A `name` is not a lowercase DNS label of at most 63 characters.',
  'duplicate-name': 'Two documents of one kind share a `name` anywhere in the tree (reported at the later one).',
  'unknown-integration': 'A bot lists an integration that no `Integration` document defines.',
  'unknown-fallback': 'A bot entry with `fallback: true` names an integration that no `Integration` document defines.',
  'duplicate-integration-entry': 'A bot lists the same integration twice.',
  'no-active-integration': 'A bot has no integration entry with `weight` > 0.',
  'missing-url': '`url` is missing on an integration whose type is not `echo`.',
  'invalid-url': 'A URL (webhook `url`, channel `apiUrl`) is not a valid absolute http(s) URL.',
  'insecure-url': 'A webhook `url` is not `https` (allowed with --allow-private-network: `http`).',
  'url-credentials': 'A webhook `url` carries `user:password@`; put credentials in `headers`.',
  'private-network': 'A webhook `url` points at a loopback, private, link-local or otherwise non-public address (allowed with --allow-private-network).',
  'timeout-range': '`timeout`, `firstTokenTimeout` or `idleTimeout` is outside 100ms..5m, or a streaming deadline is longer than `timeout`.',
  'env-syntax': 'A malformed environment reference: anything starting `${` other than `${VAR}` or `${VAR:-default}`.',
  'env-missing': 'A referenced environment variable is unset or empty and has no default (only with --require-env, and always for `serve`/`test`).',
  'env-undeclared': 'A `${VAR}` without a default names a variable that no `--env-file` declares.',
  'env-unused': 'A note: an `--env-file` declares a variable that no config file references.',
  'env-file': 'An `--env-file` line or document that is neither dotenv (`NAME=value`, `NAME`) nor readable YAML.',
  'not-switchboard': 'A YAML file in a config directory holds no Switchboard document: a warning, an error with `--strict`.',
  'signing-secret': '`signingSecret` (after env resolution) is not `whsec_` followed by base64.',
} as const;

export type RuleId = keyof typeof rules;
