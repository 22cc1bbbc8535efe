/**
 * How the Telegram and Slack adapters log a failed API call: the platform's own error fields
 * when it answered, else the transport error's message with the token redacted (undici may
 * put the URL, which holds Telegram's token, in its messages).
 */
import type { FastifyBaseLogger } from 'fastify';
import type { ChannelName } from '../core/message.js';

export interface ApiLogSource {
  channel: ChannelName;
  /** The platform as log messages name it: `Telegram`, `Slack`. */
  platform: string;
  redact(text: string): string;
}

/**
 * Logs `err` from `method` at warn level. `answered` holds the platform's error fields
 * (`error_code`/`description`, `error`/`status`) when the API answered with an error, and is
 * undefined when it could not be reached or failed otherwise.
 */
export function logApiError(log: FastifyBaseLogger, source: ApiLogSource, method: string, err: unknown, answered: Record<string, unknown> | undefined): void {
  if (answered) {
    log.warn({ channel: source.channel, method, ...answered }, `${source.platform} API error`);
  } else {
    log.warn({ channel: source.channel, method, error: source.redact(err instanceof Error ? err.message : String(err)) }, `${source.platform} API call failed`);
  }
}
