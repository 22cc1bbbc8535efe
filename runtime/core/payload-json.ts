/**
 * Serializing the webhook payload. The pipeline may register a faster serializer for a
 * payload it built (splicing stored history text instead of parsing and re-serializing it);
 * providers call `payloadJson` and get exactly what JSON.stringify(payload) would give.
 */
import type { WebhookRequest } from './message.js';

const serializers = new WeakMap<WebhookRequest, () => string>();

/** Registers `serialize` for `payload`; it must return JSON.stringify(payload), byte for byte. */
export function setPayloadSerializer(payload: WebhookRequest, serialize: () => string): void {
  serializers.set(payload, serialize);
}

/** JSON.stringify(payload), by the registered serializer when there is one. */
export function payloadJson(payload: WebhookRequest): string {
  const serialize = serializers.get(payload);
  return serialize ? serialize() : JSON.stringify(payload);
}
