/**
 * `type: anthropic` streamed replies (Messages API with `stream: true`): `message_start`
 * (model, input usage), `content_block_start`/`_stop`, `content_block_delta` (`text_delta`
 * carries text; tool-input and thinking deltas are not reply text), `ping`,
 * `message_delta` (stop_reason, output usage), `message_stop` (the end) and `error`
 * events such as `overloaded_error`.
 */
import { isRecord, maskKeys, shorten } from './parts.js';
import { eventJson, finishText, type SseEvent, type StreamState, type StreamStep } from './stream-step.js';

function mergeUsage(state: StreamState, usage: unknown): void {
  if (!isRecord(usage)) return;
  const before = isRecord(state.metadata.usage) ? state.metadata.usage : {};
  state.metadata.usage = { ...before, ...usage };
}

/** Pure: one Messages API stream event → one step (model, stop_reason, usage go to `state`). */
export function parseAnthropicStreamEvent(event: SseEvent, state: StreamState): StreamStep {
  const data = eventJson(event.data);
  if (!isRecord(data)) return { type: 'invalid', reason: 'invalid_json', message: `a stream event's data is not a JSON object: ${shorten(event.data, 80)}` };
  const type = typeof data.type === 'string' ? data.type : event.event;
  switch (type) {
    case 'message_start': {
      const message = isRecord(data.message) ? data.message : {};
      if (typeof message.model === 'string') state.metadata.model = message.model;
      mergeUsage(state, message.usage);
      return { type: 'ignore' };
    }
    case 'content_block_delta': {
      const delta = isRecord(data.delta) ? data.delta : {};
      return delta.type === 'text_delta' && typeof delta.text === 'string' ? { type: 'delta', text: delta.text } : { type: 'ignore' };
    }
    case 'message_delta': {
      const delta = isRecord(data.delta) ? data.delta : {};
      if (typeof delta.stop_reason === 'string') state.metadata.stop_reason = delta.stop_reason;
      mergeUsage(state, data.usage);
      return { type: 'ignore' };
    }
    case 'message_stop':
      return { type: 'done', done: {} };
    case 'error': {
      const err = isRecord(data.error) ? data.error : {};
      const kind = typeof err.type === 'string' ? ` (${err.type})` : '';
      const text = typeof err.message === 'string' ? maskKeys(shorten(err.message, 240)) : 'no message';
      return { type: 'error', message: `Anthropic stream error${kind}: ${text}` };
    }
    default:
      // ping, content_block_start/stop and event types added later.
      return { type: 'ignore' };
  }
}

/** Pure: the final reply of a Messages API stream (text + model, stop_reason, usage). */
export function finishAnthropicStream(text: string, _done: unknown, state: StreamState): ReturnType<typeof finishText> {
  const stop = typeof state.metadata.stop_reason === 'string' ? ` (stop_reason ${state.metadata.stop_reason})` : '';
  return finishText(text, state, stop);
}
