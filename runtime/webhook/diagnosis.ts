/**
 * What to check when an attempt failed: the troubleshooting table of the platform this
 * runtime mirrors (connection, authentication, response format, timeout), plus the cases
 * Switchboard adds (blocked private target, redirects, size limit). Used by
 * `switchboard test`.
 */
import type { ResolvedIntegration } from '../config/snapshot.js';
import type { AttemptResult } from './attempt.js';
import { causeCode, isTlsCode } from './classify.js';
import { MAX_REPLY_BYTES } from './read-body.js';

export interface Diagnosis {
  /** One line naming the problem, e.g. "Authentication error (401)". */
  title: string;
  /** What to check, most likely first. */
  hints: string[];
}

const DNS_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NODATA', 'EAI_NONAME']);

function keyHint(integration: ResolvedIntegration): string[] {
  if (integration.type === 'openai') return ['OpenAI expects the header "Authorization: Bearer ${OPENAI_API_KEY}" (with the word Bearer).'];
  if (integration.type === 'anthropic') return ['Anthropic expects the header "x-api-key: ${ANTHROPIC_API_KEY}" (no Bearer).'];
  return [];
}

function whitespaceHints(integration: ResolvedIntegration): string[] {
  return Object.entries(integration.headers).flatMap(([name, value]) =>
    value !== value.trim() || /\s{2,}/.test(value) || /[\r\n]/.test(value) ? [`The value of header "${name}" has extra spaces or line breaks; remove them.`] : [],
  );
}

/**
 * A signed integration that answers 401/403 most often rejects the signature, not a key:
 * a secret that differs from the backend's, a backend that verifies a re-serialized body
 * instead of the raw bytes, or clocks too far apart.
 */
function signatureHints(integration: ResolvedIntegration): string[] {
  if (integration.signingSecrets.length === 0) return [];
  return [
    'This integration signs its requests (signingSecret): the backend may be rejecting the signature. Check that it verifies with the same whsec_ secret, over the raw request body (not re-serialized JSON), and that both clocks are right (verifyWebhook accepts timestamps within 5 minutes by default).',
  ];
}

/** Diagnosis of a failed attempt (null for a success). Pure; mentions no secret. */
export function diagnose(result: AttemptResult, integration: ResolvedIntegration): Diagnosis | null {
  if (result.ok) return null;
  switch (result.failure) {
    case 'blocked':
      return {
        title: 'Blocked private or non-HTTPS target',
        hints: [
          'Webhook targets must be public HTTPS URLs; loopback, private and link-local addresses are refused, also when DNS resolves a name to them.',
          'For local development and tests, pass --allow-private-network (or set SWITCHBOARD_ALLOW_PRIVATE_NETWORK=1).',
        ],
      };
    case 'timeout':
      return {
        title: 'Timeout',
        hints: [
          `Increase the integration's timeout (now ${integration.timeoutMs} ms; at most 5m).`,
          'Optimize the backend for faster responses, or ask for shorter replies (maxTokens).',
          'Check the network latency between Switchboard and the backend.',
        ],
      };
    case 'first_token_timeout':
      return {
        title: 'First-token timeout',
        hints: [
          `The stream sent no text within firstTokenTimeout (now ${integration.firstTokenTimeoutMs ?? integration.timeoutMs} ms); raise it, or check that the backend flushes each delta instead of buffering the reply.`,
          'Keep-alive comments, empty deltas and role-only chunks do not count as a first token.',
          'A proxy in front of the backend may buffer text/event-stream responses (nginx: proxy_buffering off or X-Accel-Buffering: no).',
        ],
      };
    case 'idle_timeout':
      return {
        title: 'Idle timeout',
        hints: [
          `The stream paused longer than idleTimeout (now ${integration.idleTimeoutMs ?? integration.timeoutMs} ms) between two text deltas; raise it for backends that think between parts.`,
          'Check that the backend flushes each delta as it is produced.',
        ],
      };
    case 'interrupted':
      return {
        title: 'Stream interrupted',
        hints: [
          'The stream closed before it ended: a custom webhook must finish with {"done": true} or data: [DONE]; OpenAI ends with data: [DONE], Anthropic with message_stop.',
          'Check the backend logs for a crash or a proxy closing long responses.',
        ],
      };
    case 'stream_error':
      return { title: 'Error event in the stream', hints: ['The backend reported an error inside the stream (the message above); check its logs and status page.'] };
    case 'cancelled':
      return { title: 'Cancelled', hints: ['The attempt was cancelled before it finished (the caller went away).'] };
    case 'unreachable': {
      const code = causeCode(result.cause);
      if (code === 'ECONNREFUSED') {
        return {
          title: 'Connection refused',
          hints: [
            'Verify the URL (host and port) is correct and the service is running.',
            'Check that firewall rules allow traffic from this host.',
            'Test with curl from a different network.',
          ],
        };
      }
      if (code !== undefined && DNS_CODES.has(code)) {
        return {
          title: 'DNS lookup failed',
          hints: ["Check the host name in url for typos.", 'Verify the DNS record exists (dig or nslookup) and is visible from this host.'],
        };
      }
      if (isTlsCode(code)) {
        return {
          title: 'TLS certificate problem',
          hints: [
            'Ensure the SSL certificate is valid, not expired, and issued for the host name in url.',
            "Serve the full chain (intermediate certificates) from the backend.",
            'A private CA can be trusted with NODE_EXTRA_CA_CERTS.',
          ],
        };
      }
      return {
        title: 'Connection error',
        hints: ['Verify the URL is correct and accessible.', 'Check firewall rules allow traffic.', 'Ensure the SSL certificate is valid.', 'Test with curl from a different network.'],
      };
    }
    case 'http_status': {
      const status = result.status ?? 0;
      if (status === 401 || status === 403) {
        return {
          title: `Authentication error (${status})`,
          hints: [
            ...signatureHints(integration),
            ...whitespaceHints(integration),
            'Double-check the API key is correct (and that its environment variable is set where Switchboard runs).',
            'Verify the header names match what the backend requires.',
            ...keyHint(integration),
            'Check for extra spaces in header values.',
            'Ensure the API key has the required permissions.',
          ],
        };
      }
      if (status >= 300 && status < 400) {
        return { title: `Redirect (${status}) not followed`, hints: ['Configure the final URL (https rather than http, exact path, trailing slash as the server wants it).'] };
      }
      if (status === 404) {
        return {
          title: 'Not found (404)',
          hints: ['Check the path of url (OpenAI: /v1/chat/completions, Anthropic: /v1/messages).', 'For openai/anthropic, check that the model name exists.'],
        };
      }
      if (status === 429) {
        return {
          title: 'Rate limited (429)',
          hints: ['Lower the request rate or raise the plan limits of the backend.', 'A Retry-After that fits in the timeout is honoured once.'],
        };
      }
      if (status >= 500) return { title: `Server error (${status})`, hints: ['The backend failed to process the request; check its logs and status page.'] };
      return {
        title: `Request rejected (${status})`,
        hints: ['The backend rejected the request; the error above says why (model name, parameters, payload format).', "For OpenAI or Anthropic endpoints, set type: openai or type: anthropic rather than custom."],
      };
    }
    case 'bad_reply':
      switch (result.reason) {
        case 'invalid_json':
          return {
            title: 'Response format error: the reply is not JSON',
            hints: [
              ...(integration.stream !== true && result.message.includes('text/event-stream') ? ['The backend answered a stream (text/event-stream): set stream: true on the integration.'] : []),
              'Verify the response is valid JSON (Content-Type: application/json).',
              'Look for encoding issues (UTF-8).',
              'Test the response with a JSON validator.',
            ],
          };
        case 'too_large':
          return { title: 'Reply too large', hints: [`Replies are limited to ${MAX_REPLY_BYTES} bytes (1 MiB); send large files as attachment URLs.`] };
        case 'empty':
          return { title: 'Empty reply', hints: ['Return a non-empty "content", or at least one attachment.'] };
        default:
          return {
            title: 'Response format error: no usable "content"',
            hints: [
              'Check the "content" field is present and is a string.',
              'A custom webhook answers {"content": "...", "attachments"?: [...], "metadata"?: {...}}.',
              'For OpenAI or Anthropic endpoints, set type: openai or type: anthropic.',
            ],
          };
      }
  }
}
