/**
 * Serializing the webhook payload. The pipeline may attach a faster serializer to a payload
 * it built (splicing stored history text instead of parsing and re-serializing it);
 * providers call `payloadJson` and get exactly what JSON.stringify(payload) would give.
 * The serializer sits under a non-enumerable symbol key, invisible to JSON.stringify and
 * to deep equality (a WeakMap lookup cost more than the splicing saved).
 */
import type { WebhookRequest } from './message.js';

const SERIALIZE = Symbol('switchboard.payloadJson');

/** Attaches `serialize` to `payload`; it must return JSON.stringify(payload), byte for byte. */
export function setPayloadSerializer(payload: WebhookRequest, serialize: () => string): void {
  Object.defineProperty(payload, SERIALIZE, { value: serialize });
}

/** JSON.stringify(payload), by the attached serializer when there is one. */
export function payloadJson(payload: WebhookRequest): string {
  const serialize = (payload as { [SERIALIZE]?: () => string })[SERIALIZE];
  return serialize ? serialize() : JSON.stringify(payload);
}
