/**
 * Secret redaction for anything that may reach a log line, an error body or CLI output.
 * Secrets are the env-resolved values of the config snapshot plus well-known token shapes.
 */
const REDACTED = '[REDACTED]';

/** Patterns of credentials that must never be printed even when not known as a config secret. */
const TOKEN_PATTERNS: RegExp[] = [
  /\bbot\d{5,}:[A-Za-z0-9_-]{20,}/g, // Telegram bot token inside an API path
  /\bxox[abprs]-[A-Za-z0-9-]{10,}/g, // Slack tokens
  /\bwhsec_[A-Za-z0-9+/=]{8,}/g, // Standard Webhooks secrets
  /\bsk-[A-Za-z0-9_-]{16,}/g, // OpenAI-style keys
];

/**
 * Shorter values are never masked: a secret of one or two characters (an env value `1`)
 * would otherwise mask every such character of a message and reveal nothing worth hiding.
 */
export const MIN_SECRET_LENGTH = 4;

/**
 * The one redactor: replaces every occurrence of each secret of at least
 * `MIN_SECRET_LENGTH` characters with `placeholder`. Pass the secrets longest first when one
 * may contain another, so the longer one is masked whole.
 */
export function maskSecrets(text: string, secrets: readonly string[], placeholder: string = REDACTED): string {
  let out = text;
  for (const s of secrets) {
    if (s.length >= MIN_SECRET_LENGTH && out.includes(s)) out = out.split(s).join(placeholder);
  }
  return out;
}

/** Replaces every occurrence of a known secret and of token-shaped strings. */
export function redactSecrets(text: string, secrets: readonly string[] = []): string {
  let out = maskSecrets(text, secrets);
  for (const p of TOKEN_PATTERNS) out = out.replace(p, REDACTED);
  return out;
}

/** Header names whose values are always redacted in logs and reports. */
export const SECRET_HEADER_NAMES = ['authorization', 'x-api-key', 'api-key', 'cookie', 'set-cookie', 'x-telegram-bot-api-secret-token', 'x-slack-signature', 'proxy-authorization'];

/** pino `redact` option for request logs: credential headers are replaced, never printed. */
export const LOG_REDACTION = {
  paths: SECRET_HEADER_NAMES.flatMap((h) => [`req.headers["${h}"]`, `headers["${h}"]`]),
  censor: REDACTED,
};
