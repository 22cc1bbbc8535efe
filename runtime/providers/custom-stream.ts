/**
 * `type: custom` streamed replies: `text/event-stream` whose events carry one JSON object each,
 * `{"delta": "..."}`, `{"done": true, content?, attachments?, metadata?}` or
 * `{"error": {"message": "..."}}`; `data: [DONE]` also ends the stream. Events named other
 * than `message`, `delta`, `done` or `error` are ignored, as are objects without those keys.
 */
import { isRecord, shorten } from './parts.js';
import { eventJson, type StreamStep } from './stream-step.js';

/** Event names a custom stream may use; the unnamed (`message`) event is the usual one. */
const KNOWN_EVENTS = new Set(['message', 'delta', 'done', 'error']);

/** Pure: one custom-stream event → one step. */
export function parseCustomStreamEvent(event: { event?: string | undefined; data: string }): StreamStep {
  if (event.event !== undefined && !KNOWN_EVENTS.has(event.event)) return { type: 'ignore' };
  const data = event.data.trim();
  if (data === '[DONE]') return { type: 'done', done: {} };
  const json = eventJson(data);
  if (!isRecord(json)) return { type: 'invalid', reason: 'invalid_json', message: `a stream event's data is not a JSON object: ${shorten(data, 80)}` };
  if (json.error !== undefined) {
    const err = json.error;
    const message = isRecord(err) && typeof err.message === 'string' ? err.message : typeof err === 'string' ? err : 'no message';
    return { type: 'error', message: `the webhook sent an error event: ${shorten(message, 200)}` };
  }
  if (json.done === true) {
    const done: { content?: string; attachments?: unknown; metadata?: unknown } = {};
    if (json.content !== undefined) {
      if (typeof json.content !== 'string') return { type: 'invalid', reason: 'invalid_shape', message: 'the done event\'s "content" is not a string' };
      done.content = json.content;
    }
    if (json.attachments !== undefined) done.attachments = json.attachments;
    if (json.metadata !== undefined) done.metadata = json.metadata;
    return { type: 'done', done };
  }
  if ('delta' in json) {
    return typeof json.delta === 'string' ? { type: 'delta', text: json.delta } : { type: 'invalid', reason: 'invalid_shape', message: 'a stream event\'s "delta" is not a string' };
  }
  return { type: 'ignore' };
}
